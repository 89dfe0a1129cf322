"""Model calls run off the review thread, in their own bounded pool with a timeout (issue 11, defect 8).

Over real HTTP: the service (its own process, one review thread) reviews a
draft in hybrid mode against the tests' scripted model, which holds its answer
until the test releases it. While that review waits, a rules-only review is
answered; only then is the model let go, and the hybrid review answers too.
The order is the assertion, not a duration (bench/model_pool.py prints the
latency).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import httpx
from fake_model import FakeChatClient
from live_app import live_app
from llm_fakes import TEST_KEY, TEST_MODEL
from scripted_reviewer import okr_answer
from scripted_server import Reply, ScriptedServer

from coach import review
from coach.llm.settings import LLMSettings

DRAFT = (
    "Objective: Delight our customers\n"
    "KR: Launch new customer portal\n"
    "KR: Increase NPS to 50\n"
)


def test_a_rules_only_review_is_answered_while_a_hybrid_review_waits_on_a_hanging_model(tmp_path):
    with ScriptedServer() as model:
        model.enqueue(Reply.held(okr_answer))
        env = {
            "OKR_COACH_LLM_BASE_URL": model.base_url,
            "OKR_COACH_LLM_API_KEY": TEST_KEY,
            "OKR_COACH_LLM_MODEL": TEST_MODEL,
            "OKR_COACH_LLM_MAX_RETRIES": "0",
            # Long enough never to end the hybrid review before the test releases the model.
            "OKR_COACH_LLM_TIMEOUT_S": "60",
            "OKR_COACH_LLM_REVIEW_TIMEOUT_S": "60",
        }
        with live_app(tmp_path / "data", **env) as base, ThreadPoolExecutor(1) as pool:
            def post(mode: str) -> httpx.Response:
                with httpx.Client(base_url=base, timeout=180.0) as http:
                    return http.post("/v1/reviews", json={"text": DRAFT, "options": {"mode": mode}})

            hybrid = pool.submit(post, "hybrid")
            assert model.arrived.wait(120), "the hybrid review never reached the model"
            rules = post("rules")
            hybrid_still_waiting = not hybrid.done()
            model.release()
            answer = hybrid.result(timeout=180)

    assert rules.status_code == 201, rules.text
    assert rules.json()["provenance"]["mode"] == "rules"
    assert hybrid_still_waiting, "the rules-only review was answered only after the model's review ended"
    assert answer.status_code == 201, answer.text
    assert answer.json()["provenance"]["llm_status"].startswith("used"), answer.json()["provenance"]


class _Hanging(FakeChatClient):
    """A model that does not answer: after 60 s it gives up and fails the test."""

    async def complete(self, messages, schema, *, name):  # noqa: ANN001
        try:
            # Nothing ever sets the event: only the pool's timeout can end the call sooner.
            await asyncio.wait_for(asyncio.Event().wait(), 60)
        except TimeoutError:
            raise AssertionError("the review waited 60 s on the model: nothing cut the call off") from None


def test_a_model_that_never_answers_is_cut_off_and_the_review_is_rules_only():
    settings = LLMSettings(model="fake-model", review_timeout_s=0.2)
    result = review(DRAFT, mode="hybrid", llm=_Hanging(), settings=settings)
    rules = review(DRAFT, mode="rules")
    assert result.provenance.llm_status.startswith("failed (llm-timeout)"), result.provenance.llm_status
    assert "OKR_COACH_LLM_REVIEW_TIMEOUT_S" in result.provenance.llm_status
    assert [f.rule_id for f in result.findings] == [f.rule_id for f in rules.findings]
