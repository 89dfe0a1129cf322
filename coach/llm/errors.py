"""Typed errors of the LLM reviewer, all `CoachError`s with a message fit for a user.

`kind` doubles as the review's `llm_status` when the pipeline falls back to the
rules. `usage` holds the tokens already spent when the failure came after a
billed answer (a re-ask that failed, a refusal, a truncated answer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coach.errors import CoachError

if TYPE_CHECKING:
    from coach.llm.usage import Usage


class LLMError(CoachError):
    """The language model could not give a usable answer."""

    kind = "llm-error"
    status = 502

    def __init__(self, message: str, *, attempts: int = 0, usage: Usage | None = None):
        super().__init__(message)
        self.attempts = attempts
        self.usage = usage


class LLMTimeoutError(LLMError):
    kind = "llm-timeout"
    status = 504

    def __init__(self, timeout_s: float, *, setting: str = "OKR_COACH_LLM_TIMEOUT_S", **kwargs):
        self.timeout_s = timeout_s
        super().__init__(
            f"The language model did not answer within {timeout_s:g} s ({setting}).",
            **kwargs,
        )


class LLMRateLimitError(LLMError):
    kind = "llm-rate-limited"
    status = 503

    def __init__(self, retry_after: float | None = None, **kwargs):
        self.retry_after = retry_after
        wait = f" Try again in {retry_after:g} s." if retry_after is not None else " Try again later."
        super().__init__(
            "The language model's provider is rate limiting requests." + wait, **kwargs
        )


class LLMQuotaError(LLMError):
    """429 `insufficient_quota`: waiting does not help, so it is never retried."""

    kind = "llm-quota"
    status = 502

    def __init__(self, **kwargs):
        super().__init__(
            "The language model's account has no quota left (insufficient_quota). "
            "Check the plan and billing of the API key.",
            **kwargs,
        )


class LLMServerError(LLMError):
    kind = "llm-server-error"
    status = 502

    def __init__(self, status_code: int, **kwargs):
        self.status_code = status_code
        super().__init__(
            f"The language model's server failed (HTTP {status_code}) and kept failing "
            "after retries.",
            **kwargs,
        )


class LLMConnectionError(LLMError):
    kind = "llm-unreachable"
    status = 502

    def __init__(self, base_url: str | None, **kwargs):
        self.base_url = base_url
        where = f"endpoint {base_url} (OKR_COACH_LLM_BASE_URL)" if base_url else "endpoint"
        super().__init__(f"The language model {where} could not be reached.", **kwargs)


class LLMAuthError(LLMError):
    kind = "llm-auth"
    status = 502

    def __init__(self, status_code: int, **kwargs):
        self.status_code = status_code
        super().__init__(
            f"The language model endpoint refused the API key (HTTP {status_code}). "
            "Check OKR_COACH_LLM_API_KEY (or OPENAI_API_KEY).",
            **kwargs,
        )


class LLMRequestError(LLMError):
    """Another 4xx: usually a model name or a capability the endpoint lacks."""

    kind = "llm-bad-request"
    status = 502

    def __init__(self, status_code: int, detail: str, **kwargs):
        self.status_code = status_code
        self.detail = detail
        super().__init__(
            f"The language model endpoint rejected the request (HTTP {status_code}): {detail} "
            "Check OKR_COACH_LLM_MODEL, and OKR_COACH_LLM_CAPABILITY if the endpoint does not "
            "support JSON-schema output (json_object, tools or prompt_only).",
            **kwargs,
        )


class LLMRefusalError(LLMError):
    kind = "llm-refusal"
    status = 502

    def __init__(self, refusal: str, **kwargs):
        self.refusal = refusal
        super().__init__(
            f"The language model declined to review this OKR set: {refusal.strip()[:300]}",
            **kwargs,
        )


class LLMTruncatedError(LLMError):
    kind = "llm-truncated"
    status = 502

    def __init__(self, **kwargs):
        super().__init__(
            "The language model's answer was cut off at its output token limit "
            "(finish_reason 'length'); try a smaller OKR set.",
            **kwargs,
        )


class LLMOutputError(LLMError):
    """The answer was not valid JSON for the schema, even after one re-ask."""

    kind = "llm-output-invalid"
    status = 502

    def __init__(self, name: str, problem: str, *, raw: str = "", **kwargs):
        self.name = name
        self.problem = problem
        self.raw = raw
        super().__init__(
            f"The language model's answer to '{name}' did not match the expected format, "
            f"even after one re-ask: {problem}",
            **kwargs,
        )
