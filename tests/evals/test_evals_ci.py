"""The CI wiring of the evals: .ci/run gates offline, the workflow runs the live eval."""

from __future__ import annotations

import yaml
from eval_helpers import ROOT


def test_ci_runs_the_readme_test_command_then_the_eval_gate():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert "set -euo pipefail" in commands
    assert commands.index("make test") < next(
        i for i, c in enumerate(commands) if "okr-coach eval --baseline evals/baseline.json" in c
    )
    assert ".venv/bin/pytest evals/" in commands


def test_the_workflow_runs_the_live_eval_on_prompt_and_rubric_changes():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "evals.yml").read_text())
    on = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert on["pull_request"]["paths"] == ["prompts/**", "rubrics/**"]
    job = workflow["jobs"]["live-eval"]
    assert job["env"]["OPENAI_API_KEY"] == "${{ secrets.OPENAI_API_KEY }}"
    steps = job["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "okr-coach eval --baseline evals/baseline.json --live" in runs
    assert "gh pr comment" in runs and "eval-report/eval.md" in runs
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)
    # Every step but the notice needs the key.
    assert all("OPENAI_API_KEY != ''" in s.get("if", "") or "code ==" in s.get("if", "")
               for s in steps[1:])
