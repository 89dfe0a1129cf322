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

from .language.facts import KrFacts, ObjectiveFacts
from .language.key_results import analyze_kr
from .language.labels import is_aspiration, is_generic_direction, kr_label
from .language.objectives import analyze_objective
from .language.phrases import describe
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


def build_context(okr_set: OkrSet, rubric: Rubric) -> SetContext:
    lex = rubric.lexicon
    objectives = [analyze_objective(o.text, lex) for o in okr_set.objectives]
    krs = [[analyze_kr(k.text, lex) for k in o.key_results] for o in okr_set.objectives]
    labels = [[kr_label(f, rubric) for f in row] for row in krs]
    return SetContext(okr_set, rubric, objectives, krs, labels)


def kr_fields(facts: KrFacts, rubric: Rubric) -> dict[str, object]:
    """The fields a KR finding's message and questions use, read once per text and rubric."""
    return rubric.lexicon.memoised(
        ("fields", facts.text),
        lambda: {"text": facts.text, "reason": facts.task_reason or "an activity", **describe(facts, rubric)},
    )


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


def check_generic_direction(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    """A plain direction on a named dimension with nothing chosen ("Increase revenue"):
    no aspiration (the contract), but worth narrowing. Unlabeled, so never scored as one."""
    asp = ctx.aspirations if ctx.aspirations is not None else None
    for oi, facts in enumerate(ctx.objectives):
        if asp is not None and asp[oi]:
            continue
        if is_generic_direction(facts):
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


# "[^1]", "[1]", "[x]", "[ ]": a footnote, a citation or a checkbox, not a value to fill in.
_NOT_A_PLACEHOLDER = re.compile(r"\[(?:\^?\d+|[ xX✓✔]?)\]")


def unfilled_placeholders(facts: KrFacts) -> list[str]:
    """The bracketed placeholders a KR still carries ('[current NPS]', '[target]'), in order,
    each once. A tag before the KR ('[Q3-Q4] ...') is no part of what the reader reads, and a
    Markdown link ('[docs](...)') is no value."""
    found = []
    for q in facts.quantities:
        if q.kind != "placeholder":
            continue
        text = facts.text[q.start : q.end]
        if not _NOT_A_PLACEHOLDER.fullmatch(text) and facts.text[q.end : q.end + 1] != "(":
            found.append(text)
    return list(dict.fromkeys(found))


def check_unfilled_placeholder(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    """Unfinished work: a KR with a [placeholder] left in it. An extra finding, never a label
    (the contract reads 'by X%', 'TBD' as no target; this only adds that it is unfinished)."""
    for oi, ki, facts in _each_kr(ctx):
        found = unfilled_placeholders(facts)
        if found:
            kr = ctx.okr_set.objectives[oi].key_results[ki]
            fields = {"text": kr.text, "placeholders": ", ".join(found), "count": len(found)}
            yield Hit(Target(objective=oi, key_result=ki), kr.span, fields)


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
        # A KR with a [placeholder] left is no outcome measure yet: pasting a suggested
        # template over one task must not clear this finding.
        if len(facts) >= least and all(t or unfilled_placeholders(f) for t, f in zip(tasks, facts, strict=True)):
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
    "unfilled_placeholder": check_unfilled_placeholder,
    "duplicate": check_duplicate,
    "too_many_objectives": check_too_many_objectives,
    "too_many_key_results": check_too_many_key_results,
    "too_few_key_results": check_too_few_key_results,
    "all_tasks": check_all_tasks,
}
