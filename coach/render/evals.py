"""An EvalReport as a terminal table or Markdown."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..evals import NONE, EvalReport
from ..models import KR_LABELS


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def print_eval(report: EvalReport, console: Console | None = None, show_examples: int = 10) -> None:
    console = console or Console()
    table = Table(title=f"okr-coach eval · {report.mode} · {report.rubric_version}")
    for col in ("label", "precision", "recall", "F1", "support"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for label, s in report.per_label.items():
        table.add_row(label, _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), str(s.support))
    table.add_row("macro F1", "", "", _fmt(report.macro_f1), "", style="bold")
    table.add_row("micro F1", "", "", _fmt(report.micro_f1), "", style="bold")
    console.print(table)

    conf = Table(title="KR labels: gold (rows) × predicted (columns)")
    cols = [*KR_LABELS, NONE]
    conf.add_column("gold \\ predicted")
    for c in cols:
        conf.add_column(c, justify="right")
    for g in cols:
        conf.add_row(g, *(str(report.confusion.get(g, {}).get(p, 0)) for p in cols))
    console.print(conf)

    r = report.rewrites
    console.print(
        f"rewrites: {r.count} · coverage {_fmt(r.coverage)} · validity {_fmt(r.validity)} · "
        f"fabricated numbers {r.fabricated_numbers} · placeholder share {_fmt(r.placeholder_share)} · "
        f"similarity to {r.reference_count} references {_fmt(r.reference_similarity)}",
        markup=False,
    )
    wrong = [e for e in report.per_example if not e.correct]
    console.print(
        f"{report.examples} examples · {report.objectives} objectives · {report.key_results} KRs · "
        f"{len(wrong)} examples with a mismatch · {report.seconds:.2f} s",
        markup=False,
    )
    for e in wrong[:show_examples]:
        for m in e.mismatches:
            console.print(
                f"  {e.id} {m.target}: expected {m.expected}, got {m.predicted}: {m.text}",
                markup=False,
            )


def eval_markdown(report: EvalReport) -> str:
    lines = [
        f"## okr-coach eval — {report.mode}",
        "",
        f"Rubric `{report.rubric_version}` · {report.examples} examples · {report.objectives} objectives · "
        f"{report.key_results} KRs",
        "",
        f"**macro F1 {report.macro_f1:.3f}** · micro F1 {report.micro_f1:.3f}",
        "",
        "| label | precision | recall | F1 | support |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, s in report.per_label.items():
        lines.append(f"| {label} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |")
    cols = [*KR_LABELS, NONE]
    lines += [
        "",
        "| gold \\ predicted | " + " | ".join(cols) + " |",
        "| --- |" + " ---: |" * len(cols),
    ]
    for g in cols:
        lines.append(
            f"| {g} | "
            + " | ".join(str(report.confusion.get(g, {}).get(p, 0)) for p in cols)
            + " |"
        )
    r = report.rewrites
    lines += [
        "",
        "| rewrites | coverage | validity | fabricated numbers | placeholder share | reference similarity |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {r.count} | {r.coverage:.3f} | {r.validity:.3f} | {r.fabricated_numbers} | "
        f"{r.placeholder_share:.3f} | {_fmt(r.reference_similarity)} |",
    ]
    return "\n".join(lines) + "\n"
