"""Sharper objectives from the set's own words, for an aspiration or a plain direction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coach import review
from coach.errors import ConfigError
from coach.objective_rewrite import load_phrasings
from coach.render.markdown import review_markdown

DRAFT = Path("examples/draft.md").read_text(encoding="utf-8")


def test_an_aspiration_gets_options_from_its_own_krs_and_the_questions_between_them():
    r = review(DRAFT)
    (s,) = r.objective_suggestions
    assert s.target.objective == 0 and s.original == "Delight our customers"
    assert s.options == [
        "Make customer satisfaction the one thing we move this cycle",
        "Delight our customers, through customer satisfaction and NPS, and nothing else this cycle",
        "Delight our customers: win on customer satisfaction first",
    ]  # the task KR's deliverable ("new customer portal") is no metric to win on
    assert s.questions[0] == "Which matters most this cycle: customer satisfaction or NPS?"
    assert "Sharper objectives to choose from" in review_markdown(r)


def test_no_number_the_author_did_not_write_and_placeholders_without_metrics():
    r = review("Objective: Be world class\nKR: Launch the new website\nKR: Hire a designer")
    (s,) = r.objective_suggestions
    assert s.options == [
        "Be world class for [which customers, product or market]",
        "Be world class by [the one lever you will pull]",
    ]
    for text in ["Objective: Increase revenue\nKR: ARR from $1M to $2M\nKR: Win 10 new logos", DRAFT]:
        r = review(text)
        written = set(re.findall(r"\d+", text))
        for s in r.objective_suggestions:
            assert all(set(re.findall(r"\d+", o)) <= written for o in s.options)


def test_findings_and_kr_rewrites_are_untouched():
    r = review(DRAFT)
    clear = review("Objective: Win the mid-market in the Nordics\nKR: Mid-market ARR from 1M to 2M")
    assert clear.objective_suggestions == []
    assert r.model_copy(update={"objective_suggestions": []}).findings == r.findings


def test_the_phrasings_are_validated_when_loaded(tmp_path: Path):
    bad = tmp_path / "objective_rewrite.yaml"
    bad.write_text("rules: [x]\nmax_options: 3\noptions: ['{goal} now']\nquestions: ['?']\n")
    with pytest.raises(ConfigError, match=r"options: Value error, '\{goal\} now' names goal"):
        load_phrasings(bad)
