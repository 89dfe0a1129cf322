"""Who may see what, over real HTTP: private mode once a key exists, the login page and
its session cookie, the trusted user header, each principal seeing only its own reviews
and batches, anonymous mode as before, private files, the exact OpenAPI request schema
and the rate-limited web form (`coach/web/access.py`, issue 11)."""

from __future__ import annotations

import base64
import json
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema_rs
import pytest

from coach.batch.sample import sample_csv
from coach.config import Settings
from coach.store import Store

DRAFT = "Objective: Delight our customers\n- Launch new customer portal\n- Increase NPS to 50\n"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BODY = {"text": "Objective: Grow revenue\nKR: Launch the partner portal"}


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _token(page: httpx.Response) -> str:
    match = CSRF.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def sign_in(http: httpx.Client, key: str, next_path: str = "/") -> httpx.Response:
    page = http.get("/login", params={"next": next_path}, headers=HTML)
    assert page.status_code == 200, page.text[:300]
    return http.post(
        "/login", data={"csrf_token": _token(page), "key": key, "next": next_path}, headers=HTML
    )


def post_form_review(http: httpx.Client, draft: str = DRAFT, **fields: str) -> httpx.Response:
    form = http.get("/", headers=HTML)
    assert form.status_code == 200, form.text[:300]
    data = {"csrf_token": _token(form), "draft": draft, "rubric": "default", "mode": "rules"}
    return http.post("/reviews", data={**data, **fields}, headers=HTML)


def upload(http: httpx.Client, headers: dict[str, str], title: str) -> httpx.Response:
    files = [("file", ("team.csv", sample_csv(3).encode(), "text/csv"))]
    return http.post("/v1/batches", files=files, data={"title": title}, headers=headers)


