"""Share links: stored hashed, found while live, revoked for good."""

from __future__ import annotations

from sqlalchemy import select

from coach.batch import BatchOptions, InputFile, read_files
from coach.batch.sample import sample_csv
from coach.store.batches import BatchStore
from coach.store.schema import ShareLinkRow
from coach.store.shares import ShareStore


def test_create_find_revoke(store):
    info = BatchStore(store).create(
        read_files([InputFile("t.csv", sample_csv(2).encode())]),
        options=BatchOptions(), title="t", digest="d" * 64, principal="key:a",
    )  # fmt: skip
    shares = ShareStore(store)
    token = shares.create(info.id, "o1", "key:a")
    with store.engine.connect() as conn:
        kept = conn.execute(select(ShareLinkRow.__table__.c.token_hash)).scalars().all()
    assert token not in kept and len(kept) == 1  # only a hash is kept
    link = shares.find(token)
    assert link is not None and (link.batch_id, link.owner_id, link.principal) == (info.id, "o1", "key:a")
    assert shares.find("x" * 32) is None and shares.find("short") is None
    assert shares.live(info.id, "o1", "key:a") == 1 and shares.live(info.id, "o1", "key:b") == 0
    assert shares.revoke(info.id, "o1", "key:b") == 0  # not theirs
    assert shares.revoke(info.id, "o1", "key:a") == 1
    assert shares.find(token) is None and shares.live(info.id, "o1", "key:a") == 0
