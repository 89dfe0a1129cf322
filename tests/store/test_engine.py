"""Engines: PostgreSQL's connection pool is sized by the settings."""

from __future__ import annotations

import pytest
from sqlalchemy.pool import QueuePool

from coach.config import Settings
from coach.errors import StoreError
from coach.store import open_store
from coach.store.engine import Pool, make_engine


def test_the_pool_follows_the_settings(pg_session_url):
    settings = Settings(
        database_url=pg_session_url, db_pool_size=2, db_max_overflow=1, db_pool_timeout=0.5
    )
    with open_store(settings) as store:
        pool = store.engine.pool
        assert isinstance(pool, QueuePool)
        assert (pool.size(), pool._max_overflow, pool._timeout) == (2, 1, 0.5)
        # Three connections are all there is: a fourth waits half a second, then the
        # store says it is unavailable (a 503 in front of a user), not a stack trace.
        held = [store.engine.connect() for _ in range(3)]
        try:
            with pytest.raises(StoreError, match="unavailable"):
                store.get_review("x")
        finally:
            for conn in held:
                conn.close()
        assert store.ping()


def test_defaults_are_five_and_ten():
    engine = make_engine("postgresql://postgres@127.0.0.1:5432/test")
    try:
        assert (
            (engine.pool.size(), engine.pool._max_overflow)
            == (Pool().size, Pool().overflow)
            == (5, 10)
        )
    finally:
        engine.dispose()
    with pytest.raises(ValueError):
        Settings(db_pool_size=0)
