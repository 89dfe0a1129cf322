"""Shared fixtures of the web tests: settings and a store in a temporary data
directory, the app through FastAPI's TestClient, and a real server (uvicorn in
a subprocess on a free loopback port) for tests over HTTP.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from coach.config import Settings
from coach.store import Store

with warnings.catch_warnings():
    # Starlette nudges towards httpx2 (a UserWarning subclass); the TestClient works on httpx.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from coach.web.app import create_app  # noqa: E402

DRAFT = """\
# Customer Support OKRs, Q3

## Objective 1: Delight our customers
- Launch new customer portal
- Improve customer satisfaction
- Increase NPS to 50
- Reduce first response time from 9 hours to 4 hours by end of Q3

## Objective 2: Make self-service the default support channel for SMB customers
- Increase self-service adoption from 35% to 55%
- Reduce tickets per 100 SMB accounts
- Hold 4 workshops with the product team
"""

OKR_SET = {
    "objectives": [
        {
            "text": "Make self-service the default support channel",
            "team": "Support",
            "key_results": [
                {"text": "Increase self-service adoption from 35% to 55%"},
                {"text": "Launch new customer portal"},
            ],
        }
    ]
}

PROBLEM_BASE = "https://okr-coach.dev/problems/"
SERVER_START_TIMEOUT = 30.0


def assert_problem(response: httpx.Response, status: int, kind: str) -> dict:
    """The response is an RFC 9457 problem document of this status and kind."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["type"] == PROBLEM_BASE + kind, body
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def draft() -> str:
    """A pasted two-objective draft with the usual mistakes."""
    return DRAFT


@pytest.fixture
def okr_set() -> dict:
    """A structured draft (the okr-labels.md shape without labels)."""
    return json.loads(json.dumps(OKR_SET))


@pytest.fixture
def problem() -> Callable[[httpx.Response, int, str], dict]:
    """`problem(response, status, kind)` asserts an RFC 9457 document and returns its body."""
    return assert_problem


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with Store(settings.sqlalchemy_url()) as s:
        yield s


@pytest.fixture
def make_client(store: Store, tmp_path: Path) -> Callable[..., TestClient]:
    """A TestClient on a fresh app over the test's store; keyword arguments override Settings."""

    def make(**overrides: object) -> TestClient:
        app = create_app(Settings(data_dir=tmp_path, **overrides), store=store)
        # See key changes at once (the server caches "are there keys?" for a second).
        app.state.gate.keys_ttl = 0.0
        return TestClient(app)

    return make


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


# -- a real server ----------------------------------------------------------------


@dataclass
class LiveServer:
    base_url: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30.0, **kwargs)

    def store(self) -> Store:
        """The server's own database, opened from the test process."""
        return Store(Settings(data_dir=self.data_dir).sqlalchemy_url())

    def log_tail(self, chars: int = 3000) -> str:
        return (self.data_dir / "server.log").read_text(errors="replace")[-chars:]

    def alive(self) -> bool:
        if self.process.poll() is not None:
            return False
        try:
            return httpx.get(self.base_url + "/healthz", timeout=5.0).status_code == 200
        except httpx.TransportError:
            return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def run_server(data_dir: Path, **env: str) -> Iterator[LiveServer]:
    """`uvicorn coach.web.app:create_app` on a free loopback port, stopped afterwards."""
    data_dir.mkdir(parents=True, exist_ok=True)
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))
    }
    environment.update({"OKR_COACH_DATA_DIR": str(data_dir), **env})
    log = (data_dir / "server.log").open("wb")
    for _attempt in range(3):
        port = _free_port()
        cmd = [
            sys.executable, "-m", "uvicorn", "--factory", "coach.web.app:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, env=environment, stdout=log, stderr=subprocess.STDOUT)
        server = LiveServer(f"http://127.0.0.1:{port}", data_dir, proc)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None and not server.alive():
            time.sleep(0.05)
        if server.alive():
            break
        proc.kill()
        proc.wait()
    else:
        log.close()
        pytest.fail(f"the server did not start:\n{server.log_tail()}")
    try:
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def start_server() -> Callable[..., contextlib.AbstractContextManager[LiveServer]]:
    """`with start_server(data_dir, OKR_COACH_X="..."):` a server of the test's own."""
    return run_server


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server per test module, open (no API keys), with its own data directory."""
    with run_server(tmp_path_factory.mktemp("live-data")) as server:
        yield server
