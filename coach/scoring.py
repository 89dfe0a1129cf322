"""The 0-100 score of an OKR set (README, "Score").

Every objective and every KR is an item worth 1. Each finding on an item takes
away its severity's weight (rubric `scoring.item_weight`; default error 1.0,
warning 0.5, info 0.15), never below 0. The score is 100 × the mean item
value, minus the points of each set-level finding (`scoring.set_points`;
default error 10, warning 5, info 2), clamped to 0-100. A draft with no
findings scores 100; fixing any finding raises the score.

A KR with an unfilled [placeholder] (the `unfilled_placeholder` check) is
unfinished work and worth 0 whatever that rule's severity: pasting a suggested
template back in never earns points.
"""

from __future__ import annotations

from collections import defaultdict

from .models import Finding, OkrSet
from .rubric import Rubric


def score(okr_set: OkrSet, findings: list[Finding], rubric: Rubric) -> int:
    weights = rubric.scoring.item_weight
    points = rubric.scoring.set_points
    unfinished = {r.id for r in rubric.rules.values() if r.check == "unfilled_placeholder"}
    loss: dict[tuple[int | None, int | None], float] = defaultdict(float)
    set_penalty = 0.0
    for f in findings:
        t = f.target
        if t.objective is None or f.rule_id.startswith("ST"):
            set_penalty += points.get(f.severity, 0)
        elif f.rule_id in unfinished:
            loss[(t.objective, t.key_result)] += 1.0
        else:
            loss[(t.objective, t.key_result)] += weights.get(f.severity, 0)
    # Each item's value, summed in the set's order (objective, then its KRs).
    total, items = 0, 0
    for oi, obj in enumerate(okr_set.objectives):
        total += max(0.0, 1.0 - loss.get((oi, None), 0.0))
        for ki in range(len(obj.key_results)):
            total += max(0.0, 1.0 - loss.get((oi, ki), 0.0))
        items += 1 + len(obj.key_results)
    if not items:
        return 0
    mean = total / items
    return max(0, min(100, round(100 * mean - set_penalty)))
