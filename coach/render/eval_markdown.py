"""An eval suite as Markdown, ready to post as a pull-request comment.

It leads with the gate's verdict, compares the modes (and each with the
baseline), then lists the examples that regressed, improved or changed.
"""

from __future__ import annotations

from ..evals.report import EvalSuite, ModeComparison
from .eval_templates import environment

# (row title, metric name) in the order a reviewer reads them.
ROWS = [
    ("macro F1", "macro_f1"),
    ("micro F1", "micro_f1"),
    ("F1 aspiration", "f1.aspiration"),
    ("F1 task", "f1.task"),
    ("F1 no_metric", "f1.no_metric"),
    ("F1 no_target", "f1.no_target"),
    ("F1 no_baseline", "f1.no_baseline"),
    ("rewrite coverage", "rewrites.coverage"),
    ("rewrite validity", "rewrites.validity"),
    ("fabricated numbers (must be 0)", "rewrites.fabricated_numbers"),
    ("placeholder share", "rewrites.placeholder_share"),
    ("similarity to references", "rewrites.reference_similarity"),
    ("judge score (0-1)", "rewrites.judge_score"),
]


def metric_rows(suite: EvalSuite) -> list[dict]:
    """One row per metric: per mode its value and (baseline, current) when gated."""
    comparisons: dict[str, ModeComparison] = (
        {c.mode: c for c in suite.gate.comparisons} if suite.gate else {}
    )
    rows = []
    for title, name in ROWS:
        cells = []
        for r in suite.runs:
            value = r.metrics().get(name)
            pair = comparisons[r.mode].metrics.get(name) if r.mode in comparisons else None
            cells.append({"value": value, "pair": pair})
        if any(c["value"] is not None for c in cells):
            # Counts print whole; scores with three decimals.
            digits = 0 if name == "rewrites.fabricated_numbers" else 3
            rows.append({"title": title, "name": name, "cells": cells, "digits": digits})
    return rows


def suite_markdown(suite: EvalSuite, *, max_examples: int = 30) -> str:
    return environment(False).get_template("eval_comment.md.j2").render(
        suite=suite,
        first=suite.runs[0],
        rows=metric_rows(suite),
        gate=suite.gate,
        max_examples=max_examples,
    )
