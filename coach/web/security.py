"""API keys, the per-key rate limit and Idempotency-Key handling for /v1; who a request acts for.

- **Keys.** When the store holds any active key, every /v1 request needs
  `Authorization: Bearer <secret>`; otherwise the API is open and an
  Authorization header is ignored. Whether any key is active is cached for
  `KEYS_TTL` seconds (a key created, or the last one revoked, by
  `okr-coach keys` in another process takes effect within that time); the
  secret itself is checked against the store on every request, so a revoked
  key stops working at once.
- **Rate limit.** `rate_limit_per_minute` requests in any minute per API key
  (per client address when the API is open): a moving window kept in Redis
  and shared by every process when `OKR_COACH_REDIS_URL` is set, else in the
  memory of each server process (`ratelimit.py`). A limit of 0 or less turns it off. Failed authentications
  count against the client address, so guessing keys is rate limited too.
  The web pages (`access.py`) take from the same buckets for what costs: a
  key's budget is one budget, whether it is spent through /v1 or signed in.
- **Principals.** Every request that passes is given a `Caller`
  (`request.state.caller`); its `principal` is what the store keeps with
  everything the request makes and filters every read on.
- **Idempotency.** `Idempotency-Key` on a POST: a retry with the same key (under
  the same API key) returns the review stored the first time, 200 instead of
  201; the same key with a different draft, mode or rubric is a 409. (`select`
  and `ignore` are not part of that comparison: the store keeps no fingerprint
  of the request, only the draft and the review's provenance.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..config import Settings
from ..errors import StoreError
from ..store import principals
from .problems import Problem
from .ratelimit import RateLimits

KEYS_TTL = 1.0
MAX_IDEMPOTENCY_KEY = 255
BEARER = 'Bearer realm="okr-coach"'


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking: an API key (sent as Bearer, or signed in to the pages with it),
    a user named by the trusted proxy header, or an anonymous client address."""

    key_id: str | None
    key_name: str | None
    address: str
    user: str | None = None
    # How the caller was recognised: "open" (no key exists), "bearer", "session", "header".
    via: str = "open"

    @property
    def principal(self) -> str:
        """What the store keeps with what this caller makes, and filters its reads on."""
        if self.key_id:
            return principals.of_key(self.key_id)
        if self.user:
            return principals.of_user(self.user)
        return principals.ANONYMOUS

    @property
    def label(self) -> str | None:
        """A name to show the caller: the key's name or the user's; None when anonymous."""
        return self.key_name if self.key_id else self.user

    @property
    def bucket(self) -> str:
        if self.key_id:
            return f"key:{self.key_id}"
        return f"user:{self.user}" if self.user else f"addr:{self.address}"


def caller_of(request: Request) -> Caller:
    """The caller the gate or the access middleware recognised for this request.

    Every route behind them has one; a route reached without (a wiring mistake)
    fails rather than act for nobody in particular.
    """
    caller = getattr(request.state, "caller", None)
    if not isinstance(caller, Caller):
        raise RuntimeError(
            f"no caller recognised for {request.url.path}: is AccessMiddleware installed?"
        )
    return caller


class Gate:
    """Authenticates and rate-limits a /v1 request before its body is read."""

    def __init__(self, settings: Settings, *, keys_ttl: float = KEYS_TTL):
        self.limiter = RateLimits(
            settings.rate_limit_per_minute, redis_url=settings.redis_url, prefix=settings.redis_prefix
        )
        self.keys_ttl = keys_ttl
        self._keys_active: bool | None = None
        self._keys_checked = 0.0

    def forget(self) -> None:
        """Drop the cached answer to "are there active keys?" (after creating or revoking one)."""
        self._keys_active = None

    def keys_active(self, store) -> bool:  # noqa: ANN001
        """Whether any key is active (the service is private): cached for `keys_ttl` s.
        May query the store: call it from a worker thread unless `keys_known()`."""
        return self._any_active_keys(store)

    def keys_known(self) -> bool:
        """True when `keys_active` answers from the cache, without the store."""
        return self._keys_active is not None and (
            time.monotonic() - self._keys_checked < self.keys_ttl
        )

    def _any_active_keys(self, store) -> bool:  # noqa: ANN001
        now = time.monotonic()
        if self._keys_active is None or now - self._keys_checked >= self.keys_ttl:
            self._keys_active = store.any_active_keys()
            self._keys_checked = now
        return self._keys_active

    def _identify(self, store, secret: str | None, address: str) -> Caller | str:  # noqa: ANN001
        """The caller, or why they are refused (a 401 detail)."""
        if secret:
            info = store.verify_key(secret)
            if info is not None:
                return Caller(key_id=info.id, key_name=info.name, address=address, via="bearer")
            if self._any_active_keys(store):
                return "the API key is not valid (unknown, malformed or revoked)"
            return Caller(key_id=None, key_name=None, address=address)
        if self._any_active_keys(store):
            return "this API needs a key: send 'Authorization: Bearer <secret>'"
        return Caller(key_id=None, key_name=None, address=address)

    async def check(self, request: Request) -> Caller:
        """The caller of this request; raises Problem 401 or 429."""
        store = request.app.state.store
        if store is None:
            raise StoreError("the store is not open")
        address = request.client.host if request.client else "unknown"
        secret = _bearer(request.headers.get("authorization"))
        needs_db = (
            bool(secret)
            or self._keys_active is None
            or (time.monotonic() - self._keys_checked >= self.keys_ttl)
        )
        if needs_db:
            caller = await run_in_threadpool(self._identify, store, secret, address)
        else:
            caller = self._identify(store, secret, address)
        if isinstance(caller, str):
            await self._limit(f"addr:{address}")
            raise Problem(
                401,
                caller,
                kind="unauthorized",
                headers={
                    "WWW-Authenticate": BEARER + ', error="invalid_token"' if secret else BEARER
                },
            )
        await self._limit(caller.bucket)
        request.state.caller = caller
        return caller

    async def wait(self, bucket: str) -> int:
        """Spend one request of `bucket`: 0 when allowed, else whole seconds to wait (>= 1)."""
        return await self.limiter.hit(bucket)

    def limit_message(self, seconds: int) -> str:
        return (
            f"rate limit of {self.limiter.per_minute} requests per minute reached; "
            f"retry in {seconds} s"
        )

    async def _limit(self, bucket: str) -> None:
        seconds = await self.wait(bucket)
        if seconds:
            raise Problem(
                429,
                self.limit_message(seconds),
                kind="rate-limited",
                headers={"Retry-After": str(seconds)},
                retry_after=seconds,
            )


def _bearer(header: str | None) -> str | None:
    """The secret of an `Authorization: Bearer` header; '' for any other scheme or an empty one."""
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return value.strip()
