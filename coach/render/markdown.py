"""A Review as Markdown: for pasting into a doc, a ticket or a pull request.

Every text that comes from the draft, the rubric or the model is escaped
(`md_text`, `md_code`): it shows as written and never becomes a link, an
image, a heading or HTML.
"""

from __future__ import annotations

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
from .escaping import md_code, md_text

_ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def _finding(f: Finding, why: str | None, questions: list[str]) -> list[str]:
    note = source_note(f)
    lines = [
        f"- {_ICON[f.severity.value]} **{md_text(f.rule_id)} {md_text(f.rule_name)}**"
        + (f" ({md_text(note)})" if note else "")
        + f" — {md_text(f.message)}"
    ]
    if f.llm_reason and f.source != "rules":
        lines.append(f"  - *Model:* {md_text(f.llm_reason)}")
    if why:
        lines.append(f"  - *Why:* {md_text(why)}")
    lines += [f"  - *Ask:* {md_text(q)}" for q in questions]
    return lines


def _ask(ask: Ask) -> list[str]:
    """Needs your input, never shown as a rewrite: the questions, then the candidate metrics."""
    lines = ["- 🙋 **Needs your input** (no rewrite the coach is sure of)"]
    lines += [f"  - *Ask:* {md_text(q)}" for q in ask.questions]
    lines += [
        f"  - *Or measure* **{md_text(c.metric)}** ({md_text(c.why)}): {md_code(c.rewrite)}"
        for c in ask.candidates
    ]
    return lines


def review_markdown(review: Review) -> str:
    s = review.summary
    p = review.provenance
    why = WhyOnce()

    def finding(f: Finding) -> list[str]:
        return _finding(f, why(f), finding_questions(review, f))

    out = [
        "# OKR review",
        "",
        f"**Score {s.score}/100** · {count(s.objectives, 'objective')} · "
        f"{count(s.key_results, 'key result')} · {count(s.outcome_key_results, 'outcome KR')} · "
        f"{count(s.findings, 'finding')} · {suggestion_counts(review)}",
        "",
        f"*Mode {md_text(p.mode)} ({md_text(p.llm_status)}) · rubric {md_code(p.rubric_version)}*",
        "",
    ]
    usage = usage_line(p)
    if usage:
        out += [f"*{md_text(usage)}*", ""]
    for notice in review.notices:
        out += [f"> **Note:** {md_text(notice)}", ""]
    set_level = [f for f in review.findings if f.target.objective is None]
    if set_level:
        out += ["## The set", ""] + [line for f in set_level for line in finding(f)] + [""]
    for oi, obj in enumerate(review.okr_set.objectives):
        out += [f"## O{oi + 1}. {md_text(obj.text)}", ""]
        out += [line for f in review.findings_for(oi) for line in finding(f)]
        sharper = review.objective_suggestion_for(oi)
        if sharper:
            out += [f"- ✏️ **Sharper:** {md_code(o)}" for o in sharper.options]
            out += [f"  - *Ask:* {md_text(q)}" for q in sharper.questions]
        for ki, kr in enumerate(obj.key_results):
            out += ["", f"### KR{oi + 1}.{ki + 1} {md_text(kr.text)}"]
            findings = review.findings_for(oi, ki)
            if not findings:
                out.append("- ✅ a measurable outcome")
            out += [line for f in findings for line in finding(f)]
            rw = review.rewrite_for(oi, ki)
            if rw:
                by = " (the model's, checked)" if rw.source == "llm" else ""
                out += [f"- ✏️ **Suggested{by}:** {md_code(rw.text)}"]
                out += [f"  - *Ask:* {md_text(q)}" for q in rw.questions]
            elif (ask := review.ask_for(oi, ki)) is not None:
                out += _ask(ask)
        out.append("")
    if review.disagreements:
        out += ["## Where the rules and the model disagree", ""]
        out += [f"- {md_text(disagreement_line(review, d))}" for d in review.disagreements] + [""]
    if review.okr_set.warnings:
        out += ["## Lines not used", ""]
        out += [f"- line {w.line}: {md_text(w.message)} — {md_code(w.text)}" for w in review.okr_set.warnings]
    return "\n".join(out).rstrip() + "\n"
