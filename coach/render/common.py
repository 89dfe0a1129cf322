"""Wording shared by the text and Markdown renderings of a review."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Disagreement, Finding, Provenance, Review

_WHO = {"llm": "model", "both": "rules + model"}


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 objective', '3 objectives', '1,200 key results'."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def source_note(f: Finding) -> str:
    """'' for a rules finding; 'model 0.85' or 'rules + model' otherwise."""
    who = _WHO.get(f.source)
    if who is None:
        return ""
    return f"{who} {f.confidence:.2f}" if f.confidence is not None else who


def usage_line(p: Provenance) -> str | None:
    """Model, calls, tokens and estimated cost of a review that used a model."""
    u = p.usage
    if u is None:
        return None
    parts = [f"model {p.model}", f"prompt {p.prompt_version}"]
    if u.cache_hits and not u.calls:
        parts.append("answered from cache, no call")
    else:
        parts.append(count(u.calls, "call"))
        parts.append(f"{u.prompt_tokens:,} + {u.completion_tokens:,} tokens")
        parts.append(f"≈ ${u.cost_usd:.4f}")
    return " · ".join(parts)


def suggestion_counts(review: Review) -> str:
    """'rewrites: 2, needs your input: 1': asks are counted apart from rewrites."""
    return f"rewrites: {len(review.rewrites):,}, needs your input: {len(review.asks):,}"


def suggestion_questions(review: Review, oi: int, ki: int) -> list[str]:
    """The questions of a key result's rewrite, or of its ask when it has no rewrite."""
    held = review.rewrite_for(oi, ki) or review.ask_for(oi, ki)
    return list(held.questions) if held else []


def kr_questions(review: Review, oi: int, ki: int) -> list[str]:
    """A key result's questions, each once: its rewrite's or ask's, which ask in the fuller
    form, else its findings'."""
    own = suggestion_questions(review, oi, ki)
    return unique(own or (q for f in review.findings_for(oi, ki) for q in f.questions))


def finding_questions(review: Review, f: Finding) -> list[str]:
    """The questions to print under a finding: none where the key result's rewrite or ask
    asks its own (`kr_questions`), so nothing is asked twice."""
    t = f.target
    if t.objective is not None and t.key_result is not None and suggestion_questions(review, t.objective, t.key_result):
        return []
    return list(f.questions)


def unique(values: Iterable[str]) -> list[str]:
    """The non-empty values, each once, in order."""
    return list(dict.fromkeys(v for v in values if v))


class WhyOnce:
    """A rule's 'why' is printed with its first finding in a review, not with every one."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __call__(self, f: Finding) -> str | None:
        if f.rule_id in self._seen:
            return None
        self._seen.add(f.rule_id)
        return f.why


def item_name(review: Review, d: Disagreement) -> str:
    t = d.target
    oi = t.objective or 0
    if t.key_result is None:
        return f"O{oi + 1} \"{review.okr_set.objectives[oi].text}\""
    kr = review.okr_set.objectives[oi].key_results[t.key_result]
    return f"O{oi + 1}.KR{t.key_result + 1} \"{kr.text}\""


def disagreement_line(review: Review, d: Disagreement) -> str:
    conf = f" ({d.confidence:.2f})" if d.confidence is not None else ""
    return (
        f"{item_name(review, d)}: rules say {d.rules or 'fine'}, model says {d.llm or 'fine'}{conf}"
        f" — kept {d.kept or 'no label'}: {d.why}."
        + (f" Model: {d.llm_reason}" if d.llm_reason else "")
    )
