"""`make run` as the README shows it: it says what it installs, and PORT / HOST reach the server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make")


def _dry_run(*args: str) -> str:
    # -n: print the commands only; -W pyproject.toml: as if it changed, so the install shows.
    # Run from `make test` (CI), make passes its flags down and a sub-make names its
    # directory: neither belongs in what is checked.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    proc = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml", *args],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_install_says_what_it_is_doing():
    out = _dry_run("install")
    assert "==> installing okr-coach and its dependencies" in out
    assert "--quiet -e" not in out and "--progress-bar on -e '.[dev]'" in out


def test_port_and_host_reach_the_server():
    assert _dry_run("run").rstrip().endswith("okr-coach serve")
    assert "okr-coach serve  --port 8080" in _dry_run("run", "PORT=8080")
    assert "okr-coach serve --host 0.0.0.0 --port 9000" in _dry_run("run", "HOST=0.0.0.0", "PORT=9000")
