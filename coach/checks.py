"""Detectors: the code behind each rule's `check:` name.

Every check reads the facts of one OKR set (see `analysis`) and yields hits;
the pipeline turns a hit into a Finding using the rule's data (message, why,
fix, severity). Adding a rule = a YAML file in `rubrics/` plus, if it needs a
new kind of detection, one function registered here.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .language.facts import KrFacts, ObjectiveFacts
from .language.key_results import analyze_kr
from .language.labels import is_aspiration, is_generic_direction, kr_label
from .language.names import Described
from .language.objectives import analyze_objective
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
    """The fields a KR finding's message and questions use, read once per text and rubric
    (the phrases among them only when a message names one: `Described`)."""
    return rubric.lexicon.memoised(
        ("fields", facts.text),
        lambda: Described(facts, rubric, text=facts.text, reason=facts.task_reason or "an activity"),
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
            yield Hit(Target(objective=oi), obj.span, {"text": obj.text, "dimension": facts.area})


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
        if q.kind != "placeholder" or facts.text[q.start] != "[":
            continue  # ("by X%" is unfilled too, but KR03 says so: no target)
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
    if text.isascii():  # most drafts: a table lookup per byte (the pattern costs three times as much)
        return " ".join(text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split())
    return _NON_ALNUM.sub(" ", text.lower()).strip()


# For an ASCII text: letters lower-cased, digits kept, and each character _NON_ALNUM matches
# (all the others, "_" too) a space.
_ASCII_WORDS = bytes(ord(chr(c).lower()) if chr(c).isalnum() else 32 for c in range(128)) + bytes(range(128, 256))


def _similar(a: str, wa: set[str], b: str, wb: set[str], threshold: float) -> bool:
    # Word overlap is a cheap filter: near-identical texts share most of their words.
    na, nb = len(wa), len(wb)
    return len(wa & wb) >= threshold * (na if na > nb else nb) - 1 and _close(a, b, threshold)


def _close(a: str, b: str, threshold: float) -> bool:
    """difflib's ratios, cheapest first, all at least the threshold."""
    m = SequenceMatcher(None, a, b, autojunk=False)
    return (
        m.real_quick_ratio() >= threshold
        and m.quick_ratio() >= threshold
        and m.ratio() >= threshold
    )


def check_duplicate(ctx: SetContext, rule: Rule) -> Iterator[Hit]:
    threshold = float(rule.params.get("min_similarity", 0.9))
    krs = [(oi, ki, kr) for oi, obj in enumerate(ctx.okr_set.objectives) for ki, kr in enumerate(obj.key_results)]
    repeats = _earliest_repeats([_normalise(kr.text) for _, _, kr in krs], threshold)
    for (oi, ki, kr), j in zip(krs, repeats, strict=True):
        if j is not None:
            poi, pki, prev = krs[j]
            yield Hit(
                Target(objective=oi, key_result=ki),
                kr.span,
                {"text": kr.text, "other": f"O{poi + 1}.KR{pki + 1}", "other_text": prev.text},
            )


# Which KR repeats which, without comparing every pair (a 1 MB draft took minutes): each text
# is compared only with the candidates a prefix filter finds, the all-pairs similarity join of
# Bayardo, Ma and Srikant (WWW 2007). With tokens ordered rarest first, two sets sharing at
# least k tokens share one among the first n - k + 1 of each. `_similar` lets through only
# pairs sharing at least `_least_words(n)` words; texts of one word (or none), which need
# share no word, are matched on their characters the same way: `_similar` asks both
# real_quick_ratio and quick_ratio to reach the threshold t, so two texts share at least
# t * n / (2 - t) of the n characters of either. Pairs the filter drops can never pass
# `_similar`, so each KR still gets the earliest earlier KR it repeats, as the full scan did.


PAIRWISE_UP_TO = 40


