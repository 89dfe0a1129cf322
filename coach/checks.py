"""Detectors: the code behind each rule's `check:` name.

Every check reads the facts of one OKR set (see `analysis`) and yields hits;
the pipeline turns a hit into a Finding using the rule's data (message, why,
fix, severity). Adding a rule = a YAML file in `rubrics/` plus, if it needs a
new kind of detection, one function registered here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .analysis import KrFacts, ObjectiveFacts, analyze_kr, analyze_objective
from .models import OkrSet, Span, Target
from .rubric import Rubric, Rule


@dataclass
class Hit:
    target: Target
    span: Span | None = None
    fields: dict[str, object] = field(default_factory=dict)


@dataclass
class SetContext:
    okr_set: OkrSet
    rubric: Rubric
    objectives: list[ObjectiveFacts]
    key_results: list[list[KrFacts]]
    kr_labels: list[list[str | None]]
    # Set by a hybrid or LLM review after the merge; None means "the rules decide".
    aspirations: list[bool] | None = None
    tasks: list[list[bool]] | None = None

    def kr_hits(self, label: str) -> Iterator[Hit]:
        for oi, labels in enumerate(self.kr_labels):
            for ki, got in enumerate(labels):
                if got == label:
                    kr = self.okr_set.objectives[oi].key_results[ki]
                    yield Hit(
                        Target(objective=oi, key_result=ki),
                        kr.span,
                        kr_fields(self.key_results[oi][ki], self.rubric),
                    )


def kr_conditions(facts: KrFacts, rubric: Rubric) -> dict[str, bool]:
    """Each KR label's condition on its own, before precedence picks one."""
    return {
        "task": facts.is_task,
        "no_metric": not facts.has_metric,
        "no_target": facts.has_metric and not facts.has_target,
        "no_baseline": facts.has_target
        and not facts.has_baseline
        and not _maintain_ok(facts, rubric),
    }


def first_label(conditions: dict[str, bool], rubric: Rubric) -> str | None:
    """The first label in the rubric's precedence whose rule is enabled and whose condition holds."""
    for label in rubric.kr_label_precedence:
        rule = rubric.label_rule(label)
        if rule is not None and rule.enabled and conditions.get(label):
            return label
    return None


def kr_label(facts: KrFacts, rubric: Rubric) -> str | None:
    """The one KR label that applies, by the rubric's precedence and enabled rules."""
    return first_label(kr_conditions(facts, rubric), rubric)


def _maintain_ok(facts: KrFacts, rubric: Rubric) -> bool:
    rule = rubric.label_rule("no_baseline")
    return bool(facts.maintains and rule and rule.params.get("maintain_has_baseline", False))


def build_context(okr_set: OkrSet, rubric: Rubric) -> SetContext:
    lex = rubric.lexicon
    objectives = [analyze_objective(o.text, lex) for o in okr_set.objectives]
    krs = [[analyze_kr(k.text, lex) for k in o.key_results] for o in okr_set.objectives]
    labels = [[kr_label(f, rubric) for f in row] for row in krs]
    return SetContext(okr_set, rubric, objectives, krs, labels)


def kr_fields(facts: KrFacts, rubric: Rubric) -> dict[str, object]:
    from .rewrite import describe  # local: rewrite imports checks

    if "fields" not in facts.cache:
        d = describe(facts, rubric)
        facts.cache["fields"] = {"text": facts.text, "reason": facts.task_reason or "an activity", **d}
    return facts.cache["fields"]  # type: ignore[return-value]


# --- objective checks -------------------------------------------------------


def rules_aspirations(ctx: SetContext, rule: Rule) -> list[bool]:
    """The rules' aspiration verdict on each objective, with `rule`'s parameters."""
    min_specific = int(rule.params.get("min_specific_words", 2))
    with_slogan = int(rule.params.get("max_specific_words_with_slogan", 3))
    return [is_aspiration(facts, min_specific, with_slogan) for facts in ctx.objectives]


