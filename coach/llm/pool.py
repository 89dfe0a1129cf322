"""Model calls off the review thread: one pool per process, bounded, with a deadline.

A synchronous `coach.review()` (the web form, the JSON API, the CLI) computes on
its own thread and hands each model call to the pool: a daemon thread running
one event loop, where at most `size` calls are in flight (more wait their turn)
and each call, its turn in the queue and its retries included, ends after
`timeout` seconds with `LLMTimeoutError` (the review then falls back to the
rules). The clients live on that one loop, so their connections are reused
from review to review.

While a review waits on the pool it holds nothing a rules-only review needs:
whoever limits review threads (coach/web/app.py) installs `waiting_hook`, a
context manager that gives the caller's slot back for the wait and takes it
again before the review goes on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from typing import TypeVar

from coach.llm.errors import LLMTimeoutError

T = TypeVar("T")

TIMEOUT_SETTING = "OKR_COACH_LLM_REVIEW_TIMEOUT_S"
# The pool enforces the deadline itself; the caller waits this much longer before giving
# up on a pool that cannot even do that (a loop blocked by a bug).
_GRACE_S = 5.0

# Set by the code that owns the caller's thread slot: a context manager to enter while waiting.
waiting_hook: ContextVar[Callable[[], AbstractContextManager[object]] | None] = ContextVar(
    "okr_coach_model_waiting_hook", default=None
)


def _waiting() -> AbstractContextManager[object]:
    hook = waiting_hook.get()
    return hook() if hook is not None else nullcontext()


class ModelPool:
    def __init__(self, size: int):
        if size < 1:
            raise ValueError("a model pool needs at least one slot")
        self.size = size
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._slots: asyncio.Semaphore | None = None  # made on the pool's loop

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._thread is None or not self._thread.is_alive():
                loop = asyncio.new_event_loop()
                self._slots = None
                thread = threading.Thread(
                    target=loop.run_forever, name="okr-coach-model-pool", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, call: Callable[[], Awaitable[T]], *, timeout: float) -> T:
        """`await call()` on the pool's loop; the calling thread waits (its slot handed back).

        Raises what the call raises, or `LLMTimeoutError` after `timeout` seconds.
        """
        loop = self._running_loop()
        future = asyncio.run_coroutine_threadsafe(self._bounded(call, timeout), loop)
        with _waiting():
            try:
                return future.result(timeout + _GRACE_S)
            except concurrent.futures.TimeoutError:
                future.cancel()
                raise LLMTimeoutError(timeout, setting=TIMEOUT_SETTING) from None

    async def _bounded(self, call: Callable[[], Awaitable[T]], timeout: float) -> T:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        deadline = asyncio.timeout(timeout)
        try:
            async with deadline, self._slots:
                return await call()
        except TimeoutError:
            if deadline.expired():
                raise LLMTimeoutError(timeout, setting=TIMEOUT_SETTING) from None
            raise


_pools: dict[int, ModelPool] = {}
_pools_lock = threading.Lock()


def model_pool(size: int) -> ModelPool:
    """The process's pool of `size` slots (one per size asked for; in practice one)."""
    with _pools_lock:
        pool = _pools.get(size)
        if pool is None:
            pool = _pools[size] = ModelPool(size)
        return pool
