"""The `okr-coach` script (`coach.entry`): a plain `check` command line runs without Typer,
read exactly as Typer reads it; anything else is Typer's, as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from entry_probe import run_entry

from coach import entry
from coach.cli import app
from coach.lint.command import OPTIONS, parse_args, run

FIXTURE = Path(__file__).parent / "lint" / "fixtures" / "repo"


def _typer_check():
    return typer.main.get_command(app).commands["check"]


def _typer_reading(argv: list[str]) -> dict:
    params = _typer_check().make_context("check", list(argv)).params
    return {k: (None if v == () else v) for k, v in params.items()}


def _fast_reading(argv: list[str]) -> dict | None:
    kwargs = parse_args(argv)
    if kwargs is None:
        return None
    full = {key: (False if kind == "flag" else None) for key, kind, _ in OPTIONS.values()}
    return {**full, "paths": None, **kwargs}


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["OKR.md"],
        ["OKR.md", "okrs", "-"],
        ["--output-format", "json", "OKR.md"],
        ["OKR.md", "--output-format=sarif", "--fail-on", "warning"],
        ["--select", "KR01", "--select=KR02", "--ignore", "OB01", "a.md", "b.yaml"],
        ["--rubric", "custom.yaml", "--mode", "rules", "--config", "sub/pyproject.toml"],
        ["--include", "**/*.md", "--include=goals/*.md", "--exclude", "vendor", "--exclude=node_modules"],
        ["--statistics", "--show-settings", "."],
        ["--select", "a=b", "x"],
        ["--", "--select", "-"],
        ["x.md", "--", "y.md"],
        ["--mode", "hybrid", "--fail-on=never", "--output-format", "github"],
    ],
)
def test_a_plain_check_command_line_is_read_as_typer_reads_it(argv):
    assert _fast_reading(argv) == _typer_reading(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["OKR.md", "--help"],
        ["-h"],
        ["--output-format", "xml"],
        ["--output-format", "JSON"],  # Typer's choices are case-sensitive: its error, its words
        ["--fail-on"],
        ["--statistics=yes"],
        ["--statistics", "--statistics"],
        ["--mode", "rules", "--mode", "llm"],
        ["--select", "--ignore"],
        ["--select="],
        [""],
        ["--", ""],
        ["--version"],
        ["--outputformat", "json"],
        ["--output", "json"],  # no abbreviations in click either
        ["-1"],
    ],
)
def test_anything_less_plain_is_left_to_typer(argv):
    assert parse_args(argv) is None


def test_the_plain_reading_knows_every_option_of_the_typer_command():
    typer_options = {}
    for param in _typer_check().params:
        if param.param_type_name != "option":
            assert param.name == "paths"
            continue
        kind = "flag" if param.is_flag else "many" if param.multiple else "one"
        typer_options[param.opts[0]] = (param.name, kind, param.type_descriptor.annotation)
        assert param.opts == [param.opts[0]] and not param.secondary_opts and param.envvar is None
        assert param.type_descriptor.parameter_info.case_sensitive
    ours = {
        opt: (key, kind, bool if kind == "flag" else list[convert] if kind == "many" else convert)
        for opt, (key, kind, convert) in OPTIONS.items()
    }
    assert ours == typer_options


def test_echo_writes_what_typer_echo_writes(capsys):
    for text in ["plain", "a \x1b[1mbold\x1b[0m word", "", "ünïcode ✓"]:
        typer.echo(text)
        typer.echo(text, err=True)
        theirs = capsys.readouterr()
        entry.echo(text)
        entry.echo(text, err=True)
        assert capsys.readouterr() == theirs


def test_run_returns_the_exit_code_and_the_command_raises_it(tmp_path, monkeypatch):
    (tmp_path / "OKR.md").write_text("Objective: Grow revenue\nKR: Launch the new pricing page\n")
    monkeypatch.chdir(tmp_path)
    lines: list[tuple[str, bool]] = []
    assert run(lambda m, err=False: lines.append((m, err)), [Path("OKR.md")]) == 1
    assert "\nOKR.md:2:5: KR01 " in lines[0][0] and not lines[0][1]
    assert run(lambda m, err=False: None, [Path("nowhere.md")]) == 2


def _modules_after(argv: list[str], cwd: Path, env: dict | None = None) -> set[str]:
    return run_entry(argv, cwd, env)[1]


def test_the_check_entry_imports_no_cli_framework_model_client_template_engine_web_or_store(tmp_path):
    """What makes a hook slow to start: none of it is imported by `okr-coach check FILE`."""
    (tmp_path / "OKR.md").write_text((FIXTURE / "okrs" / "2026" / "q1.md").read_text())
    loaded = _modules_after(["check", "OKR.md"], tmp_path)
    assert "coach.pipeline" in loaded and "coach.lint.check" in loaded
    heavy = {"typer", "click", "rich", "openai", "httpx", "jinja2", "fastapi", "starlette", "sqlalchemy",
             "alembic", "psycopg", "pydantic_settings", "prometheus_client", "wcmatch", "procrastinate",
             "coach.cli", "coach.llm", "coach.web", "coach.store", "coach.prompting", "coach.merge",
             "coach.batch", "coach.metrics"}  # fmt: skip
    assert heavy & loaded == set()


def test_help_and_completion_still_go_to_typer(tmp_path):
    assert "typer" in _modules_after(["check", "--help"], tmp_path)
    assert "typer" in _modules_after(["check", "--output-format", "xml"], tmp_path)
    env = {**__import__("os").environ, "_OKR_COACH_COMPLETE": "complete_bash", "COMP_WORDS": "okr-coach check --out",
           "COMP_CWORD": "2"}  # fmt: skip
    assert "typer" in _modules_after(["check"], tmp_path, env)


def test_version_alone_is_printed_without_typer_as_typer_prints_it(tmp_path):
    from coach import __version__

    probe = "import sys; sys.argv = ['okr-coach', '--version']; from coach.entry import main; main()"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)  # fmt: skip
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"okr-coach {__version__}\n", "")
    assert not {"typer", "click", "coach.cli"} & _modules_after(["--version"], tmp_path)
    assert "typer" in _modules_after(["--version", "check"], tmp_path)
