"""API keys, the rate limit and Idempotency-Key, through the TestClient and over HTTP."""

from __future__ import annotations

import time

import pytest

ROUTES = [("GET", "/v1/rules"), ("GET", "/v1/rules/KR01"), ("POST", "/v1/reviews")]
BODY = {"text": "Objective: Grow revenue\nKR: Increase ARR from $1M to $2M"}


def _call(client, method, path, **kwargs):
    if method == "POST":
        kwargs.setdefault("json", BODY)
    return client.request(method, path, **kwargs)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# -- keys -------------------------------------------------------------------------


def test_without_keys_the_api_is_open(client):
    for method, path in ROUTES:
        assert _call(client, method, path).status_code in (200, 201)
    # An Authorization header means nothing while no key exists.
    assert client.get("/v1/rules", headers=_bearer("whatever")).status_code == 200


def test_with_a_key_every_v1_route_needs_it(client, store, problem):
    info, secret = store.create_key("ci")
    assert info.active
    for method, path in ROUTES:
        missing = problem(_call(client, method, path), 401, "unauthorized")
        assert "Authorization: Bearer" in missing["detail"]
        r = _call(client, method, path, headers=_bearer("okc_" + "A" * 32))
        problem(r, 401, "unauthorized")
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert 'error="invalid_token"' in r.headers["www-authenticate"]
        assert (
            _call(client, method, path, headers={"Authorization": f"Basic {secret}"}).status_code
            == 401
        )
        assert _call(client, method, path, headers=_bearer(secret)).status_code in (200, 201)
    # Outside /v1 nothing changes.
    assert client.get("/healthz").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_401_has_www_authenticate_bearer(client, store, problem):
    store.create_key("ci")
    r = client.get("/v1/rules")
    problem(r, 401, "unauthorized")
    assert r.headers["www-authenticate"] == 'Bearer realm="okr-coach"'


def test_a_revoked_key_stops_working_at_once(client, store, problem):
    info, secret = store.create_key("one")
    _other, other_secret = store.create_key("two")
    assert client.get("/v1/rules", headers=_bearer(secret)).status_code == 200
    store.revoke_key(info.id)
    problem(client.get("/v1/rules", headers=_bearer(secret)), 401, "unauthorized")
    assert client.get("/v1/rules", headers=_bearer(other_secret)).status_code == 200


def test_revoking_the_last_key_opens_the_api_again(client, store):
    info, _secret = store.create_key("only")
    assert client.get("/v1/rules").status_code == 401
    store.revoke_key(info.id)
    assert client.get("/v1/rules").status_code == 200


def test_a_review_posted_with_a_key_is_kept_with_that_key(client, store):
    info, secret = store.create_key("ci")
    r = client.post("/v1/reviews", json=BODY, headers=_bearer(secret))
    assert r.status_code == 201
    assert store.get_review(r.json()["id"]).api_key_id == info.id


# -- rate limit --------------------------------------------------------------------


def test_rate_limit_per_client_address_without_keys(make_client, problem):
    client = make_client(rate_limit_per_minute=3)
    assert [client.get("/v1/rules").status_code for _ in range(3)] == [200, 200, 200]
    r = client.get("/v1/rules")
    body = problem(r, 429, "rate-limited")
    retry = int(r.headers["retry-after"])
    assert 55 <= retry <= 60  # 3 in any minute: the first of the three leaves the window then
    assert body["retry_after"] == retry
    assert client.get("/healthz").status_code == 200  # only /v1 is limited


def test_rate_limit_is_per_key(make_client, store, problem):
    client = make_client(rate_limit_per_minute=2)
    _a, secret_a = store.create_key("a")
    _b, secret_b = store.create_key("b")
    for _ in range(2):
        assert client.get("/v1/rules", headers=_bearer(secret_a)).status_code == 200
    problem(client.get("/v1/rules", headers=_bearer(secret_a)), 429, "rate-limited")
    assert client.get("/v1/rules", headers=_bearer(secret_b)).status_code == 200


