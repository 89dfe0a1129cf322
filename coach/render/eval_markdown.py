"""An eval suite as Markdown, ready to post as a pull-request comment.

It leads with the gate's verdict, compares the modes (and each with the
baseline), then lists the examples that regressed, improved or changed; last,
the real drafts (when run) and the scores per origin and kind of source.
"""

from __future__ import annotations

from ..evals.report import LOWER_IS_BETTER, MUST_BE_ZERO, EvalReport, EvalSuite, ModeComparison
from . import eval_rewrites
from .escaping import md_code
from .eval_templates import delta, environment, md_cell, num

FALSE_FLAGS = "aspiration flagged on non-aspiration objectives (share)"

# (row title, metric name) in the order a reviewer reads them.
ROWS = [
    ("macro F1", "macro_f1"),
    ("micro F1", "micro_f1"),
    ("F1 aspiration", "f1.aspiration"),
    ("F1 task", "f1.task"),
    ("F1 no_metric", "f1.no_metric"),
    ("F1 no_target", "f1.no_target"),
    ("F1 no_baseline", "f1.no_baseline"),
    (FALSE_FLAGS, "aspiration.false_flag_share"),
    ("rewrite or ask for each flagged KR (coverage, must be 1)", "rewrites.coverage"),
    ("asks (needs your input)", "rewrites.asks"),
    ("ask share of flagged KRs", "rewrites.ask_share"),
    ("rewrite validity", "rewrites.validity"),
    ("fabricated numbers (must be 0)", "rewrites.fabricated_numbers"),
    ("role errors (must be 0)", "rewrites.role_errors"),
    ("garbled phrases (must be 0)", "rewrites.garbled_phrases"),
    ("empty templates (must be 0)", "rewrites.empty_templates"),
    ("duplicate rewrites in a set (must be 0)", "rewrites.duplicate_rewrites_in_a_set"),
    ("usable share, graded (good or acceptable)", "rewrites.usable_share"),
    ("ungraded rewrites", "rewrites.ungraded"),
    ("placeholder share", "rewrites.placeholder_share"),
    ("similarity to references", "rewrites.reference_similarity"),
    ("judge score (0-1)", "rewrites.judge_score"),
    ("judge: usable share (good or acceptable)", "rewrites.judge_usable_share"),
]
# Metrics that are counts: printed whole.
COUNTS = (*MUST_BE_ZERO, "rewrites.asks", "rewrites.ungraded")

# The columns of a per-group table: (header, how to read it off a report or group).
GROUP_COLUMNS = [
    ("sets", lambda s: str(s.examples)),
    ("KRs", lambda s: str(s.key_results)),
    ("micro F1", lambda s: num(s.micro_f1)),
    ("macro F1", lambda s: num(s.macro_f1)),
    *((f"F1 {label}", lambda s, label=label: label_f1(s, label))
      for label in ("aspiration", "task", "no_metric", "no_target", "no_baseline")),
    ("aspiration flagged", lambda s: num(s.aspiration_false_flag_share)),
]


def label_f1(s, label: str) -> str:
    """A label's F1, or '—' where the label occurs nowhere (neither gold nor predicted)."""
    x = s.per_label[label]
    return num(x.f1) if x.tp + x.fp + x.fn else "—"


def metric_rows(suite: EvalSuite, runs: list[EvalReport] | None = None,
                comparisons: list[ModeComparison] | None = None) -> list[dict]:
    """One row per metric: per mode its value and (baseline, current) when gated.

    `runs` / `comparisons`: another set of runs than the suite's (the real drafts').
    """
    if runs is None:
        runs = suite.runs
        comparisons = suite.gate.comparisons if suite.gate else []
    by_mode = {c.mode: c for c in comparisons or []}
    rows = []
    for title, name in ROWS:
        cells = []
        for r in runs:
            value = r.metrics().get(name)
            pair = by_mode[r.mode].metrics.get(name) if r.mode in by_mode else None
            cells.append({"value": value, "pair": pair})
        if any(c["value"] is not None for c in cells):
            # Counts print whole; scores with three decimals.
            digits = 0 if name in COUNTS else 3
            rows.append({"title": title, "name": name, "cells": cells, "digits": digits,
                         "lower_is_better": name in LOWER_IS_BETTER})
    return rows


def has_baseline(comparisons: list[ModeComparison]) -> bool:
    """Whether any compared run had a baseline value to show a Δ against."""
    return any(pair[0] is not None for c in comparisons for pair in c.metrics.values())


