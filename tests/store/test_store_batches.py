"""Batches in the store, on SQLite and PostgreSQL: claims shared by runners, every
result written once, lapsed claims taken over, the batch done when its last set is."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from coach.batch import BatchOptions, InputFile, SetOutcome, read_files
from coach.batch.sample import sample_csv
from coach.errors import NotFoundError
from coach.store.batches import BatchStore


@pytest.fixture
def batches(store) -> BatchStore:
    # The store fixture empties the tables it knows; these are emptied here.
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM batch_sets"))
        conn.execute(text("DELETE FROM batches"))
    return BatchStore(store)


def _inputs(owners: int = 10):
    return read_files([InputFile("team.csv", sample_csv(owners).encode())])


def _done(seq: int) -> SetOutcome:
    return SetOutcome(seq=seq, status="done", review_json=json.dumps({"seq": seq}))


def test_create_get_and_recognise_the_same_upload(batches):
    inputs = _inputs()
    info = batches.create(inputs, options=BatchOptions(mode="rules"), title="Q3", digest="d" * 64)
    assert (info.status, info.total, info.done, info.pending, info.progress) == (
        "queued",
        10,
        0,
        10,
        0.0,
    )
    assert info.inputs[0].file == "team.csv" and info.options.mode == "rules"
    assert batches.find_by_digest("d" * 64, "anonymous").id == info.id
    assert batches.find_by_digest("d" * 64, "key:some-key") is None
    assert batches.find_by_digest("e" * 64, "anonymous") is None
    with pytest.raises(NotFoundError):
        batches.get("nope")
    assert [b.id for b in batches.list()] == [info.id]


def test_runners_share_the_work_and_each_result_is_written_once(batches):
    info = batches.create(_inputs(), options=BatchOptions(), title="t", digest="d" * 64)
    a = batches.claim("runner-a", 4, 60)
    b = batches.claim("runner-b", 4, 60)
    assert [c.seq for c in a] == [0, 1, 2, 3] and [c.seq for c in b] == [4, 5, 6, 7]
    assert all(c.attempts == 1 and c.batch_id == info.id for c in a + b)
    assert batches.get(info.id).status == "running"
    assert batches.complete([(info.id, _done(c.seq)) for c in a]) == 4
    # The same results again (a runner that raced): nothing is written twice.
    before = batches.results(info.id)
    assert batches.complete([(info.id, _done(c.seq)) for c in a]) == 0
    assert batches.results(info.id) == before
    rest = batches.claim("runner-a", 100, 60)
    assert [c.seq for c in rest] == [8, 9]
    batches.complete([(info.id, _done(c.seq)) for c in b + rest[:1]])
    batches.complete([(info.id, SetOutcome(seq=9, status="failed", error="boom"))])
    done = batches.get(info.id)
    assert (done.status, done.done, done.failed, done.pending) == ("done", 9, 1, 0)
    assert done.finished_at is not None
    results = batches.results(info.id)
    assert len({rid for _, rid, _ in results.values()}) == 10  # one result id per set
    assert batches.claim("runner-a", 100, 60) == []


def test_a_lapsed_claim_is_taken_over(batches):
    info = batches.create(_inputs(3), options=BatchOptions(), title="t", digest="d" * 64)
    # A lease long enough that a loaded machine cannot let it lapse between the two claims.
    first = batches.claim("dead-runner", 10, 1.0)
    assert len(first) == 3
    assert batches.claim("other", 10, 60) == []  # still held
    time.sleep(1.1)
    again = batches.claim("other", 10, 60)
    assert [c.seq for c in again] == [0, 1, 2] and all(c.attempts == 2 for c in again)
    assert batches.complete([(info.id, _done(c.seq)) for c in again]) == 3


def test_retry_later_releases_a_set_until_its_time(batches):
    info = batches.create(_inputs(1), options=BatchOptions(), title="t", digest="d" * 64)
    (c,) = batches.claim("r", 10, 60)
    batches.retry_later(info.id, c.seq, datetime.now(UTC) + timedelta(seconds=1.0), "rate limited")
    assert batches.claim("r", 10, 60) == []
    time.sleep(1.1)
    (again,) = batches.claim("r", 10, 60)
    assert again.attempts == 2


def test_entries_stream_results_in_order_of_team_and_owner(batches):
    inputs = _inputs(12)
    info = batches.create(inputs, options=BatchOptions(), title="t", digest="d" * 64)
    batches.complete([(info.id, _done(s.seq)) for s in inputs.sets[:5]])
    by_seq = list(batches.entries(info.id, ordered=False))
    assert [e.seq for e in by_seq] == list(range(12))
    assert [e.status for e in by_seq] == ["done"] * 5 + ["pending"] * 7
    assert by_seq[0].review == {"seq": 0} and by_seq[6].review is None
    ordered = list(batches.entries(info.id, ordered=True))
    keys = [(e.team or "", e.owner) for e in ordered]
    assert keys == sorted(keys)


def test_text_the_database_refuses_is_kept_visibly(batches):
    inputs = read_files([InputFile("nul.json", json.dumps(
        {"owner": "A\x00B", "objectives": [{"text": "Win\x00", "key_results": ["Grow x from 1 to 2"]}]}
    ).encode())])  # fmt: skip
    info = batches.create(inputs, options=BatchOptions(), title="t", digest="d" * 64)
    (e,) = batches.entries(info.id, ordered=False)
    assert e.owner == "A\ufffdB"


def test_a_batch_written_as_it_is_read_is_seen_by_no_one_until_it_is_finished(batches):
    """`BatchStore.writer`: each chunk committed as it comes (the upload is never held
    whole), yet no runner, queue, list or digest look-up sees the batch before `finish`."""
    writer = batches.writer(options=BatchOptions(), title="big", digest="f" * 64)
    seen: list[list] = []
    inputs = read_files(
        [InputFile("team.csv", sample_csv(25).encode())],
        sink=lambda sets: (seen.append(sets), writer.write(sets)),
    )
    assert inputs.total == 25 and inputs.sets == [] and len(seen) == 1
    with batches.store.engine.connect() as conn:  # committed, as staged sets
        staged = conn.execute(text("SELECT status, count(*) FROM batch_sets GROUP BY status"))
        assert dict(staged.all()) == {"staged": 25}
    assert batches.get(writer.id).status == "loading"
    assert batches.claim("runner", 10, 60) == [] and not batches.has_work()
    assert batches.list() == [] and batches.find_by_digest("f" * 64, "anonymous") is None
    assert batches.progress().sets_pending == 0

    calls: list[tuple[str, int]] = []
    info = writer.finish(inputs.files, on_created=lambda b, n, _conn: calls.append((b, n)))
    assert (info.id, info.status, info.total, info.pending) == (writer.id, "queued", 25, 25)
    assert calls == [(writer.id, 25)]
    assert info.inputs[0].sets == 25
    assert batches.find_by_digest("f" * 64, "anonymous").id == info.id
    assert [c.seq for c in batches.claim("runner", 30, 60)] == list(range(25))


def test_a_read_that_fails_leaves_nothing_behind(batches):
    writer = batches.writer(options=BatchOptions(), title="t", digest="a" * 64)
    read_files([InputFile("team.csv", sample_csv(12).encode())], sink=writer.write)
    writer.abort()
    with pytest.raises(NotFoundError):
        batches.get(writer.id)
    with batches.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM batch_sets")).scalar() == 0
    # Nothing written, nothing to drop; abort twice is harmless.
    idle = batches.writer(options=BatchOptions(), title="t", digest="a" * 64)
    idle.abort()
    idle.abort()


def test_a_batch_left_loading_by_a_server_that_died_is_dropped_later(batches):
    writer = batches.writer(options=BatchOptions(), title="t", digest="b" * 64)
    writer.write(_inputs(3).sets)  # and the server dies here
    assert batches.drop_stale() == 0  # not yet: it may still be reading
    later = datetime.now(UTC) + timedelta(hours=2)
    assert batches.drop_stale(later) == 1
    with pytest.raises(NotFoundError):
        batches.get(writer.id)
    with batches.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM batch_sets")).scalar() == 0