def test_failed_authentication_is_rate_limited_too(make_client, store):
    client = make_client(rate_limit_per_minute=3)
    store.create_key("a")
    codes = [
        client.get("/v1/rules", headers=_bearer("okc_" + "x" * 32)).status_code for _ in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_rate_limit_zero_turns_it_off(make_client):
    client = make_client(rate_limit_per_minute=0)
    assert {client.get("/v1/rules").status_code for _ in range(20)} == {200}


# -- idempotency -------------------------------------------------------------------


def test_idempotent_retry_returns_the_same_review(client, store):
    headers = {"Idempotency-Key": "retry-1"}
    first = client.post("/v1/reviews", json=BODY, headers=headers)
    assert first.status_code == 201
    again = client.post("/v1/reviews", json=BODY, headers=headers)
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.json() == first.json()
    assert len(store.list_reviews()) == 1
    # Without the header, the same body is a new review.
    other = client.post("/v1/reviews", json=BODY)
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


@pytest.mark.parametrize(
    "changed",
    [
        {"text": BODY["text"] + " by 2027"},
        {**BODY, "options": {"mode": "hybrid"}},
        {"okr_set": {"objectives": [{"text": "Grow revenue"}]}},
    ],
)
def test_same_idempotency_key_with_a_different_body_is_a_409(client, problem, changed):
    headers = {"Idempotency-Key": "retry-2"}
    first = client.post("/v1/reviews", json=BODY, headers=headers)
    assert first.status_code == 201
    body = problem(
        client.post("/v1/reviews", json=changed, headers=headers), 409, "idempotency-conflict"
    )
    assert body["review_id"] == first.json()["id"]


def test_idempotency_keys_are_per_api_key(client, store):
    _a, secret_a = store.create_key("a")
    _b, secret_b = store.create_key("b")
    key = {"Idempotency-Key": "shared-name"}
    ra = client.post("/v1/reviews", json=BODY, headers={**key, **_bearer(secret_a)})
    rb = client.post("/v1/reviews", json=BODY, headers={**key, **_bearer(secret_b)})
    assert (ra.status_code, rb.status_code) == (201, 201)
    assert ra.json()["id"] != rb.json()["id"]
    replay = client.post("/v1/reviews", json=BODY, headers={**key, **_bearer(secret_a)})
    assert (replay.status_code, replay.json()["id"]) == (200, ra.json()["id"])


# -- over HTTP -------------------------------------------------------------------------


def _wait_for(client, path, status, headers=None, timeout=15.0):
    """The server caches "are there keys?" for a second: poll until the answer changes."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(path, headers=headers or {})
        if r.status_code == status or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def test_keys_over_http(tmp_path, problem, start_server):
    with (
        start_server(tmp_path / "data") as server,
        server.client() as http,
        server.store() as store,
    ):
        assert http.get("/v1/rules").status_code == 200
        posted = http.post("/v1/reviews", json=BODY, headers={"Idempotency-Key": "h-1"})
        assert posted.status_code == 201

        info, secret = store.create_key("over-http")  # as `okr-coach keys create` would
        r = _wait_for(http, "/v1/rules", 401)
        assert r.status_code == 401, (
            f"the server never asked for the key; the store says active keys: "
            f"{store.any_active_keys()}; server log:\n{server.log_tail()}"
        )
        problem(r, 401, "unauthorized")
        assert r.headers["www-authenticate"].startswith("Bearer")
        # Same prefix, one character off (a secret may itself end in "x": 1 in 64).
        wrong = secret[:-1] + ("x" if secret[-1] != "x" else "y")
        problem(http.get("/v1/rules", headers=_bearer(wrong)), 401, "unauthorized")
        assert http.get("/v1/rules", headers=_bearer(secret)).status_code == 200
        ok = http.post(
            "/v1/reviews", json=BODY, headers={**_bearer(secret), "Idempotency-Key": "h-1"}
        )
        assert ok.status_code == 201  # another caller: its own idempotency space
        replay = http.post(
            "/v1/reviews", json=BODY, headers={**_bearer(secret), "Idempotency-Key": "h-1"}
        )
        assert (replay.status_code, replay.json()["id"]) == (200, ok.json()["id"])
        problem(
            http.post("/v1/reviews", json={"text": "O: x\nKR: y"},
                      headers={**_bearer(secret), "Idempotency-Key": "h-1"}),
            409, "idempotency-conflict",
        )  # fmt: skip

        store.revoke_key(info.id)
        problem(http.get("/v1/rules", headers=_bearer(secret)), 401, "unauthorized")
        # The review stored before the keys was made by nobody in particular, and the
        # revoked key's by that key: another key sees neither (404, as if missing).
        _info2, secret2 = store.create_key("second")
        for made in (posted, ok):
            got = http.get(made.json()["links"]["self"], headers=_bearer(secret2))
            problem(got, 404, "not-found")
        assert store.get_review(posted.json()["id"]).id == posted.json()["id"]  # still kept


def test_rate_limit_over_http(tmp_path, problem, start_server):
    with (
        start_server(tmp_path / "data", OKR_COACH_RATE_LIMIT_PER_MINUTE="2") as server,
        server.client() as http,
    ):
        assert [http.get("/v1/rules").status_code for _ in range(2)] == [200, 200]
        r = http.get("/v1/rules")
        problem(r, 429, "rate-limited")
        assert int(r.headers["retry-after"]) >= 1
        assert http.get("/healthz").status_code == 200


def test_concurrent_retries_store_one_review(live_server):
    """Eight clients retrying at once with one Idempotency-Key: one review, one 201."""
    from concurrent.futures import ThreadPoolExecutor

    headers = {"Idempotency-Key": "burst-1"}

    def post(_: int):
        with live_server.client() as http:
            return http.post("/v1/reviews", json=BODY, headers=headers)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(8)))
    assert sorted(r.status_code for r in answers) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in answers}) == 1
