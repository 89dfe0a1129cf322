"""Merge the rules' and the model's verdicts into one label per item.

The policy is data: `merge:` in the rubric (`rubrics/default/rubric.yaml`)
names, per label, who decides when the two disagree, and the confidence below
which the model's judgement does not overrule the rules. In `llm` mode the
model decides every label. Each decision keeps where it came from (`rules`,
`llm` or `both`), and every item the two judged differently is listed as a
`Disagreement`, whichever side won.

When the draft looks like it talks to the model ("ignore the instructions
above ..."), the model may still add findings but may not remove any: an
injected sentence can never suppress what the rules found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .checks import SetContext, rules_aspirations
from .language.labels import kr_conditions
from .llm.verdict import SetVerdict
from .models import KR_LABELS, Disagreement, OkrSet, Target
from .rubric import Rule

# Text in a draft that addresses the reviewer instead of describing work.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,60}\b(?:instructions?|prompts?|rules?|above|previous|guidelines)\b"
    r"|\b(?:system prompt|you are now|act as (?:a|an)\b|new instructions?)"
    r"|\bmark\b[^.\n]{0,30}\b(?:everything|all|every(?: key result| kr)?)\b[^.\n]{0,30}\b(?:fine|ok|okay|good|valid|pass(?:ing)?|clean)\b",
    re.I,
)


def looks_injected(okr_set: OkrSet) -> bool:
    texts = (t for o in okr_set.objectives for t in (o.text, *(k.text for k in o.key_results)))
    return any(_INJECTION.search(t) for t in texts)


@dataclass
class Decision:
    """The merged verdict on one item."""

    label: str | None
    source: str = "rules"  # rules | llm | both: who flagged the kept label
    llm_reason: str | None = None
    confidence: float | None = None


@dataclass
class Merged:
    aspirations: list[bool]
    objectives: list[Decision]
    kr_labels: list[list[str | None]]
    key_results: list[list[Decision]]
    disagreements: list[Disagreement] = field(default_factory=list)
    skipped: int = 0  # items the model gave no verdict on (the rules decided them)

    @property
    def tasks(self) -> list[list[bool]]:
        return [[label == "task" for label in row] for row in self.kr_labels]


def merge(
    ctx: SetContext,
    verdict: SetVerdict,
    rules: list[Rule],
    *,
    mode: str,
    distrust_model: bool = False,
) -> Merged:
    """One label per item from the rules' facts (`ctx`) and the model's `verdict`.

    `rules` are the active rules: a label whose rule is disabled or not
    selected is never kept, whoever says it.
    """
    rubric = ctx.rubric
    policy = rubric.merge
    active = {r.label for r in rules if r.label}
    precedence = [x for x in rubric.kr_label_precedence if x in active and x in KR_LABELS]
    rank = {x: i for i, x in enumerate(precedence)}
    out = Merged(aspirations=[], objectives=[], kr_labels=[], key_results=[])

    def why(label: str | None, confidence: float) -> str:
        if mode == "llm":
            return "llm mode: the model decides every label"
        if distrust_model:
            return "the draft seems to address the reviewer: the model may add findings, not remove them"
        if label is None:
            return "no label on either side survives the policy"
        if policy.owner_of(label) == "rules":
            return f"{label} is decided by the rules"
        if confidence < policy.min_confidence:
            return f"the model's confidence {confidence:.2f} is below {policy.min_confidence:g}: the rules decide"
        return f"{label} is decided by the model (confidence {confidence:.2f})"

    # Objectives: aspiration.
    asp_rule = next((r for r in rules if r.label == "aspiration"), None)
    rules_asp = rules_aspirations(ctx, asp_rule) if asp_rule else [False] * len(ctx.objectives)
    for oi, by_rules in enumerate(rules_asp):
        v = verdict.objective(oi)
        if v is None or asp_rule is None:
            out.skipped += v is None
            out.aspirations.append(by_rules)
            out.objectives.append(Decision("aspiration" if by_rules else None))
            continue
        by_model, c = v.aspiration, v.confidence
        if mode == "llm":
            kept = by_model
        elif distrust_model:
            kept = by_rules or by_model
        elif policy.owner_of("aspiration") == "llm" and c >= policy.min_confidence:
            kept = by_model
        else:
            kept = by_rules
        source = "both" if by_rules == by_model else ("llm" if kept == by_model else "rules")
        out.aspirations.append(kept)
        out.objectives.append(Decision("aspiration" if kept else None, source, v.reason, c))
        if by_rules != by_model:
            out.disagreements.append(
                Disagreement(
                    target=Target(objective=oi),
                    rules="aspiration" if by_rules else None,
                    llm="aspiration" if by_model else None,
                    kept="aspiration" if kept else None,
                    llm_reason=v.reason,
                    confidence=c,
                    why=why("aspiration", c),
                )
            )

    # Key results: one label each, by precedence over the per-label decisions.
    for oi, row in enumerate(ctx.key_results):
        labels: list[str | None] = []
        decisions: list[Decision] = []
        for ki, facts in enumerate(row):
            conditions = kr_conditions(facts, rubric)
            by_rules = next((x for x in precedence if conditions.get(x)), None)
            v = verdict.key_result(oi, ki)
            if v is None:
                out.skipped += 1
                labels.append(by_rules)
                decisions.append(Decision(by_rules))
                continue
            by_model = v.label if v.label in rank else None
            c = v.confidence
            if mode == "llm":
                kept = by_model
            else:
                kept = next(
                    (
                        x
                        for x in precedence
                        if _decide(x, conditions.get(x, False), by_model, c, rank, policy, distrust_model)
                    ),
                    None,
                )
            source = "rules"
            if kept is not None:
                agree_rules, agree_model = bool(conditions.get(kept)), by_model == kept
                source = "both" if agree_rules and agree_model else ("llm" if agree_model else "rules")
            labels.append(kept)
            decisions.append(Decision(kept, source, v.reason, c))
            if by_rules != by_model:
                out.disagreements.append(
                    Disagreement(
                        target=Target(objective=oi, key_result=ki),
                        rules=by_rules,
                        llm=by_model,
                        kept=kept,
                        llm_reason=v.reason,
                        confidence=c,
                        why=why(kept or by_rules or by_model, c),
                    )
                )
        out.kr_labels.append(labels)
        out.key_results.append(decisions)
    return out


def _decide(
    label: str,
    by_rules: bool,
    by_model: str | None,
    confidence: float,
    rank: dict[str, int],
    policy,  # noqa: ANN001  (MergePolicy)
    distrust_model: bool,
) -> bool:
    """Does `label` hold for this KR, under the policy?"""
    says = by_model == label
    if distrust_model:
        return by_rules or says
    if policy.owner_of(label) == "rules" or confidence < policy.min_confidence:
        return by_rules
    if says:
        return True
    # A model that gave a label earlier in the precedence said nothing about this one.
    if by_model is not None and rank[by_model] < rank[label]:
        return by_rules
    return False
