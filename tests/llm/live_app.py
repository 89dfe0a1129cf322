"""The okr-coach service in a process of its own (uvicorn on a free loopback port), for
LLM tests over real HTTP: `with live_app(tmp_path, OKR_COACH_LLM_MODEL=...) as base_url:`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=5.0).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def live_app(data_dir: Path, **env: str) -> Iterator[str]:
    """Start the service with `env` on top of a clean environment; yield its base URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
    environment.update({"OKR_COACH_DATA_DIR": str(data_dir), **env})
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        for _attempt in range(3):  # a port taken between choosing and binding: try another
            port = _free_port()
            base = f"http://127.0.0.1:{port}"
            proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "coach.web.app:create_app",
                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                env=environment, stdout=log, stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + START_TIMEOUT
            while proc.poll() is None and time.monotonic() < deadline and not _alive(base):
                time.sleep(0.05)
            if _alive(base):
                break
            proc.kill()
            proc.wait()
        else:
            raise RuntimeError("the service did not start:\n" + log_path.read_text(errors="replace")[-3000:])
        try:
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
