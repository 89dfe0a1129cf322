"""Settings of the LLM reviewer, from `OKR_COACH_LLM_*` environment variables.

Any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp
server, LM Studio) is reached through `OKR_COACH_LLM_BASE_URL`,
`OKR_COACH_LLM_API_KEY` (falling back to `OPENAI_API_KEY`) and
`OKR_COACH_LLM_MODEL`. `OKR_COACH_LLM_CAPABILITY` says how the endpoint can be
made to return structured output:

- `json_schema`: strict JSON-schema `response_format` (OpenAI, Azure, Ollama);
- `json_object`: JSON mode, the schema is given in the prompt;
- `tools`: one forced tool call whose parameters are the schema (vLLM with
  tool flags, most llama.cpp builds);
- `prompt_only`: the schema in the prompt, the JSON taken out of the text.

Whatever the capability, the answer is validated with pydantic on our side.

Prices are USD per one million tokens. `OKR_COACH_LLM_PRICES` takes a JSON
table keyed by model name, for instance
`{"gpt-4.1-mini": {"input": 0.4, "output": 1.6, "cached": 0.1}}`; a model is
looked up exactly, then by the longest key it starts with, then under
`default`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Capability = Literal["json_schema", "json_object", "tools", "prompt_only"]

OPENAI_BASE_URL = "https://api.openai.com/v1"


class Price(BaseModel):
    """USD per one million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    # Cached prompt tokens; when omitted they are billed as ordinary input.
    cached: float | None = Field(default=None, ge=0)


# A placeholder until the operator configures the real prices of the model in
# use: an estimate, never a bill. Local endpoints are free: set them to zero.
DEFAULT_PRICES: dict[str, Price] = {
    "default": Price(input=0.40, output=1.60, cached=0.10),
}


class LLMSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OKR_COACH_LLM_", extra="ignore", populate_by_name=True
    )

    base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint; OpenAI itself when unset"
    )
    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("OKR_COACH_LLM_API_KEY", "OPENAI_API_KEY"),
        description="falls back to OPENAI_API_KEY",
    )
    model: str | None = None
    capability: Capability = "json_schema"
    timeout_s: float = Field(default=60.0, gt=0, description="per HTTP request; never unbounded")
    max_retries: int = Field(default=2, ge=0, le=10, description="retries of 429 / 5xx / connection errors")
    # First backoff step for retries without a retry-after header (doubled per
    # retry, full jitter, capped at retry_backoff_max_s).
    retry_backoff_s: float = Field(default=0.5, ge=0)
    retry_backoff_max_s: float = Field(default=8.0, ge=0)
    # A retry-after longer than this is not waited for: the call fails with
    # LLMRateLimitError carrying retry_after instead.
    max_retry_after_s: float = Field(default=60.0, ge=0)
    concurrency: int = Field(
        default=8, ge=1, le=1024,
        description="OKR sets reviewed at once (a batch), model calls in flight at once (the service)",
    )
    # The fleet's budget (coach/llm/budget.py): requests to the provider per minute, shared
    # by every worker and replica through OKR_COACH_REDIS_URL (0: no bucket). After a 429
    # every caller pauses; a call keeps waiting out 429s this long before it fails.
    calls_per_minute: int = Field(default=0, ge=0, le=1_000_000)
    rate_limit_patience_s: float = Field(default=300.0, ge=0, le=86_400)
    # How long one review waits for each model call, its turn in the queue and its
    # retries included, before it goes on rules-only (coach/llm/pool.py).
    review_timeout_s: float = Field(default=120.0, gt=0, le=3600)
    prices: dict[str, Price] = Field(default_factory=lambda: dict(DEFAULT_PRICES))

    @field_validator("base_url", "model")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        return value or None

    @field_validator("api_key")
    @classmethod
    def _blank_key_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        return value

    def configured(self) -> bool:
        """True when a model can be called: a model name and an endpoint or a key."""
        return not self.missing()

    def missing(self) -> list[str]:
        """What keeps the LLM reviewer off, as environment variable names."""
        missing = []
        if self.model is None:
            missing.append("OKR_COACH_LLM_MODEL")
        if self.base_url is None and self.api_key is None:
            missing.append("OKR_COACH_LLM_API_KEY, OPENAI_API_KEY or OKR_COACH_LLM_BASE_URL")
        return missing

    def effective_base_url(self) -> str:
        return self.base_url or OPENAI_BASE_URL

    def price_for(self, model: str | None) -> Price:
        """The price row of `model`: exact name, longest matching prefix, then `default`."""
        table = self.prices
        if model:
            if model in table:
                return table[model]
            prefixes = [key for key in table if key != "default" and model.startswith(key)]
            if prefixes:
                return table[max(prefixes, key=len)]
        return table.get("default", DEFAULT_PRICES["default"])


@lru_cache(maxsize=1)
def get_llm_settings() -> LLMSettings:
    """The process's LLM settings, read once; tests call `get_llm_settings.cache_clear()`."""
    return LLMSettings()


def describe_llm(settings: LLMSettings | None = None) -> str:
    """One line for banners and health checks: which model, or rules-only and why."""
    settings = settings if settings is not None else get_llm_settings()
    if not settings.configured():
        return "rules-only: no LLM configured; set " + " and ".join(settings.missing())
    return f"LLM {settings.model} at {settings.effective_base_url()} ({settings.capability}); hybrid by default"
