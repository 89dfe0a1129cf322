"""The pre-commit hook and the GitHub Action run `okr-coach check` as they are written.

Offline: the published hook is `language: python` (pre-commit builds its environment
with pip, which needs the package index), so the test validates the manifest with
`pre-commit validate-manifest` and runs that same hook (id, entry, files, ...) through
`pre-commit run --files` in a scratch git repository as a `language: system` hook, with
the okr-coach installed here on PATH.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FIXTURE = ROOT / "tests" / "lint" / "fixtures" / "repo"
SARIF_SCHEMA = ROOT / "tests" / "lint" / "sarif-schema-2.1.0.json"


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}  # fmt: skip


@pytest.fixture
def git_repo(tmp_path, env):
    repo = tmp_path / "team"
    shutil.copytree(FIXTURE, repo)
    for args in (["init", "-q"], ["config", "user.email", "t@example.com"], ["config", "user.name", "T"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    return repo


def _pre_commit(repo, env, *args):
    proc = subprocess.run([str(BIN / "pre-commit"), *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    return proc.returncode, proc.stdout + proc.stderr


def test_the_hook_manifest_is_valid(env):
    code, out = _pre_commit(ROOT, env, "validate-manifest", ".pre-commit-hooks.yaml")
    assert code == 0, out
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "okr-coach" and hook["entry"] == "okr-coach check"


def test_pre_commit_runs_the_hook_on_changed_okr_files_only(git_repo, env):
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    local = {**hook, "language": "system"}
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (git_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    subprocess.run(["git", "add", "-A"], cwd=git_repo, check=True, env=env)

    code, out = _pre_commit(git_repo, env, "run", "--files", "OKR.md", "docs/README.md")
    assert code == 1, out
    assert "okr-coach" in out and "Failed" in out
    assert "OKR.md:11:3: KR01 " in out and "docs/README.md" not in out

    code, out = _pre_commit(git_repo, env, "run", "--files", "docs/README.md")
    assert code == 0 and "no files to check" in out, out

    (git_repo / "okrs" / "2026" / "q3.md").write_text(
        "Objective: Make onboarding fast for new teams\n"
        "KR1: Cut the time to a first deploy from 5 days to 1 day\n"
        "KR2: Raise the share of teams deploying in week one from 40% to 80%\n"
    )
    subprocess.run(["git", "add", "-A"], cwd=git_repo, check=True, env=env)
    code, out = _pre_commit(git_repo, env, "run", "--files", "okrs/2026/q3.md")
    assert code == 0 and "Passed" in out, out


def test_the_action_checks_writes_valid_sarif_and_annotates(git_repo, env):
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    install = next(s for s in steps if s.get("name") == "Install okr-coach")
    assert '"$ACTION_PATH"' in install["run"] and install["env"]["ACTION_PATH"] == "${{ github.action_path }}"

    defaults = {name: spec["default"] for name, spec in action["inputs"].items()}
    codes = []
    for step in steps:
        if "okr-coach check" not in step.get("run", ""):
            continue
        step_env = {k: v.replace("${{ inputs.", "").replace(" }}", "") for k, v in step["env"].items()}
        step_env = {k: defaults[v] for k, v in step_env.items()}
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=git_repo, env={**env, **step_env},
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        codes.append(proc.returncode)
        out = proc.stdout
    assert codes == [0, 1]  # the SARIF step never fails; the annotations step fails on findings
    assert "::error file=OKR.md,line=11,col=3," in out
    log = json.loads((git_repo / defaults["sarif-file"]).read_text())
    assert jsonschema_rs.validator_for(json.loads(SARIF_SCHEMA.read_text())).is_valid(log)
    assert log["runs"][0]["results"]


def _readme_yaml(marker: str) -> dict:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S) if marker in b]
    assert len(blocks) == 1, marker
    return yaml.safe_load(blocks[0])


def test_the_readme_gitlab_job_writes_a_junit_report(git_repo, env):
    from junitparser import JUnitXml

    job = _readme_yaml("reports:")["okr-coach"]
    for line in job["script"]:
        if line.startswith("pip install"):
            continue  # okr-coach is installed here already
        subprocess.run(["bash", "-c", line], cwd=git_repo, env=env, timeout=120)
    report = JUnitXml.fromfile(str(git_repo / job["artifacts"]["reports"]["junit"]))
    assert report.failures > 0 and {s.name for s in report} >= {"OKR.md", "okrs/2026/q1.md"}


def test_the_readme_action_step_uses_the_actions_inputs():
    steps = _readme_yaml("security-events: write")["steps"]
    (step,) = [s for s in steps if "okr-coach@" in s["uses"]]
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(step["with"]) <= set(action["inputs"])
