"""Every model-written string a person sees is number-guarded (issue 11, defect 7).

A model's reasons (on findings and disagreements), its questions, a refusal,
and the guard's own question about a rewrite never show a number the author
did not write; the guard does not quote the invented numbers back either.
"""

from __future__ import annotations

import re

from fake_model import FABRICATED, FakeChatClient

from coach import review
from coach.llm import LLMRefusalError
from coach.provenance import fabricated

DRAFT = (
    "Objective: Delight our customers\n"
    "KR: Launch new customer portal\n"
    "KR: Increase NPS to 50\n"
    "KR: Reduce first response time from 9 hours to 4 hours\n"
)


def invented(text: str) -> list[str]:
    """Numbers in `text` the author did not write (ids such as "O1.KR2" or "KR04" are names)."""
    return fabricated(re.sub(r"\b[A-Z]{1,3}\d{1,3}(?:\.KR\d{1,3})?\b", "", text), [DRAFT])


def test_prose_keeps_the_authors_numbers_and_the_set_ids_and_drops_the_rest():
    from coach.guard import guard_prose

    text = "O1.KR2 (KR04): NPS 50 is a target, but 37% in 2031, Q3 2031 or $55k would be made up."
    guarded = guard_prose(text, [DRAFT], keep=["O1.KR2", "KR04"])
    assert guarded.startswith("O1.KR2 (KR04): NPS 50 is a target")
    assert invented(guarded) == []
    assert guarded.count("[number]") == 4


def test_prose_is_one_bounded_line():
    from coach.guard import guard_prose

    guarded = guard_prose("a\nb\r\n" + "word " * 500, [DRAFT])
    assert "\n" not in guarded and len(guarded) <= 500


def _strings(value) -> list[str]:  # noqa: ANN001
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _model_strings(result) -> list[str]:
    """Everything in a review that a model wrote (or that quotes what it wrote)."""
    out = [f.llm_reason or "" for f in result.findings]
    out += [d.llm_reason for d in result.disagreements]
    for rw in result.rewrites:
        out += [rw.text, *rw.questions]
    return out


def test_reasons_questions_disagreements_and_the_guards_question_show_no_invented_number():
    fake = FakeChatClient().enqueue(
        {
            "objectives": [{"id": "O1", "aspiration": False, "confidence": 0.9,
                            "reason": "Fine: 37 of 55 teams already delight customers by 2031."}],
            "key_results": [
                {"id": "O1.KR1", "label": "task", "confidence": 0.9,
                 "reason": "A launch, not an outcome; 55% adoption by 2031 would be one.",
                 "rewrite": "Increase portal adoption from 37% to 55% by Q3 2031",
                 "questions": ["Is 55% adoption by 2031 realistic?", "What is the adoption today?"]},
                {"id": "O1.KR2", "label": None, "confidence": 0.95,
                 "reason": "NPS 50 is clear; the baseline is 37.", "rewrite": None, "questions": []},
                {"id": "O1.KR3", "label": None, "confidence": 0.9,
                 "reason": "From 9 to 4 hours is measurable.", "rewrite": None, "questions": []},
            ],
        }
    )
    result = review(DRAFT, mode="hybrid", llm=fake)
    shown = _model_strings(result)
    assert any(s for s in shown), "the model's words are shown (guarded), not dropped"
    for s in shown:
        assert invented(s) == [], s
    # In any text of the review (but the version hashes of its provenance).
    everything = " ".join(_strings(result.model_dump(mode="json", exclude={"provenance"})))
    everything += " " + result.provenance.llm_status
    assert not [n for n in FABRICATED if n in everything], "an invented number reached the review"
    # The author's own numbers in the model's words stay.
    assert "NPS 50 is clear; the baseline is [number]." in shown
    # The guard asks for the real values without listing the invented ones.
    portal = result.rewrite_for(0, 0)
    assert portal.source == "llm" and "[" in portal.text
    assert any("numbers you did not give" in q for q in portal.questions)


def test_a_refusal_is_shown_without_its_numbers():
    fake = FakeChatClient().enqueue(LLMRefusalError("I can't rate this: 37 of the 55 goals look sensitive.", attempts=1))
    status = review(DRAFT, mode="hybrid", llm=fake).provenance.llm_status
    assert status.startswith("failed (llm-refusal)")
    assert "37" not in status and "55" not in status and "[number]" in status


def test_a_model_rewrite_that_moves_a_number_into_another_role_is_refused(rubric):
    """The role guard holds for the model's rewrites too: 'by 2 days' is a change; a model
    writing 'to 2 days' made it a level, so the rubric's own suggestion is used instead."""
    from coach.guard import guard_rewrite

    g = guard_rewrite("Reduce month-end close time to 2 days", ["Trim month-end close by 2 days", "Close faster"], rubric)
    assert g.problem and "another role" in g.problem
    ok = guard_rewrite("Reduce month-end close time by 2 days, from [current] to [target]",
                       ["Trim month-end close by 2 days", "Close faster"], rubric)
    assert ok.problem is None


def test_a_model_rewrite_that_is_a_form_to_fill_is_refused(rubric):
    """'Increase [metric] from [baseline] to [target]' names its metric only in a placeholder
    (the reader finds 'metric' in it): a form to fill, never shown as the model's rewrite."""
    from coach.guard import guard_rewrite

    sources = ["Write-offs on employment matters below 5% of billed fees", "Make fixed-fee pricing pay"]
    for template in ("Increase [metric] from [baseline] to [target]", "Reduce [outcome metric] from [current] to [target]"):
        assert "names no metric" in (guard_rewrite(template, sources, rubric).problem or "")
    assert guard_rewrite("Reduce write-offs from [current write-offs] to below 5%", sources, rubric).problem is None
