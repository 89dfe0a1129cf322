"""Many replicas, one service: two `okr-coach serve` processes and two `okr-coach worker`
processes on one PostgreSQL schema. A batch uploaded through replica A is shared by both
workers and read back through replica B, every set stored once; a worker killed with
SIGKILL mid-batch is replaced and the batch finishes. Skipped when PostgreSQL is away."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from pg import private_schema
from sqlalchemy import text

from coach.batch.sample import sample_csv
from coach.store import Store

SETS = 600
JOB_SETS = 20
STALLED_S = 2
DEADLINE_S = 150.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "coach", *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _serve(stack: ExitStack, env: dict[str, str], log: Path) -> httpx.Client:
    port = _free_port()
    proc = stack.enter_context(_process(["serve", "--port", str(port)], env, log))
    client = stack.enter_context(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30))
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if client.get("/healthz").status_code == 200:
                return client
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


def _wait(what, deadline: float, message: str):  # noqa: ANN001, ANN202
    while not (result := what()):
        assert time.monotonic() < deadline, message
        time.sleep(0.1)
    return result


def test_two_replicas_two_workers_one_killed(tmp_path: Path):
    with private_schema("okc_replicas") as url, ExitStack() as stack:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
        env.update(
            OKR_COACH_DATABASE_URL=url,
            OKR_COACH_DATA_DIR=str(tmp_path / "data"),
            OKR_COACH_BATCH_JOB_SETS=str(JOB_SETS),
            OKR_COACH_BATCH_STALLED_S=str(STALLED_S),
        )
        a = _serve(stack, env, tmp_path / "a.log")
        b = _serve(stack, env, tmp_path / "b.log")
        w1 = stack.enter_context(_process(["worker"], env, tmp_path / "w1.log"))
        w2 = stack.enter_context(_process(["worker"], env, tmp_path / "w2.log"))
        deadline = time.monotonic() + DEADLINE_S

        r = a.post("/v1/batches", files=[("file", ("team.csv", sample_csv(SETS, seed=5).encode(),
                                                   "text/csv"))])  # fmt: skip
        assert r.status_code == 202, r.text
        batch_id = r.json()["id"]
        assert "queue" in a.get("/readyz").json()["runner"]

        # Both workers take part before one of them is killed.
        store = stack.enter_context(Store(url))

        def reviewers() -> set[str]:
            with store.engine.connect() as conn:
                return set(conn.execute(text(
                    "SELECT DISTINCT reviewed_by FROM batch_sets WHERE reviewed_by IS NOT NULL"
                )).scalars())  # fmt: skip

        def pid_of(worker: subprocess.Popen) -> bool:
            return any(f":{worker.pid}:" in name for name in reviewers())

        _wait(lambda: pid_of(w1) and pid_of(w2), deadline, "both workers should take jobs")
        done_at_kill = b.get(f"/v1/batches/{batch_id}").json()["done"]
        os.kill(w1.pid, signal.SIGKILL)  # no shutdown: its job is left 'doing'
        w1.wait(10)
        assert done_at_kill < SETS, "the kill must land in the middle of the batch"
        killed_at = time.monotonic()
        w3 = stack.enter_context(_process(["worker"], env, tmp_path / "w3.log"))

        def held_by_the_dead() -> list[int]:
            with store.engine.connect() as conn:
                return list(conn.execute(text(
                    "SELECT seq FROM batch_sets WHERE status = 'pending' AND claimed_by LIKE :w"
                ), {"w": f"%:{w1.pid}:%"}).scalars())  # fmt: skip

        if held_by_the_dead():  # the kill landed inside a job (almost always)
            _wait(lambda: not held_by_the_dead(), deadline, "the dead worker's job is taken over")
            # Taken over within seconds (a heartbeat silent for STALLED_S), not a 60 s lease.
            assert time.monotonic() - killed_at < STALLED_S + 20
            logs = (tmp_path / "w2.log").read_text() + (tmp_path / "w3.log").read_text()
            assert "handed back to the queue" in logs

        info = _wait(
            lambda: (j := b.get(f"/v1/batches/{batch_id}").json())["status"] == "done" and j,
            deadline,
            "the batch should finish after the kill",
        )
        assert (info["done"], info["failed"], info["pending"]) == (SETS, 0, 0)

        with store.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT seq, status, result_id, attempts, reviewed_by FROM batch_sets"
            )).all()  # fmt: skip
        assert len(rows) == SETS
        assert all(r.status == "done" and r.result_id and r.reviewed_by for r in rows)
        # Each set stored once; only the killed worker's unstored sets were tried again.
        assert len({r.result_id for r in rows}) == SETS
        assert sum(r.attempts > 1 for r in rows) <= JOB_SETS
        assert any(f":{w3.pid}:" in r.reviewed_by or f":{w2.pid}:" in r.reviewed_by for r in rows)

        # The report, read through replica B: kept when the batch finished, with an ETag.
        report = b.get(f"/v1/batches/{batch_id}/report", params={"format": "json"})
        assert report.status_code == 200 and report.headers["etag"]
        again = a.get(
            f"/v1/batches/{batch_id}/report",
            params={"format": "json"},
            headers={"If-None-Match": report.headers["etag"]},
        )
        assert again.status_code == 304
        # /metrics reads the queue itself: its jobs and the workers heard from.
        scraped = b.get("/metrics").text
        assert "okr_coach_workers_alive" in scraped and 'okr_coach_queue_jobs{state="waiting"} 0.0' in scraped
