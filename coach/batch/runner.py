"""The server's batch runner: a thread that claims pending sets from the store,
reviews them and writes each chunk's results as soon as it is done.

Durable by construction: everything a batch needs is in the store, and a result is
written only over a pending set. A server killed mid-batch loses at most the chunk
it was reviewing; when a runner starts again (this server restarted, or another
worker) it takes over the lapsed claims, and nothing already stored is reviewed again.
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
from .engine import Try, backoff, try_chunk
from .models import SetOutcome
from .settings import BatchSettings

log = logging.getLogger(__name__)

IDLE_S = 1.0  # how often an idle runner looks for work another process queued
ERROR_PAUSE_S = 2.0


def runner_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


class BatchRunner:
    def __init__(self, batches: BatchStore, settings: BatchSettings | None = None):
        self.batches = batches
        self.settings = settings or BatchSettings()
        self.id = runner_id()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="okr-coach-batch", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """A new batch is waiting: look now rather than at the next idle tick."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except CoachError as exc:  # the store is away: wait and try again
                log.warning("batch runner: %s", exc.message)
                self._stop.wait(ERROR_PAUSE_S)
                continue
            if not worked:
                self._wake.wait(IDLE_S)
                self._wake.clear()

    def run_once(self) -> bool:
        """Claim, review and store one chunk; False when there was nothing to do."""
        s = self.settings
        claimed = self.batches.claim(self.id, max(s.chunk, self._llm_chunk()), s.claim_ttl_s)
        if not claimed:
            return False
        if self._stop.is_set():
            return True  # the claim lapses and is taken over later
        tries = try_chunk([(c.kind, c.draft, c.options) for c in claimed])
        results: list[tuple[str, SetOutcome]] = []
        for c, t in zip(claimed, tries, strict=True):
            outcome = self._outcome(c, t)
            if outcome is not None:
                results.append((c.batch_id, outcome))
        self.batches.complete(results)
        return True

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
