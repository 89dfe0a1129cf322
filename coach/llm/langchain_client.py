"""`LangChainClient`: the structured-answer interface over any langchain-core chat model.

    from langchain_anthropic import ChatAnthropic
    client = LangChainClient(ChatAnthropic(model=...))
    result = await client.complete(messages, Schema, name="okr_review")

The model's own `with_structured_output` (tool calling or JSON schema, as the
integration implements it) is used when it has one; otherwise the schema goes
in the prompt and the JSON is taken out of the text. Either way the answer is
validated with pydantic here and re-asked once. Provider exceptions are mapped
to the same typed errors as `OpenAICompatibleClient` by their HTTP status,
without importing any provider SDK; transport retries are the chat model's own.
langchain-core is imported here only, so it stays an optional dependency.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from pydantic import BaseModel

from coach.llm.client import ChatResult, retry_after_seconds, run_sync
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
    validate_data,
    with_system_text,
)
from coach.llm.settings import LLMSettings
from coach.llm.usage import Usage

# finish reasons that mean "cut off at the token limit", by provider
_TRUNCATED = {("finish_reason", "length"), ("stop_reason", "max_tokens"), ("done_reason", "length")}


class LangChainClient:
    def __init__(
        self,
        chat_model: Any,
        *,
        settings: LLMSettings | None = None,
        structured: bool | None = None,
    ):
        """`structured=None` uses the model's structured output when it has one;
        False forces prompt-only. `settings` gives the timeout and the price table."""
        from langchain_core.language_models import BaseChatModel

        if not isinstance(chat_model, BaseChatModel):
            raise TypeError(f"expected a langchain-core BaseChatModel, got {type(chat_model).__name__}")
        self.chat_model = chat_model
        self.settings = settings if settings is not None else LLMSettings()
        self.structured = structured

    @property
    def model_name(self) -> str:
        for attr in ("model_name", "model", "model_id"):
            value = getattr(self.chat_model, attr, None)
            if isinstance(value, str) and value:
                return value
        return type(self.chat_model).__name__

    def _runnable(self, schema: type[BaseModel]) -> tuple[Any, bool]:
        if self.structured is False:
            return self.chat_model, False
        try:
            return self.chat_model.with_structured_output(schema, include_raw=True), True
        except NotImplementedError:
            if self.structured:
                raise
            return self.chat_model, False

    async def complete(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        check_name(name)
        started = time.perf_counter()
        runnable, structured = self._runnable(schema)
        sent = list(messages) if structured else with_system_text(messages, schema_instruction(schema))
        fingerprint = request_fingerprint(
            {"model": self.model_name, "messages": sent, "schema": schema.model_json_schema(), "name": name}
        )
        state = {"attempts": 0, "usage": Usage()}

        out = await self._invoke(runnable, sent, state)
        message, raw, parsed, problem = self._interpret(out, schema, state)
        reasked = False
        if problem is not None:
            reasked = True
            out = await self._invoke(runnable, reask_messages(sent, raw, problem), state)
            message, raw, parsed, problem = self._interpret(out, schema, state)
            if problem is not None:
                raise LLMOutputError(name, problem, raw=raw, **state)
        assert parsed is not None
        metadata = getattr(message, "response_metadata", None) or {}
        model = metadata.get("model_name") or metadata.get("model") or self.model_name
        usage: Usage = state["usage"]
        return ChatResult(
            name=name,
            parsed=parsed,
            raw=raw,
            model=model,
            finish_reason=metadata.get("finish_reason") or metadata.get("stop_reason"),
            usage=usage,
            cost_usd=usage.cost(self.settings.price_for(model)),
            latency_s=time.perf_counter() - started,
            attempts=state["attempts"],
            reasked=reasked,
            capability="structured_output" if structured else "prompt_only",
            request_sha256=fingerprint,
        )

    def complete_sync(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        return run_sync(lambda: self.complete(messages, schema, name=name))

    async def _invoke(self, runnable: Any, messages: list[dict[str, Any]], state: dict[str, Any]) -> Any:
        from langchain_core.messages import convert_to_messages

        state["attempts"] += 1
        timeout = self.settings.timeout_s
        try:
            return await asyncio.wait_for(runnable.ainvoke(convert_to_messages(messages)), timeout)
        except TimeoutError as exc:
            raise LLMTimeoutError(timeout, **state) from exc
        except LLMError:
            raise
        except Exception as exc:  # a provider SDK's error, whatever its package: map or re-raise
            mapped = map_provider_error(exc, state, timeout)
            if mapped is None:
                raise
            raise mapped from exc

    def _interpret(
        self, out: Any, schema: type[BaseModel], state: dict[str, Any]
    ) -> tuple[Any, str, dict[str, Any] | None, str | None]:
        """(message, raw text, validated data or None, problem or None)."""
        from langchain_core.messages import BaseMessage

        parsed_value: Any = None
        parsing_error: Any = None
        if isinstance(out, dict) and "raw" in out:
            message = out["raw"]
            parsed_value, parsing_error = out.get("parsed"), out.get("parsing_error")
        elif isinstance(out, BaseMessage):
            message = out
        else:  # a structured runnable that returned the value alone
            message = None
            parsed_value = out

        if message is not None:
            state["usage"] = state["usage"] + _usage_of(message)
            self._check(message, state)

        if parsed_value is not None and parsing_error is None:
            data = parsed_value.model_dump(mode="json") if isinstance(parsed_value, BaseModel) else parsed_value
            parsed, problem = validate_data(data, schema)
            return message, json.dumps(data, ensure_ascii=False), parsed, problem

        tool_calls = getattr(message, "tool_calls", None) or []
        if tool_calls:
            args = tool_calls[0].get("args")
            parsed, problem = validate_data(args, schema)
            return message, json.dumps(args, ensure_ascii=False), parsed, problem
        invalid = getattr(message, "invalid_tool_calls", None) or []
        raw = str(invalid[0].get("args") or "") if invalid else _text_of(message)
        parsed, problem = parse_answer(raw, schema)
        return message, raw, parsed, problem

    def _check(self, message: Any, state: dict[str, Any]) -> None:
        refusal = (getattr(message, "additional_kwargs", None) or {}).get("refusal")
        if refusal:
            raise LLMRefusalError(str(refusal), **state)
        metadata = getattr(message, "response_metadata", None) or {}
        if any(metadata.get(key) == value for key, value in _TRUNCATED):
            raise LLMTruncatedError(**state)
        if metadata.get("finish_reason") == "content_filter":
            raise LLMRefusalError("the provider's content filter stopped the answer.", **state)


def _text_of(message: Any) -> str:
    content = getattr(message, "content", "")
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def _usage_of(message: Any) -> Usage:
    meta = getattr(message, "usage_metadata", None)
    if not meta:
        return Usage()
    details = meta.get("input_token_details") or {}
    return Usage(
        prompt_tokens=meta.get("input_tokens", 0) or 0,
        completion_tokens=meta.get("output_tokens", 0) or 0,
        cached_tokens=details.get("cache_read", 0) or 0,
    )


def map_provider_error(
    exc: BaseException, state: dict[str, Any], timeout_s: float
) -> LLMError | None:
    """A provider SDK's exception as one of ours, judged by its HTTP status; None if unknown."""
    response = getattr(exc, "response", None)
    status = getattr(exc, "status_code", None) or getattr(response, "status_code", None)
    if isinstance(status, int):
        text = f"{getattr(exc, 'body', '')} {getattr(exc, 'code', '')} {exc}"
        if status == 429:
            if "insufficient_quota" in text:
                return LLMQuotaError(**state)
            headers = getattr(response, "headers", None)
            return LLMRateLimitError(retry_after_seconds(headers), **state)
        if status >= 500:
            return LLMServerError(status, **state)
        if status in (401, 403):
            return LLMAuthError(status, **state)
        if 400 <= status < 500:
            return LLMRequestError(status, str(exc)[:300], **state)
    name = type(exc).__name__
    if "Timeout" in name:
        return LLMTimeoutError(timeout_s, **state)
    if "Connection" in name:
        return LLMConnectionError(None, **state)
    return None
