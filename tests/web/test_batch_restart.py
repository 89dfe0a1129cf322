"""Kill the server in the middle of a batch and start it again: the batch finishes,
every set reviewed exactly once, nothing lost. On SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import private_schema

from coach.batch.sample import sample_csv
from coach.store import Store
from coach.store.batches import BatchStore

SETS = 400
DEADLINE_S = 90.0
# Short claims so the restarted server takes over the dead one's quickly; small chunks
# so that many results are stored before the kill.
ENV = {
    "OKR_COACH_BATCH_CLAIM_TTL_S": "1",
    "OKR_COACH_BATCH_CHUNK": "4",
    # The server's own runner on PostgreSQL too (the queue's workers: tests/test_replicas.py).
    "OKR_COACH_BATCH_QUEUE": "embedded",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'okr-coach.db'}"
        return
    with private_schema("okc_batch") as url:
        yield url


def test_a_batch_survives_the_server_being_killed(start_server, tmp_path: Path, database_url: str):
    data_dir = tmp_path / "data"
    env = {**ENV, "OKR_COACH_DATABASE_URL": database_url}
    with start_server(data_dir, **env) as server:
        c = server.client()
        r = c.post(
            "/v1/batches",
            files=[("file", ("team.csv", sample_csv(SETS, seed=3).encode(), "text/csv"))],
        )
        assert r.status_code == 202, r.text
        batch_id = r.json()["id"]
        deadline = time.monotonic() + DEADLINE_S
        while c.get(f"/v1/batches/{batch_id}").json()["done"] < 40:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(server.process.pid, signal.SIGKILL)  # no shutdown, no chance to tidy up
        server.process.wait(10)

    with Store(database_url) as store:
        before = BatchStore(store).results(batch_id)
    stored_before = {seq: rid for seq, (status, rid, _) in before.items() if status == "done"}
    assert 40 <= len(stored_before) < SETS, "the kill must land in the middle of the batch"

    with start_server(data_dir, **env) as server:
        c = server.client()
        deadline = time.monotonic() + DEADLINE_S
        while (body := c.get(f"/v1/batches/{batch_id}").json())["status"] != "done":
            assert time.monotonic() < deadline, body
            time.sleep(0.05)
        assert (body["done"], body["failed"], body["pending"]) == (SETS, 0, 0)
        report = c.get(f"/v1/batches/{batch_id}/report", params={"format": "json"}).json()

    with Store(database_url) as store:
        after = BatchStore(store).results(batch_id)
    assert len(after) == SETS and all(status == "done" for status, _, _ in after.values())
    # What was stored before the kill was not reviewed again: the same result, one try.
    for seq, rid in stored_before.items():
        assert after[seq][1] == rid and after[seq][2] == before[seq][2]
    # Every set has one result of its own; only the chunk in flight at the kill was tried twice.
    assert len({rid for _, rid, _ in after.values()}) == SETS
    assert max(tries for _, _, tries in after.values()) <= 2
    assert report["summary"]["reviewed"] == SETS
    assert sorted(e["seq"] for e in report["sets"]) == list(range(SETS))
