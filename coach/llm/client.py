"""Chat clients that return one validated structured answer.

Both clients have one interface:

    result = await client.complete(messages, Schema, name="okr_review")
    result = client.complete_sync(messages, Schema, name="okr_review")

`messages` are OpenAI-style dicts (`{"role": "system" | "user" | "assistant",
"content": str}`), `Schema` a pydantic model, `name` names the call (and the
schema / tool sent to the endpoint). The answer is validated with pydantic on
our side whatever the endpoint promises; an invalid answer is re-asked once
with the validation error, then `LLMOutputError`.

- `OpenAICompatibleClient(settings)`: any OpenAI-compatible endpoint through
  the openai SDK, with its own bounded retries (the SDK's are off).
- `LangChainClient(chat_model)`: any langchain-core chat model (imported
  lazily: langchain-core is an optional dependency).

`run_all(coros, limit)` runs many calls with bounded concurrency.
"""

from __future__ import annotations

import asyncio
import email.utils
import inspect
import random
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, Field

from coach.errors import ConfigError
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
from coach.llm.schema import (
    check_name,
    parse_answer,
    reask_messages,
    request_fingerprint,
    schema_instruction,
    strict_json_schema,
    with_system_text,
)
from coach.llm.settings import LLMSettings
from coach.llm.usage import Usage
from coach.metrics import observe_model_call, observe_model_usage

if TYPE_CHECKING:
    import httpx2
    import openai

    from coach.llm.budget import ModelBudget

T = TypeVar("T")


class ChatResult(BaseModel):
    name: str
    parsed: dict[str, Any]
    raw: str = Field(description="the text (or tool arguments) the accepted answer was parsed from")
    model: str
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = Field(default=None, description="estimate from the price table")
    latency_s: float = 0.0
    attempts: int = Field(default=1, description="model calls made, retries and the re-ask included")
    reasked: bool = False
    capability: str = ""
    request_sha256: str = Field(default="", description="fingerprint of the first request body")
    from_cache: bool = Field(default=False, description="answered by the response cache, no call made")


