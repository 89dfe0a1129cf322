"""`okr-coach check` as a user and a hook run it: a real process in a copy of the fixture
repository, real exit codes, errors on one line."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "lint" / "fixtures" / "repo"


@pytest.fixture
def repo(tmp_path):
    dest = tmp_path / "repo"
    shutil.copytree(FIXTURE, dest)
    return dest


def run(cwd, *args):
    proc = subprocess.run([sys.executable, "-m", "coach", "check", *args], capture_output=True,
                          cwd=cwd, timeout=120)  # fmt: skip
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_exit_1_with_findings_at_or_above_fail_on_and_0_below(repo):
    code, out, err = run(repo)
    assert code == 1 and err == ""
    assert "OKR.md:11:3: KR01 " in out
    code, out, _ = run(repo, "--select", "KR05", "okrs/2026/q1.md")  # an info finding only
    assert out.startswith("okrs/2026/q1.md:7:6: KR05 ")
    assert code == 0  # the config says fail-on warning
    assert run(repo, "--select", "KR05", "--fail-on", "info", "okrs/2026/q1.md")[0] == 1
    assert run(repo, "--fail-on", "never")[0] == 0


def test_a_named_file_is_checked_whatever_its_name_unless_excluded(repo):
    (repo / "notes.md").write_text("Objective: Grow revenue\nKR: Launch the new pricing page\n")
    code, out, _ = run(repo, "notes.md")
    assert code == 1 and "\nnotes.md:2:5: KR01 " in out
    code, out, _ = run(repo, "vendor/acme/OKR.md")
    assert code == 0 and "All checked: 0 files" in out


def test_usage_and_input_errors_exit_2_on_one_line_without_a_traceback(repo):
    code, _, err = run(repo, "--select", "KR99")
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: Unknown rule 'KR99'")
    code, _, err = run(repo, "no/such/dir")
    assert code == 2 and err == "error: no/such/dir: no such file or folder\n"
    (repo / "okrs" / "empty.md").write_text("\n")
    code, out, err = run(repo)
    assert code == 2 and "KR01" in out  # the other files are still checked
    assert err == "okrs/empty.md:1:1: error: the draft is empty: paste your objectives and key results, one per line\n"
    assert "Traceback" not in err


def test_invalid_config_exits_2_naming_the_file_and_the_key(repo):
    (repo / ".okr-coach.toml").write_text('fail-on = "sometimes"\n')
    code, _, err = run(repo)
    assert code == 2
    assert err == f"error: {repo / '.okr-coach.toml'}: fail-on: expected one of error, warning, info, never, got 'sometimes'\n"
    (repo / ".okr-coach.toml").write_text("fail-on = \n")
    code, _, err = run(repo)
    assert code == 2 and "invalid TOML" in err and err.count("\n") == 1


def test_show_settings_reports_the_config_file_and_command_line_overrides(repo):
    code, out, _ = run(repo, "--show-settings", "--ignore", "KR05")
    assert code == 0
    assert f"# settings from {repo / 'pyproject.toml'}" in out
    assert 'fail-on = "warning"' in out and 'ignore = ["KR05"]' in out
    assert 'per-file-ignores = {"okrs/archive/**" = ["KR01", "missing-baseline"]}' in out


def test_statistics_counts_per_rule(repo):
    code, out, _ = run(repo, "--statistics")
    rows = [line.split("\t") for line in out.splitlines() if "\t" in line]
    counts = {code: int(n) for n, code, _ in rows}
    _, data, _ = run(repo, "--output-format", "json")
    assert counts == json.loads(data)["statistics"]
    _, data, _ = run(repo, "--statistics", "--output-format", "json")
    assert {r["code"]: r["count"] for r in json.loads(data)} == counts


def test_output_format_from_the_config(repo):
    (repo / ".okr-coach.toml").write_text('output-format = "github"\n')
    _, out, _ = run(repo, "OKR.md")
    assert out.startswith("::error file=OKR.md,line=11,col=3,")


def test_a_rules_only_check_imports_no_model_client_template_engine_web_or_store(tmp_path):
    """What makes a hook slow to start: none of it is imported for `check` (rules-only)."""
    (tmp_path / "OKR.md").write_text((FIXTURE / "okrs" / "2026" / "q1.md").read_text())
    probe = (
        "import sys\n"
        "from coach.cli import app\n"
        "try:\n"
        "    app(['check', 'OKR.md'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    loaded = set(proc.stdout.split())
    assert "coach.pipeline" in loaded and "coach.lint.check" in loaded
    heavy = {"openai", "httpx", "jinja2", "rich", "fastapi", "sqlalchemy", "pydantic_settings", "wcmatch",
             "coach.llm", "coach.web", "coach.store", "coach.prompting", "coach.merge", "coach.batch"}  # fmt: skip
    assert heavy & loaded == set()


def test_with_no_model_hybrid_says_it_is_rules_only_and_llm_is_a_usage_error(repo):
    code, out, _ = run(repo, "--mode", "hybrid", "okrs/2026/q1.md")
    assert code == 1 and "okrs/2026/q1.md:4:6: KR01 " in out
    assert out.splitlines()[-1].startswith("note: rules-only review: no LLM configured; set OKR_COACH_LLM_MODEL")
    code, out, err = run(repo, "--mode", "llm", "okrs/2026/q1.md")
    assert code == 2 and out == "" and err.startswith("error: mode 'llm' needs a language model") and err.count("\n") == 1


def test_sarif_points_outside_the_current_folder_with_file_uris(repo, tmp_path):
    other = tmp_path / "elsewhere" / "OKR.md"
    other.parent.mkdir()
    other.write_text("Objective: Grow revenue\nKR: Launch the new pricing page\n")
    _, out, _ = run(repo, str(other), "--output-format", "sarif")
    location = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": other.as_uri()}
