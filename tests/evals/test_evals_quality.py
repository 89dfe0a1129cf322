"""The eval's checks of each rewrite, on invented KRs: role errors, garbled phrases, empty
templates, duplicates; and their counts per run, per data set, in the gate and the reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from coach.datasets import load_dataset
from coach.evals import quality
from coach.evals.gate import load_gate_config, make_baseline, run_gate
from coach.evals.judge import JudgeVerdict
from coach.evals.report import EvalSuite
from coach.evals.runner import _Reviewed, score
from coach.models import Rewrite, Target
from coach.pipeline import review
from coach.render.eval_html import suite_html
from coach.render.eval_junit import suite_junit
from coach.render.eval_markdown import suite_markdown
from coach.rubric import load_rubric

ROOT = Path(__file__).resolve().parents[2]
RB = load_rubric(None)
LEX = RB.lexicon


@pytest.mark.parametrize("original, rewrite, moved", [
    # A qualifier made the target (the backup's size is not a time).
    ("Less than 24 hours to restore a 500GB backup", "Reduce backup from [current backup] to 500GB", ["24", "500"]),  # and the 24 lost
    # A change made a level.
    ("Trim month-end close by 2 days", "Reduce month-end close from [current month-end close] to 2 days", ["2"]),
    # The author's target lost.
    ("5 million monthly readers", "Increase monthly readers from [current readers] to [target readers]", ["5"]),
    # Kept in their roles.
    ("Less than 24 hours to restore a 500GB backup",
     "Reduce time to restore a 500GB backup from [current time] to less than 24 hours", []),
    ("Trim month-end close by 2 days",
     "Reduce month-end close by 2 days from [current month-end close]", []),
])
def test_role_errors(original, rewrite, moved):
    assert quality.check(original, rewrite, LEX).role_errors == moved


def test_a_task_rewrite_may_leave_the_tasks_numbers_behind():
    # "Hire 2 onboarding specialists" measures churn: the 2 stays with the task.
    rewrite = "Reduce churn in our SMB segment from [current churn] to [target churn]"
    assert quality.check("Hire 2 onboarding specialists", rewrite, LEX, same_metric=False).ok
    assert quality.check("Hire 2 onboarding specialists", rewrite, LEX).role_errors == ["2"]


@pytest.mark.parametrize("rewrite, garbled", [
    ("Increase or lower defect rate from [current defect rate] to 2%", "or lower defect rate"),
    ("Reduce paid on time from [current paid] to 90%", "paid on time"),  # a participle, no noun
    ("Reduce sick leave rate must go from [current sick leave rate] to [target sick leave rate]",
     "sick leave rate must go"),
    ("Increase referrals our cheapest channel from [current referrals] to [target referrals]",
     "referrals our cheapest channel"),
    ("Increase share of teams that have a roadmap from [current share of teams that have] to 80%",
     "[share of teams that have]"),
    ("Reduce dropout between week 1 from [current dropout] to [target dropout]", "dropout between week 1"),
    # No verb opens it: a relative word or a number read as the verb.
    ("Half ANR rate, from [current ANR rate] to [target ANR rate]", "Half ANR rate"),
    ("Two number of students in the bottom, from [current number of students] to [target number]",
     "Two number of students in the bottom"),
    # cut inside the author's quote
    ("Reduce Support cost for 'free users from [current Support cost] to [target Support cost]",
     "Support cost for 'free users"),
])
def test_garbled_phrases(rewrite, garbled):
    assert quality.check("Some KR", rewrite, LEX).garbled == garbled


@pytest.mark.parametrize("rewrite", [
    "Increase NPS from [current NPS] to 50",
    "Reduce time to restore a 500GB backup from [current time] to less than 24 hours",
    "Increase the share of staff accounts on MFA from [current share] to all",
    "Increase customers taking the premium bundle from [current customers] to 400",
    "Reduce furnace idle time between shifts from [current idle time] to [target idle time]",
    "Increase coaching sessions per agent a month from [current coaching sessions] to 2",
    "Reduce memory usage for large projects by 30% from [current memory usage]",
    "Cut first-month churn by a third from [current first-month churn]",
    "Double inventory turns from [current inventory turns]",
    "Increase weekly active users (other) from [current weekly active users] to 500",
])
def test_noun_phrases_a_coach_writes_are_not_garbled(rewrite):
    assert quality.check("Some KR", rewrite, LEX).garbled is None


def test_empty_templates():
    template = "Increase [outcome metric this task should move] from [baseline] to [target]"
    found = quality.check("Showcase 4 customer stories in trade press", template, LEX, same_metric=False)
    assert found.empty_template and found.garbled is None  # counted once, as a template
    assert quality.is_empty_template("Increase [metric] to 50", LEX)
    assert not quality.is_empty_template("Increase NPS from [current NPS] to [target NPS]", LEX)


def test_duplicates_ignore_case_spacing_and_a_final_stop():
    texts = ["Increase NPS from [a] to 50", "increase  NPS from [a] to 50.", "Reduce churn", "Increase NPS from [a] to 50"]
    assert quality.duplicates(texts) == [None, 0, None, 0]


# -- counted in a run ------------------------------------------------------------------

SET = {"id": "inv-1", "objectives": [{
    "text": "Cut restore times for our self-hosted customers", "labels": [],
    "key_results": [
        {"text": "Less than 24 hours to restore a 500GB backup", "labels": ["no_baseline"]},
        {"text": "Trim month-end close by 2 days", "labels": ["no_baseline"]},
        {"text": "Launch the status page", "labels": ["task"]},
        {"text": "Publish the runbook", "labels": ["task"]},
        {"text": "Increase NPS from 32 to 50", "labels": []},
    ]}]}


@pytest.fixture
def doctored(tmp_path) -> EvalSuite:
    """A real review of an invented set whose rewrites are replaced by ones with known
    defects (the rules' own have none to count): a role error, a duplicate of it, an empty
    template, and a flagged KR left with neither a rewrite nor an ask."""
    path = tmp_path / "inv.jsonl"
    path.write_text(json.dumps(SET) + "\n")
    example = load_dataset(path)[0]
    found = review(example.to_okr_set(), mode="rules", rubric=RB)

    def rw(ki: int, text: str) -> Rewrite:
        return Rewrite(target=Target(objective=0, key_result=ki), original="", text=text)

    role_error = "Reduce backup from [current backup] to 500GB"
    doctored = found.model_copy(update={
        "rewrites": [rw(0, role_error), rw(1, role_error.lower()),
                     rw(2, "Increase [outcome metric this task should move] from [baseline] to [target]")],
        "asks": [],  # KR4 (flagged) gets nothing
    })
    report = score([_Reviewed(example, str(path), doctored)], "rules", RB, [str(path)], judge=False)
    return EvalSuite(runs=[report])


def test_a_run_counts_each_defect_per_data_set(doctored):
    r = doctored.runs[0]
    s = r.rewrites
    assert (s.flagged, s.count, s.asks) == (4, 3, 0)
    assert s.coverage == 0.75  # KR4: no rewrite, no ask
    assert (s.role_errors, s.duplicate_rewrites_in_a_set, s.empty_templates, s.garbled_phrases) == (2, 1, 1, 0)
    assert r.per_dataset["inv"].role_errors == 2
    metrics = r.metrics()
    assert metrics["rewrites.role_errors"] == 2 and metrics["rewrites.ask_share"] == 0
    items = {i.target: i for i in r.per_example[0].rewrite_items}
    assert items["O1.KR2"].duplicate_of == "O1.KR1"
    assert items["O1.KR3"].defects == ["empty template"]


def test_the_must_be_zero_checks_are_hard_limits_not_drops(doctored, tmp_path):
    """The baseline has the same defects (nothing dropped) and the gate still fails."""
    config = load_gate_config(ROOT / "evals" / "gates.yaml")
    baseline = make_baseline(doctored, tmp_path / "baseline.json")
    gate = run_gate(doctored, baseline, config, baseline_path="baseline.json")
    failed = {f.metric: f.allowed for f in gate.failures if f.metric.startswith("rewrites.")}
    assert failed == {"rewrites.role_errors": "ceiling 0", "rewrites.empty_templates": "ceiling 0",
                      "rewrites.duplicate_rewrites_in_a_set": "ceiling 0", "rewrites.coverage": "floor 1",
                      # the copy under KR2 has a 500 that KR2 never had
                      "rewrites.fabricated_numbers": "ceiling 0"}


def test_every_report_lists_the_rewrites_behind_a_broken_check(doctored):
    md = suite_markdown(doctored)
    assert "### Rewrites and asks" in md
    assert "| all | 4 | 3 | 0 | 0.00 | 0.75 | 2 | 0 | 1 | 1 | 1 | — | — |" in md
    assert r"`inv/inv-1 O1.KR1` | role errors (24, 500) | Reduce backup from \[current backup\] to 500GB |" in md
    junit = ET.fromstring(suite_junit(doctored))
    case = junit.find("testsuite[@name='eval.rules.rewrites']/testcase[@name='inv']")
    failure = case.find("failure")
    assert "2 role errors" in failure.get("message") and "coverage 0.750" in failure.get("message")
    assert "inv/inv-1 O1.KR3: empty template" in failure.text
    metrics = {c.get("name"): c for c in junit.find("testsuite[@name='eval.rules.metrics']")}
    assert metrics["rewrites.role_errors"].find("failure") is not None
    html = suite_html(doctored)
    assert 'id="rewrites-rules"' in html and 'id="rewrites-rules-defects"' in html
    assert "duplicate of O1.KR1" in html


def test_the_real_drafts_items_are_listed_by_id_only(doctored):
    from coach.evals.report import RealworldRun

    suite = EvalSuite(runs=doctored.runs, realworld=RealworldRun(path="x", note="n", runs=doctored.runs))
    md = suite_markdown(suite).split("real drafts · rules: 3 rewrites break")[1]
    assert "`inv/inv-1 O1.KR1` | role errors (24, 500) |\n" in md and "Reduce backup" not in md.split("</details>")[0]


def test_the_judge_grades_on_the_graders_scale():
    schema = JudgeVerdict.model_json_schema()["properties"]["verdict"]
    assert schema["enum"] == ["good", "acceptable", "bad"]
    old = JudgeVerdict.model_validate({"verdict": "poor", "score": 1, "invented_numbers": True, "reason": "x"})
    assert old.verdict == "bad"  # answers recorded before the scale matched
