"""Which chat client a review uses: the one passed in, or one built from settings."""

from __future__ import annotations

from typing import Any

from coach.llm.budget import ModelBudget, process_budget
from coach.llm.client import ChatClient, OpenAICompatibleClient
from coach.llm.settings import LLMSettings, get_llm_settings


def as_client(llm: Any, settings: LLMSettings | None = None) -> ChatClient:
    """A `ChatClient` for `llm`: a client already, or a LangChain chat model to wrap."""
    if callable(getattr(llm, "complete", None)):
        return llm
    from coach.llm.langchain_client import LangChainClient

    return LangChainClient(llm, settings=settings)


def service_budget(settings: LLMSettings) -> ModelBudget:
    """The budget every model call of this process shares (with the fleet, through Redis)."""
    from coach.config import get_settings

    service = get_settings()
    return process_budget(settings.calls_per_minute, service.redis_url, service.redis_prefix)


# Keyed by the settings object itself (settings are not hashable): the cached
# `get_llm_settings()` gives the same object for the life of the process.
_clients: dict[int, tuple[LLMSettings, OpenAICompatibleClient]] = {}


def configured_client(settings: LLMSettings | None = None) -> ChatClient | None:
    """The OpenAI-compatible client the settings describe, or None when no model is configured.

    One client per settings object: it keeps one connection pool per event loop.
    """
    settings = settings if settings is not None else get_llm_settings()
    if not settings.configured():
        return None
    held = _clients.get(id(settings))
    if held is None or held[0] is not settings:
        _clients.clear()  # one at a time: a new settings object replaces the old client
        held = _clients[id(settings)] = (
            settings,
            OpenAICompatibleClient(settings, budget=service_budget(settings)),
        )
    return held[1]
