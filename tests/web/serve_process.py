"""`okr-coach serve` in a process of its own, as an operator runs it (tests over HTTP)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

OKR_COACH = Path(sys.executable).with_name("okr-coach")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def replica(data_dir: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """`okr-coach serve` on a free port; its base URL while it runs."""
    data_dir.mkdir(parents=True)
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))
    }
    environment.update(env, OKR_COACH_DATA_DIR=str(data_dir))
    port = _free_port()
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(OKR_COACH), "serve", "--port", str(port), *args],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"replica did not start:\n{(data_dir / 'server.log').read_text()[-2000:]}"
                )
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
