"""The batch queue on PostgreSQL: a batch is cut into jobs enqueued with it, workers
review every set once, a silent worker's job is handed back, the figures add up."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import private_schema
from sqlalchemy import text

from coach.batch import BatchOptions, BatchSettings, read_files
from coach.batch.artifacts import FileStorage, key_of
from coach.batch.inputs import InputFile
from coach.batch.queue import (
    QUEUE,
    chunks,
    enqueuer,
    make_app,
    recover_stalled,
    stats,
    use_queue,
    work,
)
from coach.batch.sample import sample_csv
from coach.config import Settings
from coach.errors import ConfigError
from coach.store import Store
from coach.store.batches import BatchStore

SETS = 23
FAST = BatchSettings(job_sets=5, stalled_s=2)


@pytest.fixture
def store() -> Iterator[Store]:
    with private_schema() as url, Store(url) as s:
        yield s


def _inputs(n: int = SETS):
    data = sample_csv(n, seed=7).encode()
    return read_files([InputFile(name="team.csv", data=data)], BatchSettings())


def _create(store: Store, n: int = SETS, settings: BatchSettings = FAST):
    inputs = _inputs(n)
    enqueue = enqueuer(make_app(store.url), settings)
    return BatchStore(store).create(
        inputs, options=BatchOptions(mode="rules"), title="t", digest="d", on_created=enqueue
    )


def _jobs(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
        ).all()
    return dict(rows)


def test_chunks_cover_every_set_once():
    assert chunks(12, 5) == [(0, 4), (5, 9), (10, 11)]
    assert chunks(10, 5) == [(0, 4), (5, 9)]
    assert chunks(0, 5) == []


def test_the_queue_is_for_postgresql(tmp_path: Path, monkeypatch):
    sqlite = Settings(data_dir=tmp_path)
    pg = Settings(data_dir=tmp_path, database_url="postgresql://u@h/db")
    assert not use_queue(sqlite)
    assert use_queue(pg)
    assert not use_queue(pg, BatchSettings(queue="embedded"))
    with pytest.raises(ConfigError, match="needs PostgreSQL"):
        use_queue(sqlite, BatchSettings(queue="queue"))


def test_a_batch_is_enqueued_with_it_and_reviewed_once(store: Store, tmp_path: Path):
    info = _create(store)
    assert _jobs(store) == {"todo": len(chunks(info.total, FAST.job_sets))}
    before = stats(store, FAST)
    assert (before.batches_queued, before.sets_pending, before.jobs_waiting) == (1, SETS, 5)

    storage = FileStorage(tmp_path / "reports")
    asyncio.run(work(store, storage, settings=FAST, wait=False))

    batches = BatchStore(store)
    assert batches.get(info.id).status == "done"
    results = batches.results(info.id)
    assert len(results) == SETS
    assert all(status == "done" and attempts == 1 for status, _, attempts in results.values())
    with store.engine.connect() as conn:
        workers = conn.execute(text("SELECT DISTINCT reviewed_by FROM batch_sets")).scalars().all()
    assert len(workers) == 1 and workers[0]
    # The report was rendered once, when the last set was stored, in every format.
    for fmt in ("html", "markdown", "csv", "json"):
        assert storage.load(key_of(info.id, fmt)) is not None
    after = stats(store, FAST)
    assert (after.batches_queued, after.batches_running, after.sets_pending) == (0, 0, 0)
    assert (after.jobs_waiting, after.jobs_running) == (0, 0)


def test_a_failed_enqueue_keeps_no_batch(store: Store):
    def broken(batch_id, sets, connection):  # noqa: ANN001
        raise RuntimeError("the queue is away")

    with pytest.raises(RuntimeError):
        BatchStore(store).create(
            _inputs(), options=BatchOptions(), title="t", digest="d", on_created=broken
        )
    assert BatchStore(store).list() == []


def test_a_silent_workers_job_is_handed_back_and_finished(store: Store, tmp_path: Path):
    info = _create(store)
    app = make_app(store.url)

    async def die_holding_a_job() -> int:
        async with app.open_async():
            worker_id = await app.job_manager.register_worker()
            job = await app.job_manager.fetch_job(queues=[QUEUE], worker_id=worker_id)
            assert job is not None
            return worker_id

    dead = asyncio.run(die_holding_a_job())
    assert _jobs(store)["doing"] == 1

    async def recover(age_s: float) -> int:
        async with app.open_async():
            with store.engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE procrastinate_workers SET last_heartbeat = "
                        "now() - make_interval(secs => :s) WHERE id = :w"
                    ),
                    {"s": age_s, "w": dead},
                )
            return await recover_stalled(app, FAST.stalled_s)

    assert asyncio.run(recover(0)) == 0, "a worker heard from just now is not stalled"
    assert asyncio.run(recover(FAST.stalled_s + 1)) == 1
    assert _jobs(store) == {"todo": 5}

    asyncio.run(work(store, FileStorage(tmp_path), settings=FAST, wait=False))
    results = BatchStore(store).results(info.id)
    assert BatchStore(store).get(info.id).status == "done"
    assert all(status == "done" for status, _, _ in results.values())


def test_only_the_queue_module_imports_procrastinate():
    import ast

    import coach

    package = Path(coach.__file__).parent
    users = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            )
            if any(n.split(".")[0] == "procrastinate" for n in names):
                users.append(str(path.relative_to(package)))
    assert sorted(set(users)) == ["batch/queue.py"]


def test_batches_without_jobs_are_adopted_when_a_worker_starts(store: Store, tmp_path: Path):
    # Made while the server ran batches itself (OKR_COACH_BATCH_QUEUE=embedded): no jobs.
    batches = BatchStore(store)
    info = batches.create(_inputs(), options=BatchOptions(mode="rules"), title="t", digest="d")
    done = _create(store)  # has its jobs: not adopted twice
    from coach.batch.chunk import review_range
    from coach.batch.queue import orphans

    review_range(batches, info.id, 0, 2, "an earlier runner")
    jobs = orphans(store, FAST)
    assert [(j["batch_id"], j["first"], j["last"]) for j in jobs] == [
        (info.id, 3, 7), (info.id, 8, 12), (info.id, 13, 17), (info.id, 18, 22)
    ]  # fmt: skip
    asyncio.run(work(store, FileStorage(tmp_path), settings=FAST, wait=False))
    for batch_id in (info.id, done.id):
        assert batches.get(batch_id).status == "done"
    assert orphans(store, FAST) == []


def test_stats_without_the_queue_count_batches_only(tmp_path: Path):
    with Store(f"sqlite:///{tmp_path / 'okr-coach.db'}") as sqlite:
        BatchStore(sqlite).create(_inputs(4), options=BatchOptions(), title="t", digest="d")
        s = stats(sqlite)
    assert (s.batches_queued, s.batches_running, s.sets_pending) == (1, 0, 4)
    assert (s.jobs_waiting, s.jobs_running, s.workers_alive) == (None, None, None)
    assert s.as_dict()["sets_pending"] == 4
