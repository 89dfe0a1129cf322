"""One queued job's work: review the pending sets of a range of a batch and store each
result as it is known.

Idempotent, so the queue may hand a job over again (its worker died): only sets still
pending are taken, and a result is written only over a pending set. Results that cost a
model call are stored one by one, as each arrives, so a set already sent to the model is
never sent again; rules-only results (cheap to redo) are stored a few at a time.
"""

from __future__ import annotations

from collections.abc import Callable

from ..store.batches import BatchStore, ClaimedSet
from .engine import run_sets, uses_llm
from .models import BatchSet, SetOutcome
from .settings import BatchSettings


def review_range(
    batches: BatchStore,
    batch_id: str,
    first: int,
    last: int,
    worker: str,
    settings: BatchSettings | None = None,
    on_finished: Callable[[str], None] | None = None,
) -> int:
    """Review sets `first`..`last` of the batch still pending; how many were stored.
    `on_finished(batch_id)` runs once, in the worker whose result finished the batch."""
    settings = settings or BatchSettings()
    claimed = batches.take_range(batch_id, first, last, worker)
    if not claimed:
        return 0
    # A batch this version cannot run: its sets fail with the reason, nothing is reviewed.
    if claimed[0].unreadable is not None:
        failed = [_failed(c, claimed[0].unreadable) for c in claimed]
        return _store(batches, batch_id, failed, worker, on_finished)
    options = claimed[0].options
    every = 1 if uses_llm(options) else settings.chunk
    tries = {c.seq: c.attempts for c in claimed}
    buffer: list[SetOutcome] = []
    stored = 0

    def done(outcome: SetOutcome) -> None:
        nonlocal stored
        outcome.attempts = tries[outcome.seq] + outcome.attempts - 1
        buffer.append(outcome)
        if len(buffer) >= every:
            stored += _store(batches, batch_id, buffer, worker, on_finished)
            buffer.clear()

    sets = [BatchSet(seq=c.seq, owner="", source="", kind=c.kind, draft=c.draft) for c in claimed]
    # One process: a worker is one process; run more workers for more cores.
    run_sets(sets, options, done, settings.model_copy(update={"workers": 1}))
    return stored + _store(batches, batch_id, buffer, worker, on_finished)


def _failed(c: ClaimedSet, reason: str) -> SetOutcome:
    return SetOutcome(seq=c.seq, status="failed", error=reason, attempts=c.attempts)


def _store(
    batches: BatchStore,
    batch_id: str,
    outcomes: list[SetOutcome],
    worker: str,
    on_finished: Callable[[str], None] | None,
) -> int:
    if not outcomes:
        return 0
    result = batches.complete_sets([(batch_id, o) for o in outcomes], reviewed_by=worker)
    for finished in result.finished:
        if on_finished is not None:
            on_finished(finished)
    return result.written
