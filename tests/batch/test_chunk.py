"""A queued job's work: only the pending sets of its range, each stored once; with a
model each result is stored as it arrives, so a job cut short keeps what it paid for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.batch import BatchOptions, BatchSettings, read_files
from coach.batch import chunk as chunk_module
from coach.batch.chunk import review_range
from coach.batch.inputs import InputFile
from coach.batch.sample import sample_csv
from coach.store import Store
from coach.store.batches import BatchStore


@pytest.fixture
def batches(tmp_path: Path) -> Iterator[BatchStore]:
    with Store(f"sqlite:///{tmp_path / 'okr-coach.db'}") as store:
        yield BatchStore(store)


def _batch(batches: BatchStore, n: int = 10) -> str:
    inputs = read_files([InputFile(name="t.csv", data=sample_csv(n, seed=3).encode())], BatchSettings())
    return batches.create(inputs, options=BatchOptions(mode="rules"), title="t", digest="d").id


def test_a_range_is_reviewed_once_and_again_is_nothing(batches: BatchStore):
    batch_id = _batch(batches)
    assert review_range(batches, batch_id, 0, 4, "w1") == 5
    assert review_range(batches, batch_id, 0, 4, "w2") == 0  # handed over again: nothing left
    results = batches.results(batch_id)
    assert [results[s][0] for s in range(10)] == ["done"] * 5 + ["pending"] * 5
    finished = []
    assert review_range(batches, batch_id, 5, 9, "w2", on_finished=finished.append) == 5
    assert finished == [batch_id] and batches.get(batch_id).status == "done"
    assert review_range(batches, batch_id, 5, 9, "w3", on_finished=finished.append) == 0
    assert finished == [batch_id]  # finished once


def _cut_short_after(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    real = chunk_module.run_sets

    def run_sets(sets, options, on_done, settings):  # noqa: ANN001
        seen = []

        def done(outcome):  # noqa: ANN001
            on_done(outcome)
            seen.append(outcome)
            if len(seen) == n:
                raise RuntimeError("the worker died")

        real(sets, options, done, settings)

    monkeypatch.setattr(chunk_module, "run_sets", run_sets)


def test_with_a_model_each_result_is_stored_as_it_arrives(batches, monkeypatch):
    batch_id = _batch(batches)
    monkeypatch.setattr(chunk_module, "uses_llm", lambda options: True)
    _cut_short_after(3, monkeypatch)
    with pytest.raises(RuntimeError):
        review_range(batches, batch_id, 0, 9, "w1")
    stored = [s for s, (status, _, _) in batches.results(batch_id).items() if status == "done"]
    assert stored == [0, 1, 2]  # never sent to the model again


def test_rules_results_are_stored_a_few_at_a_time(batches, monkeypatch):
    batch_id = _batch(batches)
    _cut_short_after(3, monkeypatch)
    with pytest.raises(RuntimeError):
        review_range(batches, batch_id, 0, 9, "w1", BatchSettings(chunk=16))
    assert all(status == "pending" for status, _, _ in batches.results(batch_id).values())
