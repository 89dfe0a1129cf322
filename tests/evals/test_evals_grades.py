"""Grades of rewrites (evals/grades/): keyed by item and rewrite text, the usable share, the
ungraded listed and written as a template, and filed back without the real drafts' text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import cli, write_tiny_realworld

from coach.errors import ConfigError
from coach.evals import run_eval
from coach.evals.grades import (
    GradeRecord,
    TemplateLine,
    add_grades,
    item_id,
    load_grades,
    shares_text,
    text_hash,
    write_grades,
)

# Invented: three KRs the rules rewrite (each is missing its baseline).
SET = {"id": "g-1", "objectives": [{
    "text": "Grow self-serve revenue in the Nordics", "labels": [],
    "key_results": [
        {"text": "Increase NPS to 50", "labels": ["no_baseline"]},
        {"text": "Activation rate 45%", "labels": ["no_baseline"]},
        {"text": "Trial-to-paid conversion of 12%", "labels": ["no_baseline"]},
    ]}]}


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "mini.jsonl"
    path.write_text(json.dumps(SET) + "\n")
    return path


def _rewrites(path: Path) -> dict[str, str]:
    report = run_eval([path])
    return {f"g-1/{i.target}": i.text for _, i in report.rewrite_items()}


def test_ids_and_hashes():
    assert item_id("g-1", 0, 2) == "g-1/O1.KR3"
    assert text_hash("Increase  NPS\nto 50") == text_hash("Increase NPS to 50") != text_hash("Increase NPS to 51")


@pytest.mark.parametrize("text, sources, shared", [
    ("Increase NPS from [current NPS] to 50", ["Get an NPS of 50 this year"], False),
    ("Increase the NPS of our users from [x] to 50", ["Get an NPS of our users up"], True),  # "nps of our"
    ("Reduce churn from [x] to [y]", ["Churn"], True),  # all of a one-word draft
])
def test_shares_text(text, sources, shared):
    assert shares_text(text, sources) is shared


def test_usable_share_and_ungraded(dataset, tmp_path):
    texts = _rewrites(dataset)
    assert len(texts) == 3, texts
    grades = tmp_path / "grades"
    records = {
        "g-1/O1.KR1": GradeRecord(id="g-1/O1.KR1", sha256=text_hash(texts["g-1/O1.KR1"]), grade="good", reason="r"),
        "g-1/O1.KR2": GradeRecord(id="g-1/O1.KR2", sha256=text_hash(texts["g-1/O1.KR2"]), grade="bad", reason="r"),
        # Graded on another text: the rewrite changed since, so it is ungraded.
        "g-1/O1.KR3": GradeRecord(id="g-1/O1.KR3", sha256=text_hash("an older rewrite"), grade="good", reason="r"),
    }
    write_grades(grades / "mini.jsonl", records)
    report = run_eval([dataset], grades=grades)
    g = report.rewrites.grades
    assert (g.graded, g.good, g.bad, g.ungraded, g.usable_share) == (2, 1, 1, 1, 0.5)
    assert report.per_dataset["mini"].grades.ungraded == 1
    assert report.metrics()["rewrites.usable_share"] == 0.5 and report.metrics()["rewrites.ungraded"] == 1
    by_target = {i.target: i for _, i in report.rewrite_items()}
    assert by_target["O1.KR2"].reason == "r" and by_target["O1.KR3"].grade is None
    # No grades file for a data set: not graded, nothing counted as ungraded.
    assert run_eval([dataset], grades=tmp_path / "none").rewrites.grades is None


def test_a_bad_grades_file_names_the_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a/O1.KR1", "sha256": "x", "grade": "fine", "reason": "r"}\n')
    with pytest.raises(ConfigError, match=r"x.jsonl:1: grade"):
        load_grades(path)
    line = '{"id": "a/O1.KR1", "sha256": "x", "grade": "good", "reason": "r"}\n'
    path.write_text(line * 2)
    with pytest.raises(ConfigError, match=r"x.jsonl:2: a/O1.KR1 is graded twice"):
        load_grades(path)
    assert load_grades(tmp_path / "missing.jsonl") == {}


def _line(**kw) -> dict:
    base = {"dataset": "okrs", "id": "r-1/O1.KR1", "sha256": text_hash(kw.get("rewrite", "x")), "private": True,
            "objective": "Win the mid-market segment in DACH", "kr": "Sign 12 new mid-market logos in DACH",
            "rewrite": "x", "grade": "good", "reason": "fine"}
    return {**base, **kw}


def test_filing_keeps_no_real_drafts_text(tmp_path):
    quoting = "Increase new mid-market logos in DACH from [current logos] to 12"
    own = "Increase NPS from [current NPS] to 50"
    template = tmp_path / "filled.jsonl"
    rows = [_line(rewrite=quoting, sha256=text_hash(quoting)),
            _line(id="r-1/O1.KR2", rewrite=own, sha256=text_hash(own), grade="Acceptable"),
            _line(id="r-1/O1.KR3", grade=""),  # left for later
            _line(dataset="test", id="t-1/O1.KR1", private=False, rewrite=quoting, grade="bad", reason="why")]
    template.write_text("".join(json.dumps(r) + "\n" for r in rows))
    counts = add_grades(template, tmp_path / "grades")
    assert sorted(counts.values()) == [1, 2]
    kept = load_grades(tmp_path / "grades" / "okrs.jsonl")
    assert set(kept) == {"r-1/O1.KR1", "r-1/O1.KR2"}
    assert kept["r-1/O1.KR1"].rewrite is None and kept["r-1/O1.KR1"].sha256 == text_hash(quoting)
    assert kept["r-1/O1.KR2"].rewrite == own and kept["r-1/O1.KR2"].grade == "acceptable"
    assert "mid-market logos" not in (tmp_path / "grades" / "okrs.jsonl").read_text()
    assert load_grades(tmp_path / "grades" / "test.jsonl")["t-1/O1.KR1"].rewrite == quoting  # our own text
    # A new grade of an item replaces the old one.
    template.write_text(json.dumps(_line(rewrite=quoting, sha256=text_hash(quoting), grade="bad", reason="no")) + "\n")
    add_grades(template, tmp_path / "grades")
    assert load_grades(tmp_path / "grades" / "okrs.jsonl")["r-1/O1.KR1"].grade == "bad"


@pytest.mark.parametrize("row, message", [
    (_line(grade="great"), "use good, acceptable or bad"),
    (_line(reason=" "), "say why"),
    (_line(reason="it keeps Sign 12 new logos"), "quotes the real draft"),
    (_line(dataset="../escape"), "not a file name"),
])
def test_filing_refuses_a_bad_line(tmp_path, row, message):
    template = tmp_path / "filled.jsonl"
    template.write_text(json.dumps(row) + "\n")
    with pytest.raises(ConfigError, match=message):
        add_grades(template, tmp_path / "grades")


def test_the_cli_writes_a_template_and_files_it_back(dataset, tmp_path):
    grades, out = tmp_path / "grades", tmp_path / "todo.jsonl"
    first = cli("eval", "-d", str(dataset), "--grades", str(grades), "--grade-template", str(out), "-f", "json")
    assert first.exit_code == 0, first.output
    lines = [TemplateLine.model_validate_json(x) for x in out.read_text().splitlines()]
    assert [x.id for x in lines] == ["g-1/O1.KR1", "g-1/O1.KR2", "g-1/O1.KR3"]
    assert all(x.grade == "" and not x.private and x.kr and x.rewrite for x in lines)
    out.write_text("".join(x.model_copy(update={"grade": "good", "reason": "ok"}).model_dump_json() + "\n"
                           for x in lines))
    second = cli("eval", "-d", str(dataset), "--grades", str(grades), "--add-grades", str(out), "-f", "json")
    assert second.exit_code == 0, second.output
    graded = json.loads(second.stdout)["rewrites"]["grades"]
    assert (graded["graded"], graded["ungraded"], graded["usable_share"]) == (3, 0, 1.0)
    bad = cli("eval", "-d", str(dataset), "--add-grades", str(tmp_path / "nope.jsonl"))
    assert bad.exit_code == 2 and "cannot read" in bad.output


def test_the_real_drafts_template_lines_are_marked_private(dataset, tmp_path):
    realworld = write_tiny_realworld(tmp_path)
    out = tmp_path / "todo.jsonl"
    run = cli("eval", "-d", str(dataset), "--grades", str(tmp_path / "grades"), "--grade-template", str(out),
              env={"OKR_COACH_REALWORLD": str(realworld)})
    assert run.exit_code == 0, run.output
    lines = [TemplateLine.model_validate_json(x) for x in out.read_text().splitlines()]
    assert {x.dataset for x in lines if x.private} == {"okrs"}
    assert {x.dataset for x in lines if not x.private} == {"mini"}


ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_grades_read_and_keep_no_real_drafts_text():
    """evals/grades/ loads, and the real drafts' file (okrs.jsonl) keeps neither a rewrite
    nor a reason that quotes the draft it grades (checked where the drafts are present)."""
    folder = ROOT / "evals" / "grades"
    files = sorted(folder.glob("*.jsonl"))
    assert files, "no grades committed"
    for path in files:
        assert load_grades(path)
    drafts = ROOT.parent / "shared" / "realworld" / "okrs.jsonl"
    if not drafts.is_file():
        pytest.skip("../shared/realworld/okrs.jsonl is not on this machine")
    from coach.datasets import load_dataset

    sets = {e.id: e for e in load_dataset(drafts)}
    for record in load_grades(folder / "okrs.jsonl").values():
        set_id, _, target = record.id.rpartition("/")
        oi, ki = (int(x) - 1 for x in target[1:].split(".KR"))
        obj = sets[set_id].objectives[oi]
        sources = [obj.text, obj.key_results[ki].text]
        assert not shares_text(record.reason, sources), record.id
        assert record.rewrite is None or not shares_text(record.rewrite, sources), record.id
