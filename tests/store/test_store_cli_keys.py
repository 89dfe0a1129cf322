"""`okr-coach keys` as a user runs it: real processes, real exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from coach.config import Settings
from coach.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
SECRET = re.compile(r"okc_[A-Za-z0-9_-]{32}")


def run(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "coach", "keys", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, "COLUMNS": "120", **env},
        timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_keys_create_list_revoke(tmp_path):
    env = {"OKR_COACH_DATA_DIR": str(tmp_path / "data")}
    code, out, err = run("list", env=env)
    assert code == 0 and "No API keys" in out

    code, out, err = run("create", "ci-bot", env=env)
    assert code == 0, err
    secret = out.strip()
    assert SECRET.fullmatch(secret)  # stdout holds the secret alone
    assert "only once" in err
    with open_store(Settings(data_dir=tmp_path / "data")) as store:
        key = store.verify_key(secret)
        assert key is not None and key.name == "ci-bot"

    code, out, _ = run("list", env=env)
    assert code == 0
    assert key.id in out and "ci-bot" in out and f"okc_{key.prefix}" in out and "active" in out
    assert secret not in out

    code, out, _ = run("revoke", f"okc_{key.prefix}", env=env)
    assert code == 0 and "Revoked" in out and key.id in out
    code, out, _ = run("revoke", key.id, env=env)
    assert code == 0 and "already revoked" in out
    code, out, _ = run("list", env=env)
    assert "revoked" in out
    with open_store(Settings(data_dir=tmp_path / "data")) as store:
        assert store.verify_key(secret) is None


def test_keys_errors_exit_2(tmp_path):
    env = {"OKR_COACH_DATA_DIR": str(tmp_path / "data")}
    code, out, err = run("revoke", "nope", env=env)
    assert code == 2 and err.startswith("error: no API key") and out == ""

    code, out, err = run(
        "list", env={**env, "OKR_COACH_DATABASE_URL": "postgresql://x:pw@127.0.0.1:1/test"}
    )
    assert code == 2 and err.startswith("error: the store at") and "unavailable" in err
    assert "Traceback" not in err and ":pw@" not in err


def test_keys_create_against_each_backend(store_url, store):
    code, out, err = run("create", "bot", env={"OKR_COACH_DATABASE_URL": store_url})
    assert code == 0, err
    assert store.verify_key(out.strip()).name == "bot"
    assert isinstance(store, Store)


def test_the_first_key_says_the_service_turns_private(tmp_path):
    env = {"OKR_COACH_DATA_DIR": str(tmp_path / "data")}
    code, _out, err = run("create", "first", env=env)
    assert code == 0 and "private from now on" in err and "/login" in err
    code, _out, err = run("create", "second", env=env)
    assert code == 0 and "private from now on" not in err
