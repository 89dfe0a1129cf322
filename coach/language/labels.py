"""The one place each label is decided, in the contract's precedence.

A key result carries the first KR label (in the rubric's `kr_label_precedence`) whose
rule is enabled and whose condition holds; an objective is an aspiration by
`is_aspiration`. Findings (`coach.checks`), rewrites and the eval read labels only here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .facts import KrFacts, ObjectiveFacts

if TYPE_CHECKING:
    from ..rubric import Rubric


def kr_conditions(facts: KrFacts, rubric: Rubric, slots: bool = False) -> dict[str, bool]:
    """Each KR label's condition on its own, before precedence picks one. In a draft an
    unfilled placeholder is no value (the contract: "by X%" is no target); in a rewrite
    (`slots`) placeholders are the values the author will fill in."""
    unfilled = frozenset() if slots or not facts.measures else facts.unfilled
    has_target = facts.has_target and "target" not in unfilled
    return {
        "task": facts.is_task,
        "no_metric": not facts.has_metric,
        "no_target": facts.has_metric and not has_target,
        "no_baseline": has_target
        and not (facts.has_baseline and "baseline" not in unfilled)
        and not _maintain_ok(facts, rubric),
    }


def first_label(conditions: dict[str, bool], rubric: Rubric) -> str | None:
    """The first label in the rubric's precedence whose rule is enabled and whose condition holds."""
    for label in rubric.kr_label_precedence:
        if conditions.get(label):  # (before the rule: finding a label's rule walks them all)
            rule = rubric.label_rule(label)
            if rule is not None and rule.enabled:
                return label
    return None


def kr_label(facts: KrFacts, rubric: Rubric, slots: bool = False) -> str | None:
    """The one KR label that applies, by the rubric's precedence and enabled rules."""
    return first_label(kr_conditions(facts, rubric, slots), rubric)


def _maintain_ok(facts: KrFacts, rubric: Rubric) -> bool:
    rule = rubric.label_rule("no_baseline")
    return bool(facts.maintains and rule and rule.params.get("maintain_has_baseline", False))


def is_aspiration(
    facts: ObjectiveFacts, min_specific: int = 2, max_specific_with_slogan: int = 3
) -> bool:
    """A slogan that commits to nothing (the contract's hard cases): no number, no choice
    word, not a project, and either nothing specific and no dimension at all ("Grow the
    business"), or slogan marks with too few specifics ("Delight our customers"). A plain
    direction on a named dimension ("Improve customer satisfaction") is not an aspiration."""
    if facts.scan.targets or facts.choice_words or facts.concrete_change or facts.project or facts.becoming_more:
        return False  # (to become more of a named thing is a direction on it: "Become a better engineer")
    if facts.lofty_offering:
        return True  # "Provide a great member experience": lofty words on the whole offering
    if facts.personal_focus:
        return False  # "Be a patient grandmother", "Write gripping one-act plays": a role or a craft chosen
    n = len(facts.specific_words)
    # A slogan verb ("Delight", "Foster", "Be") or an empty superlative with no dimension
    # ("Best beer in Germany"; but "World-class uptime" chooses uptime).
    strong = facts.slogan_lead or (facts.superlative and not facts.dimension_words)
    if n == 0:
        # (a heading with nothing specific names an area, no slogan: "Company"; with no lofty
        # word, only the whole is no area: "Grow the business", but "Grow our brand")
        return strong or bool(facts.slogan_words) or (
            not (facts.dimension_words or facts.heading) and (bool(facts.aspiration_words) or facts.whole_scope)
        )
    if n < min_specific:
        return strong or bool(facts.slogan_words)
    slogan_words = len(facts.slogan_words)
    # Buzzword-stuffed: many slogan words outweigh a few specific-looking ones.
    if slogan_words >= 4 and n <= 2 * max_specific_with_slogan:
        return True
    # Lofty words beside a real focus are no slogan ("Make checkout a delightful experience").
    return n <= max_specific_with_slogan and (strong or (slogan_words >= 2 and not facts.dimension_words))


def is_generic_direction(facts: ObjectiveFacts) -> bool:
    """A plain direction with nothing chosen, on a named dimension ("Increase revenue") or
    on nothing narrower than its object ("Grow our brand", "Sell more"): no aspiration (the
    contract), but worth narrowing."""
    named = facts.dimension_words and set(facts.specific_words) <= set(facts.dimension_words)
    return bool(
        (named or not (facts.specific_words or facts.heading))
        and facts.area
        and not facts.choice_words
        and not facts.scan.targets
        and not facts.project
        and not facts.slogan_lead
        and not is_aspiration(facts)
    )
