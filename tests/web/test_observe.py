"""Metrics at /metrics, the request id and the access log, through the app and over HTTP."""

from __future__ import annotations

import json
import logging
import re

import httpx
from prometheus_client.parser import text_string_to_metric_families
from serve_process import replica

REVIEW = {"text": "Objective: Grow revenue\nKR: Launch the partner portal"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape: (name, sorted labels) -> value (parsed by prometheus-client)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(scraped: dict, name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_scraped_from_a_real_server(tmp_path):
    with replica(tmp_path / "data", {}) as base, httpx.Client(base_url=base, timeout=30) as http:
        before = samples(http.get("/metrics").text)
        assert http.post("/v1/reviews", json=REVIEW).status_code == 201
        assert http.get("/v1/reviews/nope").status_code == 404
        scrape = http.get("/metrics")
        assert scrape.status_code == 200
        assert scrape.headers["content-type"].startswith("text/plain; version=")
        after = samples(scrape.text)
    posted = dict(method="POST", route="/v1/reviews", status="201")
    assert (
        value(after, "okr_coach_http_requests_total", **posted)
        == value(before, "okr_coach_http_requests_total", **posted) + 1
    )
    missing = dict(method="GET", route="/v1/reviews/{review_id}", status="404")
    assert (
        value(after, "okr_coach_http_requests_total", **missing) == 1
    )  # the template, not the path
    assert (
        value(
            after,
            "okr_coach_http_request_duration_seconds_count",
            method="POST",
            route="/v1/reviews",
        )
        >= 1
    )
    assert (
        value(after, "okr_coach_reviews_total", mode="rules")
        >= value(before, "okr_coach_reviews_total", mode="rules") + 1
    )
    assert value(after, "okr_coach_batch_sets", status="pending") == 0
    assert ("okr_coach_queue_depth", ()) in after
    # The access log went to stderr as JSON lines, with the request id.
    lines = [
        json.loads(line)
        for line in (tmp_path / "data" / "server.log").read_text().splitlines()
        if line.startswith("{")
    ]
    logged = [e for e in lines if e.get("logger") == "coach.access" and e["path"] == "/v1/reviews"]
    assert (
        logged
        and logged[0]["status"] == 201
        and re.fullmatch(r"[0-9a-f]{32}", logged[0]["request_id"])
    )
    assert logged[0]["route"] == "/v1/reviews" and logged[0]["duration_ms"] > 0


def test_with_several_workers_a_scrape_adds_every_worker_up(tmp_path):
    with (
        replica(tmp_path / "data", {}, "--workers", "2") as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        for _ in range(20):
            assert http.get("/v1/rules").status_code == 200
        scraped = samples(http.get("/metrics").text)
    assert (
        value(
            scraped, "okr_coach_http_requests_total", method="GET", route="/v1/rules", status="200"
        )
        == 20
    )


def test_once_private_metrics_need_the_metrics_token(make_client, store, problem):
    open_client = make_client()
    assert open_client.get("/metrics").status_code == 200  # open, as on a laptop
    _info, key = store.create_key("ci")
    refused = problem(open_client.get("/metrics"), 401, "unauthorized")
    assert "OKR_COACH_METRICS_TOKEN" in refused["detail"]
    # An API key is not enough: the figures cover every principal.
    problem(
        open_client.get("/metrics", headers={"Authorization": f"Bearer {key}"}), 401, "unauthorized"
    )
    token = "m" * 24
    client = make_client(metrics_token=token)
    assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    problem(
        client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 24}), 401, "unauthorized"
    )
    problem(client.get("/metrics"), 401, "unauthorized")


def test_a_request_id_is_kept_or_made_and_sent_back(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"}).headers["x-request-id"]
        == "lb-7f3a.42"
    )
    made = client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    # Anything that could break a log line is replaced, not echoed.
    for bad in (b"two words", b"x" * 200, "a\u00e9b".encode()):
        got = client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", got)


def test_every_request_has_an_access_log_line_with_its_caller(make_client, store, caplog):
    client = make_client(rate_limit_per_minute=1)
    _info, key = store.create_key("ci")
    with caplog.at_level(logging.INFO, logger="coach.access"):
        for _ in range(2):
            client.get(
                "/v1/rules", headers={"Authorization": f"Bearer {key}", "X-Request-ID": "req-1"}
            )
    first, limited = [r for r in caplog.records if r.name == "coach.access"]
    assert (first.status, limited.status) == (200, 429)
    assert first.request_id == "req-1" and first.principal == f"key:{_info.id}"
    assert first.route == "/v1/rules" and first.method == "GET"
