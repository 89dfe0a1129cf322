"""The README stays true: every okr-coach command and the curl it shows run as shown."""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)
SHELL = [line for lang, body in BLOCKS if lang == "sh" for line in body.replace("\\\n", "").splitlines()]
CLI = [line.split("  #")[0].strip() for line in SHELL if ".venv/bin/okr-coach" in line]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "OKR_COACH_DATA_DIR": str(tmp_path / "data")}


@pytest.mark.parametrize("command", CLI)
def test_cli_commands_in_the_readme_work(command, tmp_path):
    if "<" in command:  # a placeholder the reader fills in, e.g. keys revoke <id or prefix>
        command = command.split("<")[0] + "missing-key"
        expected = {2}
    else:
        expected = {0, 1}  # 1: the example draft has findings
    yaml_block = next(body for lang, body in BLOCKS if lang == "yaml" and "acme.yaml" in body)
    (tmp_path / "acme.yaml").write_text(yaml_block, encoding="utf-8")
    command = command.replace("--rubric acme.yaml", f"--rubric {tmp_path / 'acme.yaml'}")
    command = command.replace(".venv/bin/okr-coach", f"{shlex.quote(sys.executable)} -m coach")
    # Run from a scratch directory that sees the repository's inputs, so that reports the
    # commands write (--out report.html, eval-report/) land there and not in the checkout.
    work = tmp_path / "work"
    work.mkdir()
    for name in ("examples", "evals"):
        (work / name).symlink_to(ROOT / name)
    proc = subprocess.run(
        ["bash", "-c", command], cwd=work, env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode in expected, (command, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_first_review_curl_works_against_the_served_app(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "coach", "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        curl = next(line for line in SHELL if line.startswith("curl"))
        curl = curl.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        out = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=60, check=True).stdout
        review = json.loads(out)
        assert {f["label"] for f in review["findings"]} >= {"aspiration", "task", "no_baseline"}
        page = httpx.get(f"http://127.0.0.1:{port}{review['links']['html']}")
        assert page.status_code == 200 and "Launch new customer portal" in page.text
    finally:
        server.terminate()
        server.wait(timeout=10)
