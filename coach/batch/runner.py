"""The server's batch runner: a thread that claims pending sets from the store,
reviews them and writes each chunk's results as soon as it is done.

Durable by construction: everything a batch needs is in the store, and a result is
written only over a pending set. A server killed mid-batch loses at most the chunk
it was reviewing; when a runner starts again (this server restarted, or another
worker) it takes over the lapsed claims, and nothing already stored is reviewed again.

It cannot die silently. A set whose review raises fails with the reason (`engine.classify`;
a MemoryError is retried, then fails); a chunk that fails around the reviews (storing its
results, say) has its sets released for another try, or failed once they have had their
tries, and the runner goes on. Should the thread end anyway (a BaseException such as a
library's `sys.exit()`), it is replaced after a pause that doubles each time, up to
`OKR_COACH_BATCH_RUNNER_MAX_RESTARTS` times; `health()` (shown by `/readyz`) says which.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import UTC, datetime, timedelta

from ..errors import CoachError
from ..store.batches import BatchStore, ClaimedSet
from .artifacts import ReportStorage, publish
from .engine import Try, backoff, try_chunk
from .models import SetOutcome
from .settings import BatchSettings

log = logging.getLogger(__name__)

IDLE_S = 1.0  # how often an idle runner looks for work another process queued
ERROR_PAUSE_S = 2.0
RESTART_PAUSE_S = 0.5  # before the first restart of a crashed thread; doubles, up to:
RESTART_PAUSE_MAX_S = 60.0


def runner_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


class BatchRunner:
    def __init__(
        self,
        batches: BatchStore,
        settings: BatchSettings | None = None,
        storage: ReportStorage | None = None,
    ):
        self.batches = batches
        self.settings = settings or BatchSettings()
        self.storage = storage
        self.id = runner_id()
        self.restarts = 0
        self.last_crash: str | None = None
        self.down = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._spawn(pause=0.0)

    def wake(self) -> None:
        """A new batch is waiting: look now rather than at the next idle tick."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- supervision ----------------------------------------------------------------------

    def health(self) -> tuple[bool, str]:
        """(ready, what to say): 'ok', 'restarted N times (last: ...)' or 'down ...'."""
        with self._lock:
            thread = self._thread
        if (
            thread is not None
            and not thread.is_alive()
            and not self._stop.is_set()
            and not self.down
        ):
            # Ended without passing through _run's handler (cannot happen in Python code;
            # checked all the same, since a runner that is silently gone is the failure
            # this module exists to prevent).
            self._crashed(thread, "the runner thread ended")
        if self.down:
            return False, f"down: crashed {self.restarts + 1} times, last: {self.last_crash}"
        if self.restarts:
            times = "time" if self.restarts == 1 else "times"
            return True, f"restarted {self.restarts} {times} (last crash: {self.last_crash})"
        return True, "ok"

    def _spawn(self, pause: float) -> None:
        thread = threading.Thread(
            target=self._run, args=(pause,), name="okr-coach-batch", daemon=True
        )
        with self._lock:
            self._thread = thread
        thread.start()

    def _run(self, pause: float) -> None:
        if pause:
            self._stop.wait(pause)
        try:
            self._loop()
        except BaseException as exc:  # noqa: BLE001
            # Supervision, not handling: this thread is over (whatever got past the loop's
            # boundary, e.g. a SystemExit raised in it). Log it, start the replacement,
            # and let this thread end.
            log.error("batch runner thread crashed", exc_info=exc)
            self._crashed(threading.current_thread(), _describe(exc))

    def _crashed(self, thread: threading.Thread, reason: str) -> None:
        with self._lock:
            if thread is not self._thread or self._stop.is_set():
                return  # already replaced, or stopping anyway
            stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            self.last_crash = f"{reason} at {stamp}"
            if self.restarts >= self.settings.runner_max_restarts:
                self.down = True
                log.error("batch runner: crashed (%s); not restarted again: down", reason)
                return
            self.restarts += 1
            pause = min(RESTART_PAUSE_S * 2 ** (self.restarts - 1), RESTART_PAUSE_MAX_S)
        log.error("batch runner: crashed (%s); restarting in %.1f s", reason, pause)
        self._spawn(pause)

    # -- work -------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            claimed: list[ClaimedSet] = []
            try:
                claimed = self._claim()
                worked = bool(claimed)
                if claimed and not self._stop.is_set():  # stopping: the claim lapses
                    self._review(claimed)
            except CoachError as exc:  # the store is away: wait and try again
                log.warning("batch runner: %s", exc.message)
                self._stop.wait(ERROR_PAUSE_S)
                continue
            except Exception as exc:  # noqa: BLE001
                # The runner's one deliberate last-resort boundary. Whatever else a chunk
                # raised (a bug, a MemoryError while storing its results), its sets are
                # released for another try, or failed with the reason once they have had
                # their tries, and the runner goes on with the next chunk.
                log.exception("batch runner: a chunk failed unexpectedly")
                self._settle(claimed, exc)
                self._stop.wait(ERROR_PAUSE_S)
                continue
            if not worked:
                self._wake.wait(IDLE_S)
                self._wake.clear()

    def run_once(self) -> bool:
        """Claim, review and store one chunk; False when there was nothing to do."""
        claimed = self._claim()
        if not claimed:
            return False
        if not self._stop.is_set():  # stopping: the claim lapses, taken over later
            self._review(claimed)
        return True

    def _claim(self) -> list[ClaimedSet]:
        s = self.settings
        return self.batches.claim(self.id, max(s.chunk, self._llm_chunk()), s.claim_ttl_s)

    def _review(self, claimed: list[ClaimedSet]) -> None:
        results: list[tuple[str, SetOutcome]] = []
        readable = [c for c in claimed if c.unreadable is None]
        for c in claimed:
            if c.unreadable is not None:  # a batch this version cannot run: its sets fail
                results.append((c.batch_id, SetOutcome(
                    seq=c.seq, status="failed", error=c.unreadable, attempts=c.attempts
                )))  # fmt: skip
        tries = try_chunk([(c.kind, c.draft, c.options) for c in readable]) if readable else []
        for c, t in zip(readable, tries, strict=True):
            outcome = self._outcome(c, t)
            if outcome is not None:
                results.append((c.batch_id, outcome))
        self._complete(results)

    def _complete(self, results: list[tuple[str, SetOutcome]]) -> None:
        """Store results; a batch they finish has its report rendered once and kept."""
        for batch_id in self.batches.complete_sets(results, reviewed_by=self.id).finished:
            if self.storage is None:
                continue
            try:
                publish(self.batches, self.storage, batch_id)
            except OSError as exc:  # served by rendering on request instead
                log.warning("batch %s: the report was not kept: %s", batch_id, exc)

    def _settle(self, claimed: list[ClaimedSet], exc: BaseException) -> None:
        """After a chunk failed unexpectedly: its sets tried again, or failed for good."""
        reason = f"internal error in the batch runner: {_describe(exc)}"
        now = datetime.now(UTC)
        failed: list[tuple[str, SetOutcome]] = []
        try:
            for c in claimed:
                if c.attempts >= self.settings.max_attempts:
                    error = f"{reason} (gave up after {c.attempts} tries)"
                    failed.append((c.batch_id, SetOutcome(
                        seq=c.seq, status="failed", error=error, attempts=c.attempts
                    )))  # fmt: skip
                else:
                    self.batches.retry_later(c.batch_id, c.seq, now, reason)
            self._complete(failed)
        except CoachError as err:  # the store is away too: the claims lapse and are retried
            log.warning("batch runner: %s", err.message)

    def _llm_chunk(self) -> int:
        # With a model configured, claim enough sets to keep every allowed call busy.
        from ..llm.settings import LLMSettings

        llm = LLMSettings()
        return llm.concurrency if llm.configured() else 0

    def _outcome(self, c: ClaimedSet, t: Try) -> SetOutcome | None:
        if t.review_json is not None:
            return SetOutcome(
                seq=c.seq, status="done", review_json=t.review_json, attempts=c.attempts
            )
        if t.transient and c.attempts < self.settings.max_attempts:
            wait = backoff(c.attempts, t.retry_after)
            self.batches.retry_later(
                c.batch_id, c.seq, datetime.now(UTC) + timedelta(seconds=wait), t.error or ""
            )
            return None
        reason = t.error or "unknown error"
        if t.transient:
            reason = f"{reason} (gave up after {c.attempts} tries)"
        return SetOutcome(seq=c.seq, status="failed", error=reason, attempts=c.attempts)
