"""Bad input gets the right 4xx problem document, through the TestClient and over real HTTP.

Each module-scoped transport first stores two reviews; after every abuse in
the list the server still answers and those reviews come back unchanged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from coach.config import Settings
from coach.store import Store
from coach.web.app import create_app

JSON = {"Content-Type": "application/json"}
GOOD = (
    "Objective: Make self-service the default\nKR: Increase self-service adoption from 35% to 55%"
)
MB = 1024 * 1024


def _json(value: Any) -> dict[str, Any]:
    return {"content": json.dumps(value).encode(), "headers": JSON}


def _raw(body: bytes, content_type: str | None = "application/json") -> dict[str, Any]:
    return {"content": body, "headers": {"Content-Type": content_type} if content_type else {}}


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    yield b'{"text": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


def _okr_set(n_objectives: int, krs_each: int, kr_text: str = "k") -> dict[str, Any]:
    return {
        "okr_set": {
            "objectives": [
                {"text": f"Objective {i}", "key_results": [{"text": kr_text}] * krs_each}
                for i in range(n_objectives)
            ]
        }
    }


# (id, method, path, request keyword arguments, status, problem kind, members the problem must have)
CASES: list[tuple[str, str, str, dict[str, Any], int, str, set[str]]] = [
    ("malformed-json", "POST", "/v1/reviews", _raw(b'{"text": "O: x",'), 400, "malformed-json",
     {"line", "column", "position"}),
    ("malformed-json-line-3", "POST", "/v1/reviews", _raw(b'{\n  "text": "x",\n  oops\n}'), 400,
     "malformed-json", {"line", "column"}),
    ("trailing-garbage", "POST", "/v1/reviews", _raw(b'{"text": "x"} {"text": "y"}'), 400, "malformed-json",
     {"position"}),
    ("empty-body", "POST", "/v1/reviews", _raw(b""), 400, "malformed-json", set()),
    ("nested-too-deep", "POST", "/v1/reviews", _raw(b"[" * 100_000 + b"]" * 100_000), 400,
     "malformed-json", set()),
    ("binary-as-json", "POST", "/v1/reviews", _raw(os.urandom(4096) + b"\xff\xfe"), 400, "malformed-json",
     {"position"}),
    ("binary-octet-stream", "POST", "/v1/reviews", _raw(os.urandom(4096), "application/octet-stream"), 415,
     "unsupported-media-type", set()),
    ("text-plain", "POST", "/v1/reviews", _raw(json.dumps({"text": GOOD}).encode(), "text/plain"), 415,
     "unsupported-media-type", set()),
    ("form-encoded", "POST", "/v1/reviews", _raw(b"text=hello", "application/x-www-form-urlencoded"), 415,
     "unsupported-media-type", set()),
    ("no-content-type", "POST", "/v1/reviews", _raw(json.dumps({"text": GOOD}).encode(), None), 415,
     "unsupported-media-type", set()),
    ("latin-1-charset", "POST", "/v1/reviews", _raw(b'{"text": "x"}', "application/json; charset=latin-1"),
     415, "unsupported-media-type", set()),
    ("10-MB-body", "POST", "/v1/reviews", _raw(b'{"text": "' + b"x" * (10 * MB) + b'"}'), 413,
     "request-too-large", {"limit_bytes"}),
    ("10-MB-chunked", "POST", "/v1/reviews", {"content": _chunks(10 * MB), "headers": JSON}, 413,
     "request-too-large", {"limit_bytes"}),
    ("10000-krs-by-size", "POST", "/v1/reviews", _json(_okr_set(1, 10_000, "Increase NPS from 30 to 50")),
     413, "request-too-large", set()),
    ("10000-krs-by-count", "POST", "/v1/reviews", _json(_okr_set(1, 10_000)), 422, "limit-exceeded",
     {"limit", "max", "actual"}),
    ("10000-kr-lines", "POST", "/v1/reviews", _json({"text": "Objective: Grow\n" + "KR: k\n" * 10_000}),
     422, "limit-exceeded", {"limit"}),
    ("51-objectives", "POST", "/v1/reviews", _json(_okr_set(51, 1)), 422, "limit-exceeded", {"limit"}),
    ("501-krs", "POST", "/v1/reviews", _json(_okr_set(3, 167)), 422, "limit-exceeded", {"limit"}),
    ("kr-text-too-long", "POST", "/v1/reviews", _json(_okr_set(1, 1, "Increase NPS " + "a" * 2000)), 422,
     "limit-exceeded", {"path"}),
    ("json-array", "POST", "/v1/reviews", _json([GOOD]), 422, "invalid-request", {"errors"}),
    ("json-null", "POST", "/v1/reviews", _raw(b"null"), 422, "invalid-request", {"errors"}),
    ("missing-fields", "POST", "/v1/reviews", _json({}), 422, "invalid-request", {"errors"}),
    ("options-only", "POST", "/v1/reviews", _json({"options": {"mode": "rules"}}), 422, "invalid-request",
     {"errors"}),
    ("text-and-okr-set", "POST", "/v1/reviews", _json({"text": GOOD, **_okr_set(1, 1)}), 422,
     "invalid-request", {"errors"}),
    ("text-not-a-string", "POST", "/v1/reviews", _json({"text": 5}), 422, "invalid-request", {"errors"}),
    ("kr-without-text", "POST", "/v1/reviews", _json({"okr_set": {"objectives": [{"key_results": [{}]}]}}),
     422, "invalid-request", {"errors"}),
    ("unknown-field", "POST", "/v1/reviews", _json({"text": GOOD, "txet": GOOD}), 422, "invalid-request",
     {"errors"}),
    ("unknown-option", "POST", "/v1/reviews", _json({"text": GOOD, "options": {"fail_on": "x"}}), 422,
     "invalid-request", {"errors"}),
    ("unknown-mode", "POST", "/v1/reviews", _json({"text": GOOD, "options": {"mode": "magic"}}), 422,
     "invalid-request", {"errors"}),
    ("rubric-path", "POST", "/v1/reviews", _json({"text": GOOD, "options": {"rubric": "../../etc/passwd"}}),
     422, "invalid-request", {"errors"}),
    ("rubric-absolute-path", "POST", "/v1/reviews", _json({"text": GOOD, "options": {"rubric": "/tmp/x.yaml"}}),
     422, "invalid-request", {"errors"}),
    ("unknown-rubric", "POST", "/v1/reviews", _json({"text": GOOD, "options": {"rubric": "acme"}}), 422,
     "unknown-rubric", {"rubric"}),
    ("unknown-rule-select", "POST", "/v1/reviews", _json({"text": GOOD, "options": {"select": ["KR99"]}}), 422,
     "unknown-rule", {"rule"}),
    ("unknown-rule-ignore", "POST", "/v1/reviews", _json({"text": GOOD, "options": {"ignore": ["KR01", "XX"]}}),
     422, "unknown-rule", {"rule"}),
    ("llm-mode-unconfigured", "POST", "/v1/reviews", _json({"text": GOOD, "options": {"mode": "llm"}}), 422,
     "config-error", set()),
    ("empty-draft", "POST", "/v1/reviews", _json({"text": "   "}), 422, "parse-error", set()),
    ("binary-draft", "POST", "/v1/reviews", _json({"text": "\x00\x01\x02\x03 PK\x03\x04"}), 422,
     "parse-error", set()),
    ("prose-draft", "POST", "/v1/reviews", _json({"text": "hello world"}), 422, "parse-error", set()),
    ("lone-surrogate", "POST", "/v1/reviews", _raw(b'{"text": "Objective: Grow \\ud800\\nKR: Launch x"}'),
     422, "parse-error", set()),
    ("no-objectives", "POST", "/v1/reviews", _json({"okr_set": {"objectives": []}}), 422, "parse-error",
     set()),
    ("idempotency-key-too-long", "POST", "/v1/reviews",
     {"content": json.dumps({"text": GOOD}).encode(), "headers": {**JSON, "Idempotency-Key": "k" * 300}},
     422, "invalid-request", set()),
    ("idempotency-key-not-ascii", "POST", "/v1/reviews",
     {"content": json.dumps({"text": GOOD}).encode(), "headers": {**JSON, "Idempotency-Key": "ключ".encode()}},
     422, "invalid-request", set()),
    ("unknown-review", "GET", "/v1/reviews/doesNotExist", {}, 404, "not-found", set()),
    ("very-long-review-id", "GET", "/v1/reviews/" + "a" * 5000, {}, 404, "not-found", set()),
    ("unknown-rule-get", "GET", "/v1/rules/KR99", {}, 404, "unknown-rule", set()),
    ("rules-unknown-rubric", "GET", "/v1/rules?rubric=acme", {}, 422, "unknown-rubric", set()),
    ("rules-rubric-path", "GET", "/v1/rules?rubric=..%2F..%2Fetc", {}, 422, "invalid-request", set()),
    ("unknown-path", "GET", "/v1/nothing-here", {}, 404, "not-found", set()),
    ("wrong-method", "DELETE", "/v1/reviews", {}, 405, "method-not-allowed", set()),
]  # fmt: skip


@pytest.fixture(scope="module", params=["testclient", "http"])
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[httpx.Client]:
    """The same checks through FastAPI's TestClient and against a real uvicorn server."""
    if request.param == "testclient":
        from fastapi.testclient import TestClient

        settings = Settings(
            data_dir=tmp_path_factory.mktemp("tc-data"), rate_limit_per_minute=10_000
        )
        with Store(settings.sqlalchemy_url()) as store:
            yield TestClient(create_app(settings, store=store))
    else:
        server = request.getfixturevalue("live_server")
        with server.client() as client:
            yield client


