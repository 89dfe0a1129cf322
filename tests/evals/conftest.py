"""Fixtures of the eval-suite tests: the committed baseline, the CLI in-process,
and the scripted model served by the tests' local OpenAI-compatible server."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
EVALS = ROOT / "evals"
BASELINE = EVALS / "baseline.json"
RECORDINGS = EVALS / "recordings"
DATASETS = EVALS / "datasets"

sys.path.insert(0, str(EVALS))  # scripted_model.py: the committed recordings' stand-in model


def cli(*args: str, env: dict[str, str] | None = None):
    """`okr-coach ARGS` in-process (so a test can point the prompts elsewhere)."""
    from coach.cli import app

    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def small_baseline(tmp_path: Path) -> Path:
    """The committed baseline cut down to one dataset (dev-d), beside the gate config.

    Its metrics are made by a run on dev-d, so it is a real baseline of that split."""
    folder = tmp_path / "evals"
    (folder / "datasets").mkdir(parents=True)
    shutil.copy(DATASETS / "dev-d.jsonl", folder / "datasets" / "dev-d.jsonl")
    shutil.copy(EVALS / "gates.yaml", folder / "gates.yaml")
    return folder / "baseline.json"


@pytest.fixture
def recordings_copy(tmp_path: Path) -> Path:
    target = tmp_path / "recordings"
    shutil.copytree(RECORDINGS, target)
    return target


@pytest.fixture
def prompts_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of prompts/ that the review and the judge read instead of the real one."""
    import coach.prompting
    import coach.resources

    folder = tmp_path / "prompts"
    shutil.copytree(coach.resources.prompts_dir(), folder)
    monkeypatch.setattr(coach.prompting, "prompts_dir", lambda: folder)
    monkeypatch.setattr(coach.resources, "prompts_dir", lambda: folder)
    coach.prompting._environment.cache_clear()
    yield folder
    coach.prompting._environment.cache_clear()


@pytest.fixture
def scripted_model(monkeypatch: pytest.MonkeyPatch):
    """The local scripted server answering as evals/scripted_model.py, and the settings for it."""
    import scripted_model

    server = scripted_model.scripted_server()
    try:
        for key, value in scripted_model.llm_env(server.base_url).items():
            monkeypatch.setenv(key, value)
        yield server
    finally:
        server.stop()


def read_json(text: str) -> dict:
    return json.loads(text)
