"""An eval suite as one self-contained HTML page: no scripts, fonts or images
from elsewhere; the per-label charts are inline SVG drawn from the numbers.
"""

from __future__ import annotations

from ..evals.report import NONE, EvalSuite
from ..models import KR_LABELS
from . import eval_rewrites
from .eval_markdown import GROUP_COLUMNS, group_rows, has_baseline, metric_rows
from .eval_templates import environment

# Chart geometry (SVG user units).
WIDTH, HEIGHT = 420, 200
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 12, 36
SERIES = ("precision", "recall", "f1")


def _y(value: float) -> float:
    return TOP + (1 - value) * (HEIGHT - TOP - BOTTOM)


def label_chart(suite: EvalSuite, label: str) -> dict:
    """Grouped bars, one group per mode: precision, recall, F1 with its 95% interval.

    A dashed tick marks the baseline's F1 when the run was gated.
    """
    runs = suite.runs
    baseline = {c.mode: c.metrics.get(f"f1.{label}") for c in suite.gate.comparisons} if suite.gate else {}
    plot_w = WIDTH - LEFT - RIGHT
    group_w = plot_w / len(runs)
    bar_w = min(28.0, group_w / (len(SERIES) + 1))
    bars, whiskers, marks, groups = [], [], [], []
    for gi, r in enumerate(runs):
        s = r.per_label[label]
        x0 = LEFT + gi * group_w + (group_w - bar_w * len(SERIES)) / 2
        for si, series in enumerate(SERIES):
            value = getattr(s, series)
            x = x0 + si * bar_w
            bars.append({"x": round(x + 1, 1), "y": round(_y(value), 1), "w": round(bar_w - 2, 1),
                         "h": round(_y(0) - _y(value), 1), "cls": series,
                         "title": f"{r.mode} {series} {value:.3f}"})
            if series == "f1":
                lo, hi = s.f1_ci
                cx = round(x + bar_w / 2, 1)
                whiskers.append({"x": cx, "y1": round(_y(lo), 1), "y2": round(_y(hi), 1),
                                 "title": f"{r.mode} F1 95% interval {lo:.2f}-{hi:.2f}"})
                pair = baseline.get(r.mode)
                if pair and pair[0] is not None:
                    marks.append({"x1": round(x, 1), "x2": round(x + bar_w, 1),
                                  "y": round(_y(pair[0]), 1),
                                  "title": f"{r.mode} baseline F1 {pair[0]:.3f}"})
        groups.append({"x": round(LEFT + (gi + 0.5) * group_w, 1), "name": r.mode,
                       "f1": f"{s.f1:.3f}"})
    ticks = [{"y": round(_y(v), 1), "label": f"{v:.1f}"} for v in (0.0, 0.25, 0.5, 0.75, 1.0)]
    return {"label": label, "width": WIDTH, "height": HEIGHT, "left": LEFT,
            "right": WIDTH - RIGHT, "bottom": round(_y(0), 1), "text_y": HEIGHT - BOTTOM + 16,
            "bars": bars, "whiskers": whiskers, "marks": marks, "groups": groups, "ticks": ticks,
            "support": runs[0].per_label[label].support}


def confusion(suite: EvalSuite) -> list[dict]:
    cols = [*KR_LABELS, NONE]
    out = []
    for r in suite.runs:
        rows = []
        for g in cols:
            counts = [r.confusion.get(g, {}).get(p, 0) for p in cols]
            total = sum(counts) or 1
            rows.append({"gold": g, "cells": [
                {"n": n, "share": round(n / total, 3), "diag": g == p} for n, p in zip(counts, cols, strict=True)
            ]})
        out.append({"mode": r.mode, "cols": cols, "rows": rows})
    return out


def trend(d: str, lower_is_better: bool = False) -> str:
    """The CSS class of a change against the baseline: 'down' is worse, 'up' better."""
    if not d or d[0] not in "+-":
        return ""
    worse = d.startswith("+") if lower_is_better else d.startswith("-")
    return "down" if worse else "up"


def group_tables(suite: EvalSuite) -> list[dict]:
    """Per origin and kind of source: the real drafts' runs, and any run whose examples say."""
    tables = []
    if suite.realworld is not None:
        tables += [{"id": f"realworld-{r.mode}", "title": f"real drafts · {r.mode}: per origin and kind "
                    "of source", "rows": group_rows(r)} for r in suite.realworld.runs]
    tables += [{"id": r.mode, "title": f"{r.mode}: per origin and kind of source", "rows": group_rows(r)}
               for r in suite.runs if r.slices]
    return tables


def suite_html(suite: EvalSuite, *, max_examples: int = 200) -> str:
    first = suite.runs[0]
    rw = suite.realworld
    rw_comparisons = suite.gate.realworld if suite.gate else []
    return environment(True).get_template("eval_report.html.j2").render(
        suite=suite,
        first=first,
        gate=suite.gate,
        rows=metric_rows(suite),
        charts=[label_chart(suite, label) for label in first.per_label],
        confusion=confusion(suite),
        max_examples=max_examples,
        realworld=rw,
        realworld_rows=metric_rows(suite, rw.runs, rw_comparisons) if rw is not None else [],
        realworld_rows_gated=has_baseline(rw_comparisons),
        group_tables=group_tables(suite),
        group_headers=[h for h, _ in GROUP_COLUMNS],
        rewrite_tables=eval_rewrites.tables(suite),
        rewrite_headers=[h for h, _, _ in eval_rewrites.COLUMNS],
        rewrite_items=eval_rewrites.items(suite),
        rewrite_legend=eval_rewrites.LEGEND,
        trend=trend,
    )
