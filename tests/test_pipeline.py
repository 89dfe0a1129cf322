import json

import pytest

from coach import review
from coach.errors import ConfigError, ParseError, UnknownRuleError
from coach.models import Review

DRAFT = """Objective: Delight our customers
KR1: Launch new customer portal
KR2: Improve customer satisfaction
KR3: Increase NPS to 50
"""

BETTER = """Objective: Make self-service the default support channel for SMB customers
KR1: Increase self-service adoption from 35% to 55%
KR2: Improve CSAT from 7.8 to 8.5
KR3: Increase NPS from 32 to 50
"""


def test_review_of_pasted_text_finds_the_three_big_mistakes():
    r = review(DRAFT)
    labels = {(f.target.objective, f.target.key_result): f.label for f in r.findings if f.label}
    assert labels == {
        (0, None): "aspiration",
        (0, 0): "task",
        (0, 1): "no_metric",
        (0, 2): "no_baseline",
    }
    # The task under a slogan has no measured objective to point at, and a quality has no
    # measure the author named: the coach asks (with candidate metrics) instead of guessing.
    assert {(w.target.objective, w.target.key_result) for w in r.rewrites} == {(0, 2)}
    assert {(a.target.objective, a.target.key_result) for a in r.asks} == {(0, 0), (0, 1)}
    assert r.asks[0].candidates and "Launch new customer portal" in r.asks[0].questions[0]
    assert [c.metric for c in r.asks[1].candidates] == ["CSAT", "NPS"]
    assert r.provenance.mode == "rules" and r.provenance.rubric_version.startswith("default@")


def test_a_better_draft_scores_higher():
    first, second = review(DRAFT), review(BETTER)
    assert second.summary.score > first.summary.score
    assert second.summary.outcome_key_results == 3 and first.summary.outcome_key_results == 0


def test_structured_input_gives_the_same_review_as_text():
    structured = {
        "objectives": [
            {
                "text": "Delight our customers",
                "key_results": [
                    {"text": "Launch new customer portal"},
                    {"text": "Improve customer satisfaction"},
                    {"text": "Increase NPS to 50"},
                ],
            }
        ]
    }
    a, b = review(DRAFT), review(structured)
    assert [(f.rule_id, f.target) for f in a.findings] == [
        (f.rule_id, f.target) for f in b.findings
    ]


def test_json_round_trip_is_the_api_shape():
    r = review(DRAFT)
    data = json.loads(r.model_dump_json())
    assert set(data) == {
        "okr_set", "findings", "rewrites", "asks", "objective_suggestions", "summary", "provenance",
        "disagreements", "notices",
    }  # fmt: skip
    finding = data["findings"][0]
    assert {
        "rule_id",
        "rule_name",
        "severity",
        "label",
        "target",
        "message",
        "why",
        "fix",
        "span",
    } <= set(finding)
    assert Review.model_validate_json(r.model_dump_json()) == r


def test_select_and_ignore_rules():
    only = review(DRAFT, select=["KR01"])
    assert {f.rule_id for f in only.findings} == {"KR01"}
    without = review(DRAFT, ignore=["task-as-key-result"])
    assert "KR01" not in {f.rule_id for f in without.findings}
    with pytest.raises(UnknownRuleError):
        review(DRAFT, select=["NOPE1"])


def test_hybrid_without_a_model_says_it_is_rules_only():
    r = review(DRAFT, mode="hybrid")
    assert r.provenance.mode == "hybrid" and "rules-only" in r.provenance.llm_status


def test_bad_modes_and_inputs_raise_coach_errors():
    with pytest.raises(ConfigError):
        review(DRAFT, mode="llm")
    with pytest.raises(ParseError):
        review("   \n  ")