def _seed_keys(data_dir: Path, *names: str) -> dict[str, tuple[str, str]]:
    """Keys made before the server starts (as `okr-coach keys create` would): name -> (id, secret)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    keys = {}
    with Store(Settings(data_dir=data_dir).sqlalchemy_url()) as store:
        for name in names:
            info, secret = store.create_key(name)
            keys[name] = (info.id, secret)
    return keys


@dataclass
class Private:
    server: Any  # conftest's LiveServer
    keys: dict[str, tuple[str, str]]
    review_a: str  # made through /v1 with key A
    batch_a: str  # uploaded through /v1 with key A
    batch_title_a: str

    def secret(self, name: str) -> str:
        return self.keys[name][1]

    @contextmanager
    def client(self, as_key: str | None = None) -> Iterator[httpx.Client]:
        """A browser of its own, signed in with key `as_key`."""
        with self.server.client() as http:
            if as_key is not None:
                r = sign_in(http, self.secret(as_key))
                assert r.status_code == 303, r.text[:300]
            yield http


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory, start_server) -> Iterator[Private]:
    """A server with keys A, B and C, and a review and a batch that A made."""
    data_dir = tmp_path_factory.mktemp("private-data")
    keys = _seed_keys(data_dir, "A", "B", "C")
    with start_server(data_dir) as server, server.client() as http:
        a = _bearer(keys["A"][1])
        review = http.post("/v1/reviews", json=BODY, headers=a)
        assert review.status_code == 201, review.text
        title = "Sales OKRs of team A, Q3"
        batch = upload(http, a, title)
        assert batch.status_code == 202, batch.text
        yield Private(
            server=server,
            keys=keys,
            review_a=review.json()["id"],
            batch_a=batch.json()["id"],
            batch_title_a=title,
        )


@pytest.fixture(scope="module")
def page_review_a(private: Private) -> str:
    """A review made through the web form, signed in with key A."""
    with private.client("A") as http:
        made = post_form_review(http)
        assert made.status_code == 303, made.text[:300]
        return made.headers["location"].rsplit("/", 1)[1]


def _pages(p: Private) -> list[str]:
    r, b = p.review_a, p.batch_a
    return [
        "/", "/reviews", f"/reviews/{r}", f"/reviews/{r}/edit",
        f"/reviews/{r}/markdown", "/batches", f"/batches/{b}", f"/batches/{b}/report",
        f"/batches/{b}/report.html", f"/batches/{b}/report.csv", f"/batches/{b}/report.json",
        f"/batches/{b}/report.md", f"/batches/{b}/progress", "/reviews/not-an-id",
        "/no-such-page",
    ]  # fmt: skip


# -- private mode: nothing without a session ----------------------------------------------


def test_with_keys_every_page_and_report_answers_401_without_a_session(private, problem):
    """Failed before the fix: each of these answered 200 with the review, the batch or
    the team report (the ranking of named people) to anyone."""
    with private.server.client() as http:
        for path in _pages(private):
            r = http.get(path)
            body = problem(r, 401, "unauthorized")
            assert r.headers["www-authenticate"].startswith("Cookie ")
            assert "/login" in body["detail"] and body["login"].startswith("/login")
            for secret_bit in (private.batch_title_a, "Launch the partner portal", "Ana"):
                assert secret_bit not in r.text
        for path, kwargs in [
            ("/reviews", {"data": {"draft": DRAFT}}),
            ("/batches", {"files": [("file", ("t.csv", b"a,b", "text/csv"))]}),
        ]:
            problem(http.post(path, **kwargs), 401, "unauthorized")
        # A forged, an expired-looking and a malformed session cookie are no session.
        for cookie in ("x", "a2V5OmFiYw.1.deadbeef", "." * 50):
            http.cookies.set("okr_coach_session", cookie)
            assert http.get(f"/reviews/{private.review_a}").status_code == 401
        http.cookies.clear()


def test_with_keys_a_browser_is_sent_to_the_login_page_with_a_local_next(private, problem):
    """Failed before the fix (200 for every page, and no /login at all)."""
    with private.server.client() as http:
        for path in _pages(private):
            r = http.get(path, headers=HTML)
            if re.search(r"/markdown$|/report\.(csv|json|md)$|/progress$", path):
                problem(r, 401, "unauthorized")  # data formats: no form to send them to
                continue
            assert r.status_code == 303, (path, r.status_code)
            location = urlsplit(r.headers["location"])
            assert (location.scheme, location.netloc, location.path) == ("", "", "/login")
            expected = [] if path == "/" else [path]
            assert parse_qs(location.query).get("next", []) == expected
            assert r.headers["cache-control"] == "no-store"
        # The query string comes along to the login page, as part of `next`.
        r = http.get("/?example=1", headers=HTML)
        assert parse_qs(urlsplit(r.headers["location"]).query)["next"] == ["/?example=1"]
        # A form post without a session goes to the login page too, and nothing is kept.
        with private.server.store() as store:
            before = len(store.list_reviews(1000))
            r = http.post("/reviews", data={"draft": DRAFT}, headers=HTML)
            assert r.status_code == 303 and r.headers["location"].startswith("/login")
            assert len(store.list_reviews(1000)) == before


def test_health_static_docs_and_the_login_page_stay_reachable(private):
    """Failed before the fix on /login (404)."""
    with private.server.client() as http:
        for path in ("/healthz", "/readyz", "/static/app.css", "/docs", "/openapi.json"):
            assert http.get(path).status_code == 200, path
        page = http.get("/login", headers=HTML)
        assert page.status_code == 200 and 'name="key"' in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]


# -- signing in and out ----------------------------------------------------------------


def test_signing_in_with_a_key_gives_a_signed_httponly_lax_session(private):
    """Failed before the fix: there was no login page."""
    with private.server.client() as http:
        r = sign_in(http, private.secret("A"), f"/reviews/{private.review_a}")
        assert r.status_code == 303
        assert r.headers["location"] == f"/reviews/{private.review_a}"
        cookie = next(
            c for c in r.headers.get_list("set-cookie") if c.startswith("okr_coach_session=")
        )
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "path", "max-age"} <= attributes
        assert "samesite=lax" in cookie.lower()
        assert "secure" not in attributes  # served over http here; Secure over https
        page = http.get(r.headers["location"], headers=HTML)
        assert page.status_code == 200 and "Launch the partner portal" in page.text
        assert "Sign out" in page.text and ">A" in page.text  # whose session it is

        # The cookie is signed: the same value with another key's id in it is refused.
        value = http.cookies["okr_coach_session"]
        _payload, issued, mac = value.split(".")
        other = base64.urlsafe_b64encode(f"key:{private.keys['B'][0]}".encode()).decode()
        http.cookies.set("okr_coach_session", f"{other.rstrip('=')}.{issued}.{mac}")
        assert http.get(f"/reviews/{private.review_a}").status_code == 401


def test_the_session_cookie_is_secure_over_https(private):
    """Failed before the fix (no sign-in). Here https is a proxy on the same host saying so."""
    https = {**HTML, "X-Forwarded-Proto": "https"}
    with private.server.client() as http:
        token = _token(http.get("/login", headers=https))
        # The CSRF cookie is Secure too, so httpx keeps it from plain http: send it by hand.
        r = http.post(
            "/login",
            data={"csrf_token": token, "key": private.secret("A"), "next": "/"},
            headers={**https, "Cookie": f"okr_coach_csrf={token}"},
        )
        assert r.status_code == 303
        cookie = next(
            c for c in r.headers.get_list("set-cookie") if c.startswith("okr_coach_session=")
        )
        assert "secure" in {a.strip().lower() for a in cookie.split(";")}


def test_a_wrong_key_does_not_sign_in(private):
    """Failed before the fix (no login page: 404)."""
    with private.server.client() as http:
        for key in ("okc_" + "A" * 32, "not a key", "", private.secret("A")[:-2]):
            r = sign_in(http, key)
            assert r.status_code == 401 and "not valid" in r.text
            assert "okr_coach_session" not in r.headers.get("set-cookie", "")
            assert "okr_coach_session" not in http.cookies


def test_the_login_form_needs_its_csrf_token(private):
    """Failed before the fix (404). Login CSRF would sign a victim in as the attacker."""
    with private.server.client() as http:
        r = http.post("/login", data={"key": private.secret("A"), "csrf_token": "forged"})
        assert r.status_code == 403 and "okr_coach_session" not in http.cookies


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/%0a/evil.example\n",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "/login",
    ],
)
def test_next_after_sign_in_is_only_a_local_path(private, next_path):
    """Failed before the fix (no login page). No open redirect, whatever `next` says."""
    with private.server.client() as http:
        r = sign_in(http, private.secret("A"), next_path)
        assert r.status_code == 303
        assert r.headers["location"] == "/"


def test_next_keeps_a_local_path_and_its_query(private):
    with private.server.client() as http:
        r = sign_in(http, private.secret("A"), "/batches?x=1")
        assert r.headers["location"] == "/batches?x=1"


def test_sign_out_ends_the_session(private):
    """Failed before the fix (no sign-in or sign-out)."""
    with private.client("A") as http:
        assert http.get(f"/reviews/{private.review_a}").status_code == 200
        page = http.get("/logout", headers=HTML)
        assert page.status_code == 200
        r = http.post("/logout", data={"csrf_token": _token(page)}, headers=HTML)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        assert "okr_coach_session" not in http.cookies
        assert http.get(f"/reviews/{private.review_a}").status_code == 401


def test_revoking_a_key_ends_its_sessions_at_once(private):
    """Failed before the fix (no sessions)."""
    with private.client("C") as http, private.server.store() as store:
        assert http.get("/batches").status_code == 200
        store.revoke_key(private.keys["C"][0])
        assert http.get("/batches").status_code == 401


# -- each principal sees only its own ---------------------------------------------------


def test_key_b_gets_404_on_key_a_items_through_the_pages(private, page_review_a):
    """Failed before the fix: every page answered 200 to anyone (B included)."""
    r, w, b = private.review_a, page_review_a, private.batch_a
    paths = [
        f"/reviews/{r}", f"/reviews/{w}", f"/reviews/{w}/edit", f"/reviews/{r}/markdown",
        f"/batches/{b}", f"/batches/{b}/report", f"/batches/{b}/report.csv",
        f"/batches/{b}/report.json", f"/batches/{b}/report.md", f"/batches/{b}/progress",
    ]  # fmt: skip
    with private.client("B") as as_b, private.client("A") as as_a:
        for path in paths:
            got = as_b.get(path, headers=HTML)
            assert got.status_code == 404, (path, got.status_code)
            assert "Launch the partner portal" not in got.text
            assert private.batch_title_a not in got.text
            assert as_a.get(path, headers=HTML).status_code == 200, path
        # Missing and someone else's look the same.
        missing = as_b.get("/reviews/AAAAAAAAAAAA", headers=HTML)
        theirs = as_b.get(f"/reviews/{r}", headers=HTML)
        assert missing.text.replace("AAAAAAAAAAAA", r) == theirs.text


def test_key_b_gets_404_on_key_a_items_through_the_api(private, problem):
    """Failed before the fix: any valid key read any other key's reviews and batches
    (this test runs without the web form, so it fails on the code before for that reason)."""
    a, b = _bearer(private.secret("A")), _bearer(private.secret("B"))
    with private.server.client() as http:
        for path in (
            f"/v1/reviews/{private.review_a}",
            f"/v1/batches/{private.batch_a}",
            f"/v1/batches/{private.batch_a}/report?format=csv",
            f"/v1/batches/{private.batch_a}/report?format=json",
            f"/v1/batches/{private.batch_a}/report",
        ):
            body = problem(http.get(path, headers=b), 404, "not-found")
            assert private.batch_title_a not in json.dumps(body)
            assert http.get(path, headers=a).status_code == 200, path
        # B uploading the same files makes B's own batch, not a link to A's.
        mine = upload(http, b, "The same files, uploaded by B")
        assert mine.status_code == 202 and mine.json()["id"] != private.batch_a


def test_lists_show_only_the_callers_own_batches(private):
    """Failed before the fix: the batch page listed the newest batches of everyone."""
    with private.client("B") as as_b, private.client("A") as as_a:
        listed_b = as_b.get("/batches", headers=HTML)
        assert listed_b.status_code == 200
        assert private.batch_a not in listed_b.text
        assert private.batch_title_a not in listed_b.text
        listed_a = as_a.get("/batches", headers=HTML)
        assert private.batch_a in listed_a.text


def test_editing_another_keys_review_does_not_link_to_it(private, page_review_a):
    """Failed before the fix: a forged parent_id showed A's review as 'the previous one'."""
    with private.client("B") as as_b, private.server.store() as store:
        r = post_form_review(as_b, parent_id=page_review_a)
        assert r.status_code == 303
        new_id = r.headers["location"].rsplit("/", 1)[1]
        saved = store.get_review(new_id)
        assert saved.parent_id is None
        assert saved.principal == f"key:{private.keys['B'][0]}"
        page = as_b.get(r.headers["location"], headers=HTML)
        assert page_review_a not in page.text


