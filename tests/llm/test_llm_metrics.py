"""Model calls are counted by outcome, with their tokens and cost (coach.metrics)."""

from __future__ import annotations

from llm_fakes import GOOD, MESSAGES, SetVerdict
from prometheus_client import REGISTRY
from scripted_server import Reply


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_each_request_to_the_provider_is_counted_with_its_tokens_and_cost(scripted, client_for):
    before = {
        "ok": _value("okr_coach_model_calls_total", outcome="ok"),
        "limited": _value("okr_coach_model_calls_total", outcome="rate_limited"),
        "server": _value("okr_coach_model_calls_total", outcome="http_500"),
        "prompt": _value("okr_coach_model_tokens_total", kind="prompt"),
        "cost": _value("okr_coach_model_cost_usd_total"),
        "timed": _value("okr_coach_model_call_duration_seconds_count"),
    }
    scripted.enqueue(Reply.rate_limited(retry_after_ms=10), Reply.server_error(), Reply.ok(GOOD))
    result = client_for(max_retries=2).complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert _value("okr_coach_model_calls_total", outcome="ok") == before["ok"] + 1
    assert _value("okr_coach_model_calls_total", outcome="rate_limited") == before["limited"] + 1
    assert _value("okr_coach_model_calls_total", outcome="http_500") == before["server"] + 1
    assert _value("okr_coach_model_call_duration_seconds_count") == before["timed"] + 3
    tokens = _value("okr_coach_model_tokens_total", kind="prompt") - before["prompt"]
    assert tokens == result.usage.prompt_tokens > 0
    cost = _value("okr_coach_model_cost_usd_total") - before["cost"]
    assert abs(cost - result.cost_usd) < 1e-12