def _earliest_repeats(norms: list[str], threshold: float) -> list[int | None]:
    """For each normalised text, the index of the earliest earlier one that is equal or
    `_similar`, or None."""
    first: dict[str, int] = {}
    distinct = [i for i, norm in enumerate(norms) if first.setdefault(norm, i) == i]
    if not threshold <= 1:  # above 1 (or NaN) no ratio reaches it: only equal texts repeat
        similar: dict[int, int] = {}
    elif threshold <= 0:  # everything is similar: each KR repeats the first one
        similar = {i: 0 for i in distinct if i}
    elif len(distinct) <= PAIRWISE_UP_TO:  # a set of usual size: every pair costs less than an index
        similar = {}
        # Each text with what the two filters of `_similar` read, computed once.
        texts = [(i, norms[i], len(norms[i]), words, len(words)) for i in distinct for words in (set(norms[i].split()),)]
        for k, (i, a, la, wa, na) in enumerate(texts):
            for j, b, lb, wb, nb in texts[:k]:
                # Most pairs stop at `_long_enough` or at the word overlap, tested here inline.
                if la + lb and 2.0 * (la if la < lb else lb) / (la + lb) < threshold:
                    continue
                if len(wa & wb) < threshold * (na if na > nb else nb) - 1:
                    continue  # (`_similar`'s word filter)
                if _close(a, b, threshold):
                    similar[i] = j
                    break
    else:
        similar = _earliest_similar(distinct, norms, threshold)
    # A repeated text repeats what its first occurrence repeated, or else that first occurrence.
    return [similar.get(first[norm], first[norm] if first[norm] < i else None) for i, norm in enumerate(norms)]


def _long_enough(a: str, b: str, threshold: float) -> bool:
    """difflib's real_quick_ratio, which `_similar` asks to reach the threshold, from the two
    lengths alone: two texts far apart in length never reach it, so skip the call."""
    la, lb = len(a), len(b)
    return not la + lb or 2.0 * (la if la < lb else lb) / (la + lb) >= threshold


def _least_words(n: int, threshold: float) -> int:
    """The fewest shared words `_similar` lets through for a text of n words (any longer
    partner needs as many or more): the smallest k with not k < threshold * n - 1."""
    return max(0, math.ceil(threshold * n - 1))


def _least_chars(n: int, threshold: float) -> int:
    # One less than t * n / (2 - t), as a margin for the ratios' rounding.
    return max(0, math.ceil(threshold * n / (2 - threshold)) - 1)


def _prefixes(token_sets: list[list[object]], least: Callable[[int], int]) -> list[list[object]]:
    """Each set's rarest tokens, as many as a partner sharing `least(n)` of them must meet."""
    seen_in = Counter(tok for tokens in token_sets for tok in tokens)
    out = []
    for tokens in token_sets:
        ranked = sorted(tokens, key=lambda tok: (seen_in[tok], tok))
        k = least(len(tokens))
        out.append(ranked[: max(0, len(tokens) - k + 1)] if k else ranked)
    return out


def _earliest_similar(ids: list[int], norms: list[str], threshold: float) -> dict[int, int]:
    """For each of the distinct texts `ids` (ascending), the earliest earlier one `_similar` to it."""
    words = {i: set(norms[i].split()) for i in ids}
    by_word = _prefixes([list(words[i]) for i in ids], lambda n: _least_words(n, threshold))
    few_words = [k for k, i in enumerate(ids) if _least_words(len(words[i]), threshold) == 0]
    char_sets: list[list[object]] = []
    for k in few_words:
        counts: Counter = Counter()
        tokens: list[object] = []
        for c in norms[ids[k]]:
            counts[c] += 1
            tokens.append((c, counts[c]))  # the n-th 'e': characters counted with multiplicity
        char_sets.append(tokens)
    by_char = dict(zip(few_words, _prefixes(char_sets, lambda n: _least_chars(n, threshold)), strict=True))
    word_index: dict[object, list[int]] = defaultdict(list)
    char_index: dict[object, list[int]] = defaultdict(list)
    found: dict[int, int] = {}
    for k, i in enumerate(ids):
        candidates = {c for tok in by_word[k] for c in word_index.get(tok, ())}
        chars = by_char.get(k)
        if chars is not None:
            candidates.update(c for tok in chars for c in char_index.get(tok, ()))
        for c in sorted(candidates):
            j = ids[c]
            if _long_enough(norms[i], norms[j], threshold) and _similar(
                norms[i], words[i], norms[j], words[j], threshold
            ):
                found[i] = j
                break
        for tok in by_word[k]:
            word_index[tok].append(k)
        for tok in chars or ():
            char_index[tok].append(k)
    return found


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