def test_what_a_session_makes_belongs_to_its_key(private, page_review_a):
    with private.server.store() as store:
        made = store.get_review(page_review_a)
        assert made.principal == f"key:{private.keys['A'][0]}"
        assert made.api_key_id == private.keys["A"][0]
    # ... and so the key reads it through the API as well.
    with private.server.client() as http:
        a, b = _bearer(private.secret("A")), _bearer(private.secret("B"))
        assert http.get(f"/v1/reviews/{page_review_a}", headers=a).status_code == 200
        assert http.get(f"/v1/reviews/{page_review_a}", headers=b).status_code == 404


def test_permalinks_stay_unguessable(private):
    for item in (private.review_a, private.batch_a):
        assert re.fullmatch(r"[A-Za-z0-9_-]{12,}", item)  # 72 random bits


# -- the trusted user header ------------------------------------------------------------


def test_a_trusted_user_header_names_the_user_when_set(tmp_path, start_server):
    """Failed before the fix: the header meant nothing, and every page was open."""
    env = {"OKR_COACH_TRUSTED_USER_HEADER": "X-Forwarded-User"}
    with start_server(tmp_path / "data", **env) as server, server.client() as http:
        alice, bob = {"X-Forwarded-User": "alice"}, {"X-Forwarded-User": "bob"}
        # Without the header (nor a session) nothing is shown, even with no key at all.
        assert http.get("/").status_code == 401
        assert http.get("/", headers=HTML).status_code == 303
        http.headers.update(alice)
        made = post_form_review(http)
        assert made.status_code == 303
        page = http.get(made.headers["location"], headers=HTML)
        assert page.status_code == 200 and "alice" in page.text
        http.headers.update(bob)
        assert http.get(made.headers["location"], headers=HTML).status_code == 404
        review_id = made.headers["location"].rsplit("/", 1)[1]
        with server.store() as store:
            assert store.get_review(review_id).principal == "user:alice"
        # An empty or control-character name is no name.
        for bad in ("", "x" * 201):
            http.headers["X-Forwarded-User"] = bad
            assert http.get("/").status_code == 401