class ChatClient(Protocol):
    async def complete(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult: ...

    def complete_sync(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult: ...


def run_sync(awaitable_factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine from synchronous code on a fresh event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("complete_sync() called inside a running event loop: await complete()")
    return asyncio.run(_await(awaitable_factory))


async def _await(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


async def run_all(
    coros: Iterable[Awaitable[T]], limit: int, *, return_exceptions: bool = False
) -> list[T | BaseException]:
    """Await every awaitable with at most `limit` running at once; results in input order.

    With `return_exceptions=False` the first failure cancels the rest and is
    raised; with True each failure takes its place in the result list.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    semaphore = asyncio.Semaphore(limit)

    async def one(aw: Awaitable[T]) -> T:
        try:
            async with semaphore:
                return await aw
        finally:
            if inspect.iscoroutine(aw):
                aw.close()  # a no-op once it ran; silences a cancelled, never-started one

    tasks = [asyncio.ensure_future(one(aw)) for aw in coros]
    try:
        return await asyncio.gather(*tasks, return_exceptions=return_exceptions)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


# ---------------------------------------------------------------- OpenAI-compatible


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds asked for by `retry-after-ms` or `retry-after` (seconds or HTTP date)."""
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_insufficient_quota(error: openai.APIStatusError) -> bool:
    if "insufficient_quota" in (error.code or "", error.type or ""):
        return True
    return "insufficient_quota" in str(error.body)


def _usage_of(completion: Any) -> Usage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return Usage()
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) if details is not None else None
    return Usage(
        prompt_tokens=usage.prompt_tokens or 0,
        completion_tokens=usage.completion_tokens or 0,
        cached_tokens=cached or 0,
    )


class OpenAICompatibleClient:
    """Structured chat completions from any OpenAI-compatible endpoint.

    The `AsyncOpenAI` client is built lazily, one per event loop (it cannot be
    shared across loops), with the SDK's own retries off: this class retries
    429 (honouring `retry-after`, never `insufficient_quota`), 5xx and
    connection errors itself, at most `settings.max_retries` times per
    request, with jittered exponential backoff.
    """

    def __init__(
        self,
        settings: LLMSettings | None = None,
        http_client: httpx2.AsyncClient | None = None,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        budget: ModelBudget | None = None,
    ):
        self.settings = settings if settings is not None else LLMSettings()
        # With a budget (the service's clients, coach.llm.factory) every request takes a
        # token first and a 429 pauses every caller instead of spending this call's retries.
        self.budget = budget
        if not self.settings.configured():
            raise ConfigError(
                "The language model is not configured: set " + " and ".join(self.settings.missing()) + "."
            )
        self.model: str = self.settings.model  # type: ignore[assignment]  # configured() checked it
        self._http_client = http_client
        self._sleep = sleep
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI] = (
            weakref.WeakKeyDictionary()
        )

    # -- the SDK client, one per loop

    def _sdk(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            import openai

            key = self.settings.api_key
            client = openai.AsyncOpenAI(
                # Keyless local servers (Ollama, llama.cpp) accept any bearer token.
                api_key=key.get_secret_value() if key is not None else "not-needed",
                base_url=self.settings.effective_base_url(),
                timeout=self.settings.timeout_s,
                max_retries=0,
                http_client=self._http_client,
            )
            self._clients[loop] = client
        return client

    async def aclose(self) -> None:
        """Close this loop's SDK client (not an `http_client` passed in: its owner closes it).

        Call it (or use `async with client:`) before the event loop ends, or the
        loop's pooled connections are left open. `complete_sync` does it itself.
        """
        loop = asyncio.get_running_loop()
        client = self._clients.pop(loop, None)
        if client is not None and self._http_client is None:
            await client.close()

    async def __aenter__(self) -> OpenAICompatibleClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the request

    def build_request(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], name: str
    ) -> dict[str, Any]:
        """The body sent for `messages`, shaped by the capability setting."""
        capability = self.settings.capability
        request: dict[str, Any] = {"model": self.model}
        if capability == "json_schema":
            request["messages"] = list(messages)
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": strict_json_schema(schema), "strict": True},
            }
        elif capability == "json_object":
            request["messages"] = with_system_text(messages, schema_instruction(schema))
            request["response_format"] = {"type": "json_object"}
        elif capability == "tools":
            function: dict[str, Any] = {"name": name, "parameters": strict_json_schema(schema)}
            if schema.__doc__:
                function["description"] = inspect.cleandoc(schema.__doc__)
            request["messages"] = list(messages)
            request["tools"] = [{"type": "function", "function": function}]
            request["tool_choice"] = {"type": "function", "function": {"name": name}}
        else:  # prompt_only
            request["messages"] = with_system_text(messages, schema_instruction(schema))
        return request

    async def complete(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        check_name(name)
        started = time.perf_counter()
        request = self.build_request(messages, schema, name)
        fingerprint = request_fingerprint(request)
        state = _CallState()

        completion = await self._send(request, state)
        raw, finish_reason = self._answer_of(completion, name, state)
        parsed, problem = parse_answer(raw, schema)
        reasked = False
        if problem is not None:
            reasked = True
            again = {**request, "messages": reask_messages(request["messages"], raw, problem)}
            completion = await self._send(again, state)
            raw, finish_reason = self._answer_of(completion, name, state)
            parsed, problem = parse_answer(raw, schema)
            if problem is not None:
                raise LLMOutputError(name, problem, raw=raw, attempts=state.attempts, usage=state.usage)
        assert parsed is not None
        model = getattr(completion, "model", None) or self.model
        return ChatResult(
            name=name,
            parsed=parsed,
            raw=raw,
            model=model,
            finish_reason=finish_reason,
            usage=state.usage,
            cost_usd=state.usage.cost(self.settings.price_for(model)),
            latency_s=time.perf_counter() - started,
            attempts=state.attempts,
            reasked=reasked,
            capability=self.settings.capability,
            request_sha256=fingerprint,
        )

    def complete_sync(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        async def call() -> ChatResult:
            try:
                return await self.complete(messages, schema, name=name)
            finally:
                await self.aclose()

        return run_sync(call)

    # -- one request, with retries

    def _backoff(self, retry: int) -> float:
        cap = min(self.settings.retry_backoff_max_s, self.settings.retry_backoff_s * 2 ** (retry - 1))
        return random.uniform(cap / 2, cap)

    async def _send(self, request: dict[str, Any], state: _CallState) -> Any:
        import openai
        from openai.types.chat import ChatCompletion

        client = self._sdk()
        retries = 0
        limited_since: float | None = None  # the first 429 of this request, with a budget
        while True:
            if self.budget is not None:
                await self.budget.acquire()
            state.attempts += 1
            try:
                # The SDK's generic POST rather than chat.completions.create(): the body
                # is already complete, and create()'s typed-parameter transform walks
                # every node of the messages and the JSON schema, which costs more CPU
                # per call than the rest of the client. Auth, errors and the response
                # model are the same.
                return await self._post(client, request, ChatCompletion)
            except openai.APITimeoutError as exc:
                raise LLMTimeoutError(self.settings.timeout_s, **state.kw()) from exc
            except openai.RateLimitError as exc:
                if _is_insufficient_quota(exc):
                    raise LLMQuotaError(**state.kw()) from exc
                wait = retry_after_seconds(exc.response.headers)
                if self.budget is not None:
                    # The whole fleet pauses (the next acquire() anywhere waits it out), and
                    # this request is sent again until its patience runs out.
                    now = time.monotonic()
                    limited_since = now if limited_since is None else limited_since
                    too_long = wait is not None and wait > self.settings.max_retry_after_s
                    if too_long or now - limited_since > self.settings.rate_limit_patience_s:
                        raise LLMRateLimitError(wait, **state.kw()) from exc
                    state.rate_limited += 1
                    await self.budget.back_off(
                        wait if wait is not None else self._backoff(min(state.rate_limited, 8))
                    )
                    continue
                if retries >= self.settings.max_retries or (
                    wait is not None and wait > self.settings.max_retry_after_s
                ):
                    raise LLMRateLimitError(wait, **state.kw()) from exc
                retries += 1
                # At least what the server asked for, plus jitter so waiting clients spread out.
                delay = wait * random.uniform(1.0, 1.1) if wait is not None else self._backoff(retries)
                await self._sleep(delay)
            except openai.InternalServerError as exc:
                if retries >= self.settings.max_retries:
                    raise LLMServerError(exc.status_code, **state.kw()) from exc
                retries += 1
                wait = retry_after_seconds(exc.response.headers)
                if wait is not None and wait <= self.settings.max_retry_after_s:
                    await self._sleep(wait * random.uniform(1.0, 1.1))
                else:
                    await self._sleep(self._backoff(retries))
            except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
                raise LLMAuthError(exc.status_code, **state.kw()) from exc
            except openai.APIStatusError as exc:
                raise LLMRequestError(exc.status_code, _detail(exc), **state.kw()) from exc
            except openai.APIConnectionError as exc:
                if retries >= self.settings.max_retries:
                    raise LLMConnectionError(self.settings.effective_base_url(), **state.kw()) from exc
                retries += 1
                await self._sleep(self._backoff(retries))

    @staticmethod
    async def _post(client: openai.AsyncOpenAI, request: dict[str, Any], cast_to: Any) -> Any:
        """One request to the provider, counted and timed (coach.metrics) whatever its outcome."""
        import openai

        sent = time.perf_counter()
        outcome = "ok"
        try:
            return await client.post("/chat/completions", body=request, cast_to=cast_to)
        except openai.APIStatusError as exc:
            outcome = "rate_limited" if exc.status_code == 429 else f"http_{exc.status_code}"
            raise
        except openai.APITimeoutError:
            outcome = "timeout"
            raise
        except openai.APIConnectionError:
            outcome = "connection"
            raise
        finally:
            observe_model_call(outcome, time.perf_counter() - sent)

    def _answer_of(self, completion: Any, name: str, state: _CallState) -> tuple[str, str | None]:
        """The answer text of a completion; refusals and truncation raise."""
        usage = _usage_of(completion)
        state.usage = state.usage + usage
        model = getattr(completion, "model", None) or self.model
        observe_model_usage(
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.cached_tokens,
            usage.cost(self.settings.price_for(model)),
        )
        choices = getattr(completion, "choices", None) or []
        if not choices:
            raise LLMError("The language model returned no answer (no choices).", **state.kw())
        choice = choices[0]
        message = choice.message
        refusal = getattr(message, "refusal", None)
        if refusal:
            raise LLMRefusalError(refusal, **state.kw())
        finish_reason = choice.finish_reason
        if finish_reason == "length":
            raise LLMTruncatedError(**state.kw())
        if finish_reason == "content_filter":
            raise LLMRefusalError("the provider's content filter stopped the answer.", **state.kw())
        for call in getattr(message, "tool_calls", None) or []:
            function = getattr(call, "function", None)
            if function is not None and function.name == name:
                return function.arguments or "", finish_reason
        return message.content or "", finish_reason


class _CallState:
    """What one `complete()` has spent so far, across retries and the re-ask."""

    def __init__(self) -> None:
        self.attempts = 0
        self.rate_limited = 0  # 429s waited out with the fleet's budget
        self.usage = Usage()

    def kw(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "usage": self.usage}


def _detail(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"][:300]
    return str(getattr(error, "message", "") or error)[:300]


__all__ = [
    "ChatClient",
    "ChatResult",
    "OpenAICompatibleClient",
    "Usage",
    "run_all",
    "run_sync",
]
