"""Sharper objectives: built from the author's words and the set's own key results."""

from __future__ import annotations

import re

import coach
from coach.provenance import numbers_in

SLOGAN = """Objective: Delight our customers
- Reduce first response time from 9h to 2h
- Raise NPS from 31 to 45
- Launch the self-service help centre
"""


def suggestion(draft: str, objective: int = 0):
    return coach.review(draft).objective_suggestion_for(objective)


def test_a_slogan_gets_phrasings_from_what_its_key_results_move():
    s = suggestion(SLOGAN)
    assert s is not None and s.addresses == ["OB01"]
    # Results first, in the set's order, each with the KR's own verb; two results, so the
    # task is not offered as the lever.
    assert s.options == [
        "Delight our customers by reducing first response time",
        "Delight our customers by raising NPS",
    ]
    assert "“reducing first response time” or “raising NPS”" in s.questions[0]


def test_no_number_moves_from_a_key_result_into_the_objective():
    s = suggestion(SLOGAN)
    draft_objective_numbers = numbers_in("Delight our customers")
    for option in s.options:
        assert numbers_in(option) == draft_objective_numbers == []
    # A KR whose metric carries a number is not built on at all.
    s = suggestion("Objective: Be the best\n- Grow 30 day retention from 20% to 30%\n")
    assert not any(re.search(r"\d", o) for o in s.options)
    # Nor a letter left for a number.
    s = suggestion("Objective: Be the best\n- Automate x manual approval steps\n")
    assert not any(" x " in o for o in s.options)


def test_a_plain_direction_is_narrowed_by_the_lever_its_task_pulls():
    s = suggestion("Objective: Improve internal communication\n- Launch the new intranet\n- Send a fortnightly CEO newsletter\n")
    assert s is not None and s.addresses == ["OB03"]
    assert s.options == [
        "Improve internal communication by launching the new intranet",
        "Improve internal communication by sending a fortnightly CEO newsletter",
    ]


def test_a_direction_on_a_whole_area_is_narrowed_not_called_a_slogan():
    # "Grow our community" names no slogan, and nothing narrower than the community: narrow it
    s = suggestion("Objective: Grow our community\n- Reach 2,000 weekly active members\n")
    assert s is not None and s.addresses == ["OB03"]
    assert s.options == ["Grow our community by increasing the number of weekly active members"]


def test_counts_read_as_counts_and_the_authors_numbers_set_the_direction():
    s = suggestion("Objective: Be the best bike shop in town\n- Sell 300 bikes this season\n- Headcount from 120 to 100\n")
    assert s.options == [
        "Be the best bike shop in town by selling more bikes",
        "Be the best bike shop in town by reducing headcount",
    ]


def test_the_objectives_own_metric_is_not_offered_back():
    s = suggestion("Objective: Improve customer satisfaction\n- Achieve a customer satisfaction score of 90%\n- Reduce average response time by 20%\n")
    assert s.options == ["Improve customer satisfaction by reducing average response time"]


def test_a_sentence_gets_the_question_not_a_phrasing_glued_to_it():
    s = suggestion("Objective: Customer happiness is our mission\n- Raise CSAT from 4.1 to 4.5\n")
    assert s.options == []
    assert "“raising CSAT”" in s.questions[0]


def test_an_objective_to_learn_is_not_glued_to_a_result():
    """Nobody understands a customer 'by increasing NPS': ask what the learning is for."""
    s = suggestion("Objective: Understand our customers\n- Raise NPS from 31 to 40\n- Run 20 interviews\n")
    assert s is not None and s.options == []
    assert s.questions[0].startswith("What will the team decide or do differently")


def test_key_results_that_name_nothing_leave_only_the_question():
    s = suggestion("Objective: Be world class\n- Be more innovative\n- Better collaboration\n")
    assert s.options == [] and "None of this objective's key results" in s.questions[0]


def test_a_clear_objective_gets_no_suggestion():
    review = coach.review("Objective: Make self-service the default support channel for SMB customers\n- Raise self-service share from 20% to 45%\n")
    assert review.objective_suggestions == []


def test_renderers_show_the_phrasings():
    from coach.render.markdown import review_markdown

    md = review_markdown(coach.review(SLOGAN))
    assert "**Sharper:** `Delight our customers by reducing first response time`" in md
