"""A batch takes a new title from whoever made it, and from no one else."""

from __future__ import annotations

from coach.batch import BatchOptions, InputFile, read_files
from coach.batch.sample import sample_csv
from coach.store.batch_titles import rename
from coach.store.batches import BatchStore


def test_rename_by_its_principal_only(store):
    batches = BatchStore(store)
    inputs = read_files([InputFile("team.csv", sample_csv(2).encode())])
    info = batches.create(
        inputs, options=BatchOptions(), title="Draft", digest="d" * 64, principal="key:a"
    )
    assert rename(store, info.id, "key:b", "Stolen") is False
    assert batches.get(info.id).title == "Draft"
    assert rename(store, info.id, "key:a", "  Q3   OKRs, final ") is True
    assert batches.get(info.id).title == "Q3 OKRs, final"
    assert rename(store, info.id, "key:a", "   ") is False
    assert rename(store, "no-such-batch", "key:a", "x") is False