def check_aspiration(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    flags = ctx.aspirations if ctx.aspirations is not None else rules_aspirations(ctx, rule)
    for oi, flagged in enumerate(flags):
        if flagged:
            obj = ctx.okr_set.objectives[oi]
            yield Hit(Target(objective=oi), obj.span, {"text": obj.text})


def is_aspiration(
    facts: ObjectiveFacts, min_specific: int = 2, max_specific_with_slogan: int = 3
) -> bool:
    """A slogan that commits to nothing (the contract's hard cases): no number, no choice
    word, not a project, and either nothing specific and no dimension at all ("Grow the
    business"), or slogan marks with too few specifics ("Delight our customers"). A plain
    direction on a named dimension ("Improve customer satisfaction") is not an aspiration."""
    if facts.scan.targets or facts.choice_words or facts.concrete_change or facts.project:
        return False
    n = len(facts.specific_words)
    # A slogan verb ("Delight", "Foster", "Be") or an empty superlative with no dimension
    # ("Best beer in Germany"; but "World-class uptime" chooses uptime).
    strong = facts.slogan_lead or (facts.superlative and not facts.dimension_words)
    if n == 0:
        return strong or bool(facts.slogan_words) or not facts.dimension_words
    if n < min_specific:
        return strong or bool(facts.slogan_words)
    slogan_words = len(facts.slogan_words)
    # Buzzword-stuffed: many slogan words outweigh a few specific-looking ones.
    if slogan_words >= 4 and n <= 2 * max_specific_with_slogan:
        return True
    # Lofty words beside a real focus are no slogan ("Make checkout a delightful experience").
    return n <= max_specific_with_slogan and (strong or (slogan_words >= 2 and not facts.dimension_words))


def check_generic_direction(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    """A plain direction on a named dimension with nothing chosen ("Increase revenue"):
    no aspiration (the contract), but worth narrowing. Unlabeled, so never scored as one."""
    asp = ctx.aspirations if ctx.aspirations is not None else None
    for oi, facts in enumerate(ctx.objectives):
        if asp is not None and asp[oi]:
            continue
        if (
            facts.dimension_words
            and set(facts.specific_words) <= set(facts.dimension_words)
            and not facts.choice_words
            and not facts.scan.targets
            and not facts.project
            and not facts.slogan_lead
            and not is_aspiration(facts)
        ):
            obj = ctx.okr_set.objectives[oi]
            yield Hit(Target(objective=oi), obj.span, {"text": obj.text, "dimension": facts.dimension_words[-1]})


def check_project_objective(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    """The objective is itself a project ("Launch the mobile app"): no aspiration either."""
    for oi, facts in enumerate(ctx.objectives):
        if facts.project and not facts.scan.targets:
            obj = ctx.okr_set.objectives[oi]
            yield Hit(Target(objective=oi), obj.span, {"text": obj.text})


def check_objective_metric(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    for oi, facts in enumerate(ctx.objectives):
        targets = facts.scan.targets
        if targets and targets[0].kind != "placeholder":
            obj = ctx.okr_set.objectives[oi]
            yield Hit(
                Target(objective=oi), obj.span, {"text": obj.text, "quantity": targets[0].text}
            )


# --- key-result checks ------------------------------------------------------


def _label_check(label: str) -> Callable[[SetContext, Rule], Iterator[Hit]]:
    def check(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
        yield from ctx.kr_hits(label)

    check.__name__ = f"check_{label}"
    return check


def _each_kr(ctx: SetContext) -> Iterator[tuple[int, int, KrFacts]]:
    for oi, row in enumerate(ctx.key_results):
        for ki, facts in enumerate(row):
            yield oi, ki, facts


def check_health_metric(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    for oi, ki, facts in _each_kr(ctx):
        if facts.maintains and ctx.kr_labels[oi][ki] in (None, "no_baseline"):
            kr = ctx.okr_set.objectives[oi].key_results[ki]
            yield Hit(Target(objective=oi, key_result=ki), kr.span, {"text": kr.text})


def check_compound(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    for oi, ki, facts in _each_kr(ctx):
        if facts.compound:
            kr = ctx.okr_set.objectives[oi].key_results[ki]
            yield Hit(Target(objective=oi, key_result=ki), kr.span, {"text": kr.text})


_NON_ALNUM = re.compile(r"[\W_]+")


def _normalise(text: str) -> str:
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def _similar(a: str, wa: set[str], b: str, wb: set[str], threshold: float) -> bool:
    # Word overlap is a cheap filter: near-identical texts share most of their words.
    if len(wa & wb) < threshold * max(len(wa), len(wb)) - 1:
        return False
    m = SequenceMatcher(None, a, b, autojunk=False)
    return (
        m.real_quick_ratio() >= threshold
        and m.quick_ratio() >= threshold
        and m.ratio() >= threshold
    )


def check_duplicate(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    threshold = float(rule.params.get("min_similarity", 0.9))
    seen: list[tuple[int, int, str, set[str], str]] = []
    for oi, obj in enumerate(ctx.okr_set.objectives):
        for ki, kr in enumerate(obj.key_results):
            norm = _normalise(kr.text)
            words = set(norm.split())
            for poi, pki, pnorm, pwords, ptext in seen:
                if norm == pnorm or _similar(norm, words, pnorm, pwords, threshold):
                    yield Hit(
                        Target(objective=oi, key_result=ki),
                        kr.span,
                        {"text": kr.text, "other": f"O{poi + 1}.KR{pki + 1}", "other_text": ptext},
                    )
                    break
            seen.append((oi, ki, norm, words, kr.text))


# --- set checks ---------------------------------------------------------------


def check_too_many_objectives(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    limit = int(rule.params.get("max", 5))
    count = len(ctx.okr_set.objectives)
    if count > limit:
        yield Hit(Target(), None, {"count": count, "max": limit})


def check_too_many_key_results(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    limit = int(rule.params.get("max", 5))
    for oi, obj in enumerate(ctx.okr_set.objectives):
        if len(obj.key_results) > limit:
            yield Hit(
                Target(objective=oi),
                obj.span,
                {"text": obj.text, "count": len(obj.key_results), "max": limit},
            )


def check_too_few_key_results(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    least = int(rule.params.get("min", 2))
    for oi, obj in enumerate(ctx.okr_set.objectives):
        if len(obj.key_results) < least:
            yield Hit(
                Target(objective=oi),
                obj.span,
                {"text": obj.text, "count": len(obj.key_results), "min": least},
            )


def check_all_tasks(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    least = int(rule.params.get("min_key_results", 2))
    for oi, facts in enumerate(ctx.key_results):
        tasks = ctx.tasks[oi] if ctx.tasks is not None else [f.is_task for f in facts]
        if len(facts) >= least and all(tasks):
            obj = ctx.okr_set.objectives[oi]
            yield Hit(Target(objective=oi), obj.span, {"text": obj.text, "count": len(facts)})


CHECKS: dict[str, Callable[[SetContext, Rule], Iterator[Hit]]] = {
    "aspiration": check_aspiration,
    "generic_direction": check_generic_direction,
    "project_objective": check_project_objective,
    "objective_metric": check_objective_metric,
    "task": _label_check("task"),
    "no_metric": _label_check("no_metric"),
    "no_target": _label_check("no_target"),
    "no_baseline": _label_check("no_baseline"),
    "health_metric": check_health_metric,
    "compound": check_compound,
    "duplicate": check_duplicate,
    "too_many_objectives": check_too_many_objectives,
    "too_many_key_results": check_too_many_key_results,
    "too_few_key_results": check_too_few_key_results,
    "all_tasks": check_all_tasks,
}
