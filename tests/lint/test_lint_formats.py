"""Every output format of `okr-coach check`, read back by what consumes it: SARIF by the
SARIF 2.1.0 schema, `github` by the workflow-command grammar, JUnit by junitparser."""

import json
import re
from pathlib import Path

import jsonschema_rs
import pytest
from junitparser import Error, Failure, JUnitXml

from coach.lint import formats
from coach.lint.check import check
from coach.lint.config import find_config, load_settings

SCHEMA = Path(__file__).parent / "sarif-schema-2.1.0.json"  # source: sarif-schema-2.1.0.md


@pytest.fixture
def result(repo):
    (repo / "okrs" / "2026" / "broken.md").write_bytes(b"\x00\x01")
    return check([Path(".")], load_settings(find_config(repo)), keep_reviews=True)


def test_sarif_is_valid_sarif_2_1_0_with_rule_help_from_the_rubric_docs(result):
    log = json.loads(formats.sarif(result))
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    errors = [e.message for e in validator.iter_errors(log)]
    assert errors == []
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    kr01 = next(r for r in rules if r["id"] == "KR01")
    assert "## Why is this bad?" in kr01["help"]["markdown"]
    assert kr01["name"] == "task-as-key-result"
    assert len(run["results"]) == len(result.problems)
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"]
    region = first["locations"][0]["physicalLocation"]["region"]
    p = result.problems[0]
    assert (region["startLine"], region["startColumn"]) == (p.line, p.col)
    assert run["invocations"][0]["executionSuccessful"] is False  # the broken file


def test_sarif_schema_rejects_what_is_not_sarif():
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid({"version": "2.1.0", "runs": [{"results": []}]})  # no tool


# ::warning file=...,line=1,col=2,endLine=1,title=...::message (no raw newline, % , or : in props)
_PROP = r"(?:[^,:%\r\n]|%25|%0D|%0A|%3A|%2C)*"
_COMMAND = re.compile(
    rf"^::(error|warning|notice) (?:file|line|col|endLine|endColumn|title)={_PROP}"
    rf"(?:,(?:file|line|col|endLine|endColumn|title)={_PROP})*::(?:[^%\r\n]|%25|%0D|%0A)*$"
)


def test_github_output_is_one_workflow_command_per_finding(result):
    lines = formats.github(result).splitlines()
    assert len(lines) == len(result.problems) + len(result.errors)
    for line in lines:
        assert _COMMAND.match(line), line
    p = result.problems[0]
    assert f"file={p.path},line={p.line},col={p.col}," in lines[0]
    levels = {line.split(" ", 1)[0] for line in lines}
    assert levels <= {"::error", "::warning", "::notice"} and "::error" in levels


def test_github_escapes_what_would_end_a_property_or_the_message(result):
    import dataclasses

    odd = dataclasses.replace(result.problems[0], path="a,b:c%.md", message="50% done\nnext")
    result.problems[:] = [odd]
    result.errors.clear()
    line = formats.github(result)
    assert "file=a%2Cb%3Ac%25.md" in line and line.endswith("::50%25 done%0Anext")
    assert _COMMAND.match(line)


def test_junit_reads_back_with_junitparser(result, tmp_path):
    path = tmp_path / "report.xml"
    path.write_text(formats.junit(result))
    xml = JUnitXml.fromfile(str(path))
    suites = {s.name: s for s in xml}
    assert set(suites) == set(result.files)
    failures = [r for s in xml for c in s for r in c.result if isinstance(r, Failure)]
    assert len(failures) == len(result.problems)
    errors = [r for s in xml for c in s for r in c.result if isinstance(r, Error)]
    assert [e.message for e in errors] == [result.errors[0].message]
    assert suites["okrs/archive/2025-q4.md"].failures == 0  # clean: one passing case
    assert suites["okrs/archive/2025-q4.md"].tests == 1


def test_json_lists_findings_errors_and_counts(result):
    doc = json.loads(formats.as_json(result))
    assert len(doc["findings"]) == len(result.problems)
    f = doc["findings"][0]
    assert {"filename", "line", "column", "end_line", "end_column", "code", "severity", "message"} <= set(f)
    assert doc["errors"][0]["filename"] == "okrs/2026/broken.md"
    assert sum(doc["statistics"].values()) == len(result.problems)


def test_text_is_path_line_col_code_message(result):
    lines = formats.text(result).splitlines()
    assert re.fullmatch(r"[\w./-]+:\d+:\d+: [A-Z]{2}\d{2} .+", lines[0])
    assert lines[-1].startswith("Found ") and lines[-1].endswith("(rules-only).")


def test_markdown_escapes_draft_text(result):
    import dataclasses

    result.problems[:] = [dataclasses.replace(result.problems[0], message="<img src=x> | **bold**")]
    out = formats.markdown(result)
    assert "\\<img src=x\\> \\| \\*\\*bold\\*\\*" in out  # inert: no HTML, no cell break


def test_full_prints_each_sets_review_under_its_file_and_heading(result):
    out = formats.full(result)
    assert "━━ OKR.md · 2026 Q1 (line 5)" in out and "━━ OKR.md · 2026 Q2 (line 19)" in out
    assert "why:" in out
