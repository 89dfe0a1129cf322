"""The service with a model configured: the tests' scripted OpenAI-compatible server
(tests/llm/scripted_server.py) answers as the model, over real HTTP.

The scripted reviewer agrees with the rules except on baselines, where it says a KR
is fine: the rules own that label, so the finding stays and the disagreement shows.
It also invents a baseline (25) in every rewrite, which the guard must take out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llm"))

from scripted_reviewer import INVENTED_BASELINE, okr_answer  # noqa: E402
from scripted_server import Reply, ScriptedServer  # noqa: E402

from coach.llm.settings import get_llm_settings  # noqa: E402


def lenient_on_baselines(body: dict[str, Any]) -> dict[str, Any]:
    answer = okr_answer(body)
    for kr in answer.get("key_results", []):
        if kr.get("label") == "no_baseline":
            kr.update(label=None, reason="The target is clear enough.", confidence=0.9)
    return answer


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    with ScriptedServer(default=Reply.ok(lenient_on_baselines)) as server:
        monkeypatch.setenv("OKR_COACH_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("OKR_COACH_LLM_MODEL", "scripted-model")
        monkeypatch.setenv("OKR_COACH_LLM_API_KEY", "sk-test-not-a-key")
        monkeypatch.setenv("OKR_COACH_LLM_MAX_RETRIES", "0")
        get_llm_settings.cache_clear()
        yield server


def review_calls(server: ScriptedServer) -> int:
    return len(server.requests)


def test_api_defaults_to_hybrid_reports_usage_and_answers_a_repeat_from_the_cache(model, client, draft):
    first = client.post("/v1/reviews", json={"text": draft})
    assert first.status_code == 201, first.text
    review = first.json()
    prov = review["provenance"]
    assert (prov["mode"], prov["model"], prov["llm_status"]) == ("hybrid", "scripted-model", "used")
    assert prov["prompt_version"].startswith("p-")
    assert prov["usage"]["calls"] >= 1 and prov["usage"]["prompt_tokens"] > 0 and prov["usage"]["cost_usd"] > 0
    sources = {f["rule_id"]: f["source"] for f in review["findings"] if f["label"]}
    assert sources["KR01"] == "both"  # the task: both reviewers flag it
    assert sources["KR04"] == "rules"  # the baseline: the rules own it, the model disagreed
    assert any(d["rules"] == "no_baseline" and d["llm"] is None and d["kept"] == "no_baseline"
               for d in review["disagreements"])
    assert all(INVENTED_BASELINE not in rw["text"] for rw in review["rewrites"])
    calls = review_calls(model)

    again = client.post("/v1/reviews", json={"text": draft}).json()
    assert again["provenance"]["usage"]["calls"] == 0 and again["provenance"]["usage"]["cache_hits"] >= 1
    assert again["findings"] == review["findings"]
    assert review_calls(model) == calls, "a repeated review made a model call"

    rules = client.post("/v1/reviews", json={"text": draft, "options": {"mode": "rules"}}).json()
    assert rules["provenance"]["model"] is None and rules["provenance"]["usage"] is None
    assert review_calls(model) == calls


def test_readyz_names_the_model(model, client):
    body = client.get("/readyz").json()
    assert "scripted-model" in body["llm"] and model.base_url in body["llm"]


def test_no_model_configured_readyz_says_rules_only(client):
    assert client.get("/readyz").json()["llm"].startswith("rules-only: no LLM configured")


def test_a_failing_model_leaves_the_rules_review_and_says_why(model, client, draft):
    model.enqueue(Reply.server_error(500))
    response = client.post("/v1/reviews", json={"text": "Objective: Delight our customers\nKR: Launch new customer portal"})
    assert response.status_code == 201, response.text
    review = response.json()
    assert review["provenance"]["llm_status"].startswith("failed (")
    assert "Rules-only review" in review["provenance"]["llm_status"]
    assert {f["label"] for f in review["findings"]} >= {"aspiration", "task"}


def test_suggest_numbers_keeps_the_models_numbers_marked(model, client):
    text = "Objective: Make self-service the default\nKR: Increase NPS to 50"
    plain = client.post("/v1/reviews", json={"text": text}).json()
    assert [rw["text"] for rw in plain["rewrites"]] == ["Increase NPS from [baseline] to 50"]
    suggested = client.post("/v1/reviews", json={"text": text, "options": {"suggest_numbers": True}}).json()
    assert [(rw["text"], rw["suggested"]) for rw in suggested["rewrites"]] == [
        (f"Increase NPS from [suggested: {INVENTED_BASELINE}] to 50", [INVENTED_BASELINE])
    ]


def test_the_form_offers_hybrid_and_the_page_shows_sources_disagreements_and_cost(model, client, draft):
    form = client.get("/")
    assert re.search(r'value="hybrid" checked', form.text)
    assert not re.search(r'value="(hybrid|llm)" disabled', form.text)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)

    def submit() -> str:
        response = client.post("/reviews", data={"draft": draft, "csrf_token": token, "rubric": "default"},
                               follow_redirects=False)
        assert response.status_code == 303, response.text[:500]
        return client.get(response.headers["location"]).text

    page = submit()
    assert "Hybrid review with scripted-model" in page
    assert "rules + model" in page and "<strong>Model:</strong>" in page
    assert "Where the rules and the model disagree" in page
    assert "rules say no_baseline, model says fine" in page
    assert re.search(r'id="usage">model scripted-model · prompt p-\w+ · \d+ calls? · ', page)
    rewrites = re.findall(r'<p class="rewrite-text"[^>]*>(.*?)</p>', page, re.S)
    assert rewrites and all(INVENTED_BASELINE not in r for r in rewrites)

    calls = review_calls(model)
    again = submit()
    assert "answered from cache, no call" in again
    assert review_calls(model) == calls