@pytest.fixture(scope="module")
def seeded(api: httpx.Client) -> list[dict[str, Any]]:
    """Two reviews stored before any abuse."""
    out = []
    for body in ({"text": GOOD}, _okr_set(2, 3, "Launch new customer portal")):
        r = api.post("/v1/reviews", json=body)
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "kind", "members"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_input_gets_a_problem_document(
    api, seeded, problem, method, path, kwargs, status, kind, members
):
    if isinstance(kwargs.get("content"), Iterator):
        kwargs = {**kwargs, "content": _chunks(10 * MB)}  # a generator is used up once
    r = api.request(method, path, **kwargs)
    body = problem(r, status, kind)
    assert members <= set(body), body
    assert "Traceback" not in r.text
    if status == 405:
        assert "POST" in r.headers["allow"]


def test_json_error_position_is_where_the_json_breaks(api, seeded, problem):
    r = api.post("/v1/reviews", content=b'{\n  "text": "x",\n  oops\n}', headers=JSON)
    body = problem(r, 400, "malformed-json")
    assert (body["line"], body["column"], body["position"]) == (3, 3, 19)
    assert "line 3 column 3" in body["detail"]


def test_limit_problem_names_the_limit(api, seeded, problem):
    body = problem(api.post("/v1/reviews", json=_okr_set(1, 10_000)), 422, "limit-exceeded")
    assert (body["limit"], body["max"], body["actual"]) == ("max_key_results", 500, 10_000)
    assert "500" in body["detail"] and "10000" in body["detail"]


def test_unknown_rule_problem_names_the_rule(api, seeded, problem):
    r = api.post("/v1/reviews", json={"text": GOOD, "options": {"select": ["KR01", "NOPE7"]}})
    body = problem(r, 422, "unknown-rule")
    assert body["rule"] == "NOPE7" and "NOPE7" in body["detail"]


def test_after_the_abuse_the_server_answers_and_stored_reviews_are_intact(api, seeded):
    assert api.get("/healthz").status_code == 200
    for before in seeded:
        r = api.get(before["links"]["self"])
        assert r.status_code == 200
        after = r.json()
        assert after.pop("draft")
        assert after == before
    assert api.post("/v1/reviews", json={"text": GOOD}).status_code == 201
