"""Tokens a model call used, as the provider reported them: shared by the clients and
the errors that carry a failed call's usage."""

from __future__ import annotations

from pydantic import BaseModel

from coach.llm.settings import Price


class Usage(BaseModel):
    """Tokens as the provider reported them (never counted on our side)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Prompt tokens served from the provider's prompt cache (part of prompt_tokens).
    cached_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
        )

    def cost(self, price: Price) -> float:
        """Estimated USD: uncached input, cached input and output at their prices per 1M."""
        cached = min(self.cached_tokens, self.prompt_tokens)
        cached_price = price.cached if price.cached is not None else price.input
        return (
            (self.prompt_tokens - cached) * price.input
            + cached * cached_price
            + self.completion_tokens * price.output
        ) / 1_000_000
