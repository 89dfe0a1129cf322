"""The fleet's budget of model calls: one token bucket, and one pause after a 429.

Every request to the provider first takes a token (`acquire`): `calls_per_minute`
of them, refilled evenly, with a burst of as many (0: no bucket, only the pause).
A 429 from the provider pauses every caller for what it asked (`Retry-After`, or a
backoff): the next `acquire`, anywhere, waits until then. So sustained 429s slow
the whole fleet down instead of each call failing after its own few retries.

With `OKR_COACH_REDIS_URL` the bucket and the pause live in Redis (two small Lua
scripts, on Redis's clock) under `<OKR_COACH_REDIS_PREFIX>:model:`, shared by every
worker and replica; without it, in this process's memory. Should Redis stop
answering, the process falls back to its own memory (logged once a minute).
No library fits: `limits` answers yes or no to a hit, it does not say how long to
wait for a refilling bucket, nor hold a shared pause.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import RedisError

from coach.metrics import observe_budget_wait

log = logging.getLogger(__name__)

WARN_EVERY_S = 60.0

# KEYS: bucket, pause. ARGV: capacity, tokens per ms. Returns ms to wait (0: a token taken).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return pause - now end
local cap = tonumber(ARGV[1])
if cap <= 0 then return 0 end
local rate = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or cap
local ts = tonumber(b[2]) or now
tokens = math.min(cap, tokens + math.max(0, now - ts) * rate)
if tokens < 1 then return math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate) + 1000)
return 0
"""

# KEYS: pause. ARGV: ms. Pauses until now + ms, unless a later pause is set already.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then redis.call('SET', KEYS[1], tostring(now + ms), 'PX', ms) end
return 0
"""


class _Memory:
    """The same bucket and pause in this process (thread-safe: several loops may call it)."""

    def __init__(self, capacity: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(capacity)
        self.rate = capacity / 60.0  # tokens per second
        self.clock = clock
        self.tokens = self.capacity
        self.stamp = clock()
        self.paused_until = -math.inf
        self._lock = threading.Lock()

    def take(self) -> float:
        """0 when a token was taken, else seconds to wait before asking again."""
        with self._lock:
            now = self.clock()
            if self.paused_until > now:
                return self.paused_until - now
            if self.capacity <= 0:
                return 0.0
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens < 1:
                return (1 - self.tokens) / self.rate
            self.tokens -= 1
            return 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self.paused_until = max(self.paused_until, self.clock() + seconds)


class ModelBudget:
    """`await acquire()` before each request to the provider; `await back_off(s)` after a 429."""

    def __init__(
        self,
        calls_per_minute: int = 0,
        *,
        redis_url: str | None = None,
        prefix: str = "okr-coach",
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ):
        self.calls_per_minute = max(0, calls_per_minute)
        self.redis_url = redis_url
        self.keys = [f"{prefix}:model:bucket", f"{prefix}:model:pause"]
        self._memory = _Memory(self.calls_per_minute)
        self._sleep = sleep
        # One Redis client per event loop (a client cannot be shared across loops).
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._warned = -math.inf
        self.waited_s = 0.0  # seconds callers spent waiting here (for metrics)

    @property
    def where(self) -> str:
        return "redis" if self.redis_url else "memory"

    async def acquire(self) -> float:
        """Wait for a token and for any pause to end; the seconds waited."""
        waited = 0.0
        while True:
            wait = await self._take()
            if wait <= 0:
                self.waited_s += waited
                observe_budget_wait(waited)
                return waited
            # Spread the waiting callers out so they do not all come back at once.
            delay = wait * random.uniform(1.0, 1.1)
            await self._sleep(delay)
            waited += delay

    async def back_off(self, seconds: float) -> None:
        """The provider said 429: every caller waits `seconds` before its next request."""
        if seconds <= 0:
            return
        client = self._client()
        if client is not None:
            try:
                await client.eval(_PAUSE, 1, self.keys[1], max(1, math.ceil(seconds * 1000)))
                return
            except (RedisError, OSError) as exc:
                self._warn(exc)
        self._memory.pause(seconds)

    async def _take(self) -> float:
        client = self._client()
        if client is not None:
            try:
                rate = self.calls_per_minute / 60_000
                ms = await client.eval(_TAKE, 2, *self.keys, self.calls_per_minute, repr(rate))
                return int(ms) / 1000
            except (RedisError, OSError) as exc:
                self._warn(exc)
        return self._memory.take()

    def _client(self) -> Any:
        if not self.redis_url:
            return None
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(
                self.redis_url, socket_timeout=2, socket_connect_timeout=2
            )
            self._clients[loop] = client
        return client

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY_S:
            self._warned = now
            log.warning("model budget: Redis unreachable (%s); counting in this process", exc)


_budgets: dict[tuple[int, str | None, str], ModelBudget] = {}
_budgets_lock = threading.Lock()


def process_budget(calls_per_minute: int, redis_url: str | None, prefix: str) -> ModelBudget:
    """The process's budget for these settings (one, in practice)."""
    key = (calls_per_minute, redis_url, prefix)
    with _budgets_lock:
        budget = _budgets.get(key)
        if budget is None:
            budget = _budgets[key] = ModelBudget(
                calls_per_minute, redis_url=redis_url, prefix=prefix
            )
        return budget
