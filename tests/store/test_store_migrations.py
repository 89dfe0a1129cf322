"""The schema comes from the Alembic migrations shipped inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from coach.config import Settings
from coach.store import Store, open_store
from coach.store.engine import current_revision, downgrade, head_revision, upgrade
from coach.store.schema import Base, include_name

ROOT = Path(__file__).resolve().parents[2]


def test_opening_an_empty_database_migrates_it_to_head(empty_url):
    with Store(empty_url) as store:
        assert current_revision(store.engine) == head_revision() == "0005"
        with store.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        assert {"reviews", "api_keys", "llm_cache", "batches", "batch_sets", "share_links",
                "alembic_version"} <= tables
        assert store.ping()
    # Opening again is a no-op, and the store works.
    with Store(empty_url) as store:
        assert current_revision(store.engine) == "0005"
        assert store.list_reviews() == []


def test_migrations_match_the_models(store):
    with store.engine.connect() as conn:
        # The job queue's tables are procrastinate's own (0004), filtered as env.py does.
        ctx = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_back(empty_url):
    with Store(empty_url) as store:
        downgrade(store.engine, "base")
        with store.engine.connect() as conn:
            assert not {"reviews", "api_keys", "llm_cache"} & set(inspect(conn).get_table_names())
        upgrade(store.engine, "head")
        assert current_revision(store.engine) == "0005"


def test_open_store_creates_the_data_directory_with_wal(tmp_path):
    data_dir = tmp_path / "deep" / "er" / "data"
    with open_store(Settings(data_dir=data_dir)) as store:
        assert (data_dir / "okr-coach.db").exists()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_open_store_follows_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    with open_store(Settings(data_dir=tmp_path / "unused", database_url=url)) as store:
        assert store.url.database == str(tmp_path / "elsewhere.db")
    assert not (tmp_path / "unused").exists()


def test_wheel_ships_the_migrations_and_runs_them(tmp_path):
    """A non-editable install migrates from the files inside the package."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    wheel = next(tmp_path.glob("okr_coach-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("env.py", "script.py.mako", "versions/0001_initial.py"):
        assert f"coach/store/migrations/{name}" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import coach.store, sys; from coach.store import Store; "
        "assert coach.store.__file__.startswith(sys.argv[1]), coach.store.__file__; "
        "s = Store('sqlite:///' + sys.argv[1] + '/x/okr.db'); print(s.list_reviews())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
