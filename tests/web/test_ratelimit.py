"""Request budgets: a moving window per caller, in memory or shared through Redis."""

from __future__ import annotations

import asyncio
import logging

from coach.config import Settings
from coach.web.ratelimit import RateLimits


def _hits(limits: RateLimits, bucket: str, n: int) -> list[int]:
    async def run() -> list[int]:
        return [await limits.hit(bucket) for _ in range(n)]

    return asyncio.run(run())


def test_in_memory_a_caller_gets_its_budget_then_waits_for_the_window():
    limits = RateLimits(5)
    waits = _hits(limits, "key:a", 7)
    assert waits[:5] == [0] * 5
    # Refused until the first of the five is a minute old.
    assert all(55 <= w <= 60 for w in waits[5:]), waits
    assert _hits(limits, "key:b", 1) == [0]  # another caller has its own budget


def test_zero_turns_it_off():
    assert _hits(RateLimits(0), "key:a", 50) == [0] * 50


def test_through_redis_every_process_spends_one_budget(redis_url, redis_prefix):
    # Two limiters stand for two processes (or replicas): they share the window.
    one = RateLimits(6, redis_url=redis_url, prefix=redis_prefix)
    two = RateLimits(6, redis_url=redis_url, prefix=redis_prefix)
    elsewhere = RateLimits(6, redis_url=redis_url, prefix=redis_prefix + "-other")
    assert _hits(one, "key:a", 4) == [0] * 4
    waits = _hits(two, "key:a", 3)
    assert waits[:2] == [0, 0] and waits[2] >= 55
    assert _hits(one, "key:a", 1)[0] >= 55
    # Another prefix (another deployment on the same Redis) counts on its own.
    assert _hits(elsewhere, "key:a", 1) == [0]
    assert one.where == "redis"


def test_when_redis_does_not_answer_each_process_counts_on_its_own(caplog):
    limits = RateLimits(3, redis_url="redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="coach.web.ratelimit"):
        waits = _hits(limits, "key:a", 5)
    assert waits[:3] == [0, 0, 0] and min(waits[3:]) >= 55
    # Said once, not once per request.
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "Redis unreachable" in caplog.records[0].message


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(make_client):
    client = make_client(rate_limit_per_minute=2, forwarded_allow_ips="*")
    for address in ("203.0.113.7", "203.0.113.8"):
        headers = {"X-Forwarded-For": address}
        assert [client.get("/v1/rules", headers=headers).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]


def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_client):
    # The TestClient's peer ("testclient") is not 127.0.0.1, the default trusted proxy:
    # a client naming a new address on each request still spends one budget.
    client = make_client(rate_limit_per_minute=2)
    codes = [
        client.get("/v1/rules", headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_settings_refuse_what_is_not_an_address():
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not an IP address"):
        Settings(forwarded_allow_ips="10.0.0.1, proxy.example")
    assert Settings(forwarded_allow_ips="10.0.0.0/8, 127.0.0.1").forwarded_allow_ips


def test_readiness_says_where_the_budgets_are_kept(make_client, redis_url, redis_prefix):
    said = make_client().get("/readyz").json()["shared_state"]
    assert said == "per process (no OKR_COACH_REDIS_URL)"
    shared = make_client(redis_url=redis_url, redis_prefix=redis_prefix).get("/readyz")
    assert shared.status_code == 200 and shared.json()["shared_state"] == "redis ok (shared)"
    # Redis down degrades the limits to per process; the service stays ready.
    down = make_client(redis_url="redis://127.0.0.1:1/0").get("/readyz")
    assert down.status_code == 200
    assert down.json()["shared_state"].startswith("redis unreachable")
