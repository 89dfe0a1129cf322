"""A database that cannot be reached is a StoreError with a message, not a traceback."""

from __future__ import annotations

import pytest

from coach.errors import CoachError, StoreError
from coach.store import Store

UNREACHABLE = "postgresql+psycopg://okc:hunter2@127.0.0.1:1/test"


def _clear(exc: StoreError) -> None:
    message = str(exc)
    assert exc.status == 503 and exc.kind == "store-unavailable" and isinstance(exc, CoachError)
    assert "Traceback" not in message and "\n" not in message
    assert "hunter2" not in message
    assert "Background on this error" not in message


def test_unreachable_postgresql_on_open():
    with pytest.raises(StoreError) as info:
        Store(UNREACHABLE)
    _clear(info.value)
    assert "127.0.0.1" in str(info.value) and "unavailable" in str(info.value)


def test_unreachable_postgresql_after_open(sample_review):
    store = Store(UNREACHABLE, migrate=False)
    assert store.ping() is False
    calls = [
        lambda: store.get_review("abc"),
        lambda: store.save_review(sample_review, draft="x"),
        lambda: store.list_reviews(),
        lambda: store.create_key("bot"),
        lambda: store.verify_key("okc_" + "a" * 32),
        lambda: store.any_active_keys(),
        lambda: store.cache_get("k"),
    ]
    for call in calls:
        with pytest.raises(StoreError) as info:
            call()
        _clear(info.value)
    store.close()


def test_sqlite_directory_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="data directory") as info:
        Store(f"sqlite:///{blocker / 'data' / 'okr-coach.db'}")
    _clear(info.value)


def test_sqlite_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "okr-coach.db"
    path.write_bytes(b"this is not a database, just some bytes " * 200)
    with pytest.raises(StoreError, match="not a database") as info:
        Store(f"sqlite:///{path}")
    _clear(info.value)


def test_not_a_url():
    with pytest.raises(StoreError, match="not a database URL") as info:
        Store("definitely not a url :: with password hunter2@host")
    _clear(info.value)


def test_ping_is_true_on_a_working_store(store):
    assert store.ping() is True


def test_sqlite_write_lock_held_too_long(tmp_path, monkeypatch, sample_review):
    import sqlite3
    import time

    from coach.store import engine

    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "okr-coach.db"
    with Store(f"sqlite:///{path}") as store:
        saved = store.save_review(sample_review, draft="before")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            with pytest.raises(StoreError, match="locked") as info:
                store.save_review(sample_review, draft="blocked")
            assert 0.25 < time.monotonic() - started < 5
            _clear(info.value)
            # Readers are not blocked by a writer (WAL).
            assert store.get_review(saved.id).draft == "before"
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert store.save_review(sample_review, draft="after").draft == "after"
