"""A Review in the terminal (rich). User text is never read as markup."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..models import Ask, Finding, Review
from .common import (
    WhyOnce,
    count,
    disagreement_line,
    finding_questions,
    source_note,
    suggestion_counts,
    usage_line,
)

_STYLE = {"error": ("✖", "bold red"), "warning": ("▲", "yellow"), "info": ("●", "cyan")}


def _finding(console: Console, f: Finding, indent: int, why: str | None, questions: list[str]) -> None:
    mark, style = _STYLE[f.severity.value]
    pad = " " * indent
    line = Text(pad)
    line.append(f"{mark} {f.rule_id} {f.rule_name}", style=style)
    note = source_note(f)
    if note:
        line.append(f" [{note}]", style="magenta")
    line.append("  ")
    line.append(f.message)
    console.print(line)
    if f.llm_reason and f.source != "rules":
        console.print(Text(f"{pad}  model: {f.llm_reason}", style="dim"))
    if why:
        console.print(Text(f"{pad}  why: {why}", style="dim"))
    for q in questions:
        console.print(Text(f"{pad}  ask: {q}", style="dim"))


def _ask(console: Console, ask: Ask) -> None:
    """Needs your input: no rewrite, the questions and the candidate metrics instead."""
    line = Text("          ? ", style="yellow")
    line.append("needs your input", style="bold yellow")
    line.append(" (no rewrite the coach is sure of)", style="dim")
    console.print(line)
    for q in ask.questions:
        console.print(Text(f"            ask: {q}", style="dim"))
    for c in ask.candidates:
        pick = Text("            or measure ")
        pick.append(c.metric, style="bold")
        pick.append(f" ({c.why}): ", style="dim")
        pick.append(c.rewrite)
        console.print(pick)


def print_review(review: Review, console: Console | None = None) -> None:
    console = console or Console()
    s, p = review.summary, review.provenance
    why = WhyOnce()

    def finding(f: Finding, indent: int) -> None:
        _finding(console, f, indent, why(f), finding_questions(review, f))

    head = Text("okr-coach ", style="bold")
    head.append(f"score {s.score}/100", style="bold green" if s.score >= 80 else "bold yellow")
    head.append(f" · {p.mode} ({p.llm_status}) · rubric {p.rubric_version}", style="dim")
    console.print(head)
    usage = usage_line(p)
    if usage:
        console.print(Text(usage, style="dim"))
    for notice in review.notices:
        console.print(Text(f"note: {notice}", style="bold yellow"))
    console.print()
    for f in review.findings:
        if f.target.objective is None:
            finding(f, 0)
    for oi, obj in enumerate(review.okr_set.objectives):
        title = Text(f"O{oi + 1}  ", style="bold")
        title.append(obj.text, style="bold")
        if obj.span:
            title.append(f"  (line {obj.span.line})", style="dim")
        console.print(title)
        for f in review.findings_for(oi):
            finding(f, 4)
        sharper = review.objective_suggestion_for(oi)
        if sharper:
            for option in sharper.options:
                console.print(Text(f"    → {option}", style="green"))
            for q in sharper.questions:
                console.print(Text(f"      ask: {q}", style="dim"))
        for ki, kr in enumerate(obj.key_results):
            line = Text(f"    KR{ki + 1}  ")
            line.append(kr.text)
            findings = review.findings_for(oi, ki)
            if not findings:
                line.append("  ✔ outcome", style="green")
            console.print(line)
            for f in findings:
                finding(f, 10)
            rw = review.rewrite_for(oi, ki)
            if rw:
                sug = Text("          → ", style="green")
                sug.append(rw.text, style="green")
                if rw.source == "llm":
                    sug.append("  (model's rewrite, checked)", style="dim")
                console.print(sug)
                for q in rw.questions:
                    console.print(Text(f"            ask: {q}", style="dim"))
            else:
                ask = review.ask_for(oi, ki)
                if ask:
                    _ask(console, ask)
        console.print()
    if review.disagreements:
        console.print(Text("Where the rules and the model disagree", style="bold"))
        for d in review.disagreements:
            console.print(Text(f"  {disagreement_line(review, d)}"))
        console.print()
    for w in review.okr_set.warnings:
        console.print(Text(f"line {w.line}: {w.message}: {w.text}", style="yellow"))
    by = s.by_severity
    console.print(
        Text(
            f"{count(s.objectives, 'objective')} · {count(s.key_results, 'key result')} · "
            f"{count(s.outcome_key_results, 'outcome')} · {count(by.get('error', 0), 'error')}, "
            f"{count(by.get('warning', 0), 'warning')}, {by.get('info', 0)} info · "
            f"{suggestion_counts(review)}",
            style="bold",
        )
    )
