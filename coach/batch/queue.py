"""The batch queue: the server enqueues, `okr-coach worker` processes run the batches.

procrastinate runs the queue inside the store's own PostgreSQL (its tables come with
migration 0004): a worker takes a job with `FOR UPDATE SKIP LOCKED`, wakes on
LISTEN/NOTIFY instead of polling, and sends a heartbeat every `stalled_s / 5` seconds.
Each batch is cut into jobs of `OKR_COACH_BATCH_JOB_SETS` sets (`chunk.review_range`),
enqueued in the transaction that keeps the batch, so that any number of workers on
any number of machines share it. Every worker also looks for jobs whose worker has
been silent for `stalled_s` seconds (killed, its machine gone) and hands them back to
the queue, so their sets are taken up again within seconds.

Only this module imports procrastinate. `stats()` is the one place that says how deep
the queue is and how far the batches are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate import exceptions as pq_errors
from sqlalchemy import text
from sqlalchemy.engine import URL

from ..errors import CoachError, ConfigError
from ..store.batches import BatchStore
from ..store.engine import parse_url
from .artifacts import ReportStorage, publish
from .chunk import review_range
from .models import SetOutcome
from .runner import runner_id
from .settings import BatchSettings

if TYPE_CHECKING:
    from ..config import Settings
    from ..store import Store

log = logging.getLogger(__name__)

QUEUE = "okr_coach_batches"
REVIEW_TASK = "okr_coach.review_sets"
# A job whose try raised (the store away, say) is tried again after 2, 4, 8, 16 s; after
# the last try its sets that are still pending fail with the reason.
JOB_TRIES = 5
HEARTBEATS_PER_TIMEOUT = 5


def use_queue(settings: Settings, batch: BatchSettings | None = None) -> bool:
    """Whether batches go to the queue (and the server runs none itself)."""
    batch = batch or BatchSettings()
    postgres = parse_url(settings.sqlalchemy_url()).get_backend_name() == "postgresql"
    if batch.queue == "queue" and not postgres:
        raise ConfigError(
            "OKR_COACH_BATCH_QUEUE=queue needs PostgreSQL (OKR_COACH_DATABASE_URL); "
            "with SQLite the server runs batches itself"
        )
    return postgres and batch.queue != "embedded"


def conninfo(url: str | URL) -> str:
    """The libpq URL of a store's SQLAlchemy URL (search_path options kept)."""
    return parse_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(url: str | URL, *, pool_size: int = 4) -> procrastinate.App:
    """The queue on the store at `url`. Enqueueing on the store's own connection needs
    no pool; a worker opens one (`open_async`)."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(url), min_size=1, max_size=pool_size
    )
    app = procrastinate.App(connector=connector)
    app.task(
        name=REVIEW_TASK,
        queue=QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=JOB_TRIES - 1, exponential_wait=2),
    )(review_sets)
    return app


def chunks(sets: int, size: int) -> list[tuple[int, int]]:
    """(first, last) seq of each job of a batch of `sets` sets."""
    return [(i, min(i + size, sets) - 1) for i in range(0, sets, size)]


def enqueuer(app: procrastinate.App, settings: BatchSettings | None = None) -> Callable[..., None]:
    """`BatchStore.create(on_created=...)`: enqueue a new batch's jobs on the store's own
    connection, inside the transaction that keeps the batch."""
    size = (settings or BatchSettings()).job_sets

    def enqueue(batch_id: str, sets: int, connection: Any) -> None:
        jobs = [{"batch_id": batch_id, "first": a, "last": b} for a, b in chunks(sets, size)]
        app.configure_task(REVIEW_TASK, connection=connection).batch_defer(*jobs)

    return enqueue


# -- the worker's side -----------------------------------------------------------------


@dataclass
class WorkerState:
    batches: BatchStore
    storage: ReportStorage
    settings: BatchSettings
    name: str


def _finished(state: WorkerState) -> Callable[[str], None]:
    def finished(batch_id: str) -> None:
        # Rendered once, by the worker that stored the batch's last result. Should it fail
        # or die here, the server renders the report on request and keeps it then.
        try:
            publish(state.batches, state.storage, batch_id)
        except (CoachError, OSError) as exc:
            log.warning("batch %s: the report was not kept: %s", batch_id, exc)

    return finished


def review_sets(context: procrastinate.JobContext, batch_id: str, first: int, last: int) -> None:
    state: WorkerState = context.additional_context["okr_coach"]
    try:
        review_range(state.batches, batch_id, first, last, state.name, state.settings,
                     on_finished=_finished(state))  # fmt: skip
    except CoachError as exc:
        job = context.job
        if job is not None and job.attempts + 1 >= JOB_TRIES:
            _give_up(state, batch_id, first, last, exc.message)
        raise


def _give_up(state: WorkerState, batch_id: str, first: int, last: int, reason: str) -> None:
    try:
        left = state.batches.take_range(batch_id, first, last, state.name)
        error = f"{reason} (gave up after {JOB_TRIES} tries)"
        outcomes = [SetOutcome(seq=c.seq, status="failed", error=error, attempts=c.attempts)
                    for c in left]  # fmt: skip
        done = state.batches.complete_sets([(batch_id, o) for o in outcomes], state.name)
        for finished in done.finished:
            _finished(state)(finished)
    except CoachError as exc:  # the store is still away: the sets stay pending
        log.error("batch %s sets %d-%d: could not be failed: %s", batch_id, first, last, exc)


async def recover_stalled(app: procrastinate.App, stalled_s: float) -> int:
    """Hand back to the queue the jobs of workers silent for `stalled_s`; how many."""
    handed = 0
    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=stalled_s
    )
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
            handed += 1
            log.warning("job %s of a silent worker handed back to the queue", job.id)
        except pq_errors.ConnectorException:
            pass  # another worker handed it back first
    return handed


async def _recover_forever(app: procrastinate.App, stalled_s: float) -> None:
    while True:
        await asyncio.sleep(stalled_s / 2)
        try:
            await recover_stalled(app, stalled_s)
        except pq_errors.ConnectorException as exc:
            log.warning("looking for stalled jobs: %s", exc)


def orphans(store: Store, settings: BatchSettings) -> list[dict[str, Any]]:
    """Jobs for batches not done that have no job waiting or running: batches the
    server's own runner was given (before the queue, or with OKR_COACH_BATCH_QUEUE=
    embedded), or whose jobs all failed. One job per `job_sets` pending sets."""
    query = text(
        "SELECT s.batch_id, s.seq FROM batch_sets s JOIN batches b ON b.id = s.batch_id "
        "WHERE b.status != 'done' AND s.status = 'pending' AND NOT EXISTS ("
        "  SELECT 1 FROM procrastinate_jobs j WHERE j.queue_name = :q"
        "  AND j.status IN ('todo', 'doing') AND j.args->>'batch_id' = b.id) "
        "ORDER BY b.created_at, s.batch_id, s.seq"
    )
    jobs: list[dict[str, Any]] = []
    with store.engine.connect() as conn:
        for row in conn.execute(query, {"q": QUEUE}):
            last = jobs[-1] if jobs else None
            if last and last["batch_id"] == row.batch_id and row.seq - last["first"] < settings.job_sets:
                last["last"] = row.seq
            else:
                jobs.append({"batch_id": row.batch_id, "first": row.seq, "last": row.seq})
    return jobs


async def adopt_orphans(app: procrastinate.App, store: Store, settings: BatchSettings) -> int:
    """Enqueue the jobs `orphans` finds; how many. Run as a worker starts: two workers
    starting together may both enqueue them, which costs nothing (a job takes only
    sets still pending)."""
    jobs = await asyncio.to_thread(orphans, store, settings)
    if jobs:
        await app.configure_task(REVIEW_TASK).batch_defer_async(*jobs)
        log.warning("%d job(s) enqueued for batches that had none", len(jobs))
    return len(jobs)


async def work(
    store: Store,
    storage: ReportStorage,
    *,
    concurrency: int = 1,
    settings: BatchSettings | None = None,
    wait: bool = True,
) -> None:
    """Run a worker until it is stopped (SIGINT / SIGTERM: the job in hand is finished
    first); with `wait=False`, until the queue is empty."""
    settings = settings or BatchSettings()
    app = make_app(store.url, pool_size=concurrency + 3)
    state = WorkerState(BatchStore(store), storage, settings, runner_id())
    async with app.open_async():
        await recover_stalled(app, settings.stalled_s)
        await adopt_orphans(app, store, settings)
        recovering = asyncio.create_task(_recover_forever(app, settings.stalled_s))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                wait=wait,
                name=state.name,
                additional_context={"okr_coach": state},
                update_heartbeat_interval=settings.stalled_s / HEARTBEATS_PER_TIMEOUT,
                stalled_worker_timeout=settings.stalled_s,
                delete_jobs="successful",
                install_signal_handlers=wait,
            )
        finally:
            recovering.cancel()


# -- what metrics read -------------------------------------------------------------------


@dataclass
class QueueStats:
    batches_queued: int
    batches_running: int
    sets_pending: int
    jobs_waiting: int | None = None  # None: no queue (the server runs batches itself)
    jobs_running: int | None = None
    workers_alive: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return asdict(self)


def stats(store: Store, settings: BatchSettings | None = None) -> QueueStats:
    """Queue depth and batch progress, in one call: batches not finished, sets pending,
    and with the queue its jobs waiting and running and the workers heard from lately."""
    settings = settings or BatchSettings()
    progress = BatchStore(store).progress()
    out = QueueStats(progress.batches_queued, progress.batches_running, progress.sets_pending)
    if store.backend != "postgresql":
        return out
    with store.engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            return out
        jobs = dict(
            conn.execute(
                text(
                    "SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = :q "
                    "AND status IN ('todo', 'doing') GROUP BY status"
                ),
                {"q": QUEUE},
            ).all()
        )
        alive = conn.execute(
            text(
                "SELECT count(*) FROM procrastinate_workers "
                "WHERE last_heartbeat > now() - make_interval(secs => :s)"
            ),
            {"s": settings.stalled_s},
        ).scalar()
    out.jobs_waiting, out.jobs_running = jobs.get("todo", 0), jobs.get("doing", 0)
    out.workers_alive = alive or 0
    return out
