"""LangChainClient over a fake langchain-core chat model that records what it was sent."""

from __future__ import annotations

import asyncio
import json

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from llm_fakes import (
    GOOD,
    MESSAGES,
    OKRS,
    SYSTEM,
    PlainFakeChatModel,
    RecordingFakeChatModel,
    SetVerdict,
    tool_answer,
)

from coach.llm import LLMSettings, Price
from coach.llm.errors import (
    LLMOutputError,
    LLMQuotaError,
    LLMRateLimitError,
    LLMRefusalError,
    LLMServerError,
    LLMTimeoutError,
    LLMTruncatedError,
)
from coach.llm.langchain_client import LangChainClient
from coach.llm.schema import SCHEMA_INSTRUCTION


def test_structured_answer_through_tool_calls():
    model = RecordingFakeChatModel.answering(tool_answer(GOOD))
    client = LangChainClient(model, settings=LLMSettings(prices={"fake": Price(input=1, output=2, cached=0.5)}))
    result = client.complete_sync(MESSAGES, SetVerdict, name="okr_review")

    assert result.parsed == SetVerdict.model_validate(GOOD).model_dump(mode="json")
    assert result.model == "fake-chat-model" and result.capability == "structured_output"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.cached_tokens) == (120, 40, 100)
    assert result.cost_usd == pytest.approx((20 * 1 + 100 * 0.5 + 40 * 2) / 1e6)
    assert result.attempts == 1 and not result.reasked

    # what the model was sent: the messages as given, system first, OKRs as data
    [sent] = model.history
    assert isinstance(sent[0], SystemMessage) and sent[0].content == SYSTEM
    assert isinstance(sent[1], HumanMessage) and OKRS in sent[1].content


def test_invalid_tool_arguments_are_reasked_once():
    bad = {**GOOD, "aspiration": "sometimes"}
    model = RecordingFakeChatModel.answering(tool_answer(bad), tool_answer(GOOD))
    result = LangChainClient(model).complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert result.reasked and result.attempts == 2
    assert result.usage.prompt_tokens == 240  # both calls counted

    first, second = model.history
    assert len(second) == len(first) + 2
    assert isinstance(second[-2], AIMessage) and json.loads(second[-2].content) == bad
    assert isinstance(second[-1], HumanMessage) and "aspiration" in second[-1].content


def test_invalid_twice_raises_llm_output_error():
    model = RecordingFakeChatModel.answering(tool_answer({"aspiration": True}), tool_answer({"x": 1}))
    with pytest.raises(LLMOutputError) as info:
        LangChainClient(model).complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert info.value.attempts == 2 and "Field required" in info.value.problem


def test_model_without_tool_calling_falls_back_to_prompt_only():
    fenced = f"Sure.\n```json\n{json.dumps(GOOD)}\n```"
    model = PlainFakeChatModel(messages=iter([fenced]))
    with pytest.raises(NotImplementedError):
        model.with_structured_output(SetVerdict)
    result = LangChainClient(model).complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert result.capability == "prompt_only" and result.parsed["reason"] == GOOD["reason"]

    [sent] = model.history
    assert isinstance(sent[0], SystemMessage)
    assert sent[0].content.startswith(SYSTEM)
    assert SCHEMA_INSTRUCTION.split("{schema}")[0] in sent[0].content
    assert len(sent) == 2


def test_structured_false_forces_prompt_only():
    model = RecordingFakeChatModel.answering(json.dumps(GOOD))
    result = LangChainClient(model, structured=False).complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert result.capability == "prompt_only"


def test_refusal_and_truncation():
    refusal = AIMessage(content="", additional_kwargs={"refusal": "I can't assist with that."})
    with pytest.raises(LLMRefusalError):
        LangChainClient(RecordingFakeChatModel.answering(refusal)).complete_sync(
            MESSAGES, SetVerdict, name="okr_review")

    cut = tool_answer({"aspiration": True}, finish_reason="length")
    with pytest.raises(LLMTruncatedError):
        LangChainClient(RecordingFakeChatModel.answering(cut)).complete_sync(
            MESSAGES, SetVerdict, name="okr_review")

    anthropic_cut = AIMessage(content='{"aspir', response_metadata={"stop_reason": "max_tokens"})
    with pytest.raises(LLMTruncatedError):
        LangChainClient(PlainFakeChatModel(messages=iter([anthropic_cut]))).complete_sync(
            MESSAGES, SetVerdict, name="okr_review")


