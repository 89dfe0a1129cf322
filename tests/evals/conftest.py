"""Fixtures of the eval-suite tests: every report of one failing gated run, a copy
of prompts/ the review reads instead, and the scripted model served by the
tests' local OpenAI-compatible server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eval_helpers import DATASETS, RECORDINGS, cli, write_tiny_realworld


@pytest.fixture(autouse=True)
def _no_real_drafts_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """`okr-coach eval` reads ../shared/realworld when the folder is there; a test sees
    the same whatever the machine has, and points OKR_COACH_REALWORLD at a file to test it."""
    monkeypatch.setenv("OKR_COACH_REALWORLD", "off")


@dataclass
class Reports:
    folder: Path
    table: str
    regressed: list[str]  # "dev-d/<id> O1.KR1" items the doctored baseline had right


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Reports:
    """Every report format of one gated run of rules + replayed llm mode on dev-d that fails.

    The baseline is a real run, doctored to have been better: the first three
    examples with a mismatch had none, and macro F1 was 0.05 higher. The real
    drafts are a small invented file, not in the baseline: reported, not gated.
    """
    folder = tmp_path_factory.mktemp("eval-reports")
    baseline = folder / "baseline.json"
    env = {"OKR_COACH_REALWORLD": str(write_tiny_realworld(tmp_path_factory.mktemp("realworld")))}
    common = ["-d", str(DATASETS / "dev-d.jsonl"), "--mode", "rules", "--mode", "llm",
              "--recordings", str(RECORDINGS), "--baseline", str(baseline)]
    made = cli("eval", *common, "--no-realworld", "--update-baseline", "-f", "json", env=env)
    assert made.exit_code == 0, made.output
    data = json.loads(baseline.read_text())
    regressed: list[str] = []
    for mode in ("rules", "llm"):
        entry = data["modes"][mode]
        entry["metrics"]["macro_f1"] += 0.05
        for key in sorted(entry["mismatches"])[:3]:
            items = entry["mismatches"].pop(key)
            if mode == "rules":
                regressed += [f"{key} {target}" for target in items]
    baseline.write_text(json.dumps(data))
    outs = [f"--out={folder / name}" for name in ("eval.json", "eval.md", "junit.xml", "eval.html")]
    run = cli("eval", *common, *outs, env=env)
    assert run.exit_code == 1, run.output
    return Reports(folder, run.output, regressed)


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
