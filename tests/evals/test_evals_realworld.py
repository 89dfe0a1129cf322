"""The real drafts beside the data sets: found or skipped with a note, scored per origin and
kind of source, kept out of the baseline's text, and gated only once the baseline has them.

Every file here is invented (eval_helpers.TINY_REALWORLD): the real file's text never
enters the project.
"""

from __future__ import annotations

import json

import pytest
from eval_helpers import DATASETS, TINY_REALWORLD, cli, write_tiny_realworld

from coach.cli_eval import EXIT_OK, EXIT_REGRESSION
from coach.evals import run_eval, run_suite
from coach.evals.realworld import DEFAULT, locate


@pytest.fixture
def realworld(tmp_path, monkeypatch):
    path = write_tiny_realworld(tmp_path)
    monkeypatch.setenv("OKR_COACH_REALWORLD", str(path))
    return path


def test_scores_per_origin_and_source_kind_beside_the_whole(tmp_path):
    report = run_eval([write_tiny_realworld(tmp_path)])
    origin = report.slices["origin"]
    assert set(origin) == {"real", "example", "unset"}  # r-4 says no origin
    assert (origin["real"].examples, origin["real"].key_results) == (2, 4)
    assert (origin["example"].examples, origin["unset"].examples) == (1, 1)
    assert set(report.slices["source_kind"]) == {"team wiki page", "forum draft", "article", "unset"}
    # Each group's counts add up to the whole.
    for groups in report.slices.values():
        assert sum(g.examples for g in groups.values()) == report.examples
        assert sum(g.key_results for g in groups.values()) == report.key_results
        for label, whole in report.per_label.items():
            assert sum(g.per_label[label].tp for g in groups.values()) == whole.tp
    # A group where everything is right scores 1.0; macro-F1 there is over the labels present.
    assert origin["example"].micro_f1 == 1.0 and origin["example"].macro_f1 == 1.0
    assert origin["example"].per_label["aspiration"].support == 0


def test_aspiration_flagged_on_non_aspiration_objectives_is_a_metric(tmp_path):
    report = run_eval([write_tiny_realworld(tmp_path)])
    # Four objectives are labeled no slogan; "Be world class" among them is flagged.
    assert report.aspiration_false_flag_share == 0.25
    assert report.metrics()["aspiration.false_flag_share"] == 0.25
    assert report.slices["origin"]["real"].aspiration_false_flag_share == 0.5
    assert report.slices["source_kind"]["team wiki page"].aspiration_false_flag_share is None


def test_data_sets_without_origins_have_no_groups():
    assert run_eval([DATASETS / "dev-d.jsonl"]).slices == {}


def test_locate_the_file_or_say_why_not(tmp_path, monkeypatch):
    monkeypatch.delenv("OKR_COACH_REALWORLD")
    path, note = locate()
    assert DEFAULT.parts[-3:] == ("shared", "realworld", "okrs.jsonl")
    assert (path == DEFAULT) == DEFAULT.is_file()
    monkeypatch.setenv("OKR_COACH_REALWORLD", str(tmp_path / "nope.jsonl"))
    assert locate() == (None, f"real drafts skipped: {tmp_path / 'nope.jsonl'} not found "
                              f"(OKR_COACH_REALWORLD={tmp_path / 'nope.jsonl'})")
    monkeypatch.setenv("OKR_COACH_REALWORLD", "off")
    assert locate()[0] is None and "turns them off" in locate()[1]
    monkeypatch.setenv("OKR_COACH_REALWORLD", str(write_tiny_realworld(tmp_path)))
    assert locate()[0] == tmp_path / "okrs.jsonl"


def test_the_suite_runs_them_apart_and_rules_only_without_a_live_model(realworld):
    suite = run_suite([DATASETS / "dev-d.jsonl"], ["rules"], realworld=True)
    assert [r.examples for r in suite.runs] == [40]  # the data sets' scores are unchanged
    rw = suite.realworld
    assert rw.path == str(realworld) and len(rw.sha256) == 64
    assert [r.mode for r in rw.runs] == ["rules"] and rw.runs[0].examples == len(TINY_REALWORLD)
    assert "(4 sets, 6 KRs; rules mode)" in rw.note


def test_given_with_d_they_are_scored_once_with_the_data_sets(realworld):
    suite = run_suite([realworld], ["rules"], realworld=True)
    assert suite.realworld.runs == [] and "scored with the data sets" in suite.realworld.note
    assert set(suite.runs[0].slices["origin"]) == {"real", "example", "unset"}


def test_cli_skips_them_with_a_visible_note_when_absent(tmp_path):
    missing = tmp_path / "nowhere" / "okrs.jsonl"
    result = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), "-f", "json",
                 env={"OKR_COACH_REALWORLD": str(missing)})
    assert result.exit_code == EXIT_OK
    assert f"note: real drafts skipped: {missing} not found" in result.stderr
    assert json.loads(result.stdout)["realworld"]["runs"] == []
    table = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), env={"OKR_COACH_REALWORLD": str(missing)})
    assert "note: real drafts skipped" in table.output
    off = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), "-f", "json", "--no-realworld")
    assert json.loads(off.stdout)["realworld"] is None


