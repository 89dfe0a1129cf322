"""The LLM review end to end over real HTTP: the CLI, the pipeline's failure handling, cassettes.

The endpoint is the tests' scripted OpenAI-compatible server, answering with
`scripted_reviewer.okr_answer` (rules-like labels, rewrites that invent a
baseline of 25) unless a test scripts failures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from llm_cassettes import Cassette
from llm_fakes import TEST_KEY, TEST_MODEL, scripted_settings
from scripted_reviewer import INVENTED_BASELINE, okr_answer
from scripted_server import Reply, ScriptedServer

import coach.prompting as prompting
from coach import review
from coach.llm import OpenAICompatibleClient
from coach.prompting import prompt_manifest
from coach.provenance import fabricated
from coach.rubric import load_rubric

DRAFT = (
    "Objective: Delight our customers\n"
    "KR: Launch new customer portal\n"
    "KR: Increase NPS to 50\n"
    "KR: Reduce first response time from 9 hours to 4 hours by end of Q3\n"
)
CLI = [sys.executable, "-m", "coach"]


def run_cli(args: list[str], env: dict[str, str], draft: str = DRAFT) -> subprocess.CompletedProcess:
    return subprocess.run(CLI + args, input=draft, capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
    env["OKR_COACH_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_cli_hybrid_review_merges_guards_reports_cost_and_caches(cli_env):
    with ScriptedServer(default=Reply.ok(okr_answer)) as server:
        env = {**cli_env, "OKR_COACH_LLM_BASE_URL": server.base_url,
               "OKR_COACH_LLM_API_KEY": TEST_KEY, "OKR_COACH_LLM_MODEL": TEST_MODEL}
        first = run_cli(["review", "--mode", "hybrid", "--format", "json", "-"], env)
        assert first.returncode == 1, first.stderr  # findings at error severity
        result = json.loads(first.stdout)
        assert len(server.requests) == 1

        again = run_cli(["review", "--mode", "hybrid", "--format", "json", "-"], env)
        assert len(server.requests) == 1, "an identical review must be answered from the cache"
        text = run_cli(["review", "-"], env)  # hybrid is the default once a model is configured

    prov = result["provenance"]
    assert prov["mode"] == "hybrid" and prov["model"] == TEST_MODEL and prov["llm_status"] == "used"
    assert prov["prompt_version"].startswith("p-")
    usage = prov["usage"]
    assert usage["calls"] == 1 and usage["prompt_tokens"] > 0 and usage["cost_usd"] > 0
    sources = {f["rule_id"]: f["source"] for f in result["findings"] if f["label"]}
    assert sources == {"OB01": "both", "KR01": "both", "KR04": "both"}
    # The scripted model invented a baseline of 25 in each rewrite: none survives.
    assert result["rewrites"] and all(r["source"] == "llm" for r in result["rewrites"])
    for rw in result["rewrites"]:
        assert fabricated(rw["text"], [DRAFT]) == [], rw["text"]
        assert INVENTED_BASELINE not in rw["text"]
    questions = [q for rw in result["rewrites"] for q in rw["questions"]]
    assert any("numbers you did not give" in q for q in questions)
    assert not [q for q in questions if INVENTED_BASELINE in q], "the guard quoted an invented number back"

    cached = json.loads(again.stdout)["provenance"]
    assert cached["llm_status"] == "used (from cache)" and cached["usage"]["calls"] == 0
    assert "hybrid (used (from cache))" in text.stdout and "rules + model" in text.stdout


def test_cli_without_a_key_reviews_rules_only_and_says_so(cli_env):
    out = run_cli(["review", "-"], cli_env)
    assert out.returncode == 1 and "rules (rules-only: no LLM configured)" in out.stdout
    hybrid = run_cli(["review", "--mode", "hybrid", "-"], cli_env)
    assert "rules-only review: no LLM configured; set OKR_COACH_LLM_MODEL" in hybrid.stdout
    llm = run_cli(["review", "--mode", "llm", "-"], cli_env)
    assert llm.returncode == 2 and "needs a language model" in llm.stderr
    assert "Traceback" not in llm.stderr


FAILURES = {
    "rate-limited-then-ok": ([Reply.rate_limited(retry_after=0.05), Reply.ok(okr_answer)], "used", 2),
    "server-error": ([Reply.server_error(500)] * 3, "failed (llm-server-error)", 3),
    "quota": ([Reply.quota()], "failed (llm-quota)", 1),
    "timeout": ([Reply.slow(2.0, okr_answer)], "failed (llm-timeout)", 1),
    "malformed-then-ok": ([Reply.malformed("{not json"), Reply.ok(okr_answer)], "used", 2),
    "malformed-twice": ([Reply.malformed("{not json"), Reply.malformed('{"objectives": 3}')],
                        "failed (llm-output-invalid)", 2),
    "refusal": ([Reply.refusal()], "failed (llm-refusal)", 1),
    "truncated": ([Reply.truncated(okr_answer)], "failed (llm-truncated)", 1),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_each_failure_of_the_endpoint_is_handled(case):
    replies, status, calls = FAILURES[case]
    with ScriptedServer() as server:
        server.enqueue(*replies)
        client = OpenAICompatibleClient(scripted_settings(server, max_retries=2, timeout_s=0.5))
        result = review(DRAFT, mode="hybrid", llm=client)
        assert len(server.requests) == calls
    assert result.provenance.llm_status.startswith(status), result.provenance.llm_status
    assert result.provenance.usage.calls == calls
    rules_only = review(DRAFT, mode="rules")
    assert {f.rule_id for f in result.findings} == {f.rule_id for f in rules_only.findings}


def test_retry_after_is_honoured(monkeypatch):
    waits: list[float] = []

    async def sleep(delay: float) -> None:
        waits.append(delay)

    with ScriptedServer() as server:
        server.enqueue(Reply.rate_limited(retry_after=3), Reply.ok(okr_answer))
        client = OpenAICompatibleClient(scripted_settings(server, max_retries=2), sleep=sleep)
        result = review(DRAFT, mode="hybrid", llm=client)
    assert result.provenance.llm_status == "used"
    assert len(waits) == 1 and 3 <= waits[0] <= 3.3


# -- the real prompt over recorded HTTP


# Scripted only: it asserts the scripted reviewer's verdicts (a real model's would differ).
@pytest.mark.scripted_only
@pytest.mark.parametrize("capability", ["json_schema", "tools"])
def test_replay_hybrid_review(cassette: Cassette, capability):
    cassette.script(Reply.ok(okr_answer))
    cassette.prompt(prompt_manifest(load_rubric()))
    client = OpenAICompatibleClient(cassette.settings(capability=capability))
    with cassette.play():
        result = review(DRAFT, mode="hybrid", llm=client)
    assert result.provenance.llm_status == "used"
    assert {f.rule_id: f.source for f in result.findings if f.label} == {
        "OB01": "both", "KR01": "both", "KR04": "both"}
    assert all(fabricated(r.text, [DRAFT]) == [] for r in result.rewrites)


def test_a_changed_prompt_under_an_old_cassette_names_the_template(tmp_path, monkeypatch):
    name = "test_replay_hybrid_review-json_schema"
    path = Path(__file__).parent / "cassettes" / f"{name}.yaml"
    if not path.exists():
        pytest.skip(f"{name} not recorded yet")
    old = Cassette(path, "tests/llm/test_llm_review_e2e.py::test_replay_hybrid_review[json_schema]",
                   scripted_only=False, record=False, server_factory=ScriptedServer)
    # One word changed in the system prompt template, in a copy of prompts/.
    prompts = tmp_path / "prompts"
    shutil.copytree(prompting.prompts_dir(), prompts)
    system = prompts / "review_system.j2"
    system.write_text(system.read_text().replace("experienced OKR coach", "seasoned OKR coach"))
    monkeypatch.setattr(prompting, "prompts_dir", lambda: prompts)
    prompting._environment.cache_clear()
    try:
        old.prompt(prompt_manifest(load_rubric()))
        client = OpenAICompatibleClient(old.settings(capability="json_schema"))
        with pytest.raises(pytest.fail.Exception) as info, old.play():
            review(DRAFT, mode="hybrid", llm=client)
    finally:
        prompting._environment.cache_clear()
    message = str(info.value)
    assert "prompt review_system.j2 changed" in message
    assert "seasoned OKR coach" in message
    assert f"rm tests/llm/cassettes/{name}.yaml && OKR_COACH_RECORD=1" in message
