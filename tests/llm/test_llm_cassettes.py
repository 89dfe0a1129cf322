"""The real HTTP path of OpenAICompatibleClient, replayed from vcrpy cassettes.

The cassettes were recorded against the tests' scripted local server (see
cassettes/README.md). Requests are matched on their body, so a changed prompt,
schema or model finds no recorded answer and fails with a message that names
what changed and how to re-record.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from llm_cassettes import CASSETTES, KEPT_RESPONSE_HEADERS, Cassette, make_vcr
from llm_fakes import GOOD, MESSAGES, TEST_KEY, TEST_ORG, TEST_PROJECT, SetVerdict
from scripted_server import Reply, ScriptedServer

from coach.llm import OpenAICompatibleClient
from coach.llm.errors import (
    LLMOutputError,
    LLMQuotaError,
    LLMRefusalError,
    LLMServerError,
    LLMTruncatedError,
)
from coach.llm.schema import strict_json_schema


class Sleeps:
    def __init__(self):
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def client_of(cassette: Cassette, **overrides) -> OpenAICompatibleClient:
    client = OpenAICompatibleClient(cassette.settings(**overrides))
    client._sleep = Sleeps()
    return client


def bodies(cass) -> list[dict]:
    import json

    return [json.loads(r.body) for r in cass.requests]


# -- answerable by any provider: re-recordable against a real endpoint


@pytest.mark.parametrize("capability", ["json_schema", "json_object", "tools", "prompt_only"])
def test_replay_structured_answer(cassette, capability):
    cassette.script(Reply.ok(GOOD))
    client = client_of(cassette, capability=capability)
    with cassette.play() as cass:
        result = client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    SetVerdict.model_validate(result.parsed)
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert result.cost_usd is not None and result.cost_usd > 0

    # body matching means the request sent equals the one recorded
    [body] = bodies(cass)
    assert body["model"] == client.model
    if capability == "json_schema":
        assert body["response_format"]["json_schema"]["schema"] == strict_json_schema(SetVerdict)
        assert body["messages"] == MESSAGES
    elif capability == "tools":
        assert body["tool_choice"]["function"]["name"] == "okr_review"
        assert body["messages"] == MESSAGES
    else:
        assert "JSON schema" in body["messages"][0]["content"]
    assert cass.all_played or cassette.recording


# -- scripted failures: only the scripted server produces them


@pytest.mark.scripted_only
def test_replay_429_then_success(cassette):
    cassette.script(Reply.rate_limited(retry_after=1), Reply.ok(GOOD))
    client = client_of(cassette, max_retries=2)
    with cassette.play() as cass:
        result = client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert result.attempts == 2 and result.parsed["reason"] == GOOD["reason"]
    assert client._sleep.delays and client._sleep.delays[0] >= 1.0  # the recorded retry-after
    assert [r["status"]["code"] for r in cass.responses] == [429, 200]


@pytest.mark.scripted_only
def test_replay_insufficient_quota(cassette):
    cassette.script(Reply.quota())
    client = client_of(cassette, max_retries=3)
    with cassette.play() as cass, pytest.raises(LLMQuotaError):
        client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert len(cass.requests) == 1 and not client._sleep.delays


@pytest.mark.scripted_only
def test_replay_500_until_retries_run_out(cassette):
    cassette.script(Reply.server_error(500), Reply.server_error(502))
    client = client_of(cassette, max_retries=1)
    with cassette.play(), pytest.raises(LLMServerError) as info:
        client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert info.value.status_code == 502 and info.value.attempts == 2


@pytest.mark.scripted_only
def test_replay_malformed_json_then_reask(cassette):
    cassette.script(Reply.malformed('{"aspiration": false, "reason": "cut'), Reply.ok(GOOD))
    client = client_of(cassette)
    with cassette.play() as cass:
        result = client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert result.reasked and result.attempts == 2
    assert "not valid JSON" in bodies(cass)[1]["messages"][-1]["content"]


@pytest.mark.scripted_only
def test_replay_malformed_twice(cassette):
    cassette.script(Reply.malformed("no"), Reply.malformed('{"aspiration": 1}'))
    client = client_of(cassette)
    with cassette.play(), pytest.raises(LLMOutputError) as info:
        client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert "reason: Field required" in info.value.problem


@pytest.mark.scripted_only
def test_replay_refusal(cassette):
    cassette.script(Reply.refusal())
    client = client_of(cassette)
    with cassette.play(), pytest.raises(LLMRefusalError):
        client.complete_sync(MESSAGES, SetVerdict, name="okr_review")


@pytest.mark.scripted_only
def test_replay_truncation(cassette):
    cassette.script(Reply.truncated(GOOD))
    client = client_of(cassette)
    with cassette.play(), pytest.raises(LLMTruncatedError):
        client.complete_sync(MESSAGES, SetVerdict, name="okr_review")


# -- stale and missing cassettes


def _replay_of(name: str, nodeid: str) -> Cassette:
    path = CASSETTES / name
    if not path.exists():
        pytest.skip(f"{name} not recorded yet")
    return Cassette(path, nodeid, scripted_only=False, record=False, server_factory=ScriptedServer)


def test_changed_prompt_under_an_old_cassette_fails_clearly():
    old = _replay_of("test_replay_structured_answer-json_schema.yaml",
                     "tests/llm/test_llm_cassettes.py::test_replay_structured_answer[json_schema]")
    changed = [{"role": "system", "content": MESSAGES[0]["content"] + " Be brief."}, MESSAGES[1]]
    client = client_of(old, capability="json_schema")
    with pytest.raises(pytest.fail.Exception) as info, old.play():
        client.complete_sync(changed, SetVerdict, name="okr_review")
    message = str(info.value)
    assert "Stale cassette tests/llm/cassettes/test_replay_structured_answer-json_schema.yaml" in message
    assert "prompt 'okr_review'" in message
    assert "messages[0] (system) changed" in message and "Be brief." in message
    assert ("rm tests/llm/cassettes/test_replay_structured_answer-json_schema.yaml && "
            "OKR_COACH_RECORD=1 .venv/bin/pytest "
            "'tests/llm/test_llm_cassettes.py::test_replay_structured_answer[json_schema]'") in message


def test_changed_schema_under_an_old_cassette_names_the_schema():
    old = _replay_of("test_replay_structured_answer-json_schema.yaml", "x::y")

    class SmallerVerdict(SetVerdict):
        extra: int

    client = client_of(old, capability="json_schema")
    with pytest.raises(pytest.fail.Exception) as info, old.play():
        client.complete_sync(MESSAGES, SmallerVerdict, name="okr_review")
    assert "the output schema (response_format) changed" in str(info.value)


def test_missing_cassette_says_how_to_record(tmp_path: Path):
    missing = Cassette(tmp_path / "nothing.yaml", "tests/llm/x.py::test_x", scripted_only=False,
                       record=False, server_factory=ScriptedServer)
    with pytest.raises(pytest.fail.Exception) as info:
        missing.settings()
    assert "OKR_COACH_RECORD=1" in str(info.value) and "does not exist" in str(info.value)


# -- secrets


SECRET_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (r"authorization", r"bearer", r"x-stainless", r"openai-organization", r"openai-project",
              r"\bapi-key\b", r"\bsk-[a-z0-9]", re.escape(TEST_KEY), re.escape(TEST_ORG),
              re.escape(TEST_PROJECT), r"set-cookie")
]


def test_cassettes_exist_and_hold_no_secrets():
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) >= 10, "cassettes are missing: see tests/llm/cassettes/README.md"
    for path in files:
        text = path.read_text()
        for pattern in SECRET_PATTERNS:
            assert not pattern.search(text), f"{path.name} contains {pattern.pattern!r}"
        data = yaml.safe_load(text)
        assert data["metadata"]["recorded_against"]
        for interaction in data["interactions"]:
            assert set(interaction["response"]["headers"]) <= set(KEPT_RESPONSE_HEADERS)


def test_recording_filters_secrets_the_server_did_receive(tmp_path: Path, monkeypatch):
    """Record for real into a scratch folder: the server saw the secrets, the file has none."""
    monkeypatch.setenv("OPENAI_ORG_ID", TEST_ORG)
    monkeypatch.setenv("OPENAI_PROJECT_ID", TEST_PROJECT)
    with ScriptedServer() as server:
        server.enqueue(Reply.rate_limited(retry_after_ms=1), Reply.ok(GOOD))
        scratch = Cassette(tmp_path / "scratch.yaml", "x::y", scripted_only=False, record=True,
                           server_factory=lambda: server)
        client = client_of(scratch, max_retries=1)
        with scratch.play(record_mode="once"):
            client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
        headers = server.requests[0].headers
    assert headers["authorization"] == f"Bearer {TEST_KEY}"
    assert headers["openai-organization"] == TEST_ORG and headers["openai-project"] == TEST_PROJECT
    assert any(name.startswith("x-stainless") for name in headers)
    text = (tmp_path / "scratch.yaml").read_text()
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(text), pattern.pattern
    assert "recorded_against" in text and "retry-after-ms" in text


def test_vcr_matches_on_the_body():
    assert "body" in make_vcr(CASSETTES, "none").match_on
