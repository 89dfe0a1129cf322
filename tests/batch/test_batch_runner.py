"""The server's batch runner cannot die silently: over real HTTP against the app served by
uvicorn in this process (so that a fault can be injected into the runner's thread), a
MemoryError while a chunk's results are stored, and a thread killed outright, each leave
the runner working; `/readyz` says what happened, and 503 once it has given up."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from coach.batch.sample import sample_csv
from coach.config import Settings
from coach.store.batches import BatchStore
from coach.web.app import create_app

DEADLINE_S = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(data_dir: Path) -> Iterator[httpx.Client]:
    """The app on a free loopback port, served by uvicorn in a thread of this process."""
    app = create_app(Settings(data_dir=data_dir))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0) as c:
            yield c
    finally:
        server.should_exit = True
        thread.join(30)


def upload(c: httpx.Client, data: bytes) -> str:
    r = c.post(
        "/v1/batches",
        files=[("file", ("team.csv", data, "text/csv"))],
        data={"force": "true"},
    )
    assert r.status_code == 202, r.text
    return r.json()["id"]


def wait_for(c: httpx.Client, path: str, done) -> httpx.Response:  # noqa: ANN001
    deadline = time.monotonic() + DEADLINE_S
    while True:
        r = c.get(path)
        if done(r):
            return r
        if time.monotonic() > deadline:
            pytest.fail(f"{path} still {r.status_code} {r.text[:300]} after {DEADLINE_S:.0f} s")
        time.sleep(0.05)


def wait_done(c: httpx.Client, batch_id: str) -> dict:
    return wait_for(c, f"/v1/batches/{batch_id}", lambda r: r.json()["status"] == "done").json()


def test_a_memory_error_while_storing_results_does_not_stop_the_runner(monkeypatch, tmp_path):
    real = BatchStore.complete_sets
    failures = {"left": 1}

    def complete_sets(self, results, reviewed_by=None):  # noqa: ANN001
        if failures["left"]:
            failures["left"] -= 1
            raise MemoryError
        return real(self, results, reviewed_by)

    monkeypatch.setattr(BatchStore, "complete_sets", complete_sets)
    with serve(tmp_path) as c:
        first = wait_done(c, upload(c, sample_csv(6, seed=1).encode()))
        second = wait_done(c, upload(c, sample_csv(4, seed=2).encode()))
        assert (first["done"], second["done"]) == (6, 4)
        assert failures["left"] == 0
        assert c.get("/readyz").json()["runner"] == "ok"


def test_a_killed_runner_thread_is_restarted_and_readyz_says_so(monkeypatch, tmp_path):
    real = BatchStore.claim
    kills = {"left": 1}

    def claim(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if kills["left"]:
            kills["left"] -= 1
            # A BaseException, as an asynchronous exception or a library's sys.exit() in
            # the thread would be: no `except Exception` stops it.
            raise SystemExit("the runner thread was killed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BatchStore, "claim", claim)
    with serve(tmp_path) as c:
        batch = wait_done(c, upload(c, sample_csv(5, seed=1).encode()))
        assert batch["done"] == 5 and kills["left"] == 0
        ready = c.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["runner"].startswith("restarted 1 time"), ready.json()
        assert "SystemExit" in ready.json()["runner"]


def test_a_runner_that_keeps_dying_is_down_and_not_ready(monkeypatch, tmp_path):
    monkeypatch.setenv("OKR_COACH_BATCH_RUNNER_MAX_RESTARTS", "2")

    def claim(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        raise SystemExit("the runner thread was killed")

    monkeypatch.setattr(BatchStore, "claim", claim)
    with serve(tmp_path) as c:
        ready = wait_for(c, "/readyz", lambda r: r.status_code == 503)
        body = ready.json()
        assert body["status"] == "unavailable" and body["store"] == "ok"
        assert body["runner"].startswith("down"), body
