"""An eval suite as terminal tables: modes side by side, then the gate's verdict."""

from __future__ import annotations

import re

from rich import box
from rich.console import Console
from rich.table import Table

from ..evals.report import NONE, EvalReport, EvalSuite, GateResult, ModeComparison, SliceScore
from ..models import KR_LABELS
from . import eval_rewrites
from .eval_markdown import label_f1

FALSE_FLAGS = "aspiration flagged on non-aspiration objectives"


def fmt(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _short(x: float, digits: int = 2) -> str:
    """0.912 -> '.91': interval bounds and P/R side by side fit a narrow terminal."""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("0.") else text


def print_suite(suite: EvalSuite, console: Console | None = None, show_examples: int = 10) -> None:
    console = console or Console()
    runs = suite.runs
    first = runs[0]
    title = f"okr-coach eval · {first.examples} examples · {first.key_results} KRs · rubric {first.rubric_version}"
    table = Table(title=title)
    table.add_column("label (support)", no_wrap=True)
    for r in runs:
        table.add_column(f"{r.mode}\nF1 · 95% CI\nP · R", justify="right", no_wrap=True)
    for label, s in first.per_label.items():
        cells = [f"{label} ({s.support})"]
        for r in runs:
            x = r.per_label[label]
            cells.append(f"{x.f1:.3f} {_short(x.f1_ci[0])}–{_short(x.f1_ci[1])}\n"
                         f"P {_short(x.precision, 3)} R {_short(x.recall, 3)}")
        table.add_row(*cells)
    table.add_row("macro F1", *(fmt(r.macro_f1) for r in runs), style="bold")
    table.add_row("micro F1", *(fmt(r.micro_f1) for r in runs), style="bold")
    table.add_row(f"{FALSE_FLAGS} (share)", *(fmt(r.aspiration_false_flag_share) for r in runs))
    console.print(table)

    if suite.stand_in_note:
        console.print(f"note: {suite.stand_in_note}", style="bold yellow", markup=False)
    rw = Table(title="rewrites and cost")
    rw.add_column("")
    for r in runs:
        rw.add_column(r.mode, justify="right")
    rows: list[tuple[str, list[str]]] = [
        ("rewrites", [str(r.rewrites.count) for r in runs]),
        ("asks (share of flagged KRs)", [f"{r.rewrites.asks} ({fmt(r.rewrites.ask_share, 2)})" for r in runs]),
        ("coverage: rewrite or ask (must be 1)", [fmt(r.rewrites.coverage) for r in runs]),
        ("validity", [fmt(r.rewrites.validity) for r in runs]),
        ("fabricated numbers (must be 0)", [str(r.rewrites.fabricated_numbers) for r in runs]),
        ("role errors (must be 0)", [str(r.rewrites.role_errors) for r in runs]),
        ("garbled phrases (must be 0)", [str(r.rewrites.garbled_phrases) for r in runs]),
        ("empty templates (must be 0)", [str(r.rewrites.empty_templates) for r in runs]),
        ("duplicate rewrites in a set (must be 0)",
         [str(r.rewrites.duplicate_rewrites_in_a_set) for r in runs]),
        ("usable share, graded (good or acceptable)", [eval_rewrites.usable_cell(r.rewrites) for r in runs]),
        ("placeholder share", [fmt(r.rewrites.placeholder_share) for r in runs]),
        ("similarity to references", [fmt(r.rewrites.reference_similarity) for r in runs]),
    ]
    if any(r.rewrites.judge for r in runs):
        rows.append(("judge score (0-1)", [fmt(r.rewrites.judge.mean_score) if r.rewrites.judge else "—" for r in runs]))
    for role in ("reviewer", "judge"):
        costs = [getattr(r.cost, role) for r in runs]
        if any(c.calls for c in costs):
            rows.append((f"{role} calls", [str(c.calls) for c in costs]))
            rows.append((f"{role} tokens in / cached / out",
                         [f"{c.prompt_tokens} / {c.cached_tokens} / {c.completion_tokens}" for c in costs]))
            rows.append((f"{role} cost $ · latency s",
                         [f"{_dollars(c.cost_usd, r)} · {c.latency_s:.1f}" for c, r in zip(costs, runs, strict=True)]))
    if any(r.responses for r in runs):
        rows.append(("model answers", [_answers(r) for r in runs]))
    rows.append(("seconds", [f"{r.seconds:.2f}" for r in runs]))
    for name, cells in rows:
        rw.add_row(name, *cells)
    console.print(rw)

    for r in runs:
        _print_confusion(r, console)
        if r.slices:
            print_slices(r, console, f"{r.mode}: per origin and kind of source")
        wrong = [e for e in r.per_example if not e.correct]
        console.print(
            f"{r.mode}: {len(wrong)} of {r.examples} examples with a mismatch", markup=False
        )
        if suite.gate is None:
            for e in wrong[:show_examples]:
                for m in e.mismatches:
                    console.print(
                        f"  {e.id} {m.target}: expected {m.expected}, got {m.predicted}: {m.text}",
                        markup=False,
                    )
    if suite.realworld is not None:
        rw = suite.realworld
        console.print(("" if rw.runs else "note: ") + rw.note, markup=False)
        for r in rw.runs:
            print_slices(r, console, f"real drafts · {r.mode}")
            _print_confusion(r, console, "real drafts · ")
    print_rewrites(suite, console, show_examples)
    if suite.gate is not None:
        print_gate(suite.gate, console, show_examples)


def print_rewrites(suite: EvalSuite, console: Console, show_examples: int = 10) -> None:
    """Rewrites and asks per data set (per origin for the real drafts), then the items that
    break a must-be-0 check, those graded bad and the ungraded (real drafts: ids only)."""
    for t in eval_rewrites.tables(suite):
        # 80 columns fit the group and ten figures only with one space between them.
        table = Table(title=t.title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False,
                      collapse_padding=True, show_edge=False)
        table.add_column("group", overflow="ellipsis", no_wrap=True, max_width=14)
        shown = [i for i, (_, short, _) in enumerate(eval_rewrites.COLUMNS) if short]
        for i in shown:
            table.add_column(eval_rewrites.COLUMNS[i][1], justify="right", no_wrap=True)
        for name, cells in t.rows:
            # "0.69 (111/162)" -> "0.69/162": the share and how many were graded, narrow.
            cells = [re.sub(r"^(\S+) \(\d+/(\d+)\)$", r"\1/\2", c) for c in cells]
            table.add_row(name, *(cells[i] for i in shown), style="bold" if name == "all" else None)
        console.print(table)
    console.print(eval_rewrites.TERMINAL_LEGEND, markup=False)
    for group in eval_rewrites.items(suite):
        for what, found in (("break a must-be-0 check", group.defects), ("graded bad", group.bad),
                            ("ungraded", group.ungraded)):
            if not found:
                continue
            console.print(f"{group.title}: {len(found)} rewrites {what}", markup=False)
            for i in found[:show_examples]:
                detail = " · ".join(x for x in (i.what, i.text) if x)
                console.print(f"  {i.key}" + (f": {detail}" if detail else ""), markup=False)
            if len(found) > show_examples:
                console.print(f"  … and {len(found) - show_examples} more (--format json lists all)",
                              markup=False)


def _slice_row(name: str, s: SliceScore | EvalReport) -> list[str]:
    return [name, str(s.examples), str(s.key_results), fmt(s.micro_f1), fmt(s.macro_f1),
            label_f1(s, "task"), label_f1(s, "no_baseline"),
            fmt(s.aspiration_false_flag_share)]


def print_slices(r: EvalReport, console: Console, title: str) -> None:
    """One mode's scores overall, per origin and per kind of source (narrow: the JSON,
    Markdown and HTML reports carry every label's F1 per group)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    table.add_column("group", overflow="ellipsis", no_wrap=True, max_width=34)
    for col in ("sets", "KRs", "micro", "macro", "task", "no_baseline", "flagged"):
        table.add_column(col, justify="right", no_wrap=True, min_width=max(len(col), 5))
    table.add_row(*_slice_row("all", r), style="bold")
    for name, groups in r.slices.items():
        for group, score in groups.items():
            table.add_row(*_slice_row(f"{name.replace('_', ' ')}: {group}", score))
    console.print(table)
    console.print("micro, macro: F1 over the labels; task, no_baseline: their F1; flagged: share of "
                  "the objectives not labeled aspiration that were flagged as one", markup=False)


def _print_confusion(r: EvalReport, console: Console, prefix: str = "") -> None:
    conf = Table(title=f"{prefix}{r.mode}: KR labels, gold (rows) × predicted (columns)")
    cols = [*KR_LABELS, NONE]
    conf.add_column("gold \\ predicted")
    for c in cols:
        conf.add_column(c, justify="right")
    for g in cols:
        conf.add_row(g, *(str(r.confusion.get(g, {}).get(p, 0)) for p in cols))
    console.print(conf)


def print_gate(gate: GateResult, console: Console, show_examples: int = 10) -> None:
    for note in gate.notes:
        console.print(f"note: {note}", markup=False)
    for c in gate.comparisons:
        _print_moves(c, console, show_examples)
    for c in gate.realworld:
        _print_moves(c, console, show_examples, "real drafts · ")
    if gate.passed:
        console.print(f"gate passed: no gated metric dropped more than {gate.max_drop:g} ({gate.baseline})",
                      markup=False)
        return
    console.print(f"gate FAILED against {gate.baseline}:", style="bold red", markup=False)
    for f in gate.failures:
        base = "none" if f.baseline is None else f"{f.baseline:.4f}"
        console.print(
            f"  {f.mode} {f.metric}: {base} -> {f.current:.4f} ({f.allowed})", markup=False
        )
        if f.examples:
            shown = ", ".join(f.examples[:show_examples])
            more = f" and {len(f.examples) - show_examples} more" if len(f.examples) > show_examples else ""
            console.print(f"    examples: {shown}{more}", markup=False)


def _print_moves(c: ModeComparison, console: Console, show_examples: int, prefix: str = "") -> None:
    if not c.gated and not (c.regressed or c.improved or c.changed):
        return  # no baseline of this mode: nothing moved against anything
    console.print(
        f"{prefix}{c.mode} vs baseline: {len(c.regressed)} items regressed, {len(c.improved)} improved, "
        f"{len(c.changed)} changed{'' if c.gated else ' (compared, not gated)'}",
        markup=False,
    )
    for m in c.regressed[:show_examples]:
        console.print(
            f"  regressed {m.key} {m.target}: expected {m.expected}, now {m.after}: {m.text}",
            markup=False,
        )


def print_eval(report: EvalReport, console: Console | None = None, show_examples: int = 10) -> None:
    """One mode (kept for callers of the single-report API)."""
    print_suite(EvalSuite(runs=[report]), console, show_examples)


def _dollars(cost_usd: float, r: EvalReport) -> str:
    """No price for the stand-in model: its recorded 'cost' is no one's bill."""
    return "— (stand-in)" if r.stand_in else f"{cost_usd:.4f}"


def _answers(r: EvalReport) -> str:
    if r.stand_in:
        return f"{r.responses}: scripted stand-in"
    return r.responses or "—"
