"""The fixture repository end to end through `coach.lint.check`: what is found, where,
and what config, per-file ignores and inline suppressions take away."""

import re
from pathlib import Path

import pytest

from coach.errors import UnknownRuleError
from coach.lint.check import check
from coach.lint.config import find_config, load_settings
from coach.pipeline import review


def _run(repo, **overrides):
    settings = load_settings(find_config(repo)).with_overrides(**overrides)
    return check([Path(".")], settings, keep_reviews=True)


def _at(result):
    return {(p.path, p.line, p.code) for p in result.problems}


def test_finds_every_okr_file_in_the_fixture_and_nothing_else(repo):
    result = _run(repo)
    assert sorted(result.files) == [
        "OKR.md",
        "data/okr-export.json",
        "data/sales-okrs.csv",
        "okrs/2026/q1.md",
        "okrs/archive/2025-q4.md",
        "platform/platform-okrs.yaml",
        "teams/growth/OKRs.md",
    ]
    assert result.errors == []


def test_findings_carry_the_line_and_column_of_their_item(repo):
    result = _run(repo)
    got = {(p.path, p.line, p.col, p.code) for p in result.problems}
    assert ("OKR.md", 11, 3, "KR01") in got  # "- Launch the new help-center search"
    assert ("OKR.md", 13, 18, "OB01") in got  # "### Objective 2: Delight our customers"
    assert ("okrs/2026/q1.md", 4, 6, "KR01") in got  # "KR3: Migrate ..."
    assert ("teams/growth/OKRs.md", 9, 17, "KR02") in got  # "  - [ ] KR 2.1: Improve onboarding"
    assert ("platform/platform-okrs.yaml", 17, 9, "KR01") in got  # second YAML document
    assert ("data/okr-export.json", 7, 18, "KR01") in got
    assert ("data/sales-okrs.csv", 3, 8, "KR01") in got
    lines = (repo / "OKR.md").read_text().splitlines()
    p = next(p for p in result.problems if (p.path, p.code) == ("OKR.md", "KR01"))
    assert lines[p.line - 1][p.col - 1 : p.end_col - 1] == "Launch the new help-center search"


def test_a_file_with_one_set_gets_exactly_the_reviews_findings(repo):
    text = (repo / "okrs/2026/q1.md").read_text()
    expected = sorted((f.span.line, f.rule_id) for f in review(text, mode="rules").findings)
    result = _run(repo)
    got = sorted((p.line, p.code) for p in result.problems if p.path == "okrs/2026/q1.md")
    assert got == expected


def test_inline_suppressions_silence_their_line_or_the_line_below(repo):
    found = _at(_run(repo))
    silenced = {("OKR.md", 16, "KR04"),  # comment on the line above
                ("OKR.md", 24, "KR01"),  # comment at the end of the line
                ("platform/platform-okrs.yaml", 8, "KR01")}  # YAML comment
    assert not silenced & found
    # without the comments the findings are there, on the same lines
    for name in ("OKR.md", "platform/platform-okrs.yaml"):
        text = (repo / name).read_text()
        text = re.sub(r"<!-- okr-coach: ignore \w+ -->|# okr-coach: ignore.*", "", text)
        (repo / name).write_text(text)
    assert silenced <= _at(_run(repo))


def test_unused_suppressions_are_reported_where_they_are_written(repo):
    unused = {(p.path, p.line, p.message) for p in _run(repo).problems if p.code == "LN01"}
    assert unused == {
        ("OKR.md", 25, "unused suppression: no finding of KR03 on line 25"),
        ("platform/platform-okrs.yaml", 15, "unused suppression: no finding of KR04 on line 16"),
    }
    assert not any(p.code == "LN01" for p in _run(repo, ignore=("LN01",)).problems)


def test_per_file_ignores_from_the_config_by_id_or_name(repo):
    assert not [p for p in _run(repo).problems if p.path == "okrs/archive/2025-q4.md"]
    (repo / "pyproject.toml").write_text((repo / "pyproject.toml").read_text().split("[tool.okr-coach.per")[0])
    codes = {p.code for p in _run(repo).problems if p.path == "okrs/archive/2025-q4.md"}
    assert {"KR01", "KR04"} <= codes


def test_each_quarter_under_its_heading_is_a_set_of_its_own(repo):
    result = _run(repo)
    titles = {p.set_title for p in result.problems if p.path == "OKR.md" and p.code != "LN01"}
    assert titles == {"2026 Q1"}
    assert [u.title for u, _ in result.reviews if u.path.name == "OKR.md"] == ["2026 Q1", "2026 Q2"]
    # A set-level rule counts each quarter apart: Q1 has 2 objectives, Q2 one, the file 3.
    (repo / "two.yaml").write_text("extends: default\nrules:\n  ST01: {params: {max: 2}}\n")
    assert "ST01" in {f.rule_id for f in review((repo / "OKR.md").read_text(), rubric=repo / "two.yaml").findings}
    assert "ST01" not in {p.code for p in _run(repo, rubric=str(repo / "two.yaml")).problems}
    (repo / "one.yaml").write_text("extends: default\nrules:\n  ST01: {params: {max: 1}}\n")
    st01 = [p for p in _run(repo, rubric=str(repo / "one.yaml")).problems if p.code == "ST01"]
    # a finding on the whole set points at its heading
    assert [(p.path, p.line, p.set_title) for p in st01 if p.path == "OKR.md"] == [("OKR.md", 5, "2026 Q1")]


def test_select_and_ignore_reach_the_pipeline(repo):
    assert {p.code for p in _run(repo, select=("KR01",)).problems} == {"KR01"}
    assert "KR01" not in {p.code for p in _run(repo, ignore=("task-as-key-result",)).problems}
    assert {p.code for p in _run(repo, select=("LN01",)).problems} == {"LN01"}
    with pytest.raises(UnknownRuleError):
        _run(repo, select=("KR99",))


def test_a_file_that_cannot_be_read_is_an_input_error_and_the_rest_is_still_checked(repo):
    (repo / "okrs" / "2026" / "q2.md").write_bytes(b"\x00\x01binary")
    (repo / "platform" / "broken-okrs.yaml").write_text("objectives:\n  - text: [unclosed\n")
    result = _run(repo)
    assert {(e.path, e.line) for e in result.errors} == {("okrs/2026/q2.md", 1), ("platform/broken-okrs.yaml", 3)}
    assert ("OKR.md", 11, "KR01") in _at(result)


def test_files_are_checked_a_chunk_at_a_time_with_the_same_result(repo, monkeypatch):
    import coach.lint.check as module

    whole = _run(repo)
    monkeypatch.setattr(module, "CHUNK", 2)
    chunked = _run(repo)
    assert chunked.problems == whole.problems and chunked.files == whole.files
    assert not check([Path(".")], load_settings(find_config(repo))).reviews  # kept only when asked
