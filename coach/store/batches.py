"""Batches in the store: created whole, their sets claimed by runners, each result
written once, over `pending` only, as it completes.

Claims make several runners (server workers, a restarted server) share the work: a
runner takes a few pending sets for `ttl` seconds (`FOR UPDATE SKIP LOCKED` on
PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE). A claim left by a runner
that died lapses, and another runner takes the sets over. A result is written only
where the set is still pending, so a set is never counted twice even when two
runners raced for it; each stored result gets a fresh `result_id` to prove it.

With the queue (`coach.batch.queue`) the queue hands each range of sets to one worker
at a time: `take_range` takes a range's pending sets without a claim to expire.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, ValidationError, computed_field
from sqlalchemy import and_, delete, func, insert, or_, select, update

from ..batch.models import BatchInput, BatchOptions, BatchSet, FileReport, SetOutcome
from ..batch.summary import Entry
from ..errors import CoachError, NotFoundError
from . import keys as keymod
from . import principals
from .schema import BatchRow, BatchSetRow
from .store import Store, _storable

_b = BatchRow.__table__
_s = BatchSetRow.__table__
INSERT_CHUNK = 1000
log = logging.getLogger(__name__)
# A batch being written (`BatchWriter`) is `loading`, its sets `staged`: no runner, queue
# or list sees them until the last is in. One left by a server that died while reading
# an upload is dropped after LOADING_TTL.
LOADING = "loading"
STAGED = "staged"
LOADING_TTL = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC)


class BatchInfo(BaseModel):
    """A batch and how far along it is."""

    id: str
    created_at: datetime
    finished_at: datetime | None = None
    status: str
    title: str
    options: BatchOptions
    inputs: list[FileReport]
    total: int
    done: int = 0
    failed: int = 0
    api_key_id: str | None = Field(default=None, exclude=True)
    principal: str = Field(default=principals.ANONYMOUS, exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pending(self) -> int:
        return self.total - self.done - self.failed

    @computed_field  # type: ignore[prop-decorator]
    @property
    def progress(self) -> float:
        return round((self.done + self.failed) / self.total, 4) if self.total else 1.0


@dataclass
class ClaimedSet:
    batch_id: str
    seq: int
    kind: str
    draft: str
    attempts: int  # including this one
    options: BatchOptions
    # Why the batch's stored options cannot be used by this version (written by a newer
    # one, say): the runner fails the set with it instead of crashing on it.
    unreadable: str | None = None


@dataclass
class Completed:
    written: int = 0  # results stored (the rest were stored before)
    finished: list[str] = field(default_factory=list)  # batches these results finished


@dataclass
class Progress:
    batches_queued: int
    batches_running: int
    sets_pending: int


def _stored_options(raw: str) -> tuple[BatchOptions, str | None]:
    try:
        return BatchOptions.model_validate_json(raw), None
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": str(exc)}
        where = ".".join(str(p) for p in first["loc"]) or "options"
        return BatchOptions(), (
            f"the batch's options cannot be read by this version of okr-coach ({where}: "
            f"{first['msg']}); not reviewed"
        )[:500]


class BatchStore:
    """The batch tables of a `Store`."""

    def __init__(self, store: Store):
        self.store = store

    # -- creating and reading -------------------------------------------------------

    def create(
        self,
        inputs: BatchInput,
        *,
        options: BatchOptions,
        title: str,
        digest: str,
        api_key_id: str | None = None,
        principal: str | None = None,
        on_created: Callable[[str, int, Any], None] | None = None,
    ) -> BatchInfo:
        """Keep a new batch. `principal` defaults to the API key's (`key:<id>`), else
        `anonymous`; only that principal reads the batch back through the web layer.

        `on_created(batch_id, sets, driver_connection)` runs in the same transaction
        before it commits (the queue enqueues the batch's jobs there): the batch and its
        jobs are kept together or not at all."""
        writer = self.writer(
            options=options, title=title, digest=digest, api_key_id=api_key_id,
            principal=principal,
        )  # fmt: skip
        try:
            for i in range(0, len(inputs.sets), INSERT_CHUNK):
                writer.write(inputs.sets[i : i + INSERT_CHUNK])
            return writer.finish(inputs.files, on_created=on_created)
        except BaseException:
            writer.abort()
            raise

    def writer(
        self,
        *,
        options: BatchOptions,
        title: str,
        digest: str,
        api_key_id: str | None = None,
        principal: str | None = None,
    ) -> BatchWriter:
        """A new batch kept as its sets are read: `write` them in order, a chunk at a time
        (each chunk committed), then `finish`; `abort` drops what was written."""
        if principal is None:
            principal = (
                principals.of_key(api_key_id) if api_key_id is not None else principals.ANONYMOUS
            )
        return BatchWriter(
            self,
            {
                "id": keymod.new_id(),
                "title": _storable(" ".join(title.split()))[:200] or "OKR batch review",
                "digest": digest,
                "api_key_id": api_key_id,
                "principal": _storable(principal)[: principals.MAX_PRINCIPAL],
                "options_json": options.model_dump_json(),
            },
        )

    def drop_stale(self, now: datetime | None = None) -> int:
        """Drop batches left `loading` for over LOADING_TTL (their server died reading)."""
        before = (now or _now()) - LOADING_TTL
        with self.store._connect(write=True) as conn:
            stale = conn.execute(
                select(_b.c.id).where(_b.c.status == LOADING, _b.c.created_at < before)
            ).scalars().all()
            for batch_id in stale:
                conn.execute(delete(_s).where(_s.c.batch_id == batch_id))
                conn.execute(delete(_b).where(_b.c.id == batch_id))
            conn.commit()
        return len(stale)

    def get(self, batch_id: str, *, principal: str | None = None) -> BatchInfo:
        """The batch with this id; with a `principal`, only if that principal made it
        (another's is a NotFoundError, exactly as a missing one). Every request of the
        web layer passes one; None is for the runner and the operator's own tools."""
        if 0 < len(batch_id) <= 32:
            query = select(_b).where(_b.c.id == batch_id)
            if principal is not None:
                query = query.where(_b.c.principal == principal)
            with self.store._connect() as conn:
                row = conn.execute(query).first()
                if row is not None:
                    counts = dict(
                        conn.execute(
                            select(_s.c.status, func.count())
                            .where(_s.c.batch_id == batch_id)
                            .group_by(_s.c.status)
                        ).all()
                    )
                    return _info(row, counts)
        raise NotFoundError(f"no batch '{batch_id[:40]}'")

    def find_by_digest(self, digest: str, principal: str) -> BatchInfo | None:
        """The newest batch made from the same upload and options by the same principal."""
        owner = _b.c.principal == principal
        with self.store._connect() as conn:
            found = conn.execute(
                select(_b.c.id)
                .where(_b.c.digest == digest, owner, _b.c.status != LOADING)
                .order_by(_b.c.created_at.desc())
                .limit(1)
            ).scalar()
        return None if found is None else self.get(found)

    def list(self, limit: int = 20, *, principal: str | None = None) -> list[BatchInfo]:
        """The newest batches first; with a `principal`, only the ones it made."""
        query = (
            select(_b.c.id)
            .where(_b.c.status != LOADING)
            .order_by(_b.c.created_at.desc())
            .limit(max(0, min(limit, 1000)))
        )
        if principal is not None:
            query = query.where(_b.c.principal == principal)
        with self.store._connect() as conn:
            ids = conn.execute(query).scalars().all()
        return [self.get(i) for i in ids]

    def entries(self, batch_id: str, ordered: bool) -> Iterator[Entry]:
        """The sets with their results, by position or by team, owner and position."""
        order = [func.coalesce(_s.c.team, ""), _s.c.owner, _s.c.seq] if ordered else [_s.c.seq]
        query = (
            select(
                _s.c.seq,
                _s.c.owner,
                _s.c.team,
                _s.c.source,
                _s.c.status,
                _s.c.error,
                _s.c.review_json,
            )  # fmt: skip
            .where(_s.c.batch_id == batch_id)
            .order_by(*order)
        )
        with self.store._connect() as conn:
            result = conn.execution_options(yield_per=500).execute(query)
            for r in result:
                yield Entry(
                    seq=r.seq,
                    owner=r.owner,
                    team=r.team,
                    source=r.source,
                    status=r.status,
                    error=r.error,
                    review=json.loads(r.review_json) if r.review_json else None,
                )

    def results(self, batch_id: str) -> dict[int, tuple[str, str | None, int]]:
        """seq -> (status, result_id, attempts): what a test or an operator checks."""
        with self.store._connect() as conn:
            rows = conn.execute(
                select(_s.c.seq, _s.c.status, _s.c.result_id, _s.c.attempts).where(
                    _s.c.batch_id == batch_id
                )
            ).all()
        return {r.seq: (r.status, r.result_id, r.attempts) for r in rows}

    # -- the runner's side ------------------------------------------------------------

    def claim(self, runner: str, limit: int, ttl_s: float) -> list[ClaimedSet]:
        """Take up to `limit` pending sets (oldest batch first) for `ttl_s` seconds."""
        now = _now()
        query = (
            select(_s.c.batch_id, _s.c.seq, _s.c.kind, _s.c.draft, _s.c.attempts, _b.c.options_json)
            .join(_b, _b.c.id == _s.c.batch_id)
            .where(
                _s.c.status == "pending",
                or_(_s.c.claim_until.is_(None), _s.c.claim_until < now),
            )
            .order_by(_b.c.created_at, _s.c.batch_id, _s.c.seq)
            .limit(limit)
        )
        with self.store._connect(write=True) as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=_s)
            rows = conn.execute(query).all()
            if not rows:
                conn.rollback()
                return []
            until = now + timedelta(seconds=ttl_s)
            by_batch: dict[str, list[int]] = {}
            for r in rows:
                by_batch.setdefault(r.batch_id, []).append(r.seq)
            for batch_id, seqs in by_batch.items():
                conn.execute(
                    update(_s)
                    .where(_s.c.batch_id == batch_id, _s.c.seq.in_(seqs))
                    .values(claimed_by=runner, claim_until=until, attempts=_s.c.attempts + 1)
                )
                conn.execute(
                    update(_b)
                    .where(_b.c.id == batch_id, _b.c.status == "queued")
                    .values(status="running")
                )
            conn.commit()
        options: dict[str, tuple[BatchOptions, str | None]] = {}
        return [
            ClaimedSet(
                batch_id=r.batch_id,
                seq=r.seq,
                kind=r.kind,
                draft=r.draft,
                attempts=r.attempts + 1,
                options=options.setdefault(r.batch_id, _stored_options(r.options_json))[0],
                unreadable=options[r.batch_id][1],
            )
            for r in rows
        ]

    def complete(self, results: list[tuple[str, SetOutcome]]) -> int:
        """Write finished sets (batch id, outcome); returns how many were still pending.

        A batch whose last set is written is marked done.
        """
        return self.complete_sets(results).written

    def complete_sets(
        self, results: list[tuple[str, SetOutcome]], reviewed_by: str | None = None
    ) -> Completed:
        """`complete`, saying also which batches these results finished."""
        done = Completed()
        if not results:
            return done
        now = _now()
        written = 0
        with self.store._connect(write=True) as conn:
            for batch_id, o in results:
                res = conn.execute(
                    update(_s)
                    .where(_s.c.batch_id == batch_id, _s.c.seq == o.seq, _s.c.status == "pending")
                    .values(
                        status=o.status,
                        review_json=o.review_json,
                        error=None if o.error is None else _storable(o.error)[:2000],
                        result_id=keymod.new_id(),
                        completed_at=now,
                        claimed_by=None,
                        claim_until=None,
                        reviewed_by=reviewed_by,
                    )
                )
                written += res.rowcount or 0
            for batch_id in sorted({b for b, _ in results}):
                left = conn.execute(
                    select(_s.c.seq)
                    .where(_s.c.batch_id == batch_id, _s.c.status == "pending")
                    .limit(1)
                ).first()
                if left is None:
                    res = conn.execute(
                        update(_b)
                        .where(_b.c.id == batch_id, _b.c.status != "done")
                        .values(status="done", finished_at=now)
                    )
                    if res.rowcount:  # only the writer that finished it, once
                        done.finished.append(batch_id)
            conn.commit()
        done.written = written
        return done

    def take_range(self, batch_id: str, first: int, last: int, worker: str) -> list[ClaimedSet]:
        """The pending sets `first`..`last` of a batch, for a queue worker's job (the queue
        hands a job to one worker at a time, so there is no claim to expire here); each
        set's try is counted, and the batch is marked running."""
        query = (
            select(_s.c.seq, _s.c.kind, _s.c.draft, _s.c.attempts, _b.c.options_json)
            .join(_b, _b.c.id == _s.c.batch_id)
            .where(
                _s.c.batch_id == batch_id,
                _s.c.seq >= first,
                _s.c.seq <= last,
                _s.c.status == "pending",
            )
            .order_by(_s.c.seq)
        )
        with self.store._connect(write=True) as conn:
            rows = conn.execute(query).all()
            if not rows:
                conn.rollback()
                return []
            conn.execute(
                update(_s)
                .where(_s.c.batch_id == batch_id, _s.c.seq.in_([r.seq for r in rows]))
                .values(claimed_by=worker[:64], attempts=_s.c.attempts + 1)
            )
            conn.execute(
                update(_b).where(_b.c.id == batch_id, _b.c.status == "queued").values(status="running")
            )
            conn.commit()
        options, unreadable = _stored_options(rows[0].options_json)
        return [
            ClaimedSet(
                batch_id=batch_id,
                seq=r.seq,
                kind=r.kind,
                draft=r.draft,
                attempts=r.attempts + 1,
                options=options,
                unreadable=unreadable,
            )
            for r in rows
        ]

    def progress(self) -> Progress:
        """Batches and sets not finished yet, over every batch: what metrics report."""
        with self.store._connect() as conn:
            batches = dict(
                conn.execute(
                    select(_b.c.status, func.count())
                    .where(_b.c.status != "done")
                    .group_by(_b.c.status)
                ).all()
            )
            pending = conn.execute(
                select(func.count()).where(_s.c.status == "pending")
            ).scalar()
        return Progress(
            batches_queued=batches.get("queued", 0),
            batches_running=batches.get("running", 0),
            sets_pending=pending or 0,
        )

    def retry_later(self, batch_id: str, seq: int, not_before: datetime, error: str) -> None:
        """Release a set after a transient failure; no runner takes it before `not_before`."""
        with self.store._connect(write=True) as conn:
            conn.execute(
                update(_s)
                .where(and_(_s.c.batch_id == batch_id, _s.c.seq == seq, _s.c.status == "pending"))
                .values(claimed_by=None, claim_until=not_before, error=_storable(error)[:2000])
            )
            conn.commit()

    def has_work(self) -> bool:
        with self.store._connect() as conn:
            return (
                conn.execute(select(_s.c.seq).where(_s.c.status == "pending").limit(1)).first()
                is not None
            )


class BatchWriter:
    """A batch kept as its sets are read (`BatchStore.writer`), so that no list of all
    of them is ever held: each `write` inserts one chunk and commits it (a short write
    transaction: on SQLite the runner and other requests write between chunks). Until
    `finish` the batch is `loading` and its sets `staged`, seen by no runner, queue,
    list or digest look-up; `finish` makes them pending and the batch queued in one
    transaction, with `on_created` (the queue's jobs)."""

    def __init__(self, batches: BatchStore, row: dict[str, Any]):
        self.batches = batches
        self.row = row
        self.id: str = row["id"]
        self.total = 0
        self._begun = False

    def _begin(self) -> None:
        self.batches.drop_stale()
        row = self.row | {
            "created_at": _now(), "finished_at": None, "status": LOADING,
            "inputs_json": "[]", "total": 0,
        }  # fmt: skip
        with self.batches.store._connect(write=True) as conn:
            conn.execute(insert(_b), row)
            conn.commit()
        self._begun = True

    def write(self, sets: list[BatchSet]) -> None:
        """The next sets, in order (their `seq` follows the last written)."""
        if not sets:
            return
        if not self._begun:
            self._begin()
        rows = [
            {
                "batch_id": self.id,
                "seq": s.seq,
                "owner": _storable(s.owner),
                "team": None if s.team is None else _storable(s.team),
                "source": _storable(s.source),
                "kind": s.kind,
                "draft": _storable(s.draft),
                "status": STAGED,
                "attempts": 0,
            }
            for s in sets
        ]
        with self.batches.store._connect(write=True) as conn:
            for i in range(0, len(rows), INSERT_CHUNK):
                conn.execute(insert(_s), rows[i : i + INSERT_CHUNK])
            conn.commit()
        self.total += len(sets)

    def finish(
        self,
        files: list[FileReport],
        *,
        on_created: Callable[[str, int, Any], None] | None = None,
    ) -> BatchInfo:
        """The batch, queued (done at once when it has no set), with what was read of
        each file; `on_created(batch_id, sets, driver_connection)` runs before the commit."""
        if not self._begun:
            self._begin()
        now = _now()
        inputs_json = json.dumps([f.model_dump(mode="json") for f in files])
        with self.batches.store._connect(write=True) as conn:
            conn.execute(
                update(_s)
                .where(_s.c.batch_id == self.id, _s.c.status == STAGED)
                .values(status="pending")
            )
            conn.execute(
                update(_b)
                .where(_b.c.id == self.id)
                .values(
                    created_at=now,
                    finished_at=None if self.total else now,
                    status="queued" if self.total else "done",
                    inputs_json=inputs_json,
                    total=self.total,
                )
            )
            if on_created is not None and self.total:
                on_created(self.id, self.total, conn.connection.driver_connection)
            conn.commit()
        return self.batches.get(self.id)

    def abort(self) -> None:
        """Drop what was written (the read failed); never raises for the store itself."""
        if not self._begun:
            return
        try:
            with self.batches.store._connect(write=True) as conn:
                conn.execute(delete(_s).where(_s.c.batch_id == self.id))
                conn.execute(delete(_b).where(_b.c.id == self.id))
                conn.commit()
        except CoachError as exc:  # left `loading`: dropped later by drop_stale
            log.warning("batch %s: what was read could not be dropped: %s", self.id, exc)
        self._begun = False


def _info(row, counts: dict[str, int]) -> BatchInfo:  # noqa: ANN001
    return BatchInfo(
        id=row.id,
        created_at=row.created_at,
        finished_at=row.finished_at,
        status=row.status,
        title=row.title,
        options=_stored_options(row.options_json)[0],  # unreadable: shown as the defaults
        inputs=[FileReport.model_validate(f) for f in json.loads(row.inputs_json)],
        total=row.total,
        done=counts.get("done", 0),
        failed=counts.get("failed", 0),
        api_key_id=row.api_key_id,
        principal=row.principal,
    )
