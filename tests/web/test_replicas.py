"""Two replicas of the service, as behind a load balancer: two `okr-coach serve`
processes on two ports sharing one PostgreSQL schema, one Redis key prefix and one
secret key, each with a data directory of its own (two machines).

Skipped, saying why, when the local PostgreSQL or Redis does not answer.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from pg import private_schema
from serve_process import replica

from coach.store import Store

HTML = {"Accept": "text/html"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DRAFT = "Objective: Delight our customers\nKR: Launch new customer portal"
LIMIT = 60


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections see only a new schema of this test's own (dropped after)."""
    with private_schema("okc_test") as url:
        yield url


@pytest.fixture
def replicas(tmp_path, pg_schema_url, redis_url, redis_prefix) -> Iterator[tuple[str, str, str]]:
    """Two replicas (base URLs) and the database URL they share."""
    env = {
        "OKR_COACH_DATABASE_URL": pg_schema_url,
        "OKR_COACH_REDIS_URL": redis_url,
        "OKR_COACH_REDIS_PREFIX": redis_prefix,
        "OKR_COACH_SECRET_KEY": secrets.token_urlsafe(32),
        "OKR_COACH_RATE_LIMIT_PER_MINUTE": str(LIMIT),
    }
    with ExitStack() as stack:
        a = stack.enter_context(replica(tmp_path / "a", env))
        b = stack.enter_context(replica(tmp_path / "b", env))
        yield a, b, pg_schema_url


def _token(page: httpx.Response) -> str:
    match = CSRF.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def test_a_form_served_by_one_replica_posts_to_the_other(replicas):
    a, b, _db = replicas
    with httpx.Client(timeout=30) as browser:  # one cookie jar, two hosts' worth of pages
        form = browser.get(a + "/", headers=HTML)
        token = _token(form)
        browser.cookies.set("okr_coach_csrf", token, domain="127.0.0.1")
        posted = browser.post(
            b + "/reviews",
            data={"csrf_token": token, "draft": DRAFT, "mode": "rules"},
            headers=HTML,
        )
        assert posted.status_code == 303, posted.text[:500]
        # Stored in the shared database: replica A shows what B reviewed.
        permalink = posted.headers["location"]
        assert browser.get(a + permalink, headers=HTML).status_code == 200


def test_a_session_signed_in_on_one_replica_works_on_the_other(replicas):
    a, b, db = replicas
    with Store(db, migrate=False) as store:
        _info, key = store.create_key("team")
    time.sleep(1.1)  # each replica caches "are there keys?" for a second
    with httpx.Client(timeout=30) as browser:
        page = browser.get(a + "/login", headers=HTML)
        signed_in = browser.post(
            a + "/login", data={"csrf_token": _token(page), "key": key, "next": "/"}, headers=HTML
        )
        assert signed_in.status_code == 303, signed_in.text[:300]
        assert browser.get(b + "/", headers=HTML).status_code == 200
    with httpx.Client(timeout=30) as stranger:
        assert stranger.get(b + "/", headers=HTML).status_code == 303  # sent to sign in


def test_a_key_gets_its_limit_through_both_replicas_together(replicas):
    a, b, db = replicas
    with Store(db, migrate=False) as store:
        _info, key = store.create_key("bot")
    headers = {"Authorization": f"Bearer {key}"}
    codes = []
    with httpx.Client(timeout=30) as http:
        for i in range(LIMIT + 30):
            codes.append(http.get((a, b)[i % 2] + "/v1/rules", headers=headers).status_code)
    # Per process this would be 60 on each: 90 through.
    assert codes.count(200) == LIMIT, codes
    assert set(codes[LIMIT:]) == {429}
