"""Helpers of the eval-suite tests (a uniquely named module: evals/ has a conftest too)."""

from __future__ import annotations

import json
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




# Invented OKR sets in the shape of ../shared/realworld/okrs.jsonl (origin, source_kind),
# for tests of the real-drafts plumbing: that file's own text never enters the project.
TINY_REALWORLD = [
    {"id": "r-1", "origin": "real", "source_kind": "team wiki page",
     "objectives": [
         {"text": "Be the best in our industry", "labels": ["aspiration"],
          "key_results": [{"text": "Launch the partner portal", "labels": ["task"]},
                          {"text": "Increase NPS from 32 to 50", "labels": []}]}]},
    {"id": "r-2", "origin": "real", "source_kind": "forum draft",
     "objectives": [
         {"text": "Be world class", "labels": [],  # labeled as no slogan: a false flag
          "key_results": [{"text": "Hire a head of sales", "labels": ["task"]}]},
         {"text": "Cut checkout abandonment on mobile", "labels": [],
          "key_results": [{"text": "Increase NPS to 50", "labels": ["no_baseline"]}]}]},
    {"id": "r-3", "origin": "example", "source_kind": "article",
     "objectives": [
         {"text": "Grow self-serve revenue in the Nordics", "labels": [],
          "key_results": [{"text": "Reduce churn rate", "labels": ["no_target"]}]}]},
    {"id": "r-4",  # says neither its origin nor its kind of source
     "objectives": [
         {"text": "Win the mid-market segment in DACH", "labels": [],
          "key_results": [{"text": "Publish 6 case studies", "labels": ["task"]}]}]},
]


def write_tiny_realworld(folder: Path, examples: list[dict] | None = None) -> Path:
    path = folder / "okrs.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in examples or TINY_REALWORLD), "utf-8")
    return path