class _Response:
    def __init__(self, status_code: int, headers: dict[str, str] | None = None):
        self.status_code = status_code
        self.headers = headers or {}


class ProviderStatusError(Exception):
    """Shaped like a provider SDK's HTTP error (openai, anthropic, ...)."""

    def __init__(self, status_code: int, body: object = None, headers: dict[str, str] | None = None):
        super().__init__(f"Error code: {status_code} - {body}")
        self.status_code = status_code
        self.body = body
        self.response = _Response(status_code, headers)


class APITimeoutError(Exception):
    pass


class FailingChatModel(GenericFakeChatModel):
    error: BaseException

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ProviderStatusError(429, {"code": "insufficient_quota"}), LLMQuotaError),
        (ProviderStatusError(429, {"code": "rate_limit_exceeded"}, {"retry-after": "7"}), LLMRateLimitError),
        (ProviderStatusError(503, "overloaded"), LLMServerError),
        (APITimeoutError("Request timed out."), LLMTimeoutError),
    ],
)
def test_provider_errors_are_mapped(error, expected):
    model = FailingChatModel(messages=iter([]), error=error)
    with pytest.raises(expected) as info:
        LangChainClient(model).complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert info.value.__cause__ is error
    if expected is LLMRateLimitError:
        assert info.value.retry_after == 7


def test_unknown_errors_are_not_swallowed():
    model = FailingChatModel(messages=iter([]), error=KeyError("bug"))
    with pytest.raises(KeyError):
        LangChainClient(model).complete_sync(MESSAGES, SetVerdict, name="okr_review")


class SlowChatModel(GenericFakeChatModel):
    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
        await asyncio.sleep(5)
        raise AssertionError("not reached")


def test_timeout_applies_to_langchain_models():
    client = LangChainClient(SlowChatModel(messages=iter([])), settings=LLMSettings(timeout_s=0.2))
    with pytest.raises(LLMTimeoutError) as info:
        client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert info.value.timeout_s == 0.2


def test_async_interface_and_non_chat_models():
    model = RecordingFakeChatModel.answering(tool_answer(GOOD))
    result = asyncio.run(LangChainClient(model).complete(MESSAGES, SetVerdict, name="okr_review"))
    assert result.parsed["aspiration"] is False
    with pytest.raises(TypeError):
        LangChainClient(object())


def test_review_takes_any_langchain_chat_model():
    """`review(..., llm=<LangChain chat model>)`: the same pipeline, prompt and guard."""
    from coach import review

    draft = "Objective: Delight our customers\nKR: Launch new customer portal\nKR: Increase NPS to 50\n"
    answer = {
        "objectives": [{"id": "O1", "aspiration": True, "reason": "a wish, not a choice", "confidence": 0.9}],
        "key_results": [
            {"id": "O1.KR1", "label": "task", "reason": "a deliverable", "confidence": 0.9,
             "rewrite": "Increase portal logins from 1200 to 5000 per week", "questions": []},
            {"id": "O1.KR2", "label": "no_baseline", "reason": "no start", "confidence": 0.8,
             "rewrite": "Increase NPS from 31 to 50", "questions": []},
        ],
    }
    model = RecordingFakeChatModel.answering(tool_answer(answer, name="okr_review"))
    result = review(draft, mode="hybrid", llm=model)

    prov = result.provenance
    assert (prov.mode, prov.model, prov.llm_status) == ("hybrid", "fake-chat-model", "used")
    assert prov.usage is not None and prov.usage.calls == 1 and prov.usage.prompt_tokens == 120
    assert {f.label: f.source for f in result.findings if f.label} == {
        "aspiration": "both", "task": "both", "no_baseline": "both"}
    # The model's invented numbers (1200, 5000, 31) never reach the rewrites.
    texts = [r.text for r in result.rewrites]
    assert not any(n in t for t in texts for n in ("1200", "5000", "31")), texts
    assert "Increase NPS from [baseline] to 50" in texts
    # The OKR text was sent as delimited data, with the rubric's label definitions.
    [sent] = model.history
    assert "<okr_set>" in sent[-1].content and "Launch new customer portal" in sent[-1].content
    assert "no_baseline" in sent[0].content
