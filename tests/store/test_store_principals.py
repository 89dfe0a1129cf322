"""Principals in the store, on SQLite and PostgreSQL: every review and batch records who
made it, reads filter on it (another's is not found, like a missing one), migration 0003
fills it in for what was kept before; and the SQLite file is its owner's alone."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from coach.batch import BatchOptions, InputFile, read_files
from coach.batch.sample import sample_csv
from coach.errors import NotFoundError
from coach.store import Store
from coach.store.batches import BatchStore
from coach.store.engine import downgrade, upgrade


def test_a_review_is_read_back_only_by_its_principal(store, sample_review):
    """Failed before the fix: nothing recorded who made a review."""
    saved = store.save_review(sample_review, draft="d", principal="user:alice")
    assert saved.principal == "user:alice"
    assert store.get_review(saved.id, principal="user:alice").id == saved.id
    with pytest.raises(NotFoundError) as theirs:
        store.get_review(saved.id, principal="user:bob")
    with pytest.raises(NotFoundError) as missing:
        store.get_review("AAAAAAAAAAAA", principal="user:bob")
    # The same answer as for an id that does not exist: nothing to learn from it.
    assert str(theirs.value).replace(saved.id, "AAAAAAAAAAAA") == str(missing.value)
    assert store.get_review(saved.id).principal == "user:alice"  # the operator's own tools


def test_the_principal_defaults_to_the_api_key_else_anonymous(store, sample_review):
    info, _secret = store.create_key("ci")
    keyed = store.save_review(sample_review, draft=None, api_key_id=info.id)
    anonymous = store.save_review(sample_review, draft=None)
    assert store.get_review(keyed.id).principal == f"key:{info.id}"
    assert store.get_review(anonymous.id).principal == "anonymous"
    with pytest.raises(NotFoundError):
        store.get_review(keyed.id, principal="anonymous")


def test_lists_hold_only_the_principals_own_reviews(store, sample_review):
    mine = [store.save_review(sample_review, draft=None, principal="user:me").id for _ in range(3)]
    store.save_review(sample_review, draft=None, principal="user:other")
    listed = [r.id for r in store.list_reviews(10, principal="user:me")]
    assert listed == mine[::-1]  # newest first
    assert len(store.list_reviews(10)) == 4


def test_a_parent_made_by_another_principal_is_not_found(store, sample_review):
    """Failed before the fix: a forged parent_id linked a review to someone else's."""
    theirs = store.save_review(sample_review, draft=None, principal="user:alice")
    with pytest.raises(NotFoundError):
        store.save_review(sample_review, draft=None, parent_id=theirs.id, principal="user:bob")
    own = store.save_review(sample_review, draft=None, parent_id=theirs.id, principal="user:alice")
    assert store.get_review(own.id).parent_id == theirs.id


def test_batches_are_read_back_only_by_their_principal(store):
    """Failed before the fix: any key read any batch, and the list showed everyone's."""
    batches = BatchStore(store)
    inputs = read_files([InputFile("team.csv", sample_csv(2).encode())])
    opts = BatchOptions(mode="rules")
    digest = os.urandom(32).hex()
    a = batches.create(inputs, options=opts, title="A", digest=digest, principal="user:ann")
    b = batches.create(inputs, options=opts, title="B", digest=digest, principal="user:ben")
    assert batches.get(a.id, principal="user:ann").principal == "user:ann"
    with pytest.raises(NotFoundError):
        batches.get(a.id, principal="user:ben")
    assert [x.id for x in batches.list(10, principal="user:ann")] == [a.id]
    assert batches.find_by_digest(digest, "user:ben").id == b.id
    assert batches.find_by_digest(digest, "user:cy") is None
    keyed = batches.create(inputs, options=opts, title="K", digest=digest, api_key_id="k1")
    assert batches.get(keyed.id).principal == "key:k1"


def test_migration_0003_fills_in_who_made_what(empty_url):
    """Rows kept before 0003 become `key:<id>` (made with a key) or `anonymous`; the way
    back down drops the column and keeps every other value (parent links included)."""
    now = datetime.now(UTC)
    with Store(empty_url, migrate=False) as store:
        upgrade(store.engine, "0002")
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO api_keys (id, name, prefix, secret_hash, created_at) "
                    "VALUES ('k1', 'ci', 'abcdefgh', :h, :t)"
                ),
                {"h": "0" * 64, "t": now},
            )
            for seq, (rid, key, parent) in enumerate(
                [("r-anon", None, None), ("r-key", "k1", "r-anon")], start=1
            ):
                conn.execute(
                    text(
                        "INSERT INTO reviews (seq, id, created_at, parent_id, api_key_id, "
                        "review_json) VALUES (:seq, :id, :t, :parent, :key, '{}')"
                    ),
                    {"seq": seq, "id": rid, "t": now, "parent": parent, "key": key},
                )
            for bid, key in [("b-anon", None), ("b-key", "k1")]:
                conn.execute(
                    text(
                        "INSERT INTO batches (id, created_at, status, title, digest, api_key_id, "
                        "options_json, inputs_json, total) "
                        "VALUES (:id, :t, 'done', 't', 'd', :key, '{}', '[]', 0)"
                    ),
                    {"id": bid, "t": now, "key": key},
                )
        upgrade(store.engine, "head")
        with store.engine.connect() as conn:
            reviews = dict(conn.execute(text("SELECT id, principal FROM reviews")).all())
            batches = dict(conn.execute(text("SELECT id, principal FROM batches")).all())
        assert reviews == {"r-anon": "anonymous", "r-key": "key:k1"}
        assert batches == {"b-anon": "anonymous", "b-key": "key:k1"}

        downgrade(store.engine, "0002")
        with store.engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("reviews")}
            parents = dict(conn.execute(text("SELECT id, parent_id FROM reviews")).all())
        assert "principal" not in columns
        assert parents == {"r-anon": None, "r-key": "r-anon"}


@pytest.fixture
def usual_umask():
    old = os.umask(0o022)  # the usual umask, whatever the test runner's
    yield
    os.umask(old)


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path, usual_umask, sample_review):
    """Failed before the fix: the database was created 0644 (any local user could read it)."""
    db = tmp_path / "data" / "okr-coach.db"
    with Store(f"sqlite:///{db}") as store:
        store.save_review(sample_review, draft="secret plans")
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {
            p.name: 0o600 for p in files
        }
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_an_existing_readable_sqlite_store_is_made_private(tmp_path, usual_umask):
    """Failed before the fix: a file made by an older version stayed 0644."""
    db = tmp_path / "okr-coach.db"
    with Store(f"sqlite:///{db}"):
        pass
    db.chmod(0o644)
    with Store(f"sqlite:///{db}") as store:
        assert store.ping()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