def group_rows(r: EvalReport) -> list[tuple[str, list[str]]]:
    """(group name, cells) for one run: all, then each origin, then each kind of source."""
    rows = [("all", [read(r) for _, read in GROUP_COLUMNS])]
    for name, groups in r.slices.items():
        for group, score in groups.items():
            rows.append((f"{name.replace('_', ' ')}: {group}", [read(score) for _, read in GROUP_COLUMNS]))
    return rows


def _group_table(r: EvalReport, title: str) -> list[str]:
    out = [f"#### {md_cell(title)}", "", "| group | " + " | ".join(h for h, _ in GROUP_COLUMNS) + " |",
           "| --- |" + " ---: |" * len(GROUP_COLUMNS)]
    out += [f"| {md_cell(name)} | " + " | ".join(cells) + " |" for name, cells in group_rows(r)]
    return out + [""]


def groups_markdown(suite: EvalSuite) -> str:
    """The real drafts' section, and the per-group tables of runs whose examples say
    where they come from. Empty when there is neither."""
    out: list[str] = []
    rw = suite.realworld
    if rw is not None:
        out += ["### Real drafts", "", f"> {md_cell(rw.note)}", ""]
        if rw.runs:
            comparisons = suite.gate.realworld if suite.gate else []
            gated = has_baseline(comparisons)
            out += ["| metric |" + "".join(f" {md_cell(r.mode)} |" + (" Δ |" if gated else "")
                                           for r in rw.runs),
                    "| --- |" + " ---: |" * (len(rw.runs) * (2 if gated else 1))]
            for row in metric_rows(suite, rw.runs, comparisons):
                cells = "".join(f" {num(c['value'], row['digits'])} |"
                                + (f" {delta(c['pair'], row['digits'])} |" if gated else "")
                                for c in row["cells"])
                out.append(f"| {md_cell(row['title'])} |{cells}")
            out.append("")
            for r in rw.runs:
                out += _group_table(r, f"real drafts · {r.mode}: per origin and kind of source")
    for r in suite.runs:
        if r.slices:
            out += _group_table(r, f"{r.mode}: per origin and kind of source")
    return "\n".join(out)


def rewrites_markdown(suite: EvalSuite, max_examples: int = 30) -> str:
    """Rewrites and asks per data set (per origin for the real drafts), and the items behind
    a broken check, a bad grade or a missing one (the real drafts' by id only)."""
    headers = [h for h, _, _ in eval_rewrites.COLUMNS]
    out = ["### Rewrites and asks", ""]
    for t in eval_rewrites.tables(suite):
        out += [f"#### {md_cell(t.title)}", "", "| group | " + " | ".join(headers) + " |",
                "| --- |" + " ---: |" * len(headers)]
        out += [f"| {md_cell(name)} | " + " | ".join(md_cell(c) for c in cells) + " |" for name, cells in t.rows]
        out.append("")
    out += [f"> {md_cell(eval_rewrites.LEGEND)}", ""]
    for group in eval_rewrites.items(suite):
        for what, found, open_ in (("break a must-be-0 check", group.defects, True),
                                   ("graded bad", group.bad, False), ("ungraded", group.ungraded, False)):
            if not found:
                continue
            out += [f"<details{' open' if open_ else ''}><summary>{md_cell(group.title)}: "
                    f"{len(found)} rewrites {what}</summary>", ""]
            columns = ["item", "why"] + ([] if group.realworld else ["rewrite"])
            out += ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
            for i in found[:max_examples]:
                cells = [md_code(i.key), md_cell(i.what)] + ([] if group.realworld else [md_cell(i.text)])
                out.append("| " + " | ".join(cells) + " |")
            if len(found) > max_examples:
                out.append(f"| … | {len(found) - max_examples} more in the JSON report |" + ("" if group.realworld else " |"))
            out += ["", "</details>", ""]
    return "\n".join(out)


def suite_markdown(suite: EvalSuite, *, max_examples: int = 30) -> str:
    text = environment(False).get_template("eval_comment.md.j2").render(
        suite=suite,
        first=suite.runs[0],
        rows=metric_rows(suite),
        gate=suite.gate,
        max_examples=max_examples,
    )
    parts = [text.rstrip("\n")] + [p.rstrip("\n") for p in (rewrites_markdown(suite, max_examples),
                                                             groups_markdown(suite)) if p]
    return "\n\n".join(parts) + "\n"
