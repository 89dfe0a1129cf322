"""A Review as Markdown: for pasting into a doc, a ticket or a pull request."""

from __future__ import annotations

from ..models import Finding, Review

_ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def _finding(f: Finding) -> list[str]:
    lines = [
        f"- {_ICON[f.severity.value]} **{f.rule_id} {f.rule_name}** — {f.message}",
        f"  - *Why:* {f.why}",
    ]
    lines += [f"  - *Ask:* {q}" for q in f.questions]
    return lines


def review_markdown(review: Review) -> str:
    s = review.summary
    p = review.provenance
    out = [
        "# OKR review",
        "",
        f"**Score {s.score}/100** · {s.objectives} objectives · {s.key_results} key results · "
        f"{s.outcome_key_results} outcome KRs · {s.findings} findings",
        "",
        f"*Mode {p.mode} ({p.llm_status}) · rubric `{p.rubric_version}`*",
        "",
    ]
    set_level = [f for f in review.findings if f.target.objective is None]
    if set_level:
        out += ["## The set", ""] + [line for f in set_level for line in _finding(f)] + [""]
    for oi, obj in enumerate(review.okr_set.objectives):
        out += [f"## O{oi + 1}. {obj.text}", ""]
        out += [line for f in review.findings_for(oi) for line in _finding(f)]
        for ki, kr in enumerate(obj.key_results):
            out += ["", f"### KR{oi + 1}.{ki + 1} {kr.text}"]
            findings = review.findings_for(oi, ki)
            if not findings:
                out.append("- ✅ a measurable outcome")
            out += [line for f in findings for line in _finding(f)]
            rw = review.rewrite_for(oi, ki)
            if rw:
                out += [f"- ✏️ **Suggested:** `{rw.text}`"]
                out += [f"  - *Ask:* {q}" for q in rw.questions]
        out.append("")
    if review.okr_set.warnings:
        out += ["## Lines not used", ""]
        out += [f"- line {w.line}: {w.message} — `{w.text}`" for w in review.okr_set.warnings]
    return "\n".join(out).rstrip() + "\n"
