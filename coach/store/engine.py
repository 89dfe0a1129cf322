"""Engines and migrations: the one place that knows SQLite from PostgreSQL.

SQLite (the default) runs in WAL mode with a busy timeout, so several server
workers share one file: readers never block, writers queue for the lock.
Transactions are explicit: none for single-statement reads, `BEGIN IMMEDIATE`
for writes (the write lock first, so a read-then-write never fails half-way),
`BEGIN` otherwise. `sqlite://` (in memory) is one connection: for tests only.
PostgreSQL is reached through psycopg 3.

Migrations ship inside the package (`coach/store/migrations/`) and run
programmatically. To write a new revision against a scratch database:

    python -c "from alembic import command; from coach.store.engine import alembic_config; \
command.revision(alembic_config('sqlite:////tmp/scratch.db'), autogenerate=True, message='...')"

(upgrade the scratch database to head first, e.g. by opening a `Store` on it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from ..errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 15_000
PG_CONNECT_TIMEOUT_S = 5
# Any constant shared by every okr-coach process: serialises concurrent migrations.
PG_MIGRATION_LOCK = 0x6F6B_635F_6D69_67  # "okc_mig"
# Execution options of a connection, read when it begins a transaction on SQLite.
WRITE = "okc_write"  # BEGIN IMMEDIATE: take the write lock first, wait for it here
READ = "okc_read"  # no BEGIN: a single SELECT is consistent on its own


def parse_url(url: str | URL) -> URL:
    """A SQLAlchemy URL; bare `postgresql://` and `postgres://` mean psycopg 3."""
    try:
        parsed = make_url(url)
    except (SQLAlchemyError, ValueError) as exc:
        # Not echoed: an unparsable URL may still hold a password.
        raise StoreError(
            "not a database URL; expected e.g. sqlite:////path/okr-coach.db "
            "or postgresql+psycopg://user@host:5432/dbname"
        ) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def display_url(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def is_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


@dataclass(frozen=True, slots=True)
class Pool:
    """A PostgreSQL connection pool per process: `size` kept open, up to `overflow` more
    under load, `timeout` seconds to wait for one before the request fails (503)."""

    size: int = 5
    overflow: int = 10
    timeout: float = 30.0


def make_engine(url: str | URL, pool: Pool | None = None) -> Engine:
    url = parse_url(url)
    backend = url.get_backend_name()
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        connect_args: dict[str, Any] = {"check_same_thread": False}
        if is_memory(url):
            kwargs["poolclass"] = StaticPool
        else:
            _private_file(Path(url.database or ""))
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _tune_sqlite(engine)
        return engine
    if backend == "postgresql":
        connect_args = {}
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
        pool = pool or Pool()
        return create_engine(
            url,
            connect_args=connect_args,
            pool_pre_ping=True,
            pool_size=pool.size,
            max_overflow=pool.overflow,
            pool_timeout=pool.timeout,
        )
    return create_engine(url, pool_pre_ping=True)


def _private_file(db: Path) -> None:
    """Create the SQLite file readable by its owner only (0600), and tighten one that is not.

    sqlite3 would create it under the process umask (usually 0644: every local
    user could read the reviews); SQLite gives its -wal and -shm files the mode of
    the database file, so this covers them too once they are made afresh.
    """
    db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        try:
            mode = path.stat().st_mode & 0o777
            if mode & 0o077:
                path.chmod(mode & 0o700)
                log.info("made %s readable by its owner only (was %o)", path, mode)
        except FileNotFoundError:
            continue
        except PermissionError as exc:  # another user's file: leave it, say so
            log.warning("cannot make %s private: %s", path, exc.strerror or exc)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, say where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            # Switching a new file to WAL can answer busy at once, busy timeout or not.
            _while_busy(dbapi_connection, "PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(READ):
            return
        # Straight to the driver: this runs on every write, and SQLAlchemy's
        # statement machinery would cost more than the BEGIN itself.
        driver = conn.connection.driver_connection
        try:
            if options.get(WRITE):
                _begin_immediate(driver)
            else:
                driver.execute("BEGIN")
        except sqlite3.OperationalError as exc:
            raise OperationalError("BEGIN", None, exc) from exc
        except sqlite3.Error as exc:
            raise DatabaseError("BEGIN", None, exc) from exc


def _begin_immediate(driver: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, waiting for the write lock in short, jittered steps.

    SQLite's own busy handler backs off to 5, 10, 20 ms sleeps within a few
    tries, which puts a long tail on writes when workers contend; a write
    holds the lock well under a millisecond, so poll finely instead. The
    busy timeout still guards every other statement.
    """
    driver.execute("PRAGMA busy_timeout = 0")
    try:
        _while_busy(driver, "BEGIN IMMEDIATE")
    finally:
        driver.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def _while_busy(driver: sqlite3.Connection, statement: str) -> None:
    """Run `statement`, trying again while another connection holds the lock."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.0002
    while True:
        try:
            driver.execute(statement).close()
            return
        except sqlite3.OperationalError as exc:
            # The primary code: a file being recovered answers BUSY_RECOVERY (261) too.
            code = getattr(exc, "sqlite_errorcode", 0) or 0
            if (code & 0xFF) not in (5, 6) or time.monotonic() > deadline:  # BUSY, LOCKED
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))
        pause = min(pause * 1.5, 0.004)


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic configuration pointing at the migrations inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        rendered = parse_url(url).render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`, one process at a time, in one transaction.

    Raises StoreError when the database answers with a schema this version of
    okr-coach does not know (a newer release migrated it).
    """
    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back down to `revision` ("base": nothing left)."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    cfg = alembic_config()
    with engine.connect() as conn:
        conn = conn.execution_options(**{WRITE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})")
            cfg.attributes["connection"] = conn
            try:
                step(cfg, revision)
            except CommandError as exc:
                raise StoreError(
                    f"the database schema is not one this okr-coach knows ({exc}); "
                    "is it from a newer release?"
                ) from exc


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
