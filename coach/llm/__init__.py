"""The LLM reviewer's provider layer: settings, typed errors and chat clients.

The only package that imports an LLM SDK (openai; langchain-core lazily, for
`LangChainClient`). Nothing here is needed for a rules-only review.
"""

from coach.llm.client import ChatClient, ChatResult, OpenAICompatibleClient, run_all
from coach.llm.errors import (
    LLMAuthError,
    LLMConnectionError,
    LLMError,
    LLMOutputError,
    LLMQuotaError,
    LLMRateLimitError,
    LLMRefusalError,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
    LLMTruncatedError,
)
from coach.llm.settings import LLMSettings, Price
from coach.llm.usage import Usage


def __getattr__(name: str):
    if name == "LangChainClient":
        from coach.llm.langchain_client import LangChainClient

        return LangChainClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ChatClient",
    "ChatResult",
    "LLMAuthError",
    "LLMConnectionError",
    "LLMError",
    "LLMOutputError",
    "LLMQuotaError",
    "LLMRateLimitError",
    "LLMRefusalError",
    "LLMRequestError",
    "LLMServerError",
    "LLMSettings",
    "LLMTimeoutError",
    "LLMTruncatedError",
    "LangChainClient",
    "OpenAICompatibleClient",
    "Price",
    "Usage",
    "run_all",
]