def test_every_report_shows_them_per_origin(realworld, tmp_path):
    outs = [f"--out={tmp_path / name}" for name in ("e.json", "e.md", "e.html", "e.xml")]
    result = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), *outs)
    assert result.exit_code == EXIT_OK, result.output
    assert "real drafts · rules" in result.output and "origin: real" in result.output
    assert "aspiration flagged on non-aspiration objectives (share)" in result.output
    data = json.loads((tmp_path / "e.json").read_text())
    rw = data["realworld"]["runs"][0]
    assert rw["aspiration_false_flag_share"] == 0.25
    assert rw["slices"]["origin"]["real"]["examples"] == 2
    assert data["aspiration_false_flag_share"] is not None  # the data sets' own share
    md = (tmp_path / "e.md").read_text()
    assert "### Real drafts" in md and "| origin: real | 2 | 4 |" in md
    assert "| source kind: forum draft |" in md
    html = (tmp_path / "e.html").read_text()
    assert 'id="realworld-metrics"' in html and 'id="groups-realworld-rules"' in html
    assert "origin: example" in html
    assert 'name="eval.realworld.rules.metrics"' in (tmp_path / "e.xml").read_text()


def _baseline_with_realworld(tmp_path):
    path = tmp_path / "baseline.json"
    made = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), "--baseline", str(path), "--update-baseline")
    assert made.exit_code == EXIT_OK, made.output
    return path


def test_reported_not_gated_until_the_baseline_includes_them(realworld, tmp_path):
    path = tmp_path / "baseline.json"
    made = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), "--baseline", str(path),
               "--update-baseline", "--no-realworld")
    assert made.exit_code == EXIT_OK
    assert json.loads(path.read_text())["realworld"] is None
    result = cli("eval", "--baseline", str(path), "-f", "json")
    assert result.exit_code == EXIT_OK, result.output
    gate = json.loads(result.stdout)["gate"]
    assert gate["passed"] and [c["gated"] for c in gate["realworld"]] == [False]
    assert any("the baseline does not include them yet" in n for n in gate["notes"])


def test_the_baseline_keeps_their_scores_but_not_their_text(realworld, tmp_path):
    path = _baseline_with_realworld(tmp_path)
    entry = json.loads(path.read_text())["realworld"]
    assert entry["dataset"] == "okrs.jsonl" and len(entry["sha256"]) == 64
    rules = entry["modes"]["rules"]
    assert rules["metrics"]["aspiration.false_flag_share"] == 0.25
    misses = [m for items in rules["mismatches"].values() for m in items.values()]
    assert misses and all(m["text"] == "" for m in misses)
    assert "Be world class" not in path.read_text()
    # A run without the folder keeps the entry another machine recorded.
    again = cli("eval", "--baseline", str(path), "--update-baseline", env={"OKR_COACH_REALWORLD": "off"})
    assert again.exit_code == EXIT_OK
    assert json.loads(path.read_text())["realworld"] == entry


def test_a_drop_on_them_fails_the_gate_once_the_baseline_has_them(realworld, tmp_path):
    path = _baseline_with_realworld(tmp_path)
    assert cli("eval", "--baseline", str(path)).exit_code == EXIT_OK
    data = json.loads(path.read_text())
    data["realworld"]["modes"]["rules"]["metrics"]["micro_f1"] += 0.05
    data["realworld"]["modes"]["rules"]["metrics"]["aspiration.false_flag_share"] -= 0.1  # less is better
    path.write_text(json.dumps(data))
    result = cli("eval", "--baseline", str(path), "-f", "json")
    assert result.exit_code == EXIT_REGRESSION
    failed = {f["metric"]: f for f in json.loads(result.stdout)["gate"]["failures"]}
    assert set(failed) == {"realworld.micro_f1", "realworld.aspiration.false_flag_share"}
    assert failed["realworld.aspiration.false_flag_share"]["allowed"] == "rise <= 0.02"
    # The example behind the false flag is named, with the text of this run only.
    assert failed["realworld.aspiration.false_flag_share"]["examples"] == []  # it was wrong before too
    table = cli("eval", "--baseline", str(path))
    assert "rules realworld.micro_f1:" in table.output


def test_another_version_of_the_file_is_compared_not_gated(realworld, tmp_path):
    path = _baseline_with_realworld(tmp_path)
    data = json.loads(path.read_text())
    data["realworld"]["modes"]["rules"]["metrics"]["micro_f1"] += 0.05
    path.write_text(json.dumps(data))
    edited = [dict(e) for e in TINY_REALWORLD]
    edited[0] = {**edited[0], "source_kind": "team wiki page (edited)"}
    write_tiny_realworld(realworld.parent, edited)
    result = cli("eval", "--baseline", str(path), "-f", "json")
    assert result.exit_code == EXIT_OK, result.output
    gate = json.loads(result.stdout)["gate"]
    assert any("changed since the baseline was made" in n for n in gate["notes"])
    assert gate["realworld"][0]["gated"] is False


def test_a_rise_of_the_false_flag_share_fails_the_data_sets_gate_too(tmp_path):
    path = tmp_path / "baseline.json"
    assert cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), "--baseline", str(path),
               "--update-baseline").exit_code == EXIT_OK
    data = json.loads(path.read_text())
    share = data["modes"]["rules"]["metrics"]["aspiration.false_flag_share"]
    data["modes"]["rules"]["metrics"]["aspiration.false_flag_share"] = share - 0.05
    path.write_text(json.dumps(data))
    result = cli("eval", "--baseline", str(path))
    assert result.exit_code == EXIT_REGRESSION
    assert "rules aspiration.false_flag_share:" in result.output and "rise <= 0.02" in result.output
