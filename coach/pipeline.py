"""`review()`: the one pipeline every front end calls.

draft → parse → facts → rule checks → findings → rewrites (checked) → Review.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Literal

from . import __version__
from .checks import CHECKS, SetContext, build_context
from .errors import ConfigError
from .models import Finding, OkrSet, Provenance, Review, Rewrite, Summary, Target
from .parse import parse
from .rewrite import build_rewrite
from .rubric import Rubric, Rule, load_rubric
from .scoring import score

Mode = Literal["rules", "llm", "hybrid"]


def review(
    draft: str | bytes | dict[str, Any] | list[Any] | OkrSet,
    *,
    mode: Mode = "rules",
    rubric: str | Path | Rubric | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
) -> Review:
    """Review a draft OKR set (pasted text, JSON/CSV text, a dict, or an OkrSet).

    `select` keeps only the given rule ids; `ignore` drops rule ids.
    """
    if mode not in ("rules", "llm", "hybrid"):
        raise ConfigError(f"unknown mode '{mode}'; use rules, llm or hybrid")
    if mode == "llm":
        raise ConfigError(
            "mode 'llm' needs a configured model, and no LLM is configured; "
            "use mode 'rules' (or 'hybrid', which falls back to rules)"
        )
    rb = load_rubric(rubric)
    okr_set = parse(draft)
    rules = _active_rules(rb, select, ignore)
    ctx = build_context(okr_set, rb)
    findings = run_checks(ctx, rules)
    rewrites = _rewrites(ctx, findings)
    status = "not used: rules-only" if mode == "rules" else "no LLM configured: rules-only review"
    return Review(
        okr_set=okr_set,
        findings=findings,
        rewrites=rewrites,
        summary=_summary(okr_set, findings, rb),
        provenance=Provenance(
            okr_coach_version=__version__,
            mode=mode,
            rubric=rb.name,
            rubric_version=rb.full_version,
            llm_status=status,
        ),
    )


def _active_rules(rb: Rubric, select: list[str] | None, ignore: list[str] | None) -> list[Rule]:
    chosen = rb.resolve(select) if select else None
    dropped = rb.resolve(ignore)
    return [
        r for r in rb.enabled_rules() if (chosen is None or r.id in chosen) and r.id not in dropped
    ]


def run_rules(okr_set: OkrSet, rb: Rubric, rules: list[Rule]) -> list[Finding]:
    return run_checks(build_context(okr_set, rb), rules)


def run_checks(ctx: SetContext, rules: list[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        for hit in CHECKS[rule.check](ctx, rule):
            fields = _SafeDict(hit.fields)
            findings.append(
                Finding(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    severity=rule.severity,
                    label=rule.label,
                    target=hit.target,
                    message=rule.message.format_map(fields),
                    why=" ".join(rule.why.split()),
                    fix=" ".join(rule.fix.format_map(fields).split()),
                    span=hit.span,
                    questions=[q.format_map(fields) for q in rule.questions],
                )
            )
    findings.sort(key=_order)
    return findings


def _order(f: Finding) -> tuple[int, int, int, str]:
    t = f.target
    return (
        -1 if t.objective is None else t.objective,
        -1 if t.key_result is None else t.key_result,
        -f.severity.rank,
        f.rule_id,
    )


class _SafeDict(dict):
    """Rule messages are data; a placeholder a check does not fill stays visible."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _rewrites(ctx: SetContext, findings: list[Finding]) -> list[Rewrite]:
    okr_set, rb = ctx.okr_set, ctx.rubric
    out: list[Rewrite] = []
    for f in findings:
        t = f.target
        if f.label is None or t.key_result is None or t.objective is None:
            continue
        obj = okr_set.objectives[t.objective]
        kr = obj.key_results[t.key_result]
        # A rewrite depends only on the KR, its label and the objective (number provenance):
        # memoise it with the lexicon's analyses, and re-target the copy.
        facts = ctx.key_results[t.objective][t.key_result]
        rw = rb.lexicon.memoised(
            ("rewrite", kr.text, f.label, obj.text, f.rule_id),
            lambda: build_rewrite(facts, f.label, rb, Target(), [kr.text, obj.text], [f.rule_id]),  # noqa: B023
        )
        if rw is not None:
            out.append(rw.model_copy(update={"target": Target(objective=t.objective, key_result=t.key_result)}))
    return out



def _summary(okr_set: OkrSet, findings: list[Finding], rb: Rubric) -> Summary:
    n_krs = sum(len(o.key_results) for o in okr_set.objectives)
    flagged_krs = {
        (f.target.objective, f.target.key_result)
        for f in findings
        if f.label in ("task", "no_metric", "no_target", "no_baseline")
    }
    return Summary(
        score=score(okr_set, findings, rb),
        objectives=len(okr_set.objectives),
        key_results=n_krs,
        outcome_key_results=n_krs - len(flagged_krs),
        findings=len(findings),
        by_severity=dict(Counter(f.severity.value for f in findings)),
        by_label=dict(Counter(f.label for f in findings if f.label)),
        by_rule=dict(Counter(f.rule_id for f in findings)),
    )
