"""Several workers on one store: SQLite's WAL file shared by many connections."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from coach.store import Store
from coach.store.engine import current_revision, head_revision

WORKERS = 8


def _together(n: int, fn):
    """Run fn(i) for i in range(n) in n threads released at the same moment."""
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        return fn(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def test_workers_opening_a_new_file_at_once_migrate_it_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'data' / 'okr-coach.db'}"
    stores = _together(WORKERS, lambda _i: Store(url))
    try:
        assert {current_revision(s.engine) for s in stores} == {head_revision()}
        with stores[0].engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        for s in stores:
            s.close()


def test_concurrent_writers_on_sqlite(tmp_path, sample_review):
    url = f"sqlite:///{tmp_path / 'okr-coach.db'}"
    Store(url).close()
    per_worker = 20

    def work(i: int) -> list[str]:
        # Each worker has its own engine, as each server process would.
        with Store(url) as store:
            key, secret = store.create_key(f"worker {i}")
            ids = []
            for n in range(per_worker):
                saved = store.save_review(
                    sample_review, draft=f"{i}/{n}", api_key_id=key.id, idempotency_key=f"r{n}"
                )
                ids.append(saved.id)
                store.cache_put(f"k{n % 5}", {"worker": i, "n": n})
            store.revoke_key(key.prefix) if i % 2 else store.verify_key(secret)
            return ids

    results = _together(WORKERS, work)
    ids = [i for ids in results for i in ids]
    assert len(set(ids)) == WORKERS * per_worker
    with Store(url) as store:
        listed = store.list_reviews(limit=1000)
        assert {r.id for r in listed} == set(ids)
        assert all(r.review == sample_review for r in listed[:5])
        keys = store.list_keys()
        assert len(keys) == WORKERS and sum(k.active for k in keys) == WORKERS // 2
        assert store.cache_get("k0")["n"] % 5 == 0


def test_one_store_shared_by_threads(store, sample_review):
    ids = _together(
        WORKERS, lambda i: [store.save_review(sample_review, draft=str(i)).id for _ in range(5)]
    )
    assert len({i for batch in ids for i in batch}) == WORKERS * 5 == len(store.list_reviews(100))


@pytest.mark.parametrize("with_key", [True, False])
def test_racing_retries_of_one_request_get_one_review(store, sample_review, with_key):
    key_id = store.create_key("bot")[0].id if with_key else None
    results = _together(
        WORKERS,
        lambda i: store.save_review(
            sample_review, draft=f"try {i}", api_key_id=key_id, idempotency_key="same"
        ),
    )
    assert len({r.id for r in results}) == 1
    assert len(store.list_reviews()) == 1
    assert store.find_idempotent(key_id, "same").id == results[0].id