# -- anonymous mode, as on a laptop -----------------------------------------------------


def test_without_keys_pages_stay_open_as_before(live_server):
    """Anonymous mode unchanged (this passed before the fix too, and must keep passing):
    no sign-in, permalinks readable by anyone with the link, the batch list shows all."""
    with live_server.client() as one, live_server.client() as other:
        made = post_form_review(one)
        assert made.status_code == 303
        # Another browser (no cookies), and a header that means nothing when not configured.
        page = other.get(made.headers["location"], headers={**HTML, "X-Forwarded-User": "eve"})
        assert page.status_code == 200 and "Sign out" not in page.text
        assert other.get(made.headers["location"] + "/markdown").status_code == 200
        batch = upload(one, {}, "Open team")
        assert batch.status_code == 202
        assert "Open team" in other.get("/batches", headers=HTML).text
        assert other.get(f"/batches/{batch.json()['id']}/report.csv").status_code == 200
        assert other.get(f"/v1/batches/{batch.json()['id']}").status_code == 200


def test_without_keys_the_login_page_sends_you_on(live_server):
    """Failed before the fix (no /login): with nothing to sign in to, it goes to `next`."""
    with live_server.client() as http:
        r = http.get("/login", params={"next": "/batches"}, headers=HTML)
        assert r.status_code == 303 and r.headers["location"] == "/batches"


