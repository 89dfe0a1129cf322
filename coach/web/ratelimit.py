"""Request budgets per caller, shared by every replica through Redis when one is configured.

The `limits` library keeps the counts: a **moving window** (every request's time is
kept, a request passes when fewer than `per_minute` were let through in the 60 s
before it). Chosen over the sliding-window counter, which estimates the previous
window's share and so can let up to 1.5x the limit through in some rolling minute;
a moving window never does, at the price of one timestamp per request in the
window (600 per busy caller at the default) — small next to a request.

- With `OKR_COACH_REDIS_URL` the window lives in Redis under
  `<OKR_COACH_REDIS_PREFIX>:limits:`: every process and every replica spends from
  one budget. Should Redis stop answering, each process falls back to its own
  memory (logged, at most once a minute) rather than refuse everyone.
- Without it, each process counts on its own, in memory (entries expire with
  their window, so memory follows the traffic of the last minute).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter as AsyncMovingWindow
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

WARN_EVERY_S = 60.0


class RateLimits:
    """`await hit(bucket)`: 0 when the request may go ahead, else whole seconds to wait."""

    def __init__(self, per_minute: int, *, redis_url: str | None = None, prefix: str = "okr-coach"):
        self.per_minute = per_minute
        self.item = RateLimitItemPerMinute(max(per_minute, 1))
        self.redis_url = redis_url
        self.prefix = f"{prefix}:limits"
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        # The Redis client belongs to the event loop that made it (one per server process;
        # tests may run several loops one after the other).
        self._shared: tuple[asyncio.AbstractEventLoop, AsyncMovingWindow] | None = None
        self._warned = -math.inf

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    @property
    def where(self) -> str:
        return "redis" if self.redis_url else "memory"

    async def hit(self, bucket: str) -> int:
        if not self.enabled:
            return 0
        shared = self._redis()
        if shared is not None:
            try:
                if await shared.hit(self.item, bucket):
                    return 0
                reset, _left = await shared.get_window_stats(self.item, bucket)
                return _seconds(reset)
            except StorageError as exc:
                self._warn(exc)
        if self._memory.hit(self.item, bucket):
            return 0
        reset, _left = self._memory.get_window_stats(self.item, bucket)
        return _seconds(reset)

    def health(self) -> str:
        """Where budgets are kept, for /readyz: Redis answering or not, or per process.
        Blocks for up to a second: call it from a worker thread."""
        if not self.redis_url:
            return "per process (no OKR_COACH_REDIS_URL)"
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        except redis.RedisError as exc:
            return f"redis unreachable ({exc}); counting per process"
        finally:
            client.close()
        return "redis ok (shared)"

    def _redis(self) -> AsyncMovingWindow | None:
        if not self.redis_url:
            return None
        loop = asyncio.get_running_loop()
        if self._shared is None or self._shared[0] is not loop:
            storage = RedisStorage(
                "async+" + self.redis_url,
                implementation="redispy",
                key_prefix=self.prefix,
                wrap_exceptions=True,
                socket_timeout=2,
                socket_connect_timeout=2,
            )
            self._shared = (loop, AsyncMovingWindow(storage))
        return self._shared[1]

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned >= WARN_EVERY_S:
            self._warned = now
            log.warning("rate limits: Redis unreachable (%s); counting in this process", exc)


def _seconds(reset: float) -> int:
    return max(1, math.ceil(reset - time.time()))
