"""The CLI as a user runs it: a real process, real files, real exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "draft.md"


def run(*args, stdin: bytes | None = None):
    proc = subprocess.run(
        [sys.executable, "-m", "coach", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_review_text_shows_findings_why_and_rewrites():
    code, out, _ = run("review", str(EXAMPLE))
    assert code == 1  # error-level findings exist
    assert "KR01 task-as-key-result" in out and "why:" in out and "→" in out
    assert "Delight our customers" in out


def test_review_text_and_markdown_show_asks_apart_from_rewrites():
    """A flagged KR the coach would be guessing about needs the author's input: shown as that,
    with its questions and candidate metrics, never as a rewrite, and counted apart."""
    _, data, _ = run("review", str(EXAMPLE), "--format", "json", "--fail-on", "never")
    review = json.loads(data)
    rewrites, asks = len(review["rewrites"]), len(review["asks"])
    assert rewrites and asks
    _, out, _ = run("review", str(EXAMPLE))
    assert out.count("? needs your input") == asks and out.count("          → ") == rewrites
    assert f"rewrites: {rewrites}, needs your input: {asks}" in out
    ask = review["asks"][0]
    assert all(q in out for q in ask["questions"])
    assert all(f"or measure {c['metric']}" in out for c in ask["candidates"])
    _, md, _ = run("review", str(EXAMPLE), "--format", "markdown")
    assert md.count("**Needs your input**") == asks and md.count("**Suggested:**") == rewrites
    assert f"rewrites: {rewrites}, needs your input: {asks}" in md
    assert all(f"*Or measure* **{c['metric']}**" in md for c in ask["candidates"])


def test_review_json_is_the_review_shape():
    code, out, _ = run("review", str(EXAMPLE), "--format", "json", "--fail-on", "never")
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["objectives"] == 2 and data["rewrites"]


def test_review_markdown_from_stdin():
    code, out, _ = run("review", "-", "--format", "markdown", stdin=EXAMPLE.read_bytes())
    assert code == 1 and out.startswith("# OKR review") and "Suggested" in out


def test_clean_draft_exits_zero():
    clean = b"Objective: Cut onboarding time for new hires\nKR: Reduce time to first commit from 10 to 3 days\nKR: Increase week-1 activation from 40% to 60%\n"
    assert run("review", "-", stdin=clean)[0] == 0


def test_fail_on_warning_is_stricter():
    draft = b"Objective: Cut onboarding time for new hires\nKR: Reduce time to first commit to 3 days\nKR: Increase week-1 activation from 40% to 60%\n"
    assert run("review", "-", stdin=draft)[0] == 0
    assert run("review", "-", "--fail-on", "warning", stdin=draft)[0] == 1


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty", b"", "empty"),
        ("binary", bytes(range(256)) * 40, "binary"),
        ("huge", b"Objective: Grow\n" + b"- Increase NPS from 1 to 2\n" * 200_000, "limit"),
        ("csv-missing-columns", b"team,owner\nsales,ann\n", "key"),
        ("json-wrong-shape", b'{"objectives": [{"title": "x"}]}', "objectives[0]"),
        ("json-broken", b'{"objectives": [', "line"),
    ],
)
def test_bad_input_is_a_clear_error_with_exit_2(tmp_path, name, data, message):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    code, out, err = run("review", str(path))
    assert code == 2, (out, err)
    assert message.lower() in err.lower()
    assert "Traceback" not in err + out


def test_missing_file_and_bad_option_exit_2():
    code, _, err = run("review", "no-such-file.md")
    assert code == 2 and "no such file" in err
    assert run("review", str(EXAMPLE), "--format", "yaml")[0] == 2


def test_rules_and_explain():
    code, out, _ = run("rules")
    assert code == 0 and "KR01" in out and "ST04" in out
    code, out, _ = run("explain", "KR04")
    assert code == 0
    for heading in ("What it flags", "Why is this bad?", "Example", "Use instead", "Options"):
        assert f"## {heading}" in out
    code, _, err = run("explain", "KR99")
    assert code == 2 and "Unknown rule" in err


def test_custom_rubric_from_the_command_line(tmp_path):
    rubric = tmp_path / "r.yaml"
    rubric.write_text(
        "rules:\n  KR01: {enabled: false}\n  OB01: {enabled: false}\n  KR02: {severity: info}\n"
    )
    code, out, _ = run("review", str(EXAMPLE), "--rubric", str(rubric), "--format", "json")
    ids = {f["rule_id"] for f in json.loads(out)["findings"]}
    assert "KR01" not in ids and "OB01" not in ids and code == 0


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path):
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "OKR_COACH_DATA_DIR": str(tmp_path)}
        proc = subprocess.run(
            [sys.executable, "-m", "coach", "serve", "--port", str(port)],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"error: 127.0.0.1:{port} is already in use (another okr-coach, or another program); "
        f"start on another port: okr-coach serve --port {port + 1}"
    )


def test_version():
    code, out, _ = run("--version")
    from coach import __version__

    assert code == 0 and out == f"okr-coach {__version__}\n"


def test_shell_completion_is_typers():
    import os

    script = str(Path(sys.executable).with_name("okr-coach"))
    code, out, _ = run("--help")
    assert code == 0 and "--install-completion" in out and "--show-completion" in out
    shown = subprocess.run([script, "--show-completion", "bash"], capture_output=True, text=True, timeout=60)
    assert "complete -o default -F _okr_coach_completion okr-coach" in shown.stdout
    # what bash asks for when the user types `okr-coach ch<TAB>`, and `okr-coach check --out<TAB>`
    env = {**os.environ, "_OKR_COACH_COMPLETE": "complete_bash"}
    asked = subprocess.run([script], capture_output=True, text=True, timeout=60,
                           env={**env, "COMP_WORDS": "okr-coach ch", "COMP_CWORD": "1"})  # fmt: skip
    assert asked.stdout.split() == ["check"]
    asked = subprocess.run([script], capture_output=True, text=True, timeout=60,
                           env={**env, "COMP_WORDS": "okr-coach check --output-f", "COMP_CWORD": "2"})  # fmt: skip
    assert asked.stdout.split() == ["--output-format"]


def test_usage_errors_are_not_boxed_or_wrapped_when_stderr_is_no_terminal():
    code, _, err = run("check", "--output-format", "xml-but-with-a-name-long-enough-to-wrap-at-eighty-columns")
    assert code == 2
    assert "╭" not in err and "│" not in err
    (error,) = [line for line in err.splitlines() if line.startswith("Error:")]
    assert "'xml-but-with-a-name-long-enough-to-wrap-at-eighty-columns' is not one of" in error


def test_worker_without_postgresql_is_a_clear_error_with_exit_2(tmp_path):
    import os

    env = {**os.environ, "OKR_COACH_DATA_DIR": str(tmp_path / "data")}
    for queue, message in (("auto", "the worker needs the queue"), ("queue", "needs PostgreSQL")):
        proc = subprocess.run(
            [sys.executable, "-m", "coach", "worker"],
            env={**env, "OKR_COACH_BATCH_QUEUE": queue},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_serve_never_prints_a_redis_password():
    from coach.cli import _without_password

    assert _without_password("redis://:s3cret@cache.internal:6380/2") == "redis://cache.internal:6380/2"
    assert _without_password("rediss://user:pw@cache/0") == "rediss://cache/0"
