"""Helpers of the eval-suite tests (a uniquely named module: evals/ has a conftest too)."""

from __future__ import annotations

import sys
from pathlib import Path

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


