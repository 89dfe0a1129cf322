"""What the rules are certain of stays, whatever the model says (issue 11, "the model is a guest").

No injection here: a model that simply disagrees, fully sure of itself. It may
overrule the rules where the policy lets it (a judgement the rules are unsure
of); it may not remove a finding the rules are certain of: that finding stays,
and the model's view is shown beside it as a disagreement, number-guarded.
"""

from __future__ import annotations

from fake_model import FakeChatClient, verdict

from coach import review
from coach.render import review_markdown

DRAFT = (
    "Objective: Delight our customers\n"
    "KR: Launch new customer portal\n"
    "KR: Increase NPS to 50\n"
    "KR: Hold 4 workshops with the product team\n"
)


def _findings(result) -> set[tuple[str, int | None, int | None]]:
    return {(f.rule_id, f.target.objective, f.target.key_result) for f in result.findings}


def test_a_confident_model_cannot_remove_what_the_rules_are_certain_of():
    answer = verdict(
        {"O1": (False, 0.95)},  # "Delight our customers" is no aspiration, says the model
        O1_KR1=(None, 0.95),  # "Launch new customer portal" is fine
        O1_KR2=(None, 0.95),  # "Increase NPS to 50" needs no baseline
        O1_KR3=("task", 0.9),  # it agrees on the workshops
    )
    answer["objectives"][0]["reason"] = "A clear choice: 37 teams already delight customers."
    fake = FakeChatClient().enqueue(answer)
    result = review(DRAFT, mode="hybrid", llm=fake)
    rules = review(DRAFT, mode="rules")

    assert "possible prompt injection" not in result.provenance.llm_status  # an opinion, not a takeover
    assert _findings(result) == _findings(rules)
    assert {"OB01", "KR01", "KR04"} <= {f.rule_id for f in result.findings}
    assert result.summary.score == rules.summary.score

    seen = {(d.target.objective, d.target.key_result): d for d in result.disagreements}
    assert set(seen) == {(0, None), (0, 0), (0, 1)}
    for d in seen.values():
        assert d.kept == d.rules and d.llm is None
    assert "the rules are certain of aspiration" in seen[(0, None)].why
    assert "the rules are certain of task" in seen[(0, 0)].why
    assert "the rules are certain of no_baseline" in seen[(0, 1)].why
    # The model's reason is shown, without the number it made up.
    assert seen[(0, None)].llm_reason == "A clear choice: [number] teams already delight customers."
    text = review_markdown(result)
    assert "Where the rules and the model disagree" in text
    assert "\\[number\\] teams already delight" in text  # Markdown-escaped brackets


def test_a_judgement_the_rules_are_unsure_of_is_the_models_to_make():
    # "Be the most loved support team" names a dimension (support): an aspiration to the
    # rules, but not a bare slogan, so a confident model's view decides (the merge policy).
    draft = DRAFT.replace("Delight our customers", "Be the most loved support team")
    fake = FakeChatClient().enqueue(verdict({"O1": (False, 0.9)}, O1_KR1=("task", 0.9), O1_KR3=("task", 0.9)))
    result = review(draft, mode="hybrid", llm=fake)
    assert "OB01" in {f.rule_id for f in review(draft, mode="rules").findings}
    assert "OB01" not in {f.rule_id for f in result.findings}
    (d,) = [d for d in result.disagreements if d.target.key_result is None]
    assert d.kept is None and "decided by the model" in d.why