# -- files, the OpenAPI schema, the web form's rate limit ---------------------------------


def test_the_database_and_the_secret_are_readable_by_their_owner_only(tmp_path, start_server):
    """Failed before the fix: okr-coach.db (and its -wal, -shm) were 0644 under umask 022."""
    old = os.umask(0o022)  # the usual umask, whatever the test runner's
    try:
        with start_server(tmp_path / "data") as server, server.client() as http:
            assert post_form_review(http).status_code == 303  # the CSRF secret exists now
            files = ["okr-coach.db", "okr-coach.db-wal", "okr-coach.db-shm", "csrf-secret"]
            modes = {f: stat.S_IMODE((server.data_dir / f).stat().st_mode) for f in files}
    finally:
        os.umask(old)
    assert modes == dict.fromkeys(files, 0o600)


def test_an_existing_world_readable_database_is_made_private(tmp_path, start_server):
    """Failed before the fix: an install made by an older version stayed 0644."""
    data_dir = tmp_path / "data"
    _seed_keys(data_dir)  # creates and migrates the database
    db = data_dir / "okr-coach.db"
    db.chmod(0o644)
    with start_server(data_dir) as server:
        assert server.alive()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


REQUESTS = [
    {},
    {"options": {"mode": "rules"}},
    {"text": "Objective: Grow\nKR: Increase ARR from $1M to $2M"},
    {"okr_set": {"objectives": [{"text": "Grow", "key_results": [{"text": "Win 5 deals"}]}]}},
    {"text": "Objective: Grow", "okr_set": {"objectives": [{"text": "Grow"}]}},
    {"text": None, "okr_set": {"objectives": [{"text": "Grow", "key_results": []}]}},
    {"text": "Objective: Grow\nKR: Win 5 deals", "okr_set": None},
    {"text": None},
    {"text": None, "okr_set": None},
]


def test_the_openapi_schema_says_exactly_which_review_requests_are_accepted(live_server):
    """Failed before the fix: `{}` and both `text` and `okr_set` were valid by the schema
    but answered 422. Now every body is valid by the schema exactly when it is accepted."""
    with live_server.client() as http:
        document = http.get("/openapi.json").json()
        operation = document["paths"]["/v1/reviews"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        # The whole document as the root, so that every $ref in it resolves.
        validator = jsonschema_rs.Draft202012Validator({**document, "$ref": ref})
        for body in REQUESTS:
            status = http.post("/v1/reviews", json=body).status_code
            assert status in (201, 422), (body, status)
            assert validator.is_valid(body) == (status == 201), (body, status)


def test_the_web_form_is_rate_limited(tmp_path, problem, start_server):
    """Failed before the fix: the form had no limit at all (every post reviewed)."""
    # One a minute: a token comes back only after 60 s, far longer than this test runs.
    env = {"OKR_COACH_RATE_LIMIT_PER_MINUTE": "1"}
    with start_server(tmp_path / "data", **env) as server, server.client() as http:
        codes = [post_form_review(http).status_code for _ in range(2)]
        assert codes == [303, 429]
        r = post_form_review(http)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert "Too many requests" in r.text and "Back" in r.text
        # A script (no text/html) gets a problem document.
        script = http.post("/reviews", data={"draft": DRAFT})
        problem(script, 429, "rate-limited")
        # Reading a review is not limited: the budget is for what costs.
        assert http.get("/", headers=HTML).status_code == 200


def test_sign_in_attempts_are_rate_limited(tmp_path, start_server):
    """Failed before the fix (no login page). Guessing keys on the form is as slow as on /v1."""
    data_dir = tmp_path / "data"
    _seed_keys(data_dir, "A")
    env = {"OKR_COACH_RATE_LIMIT_PER_MINUTE": "1"}
    with start_server(data_dir, **env) as server, server.client() as http:
        codes = [sign_in(http, "okc_" + "x" * 32).status_code for _ in range(2)]
        assert codes == [401, 429]
