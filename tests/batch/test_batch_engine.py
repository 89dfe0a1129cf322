"""The batch engine around `coach.review()`: retries of transient failures, a reason for
every failed set, the rest of the batch going on, LLM batches with bounded concurrency
and their usage added up, and the server's runner retrying through the store."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import pytest

from coach import pipeline
from coach.batch import BatchOptions, BatchSettings, InputFile, LocalBatch, engine, read_files
from coach.batch.runner import BatchRunner
from coach.errors import CoachError, ParseError
from coach.store import Store
from coach.store.batches import BatchStore

CSV = "team,owner,objective,key_result\n" + "".join(
    f"T,Owner {i},Win the mid-market segment,Increase win rate from {i}% to {i + 10}%\n"
    for i in range(6)
)


class Busy(CoachError):
    kind = "llm-rate-limited"

    def __init__(self, retry_after: float | None = 0.0):
        super().__init__("The provider is rate limiting requests.")
        self.retry_after = retry_after


def _inputs():
    return read_files([InputFile("t.csv", CSV.encode())])


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    monkeypatch.setattr(engine, "BACKOFF_S", 0.0)


def test_transient_failures_are_retried_permanent_ones_fail_at_once(monkeypatch):
    real = engine.review_one
    calls: dict[str, int] = {}

    def flaky(kind: str, draft: str, options: BatchOptions) -> str:
        owner = json.loads(draft)["objectives"][0]["owner"]
        calls[owner] = calls.get(owner, 0) + 1
        if owner == "Owner 1" and calls[owner] == 1:
            raise Busy()
        if owner == "Owner 2":
            raise Busy()  # never gets through
        if owner == "Owner 3":
            raise ParseError("this draft cannot be read")
        if owner == "Owner 4":
            raise KeyError("a bug")
        return real(kind, draft, options)

    monkeypatch.setattr(engine, "review_one", flaky)
    batch = LocalBatch(_inputs())
    batch.run(settings=BatchSettings(max_attempts=3, workers=1))
    by_owner = {s.owner: batch.outcomes[s.seq] for s in batch.inputs.sets}
    assert (by_owner["Owner 1"].status, by_owner["Owner 1"].attempts) == ("done", 2)
    assert by_owner["Owner 2"].status == "failed"
    assert by_owner["Owner 2"].error.endswith("(gave up after 3 tries)") and calls["Owner 2"] == 3
    assert (by_owner["Owner 3"].error, calls["Owner 3"]) == ("this draft cannot be read", 1)
    assert by_owner["Owner 4"].error.startswith("internal error while reviewing: KeyError")
    assert by_owner["Owner 0"].status == by_owner["Owner 5"].status == "done"
    out = io.StringIO()
    summary = batch.write("html", out)
    assert (summary.reviewed, summary.failed) == (3, 3)
    assert "Not reviewed: this draft cannot be read" in out.getvalue()


def test_llm_batches_run_concurrently_bounded_and_add_up_usage(monkeypatch):
    monkeypatch.setenv("OKR_COACH_LLM_MODEL", "test-model")
    monkeypatch.setenv("OKR_COACH_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OKR_COACH_LLM_CONCURRENCY", "2")
    running, peak, tries = 0, 0, {}

    class FakeReview:
        def __init__(self, review: Any):
            self.review = review

        def model_dump_json(self) -> str:
            data = json.loads(self.review.model_dump_json())
            data["provenance"].update(
                model="test-model",
                usage={"input_tokens": 100, "output_tokens": 20, "cost_usd": 0.001},
            )
            return json.dumps(data)

    async def fake_areview(draft: Any, **options: Any) -> FakeReview:
        nonlocal running, peak
        key = draft["objectives"][0]["owner"]
        tries[key] = tries.get(key, 0) + 1
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(0.02)
            if tries[key] == 1 and key == "Owner 0":
                raise Busy(retry_after=0.01)
            return FakeReview(pipeline.review(draft, mode="rules"))
        finally:
            running -= 1

    monkeypatch.setattr(pipeline, "areview", fake_areview, raising=False)
    assert engine.uses_llm(BatchOptions())
    assert not engine.uses_llm(BatchOptions(mode="rules"))
    batch = LocalBatch(_inputs())
    batch.run(settings=BatchSettings(max_attempts=3))
    assert peak == 2  # OKR_COACH_LLM_CONCURRENCY
    assert tries["Owner 0"] == 2 and all(o.status == "done" for o in batch.outcomes.values())
    out = io.StringIO()
    summary = batch.write("markdown", out)
    assert summary.reviewer == "LLM-assisted: test-model"
    assert summary.usage.reviews == 6 and summary.usage.cost_usd == pytest.approx(0.006)
    assert summary.usage.tokens == {"input_tokens": 600, "output_tokens": 120}
    assert "estimated cost $0.0060 over 6 reviews" in out.getvalue()


def test_without_an_llm_the_batch_is_rules_only():
    batch = LocalBatch(_inputs())
    batch.run(settings=BatchSettings(workers=1))
    out = io.StringIO()
    summary = batch.write("json", out)
    assert summary.reviewer == "rules-only" and summary.usage is None
    assert json.loads(out.getvalue())["summary"]["reviewer"] == "rules-only"


def test_the_runner_retries_through_the_store_then_stores_the_reason(monkeypatch, tmp_path):
    def busy(kind: str, draft: str, options: BatchOptions) -> str:
        raise Busy(retry_after=0.0)

    monkeypatch.setattr(engine, "review_one", busy)
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        batches = BatchStore(store)
        info = batches.create(_inputs(), options=BatchOptions(), title="t", digest="x" * 64)
        runner = BatchRunner(batches, BatchSettings(max_attempts=2, chunk=100))
        assert runner.run_once() is True  # first tries: all released for later
        assert batches.get(info.id).pending == 6
        assert runner.run_once() is True  # second tries: given up, reasons stored
        assert runner.run_once() is False
        done = batches.get(info.id)
        assert (done.status, done.failed) == ("done", 6)
        (entry, *_) = batches.entries(info.id, ordered=False)
        assert entry.error.endswith("(gave up after 2 tries)")


def test_the_servers_chunks_call_the_model_concurrently_too(monkeypatch):
    monkeypatch.setenv("OKR_COACH_LLM_MODEL", "test-model")
    monkeypatch.setenv("OKR_COACH_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OKR_COACH_LLM_CONCURRENCY", "3")
    running, peak = 0, 0

    async def fake_areview(draft: Any, **options: Any) -> Any:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        if draft["objectives"][0]["owner"] == "Owner 5":
            raise Busy(retry_after=2.5)
        return pipeline.review(draft, mode="rules")

    monkeypatch.setattr(pipeline, "areview", fake_areview, raising=False)
    sets = _inputs().sets
    tries = engine.try_chunk([(s.kind, s.draft, BatchOptions()) for s in sets])
    assert peak == 3
    assert [t.review_json is not None for t in tries] == [True] * 5 + [False]
    assert (tries[5].transient, tries[5].retry_after) == (True, 2.5)
