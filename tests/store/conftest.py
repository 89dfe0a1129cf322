"""Every store test runs twice: on SQLite (a file in tmp_path) and on PostgreSQL.

PostgreSQL is the server this machine starts (127.0.0.1:5432, trust auth, user
postgres, database `test`; override with OKC_TEST_POSTGRES_URL). Each test
session works in its own random schema, dropped afterwards, so runs never
collide; tests truncate its tables. When the server is unreachable the
PostgreSQL cases are skipped, and the reason is printed at the end of the run.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from coach.models import Review
from coach.store import Store

# Read at import: the autouse fixture of tests/conftest.py clears OKR_COACH_*.
PG_URL = os.environ.get(
    "OKC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]
TABLES = ("reviews", "api_keys", "llm_cache")
_pg_skip_reason: list[str] = []


def _with_search_path(url: URL, schema: str) -> str:
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


class PgServer:
    """The PostgreSQL test server: makes and drops private schemas."""

    def __init__(self, url: str):
        self.url = make_url(url)
        self.engine = create_engine(
            self.url, connect_args={"connect_timeout": 3}, isolation_level="AUTOCOMMIT"
        )
        self.schemas: list[str] = []

    def new_schema(self) -> str:
        """A URL whose connections see only a new, empty schema."""
        schema = f"okc_test_{secrets.token_hex(6)}"
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        return _with_search_path(self.url, schema)

    def drop(self) -> None:
        with self.engine.connect() as conn:
            for schema in self.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.engine.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer(PG_URL)
    try:
        with server.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        where = server.url.render_as_string(hide_password=True)
        _pg_skip_reason.append(f"PostgreSQL unreachable at {where}: {reason}")
        server.engine.dispose()
        pytest.skip(_pg_skip_reason[-1])
    yield server
    server.drop()


@pytest.fixture(scope="session")
def pg_session_url(pg_server: PgServer) -> str:
    """This test session's own schema."""
    return pg_server.new_schema()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request) -> str:
    """A URL to a database holding no rows (its schema may already be migrated)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'okr-coach.db'}"
    url = request.getfixturevalue("pg_session_url")
    with Store(url) as store, store.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY"))
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as s:
        yield s


@pytest.fixture
def empty_url(backend: str, tmp_path: Path, request) -> str:
    """A URL to a database without even a schema: nothing migrated yet."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh' / 'okr-coach.db'}"
    return request.getfixturevalue("pg_server").new_schema()


@pytest.fixture(scope="session")
def sample_review() -> Review:
    from coach.pipeline import review

    draft = (Path(__file__).resolve().parents[2] / "examples" / "draft.md").read_text()
    return review(draft)


@pytest.fixture
def dump_database() -> Callable[[Store], str]:
    """Everything the database holds, as text: every row of every table (and, for
    SQLite, the raw bytes of its files)."""

    def dump(store: Store) -> str:
        parts: list[str] = []
        with store.engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                    parts.append(f"{table}: {tuple(row)!r}")
        if store.backend == "sqlite":
            db = Path(store.url.database or "")
            for path in (db, db.with_name(db.name + "-wal")):
                if path.exists():
                    parts.append(path.read_bytes().decode("latin-1"))
        return "\n".join(parts)

    return dump


def pytest_terminal_summary(terminalreporter) -> None:
    if _pg_skip_reason:
        terminalreporter.write_sep("-", "store tests on PostgreSQL skipped", yellow=True)
        terminalreporter.write_line(_pg_skip_reason[0], yellow=True)
