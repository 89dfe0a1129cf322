"""The guard: everything a model writes is checked in code before a person sees it.

Rewrites (`guard_rewrite`):

1. Number provenance: a number the author did not write becomes a visible
   placeholder (`[baseline]`, `[target]`, `[value]`), or `[suggested: N]` when
   the caller asked for suggestions. Whatever the model says.
2. Rubric re-check: the rewrite is reviewed by the rules like any KR; one that
   would still be flagged is not shown as a fix (the pipeline asks the model
   to repair it once, then falls back to the deterministic rewrite).

Prose (`guard_prose`: the model's reasons, its questions, a refusal): one line
of bounded length, and a number the author did not write becomes `[number]`,
so it is never shown, not even quoted back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .language.key_results import analyze_kr
from .language.labels import kr_label
from .language.noun_phrases import is_noun_phrase
from .language.phrases import metric_phrase
from .provenance import enforce, fabricated
from .roles import misplaced
from .rubric import Rubric

_PLACEHOLDER = re.compile(r"\[[^\]]+\]")
_BEFORE_BASELINE = re.compile(r"\b(?:from|currently|baseline(?: of)?|up from|down from)\s*$", re.I)
_BEFORE_TARGET = re.compile(r"\b(?:to|by|reach|hit|at least|at most|above|below|under|over)\s*$", re.I)
# A period the author never named ("by Q3") is one placeholder, not "Q[value]".
_SUGGESTED = re.compile(r"\[suggested:[^\]]*\]")
_PERIOD = re.compile(r"\b(?:Q[1-4]|H[12]|FY\s?'?\d{2,4})(?:\s+(?:FY\s?)?'?\d{2,4})?\b")
MAX_REWRITE_CHARS = 300
MAX_PROSE_CHARS = 500
NUMBER = "[number]"
# Tokens that carry digits but name something: an item of the set ("O1.KR2"), a rule ("KR01").
_ID_LIKE = re.compile(r"\b[A-Z]{1,3}\d{1,3}(?:\.KR\d{1,3})?\b")


@dataclass
class Guarded:
    text: str
    replaced: list[str] = field(default_factory=list)  # invented numbers taken out
    suggested: list[str] = field(default_factory=list)  # invented numbers kept as suggestions
    problem: str | None = None  # why the rubric still flags it, or None when clean

    @property
    def placeholders(self) -> list[str]:
        return sorted(set(_PLACEHOLDER.findall(self.text)))


def _name(token: str, before: str) -> str:
    if _BEFORE_BASELINE.search(before):
        return "[baseline]"
    if _BEFORE_TARGET.search(before):
        return "[target]"
    return "[value]"


def _named_outside(metric: str, text: str, rubric: Rubric) -> bool:
    """The metric is written out, not only inside a placeholder: the reader finds 'metric'
    in "Increase [metric] from [baseline] to [target]", a form to fill, not a rewrite."""
    bare = {w for w in re.findall(r"[\w-]+", _PLACEHOLDER.sub(" ", text).lower())}
    words = [w for w in re.findall(r"[\w-]+", metric.lower()) if w not in rubric.lexicon["stopwords"].words]
    return any(w in bare for w in words)


def guard_rewrite(text: str, sources: list[str], rubric: Rubric, *, suggest: bool = False) -> Guarded:
    """`text` with only the author's numbers, and whether the rubric accepts it."""
    text = " ".join(text.split())[:MAX_REWRITE_CHARS]
    suggested: list[str] = []

    def mark(token: str, before: str) -> str:
        suggested.append(token)
        return f"[suggested: {token}]"

    periods: list[str] = []

    def period(m: re.Match[str]) -> str:
        if fabricated(m.group(0), sources):
            periods.append(m.group(0))
            return "[deadline]"
        return m.group(0)

    if not suggest:
        text = _PERIOD.sub(period, text)
    clean, replaced = enforce(text, sources, mark if suggest else _name)
    result = Guarded(clean, [] if suggest else periods + replaced, suggested)
    if not clean:
        result.problem = "the rewrite is empty"
        return result
    # `[suggested: 40]` holds a number the author never gave: the rubric sees a placeholder
    # (the others are read as written: "(currently [current X])" is a baseline).
    facts = analyze_kr(_SUGGESTED.sub("[value]", clean), rubric.lexicon)
    metric = metric_phrase(facts, rubric.lexicon)
    if not metric or metric.startswith("[") or not is_noun_phrase(metric, rubric.lexicon) or not _named_outside(
        metric, clean, rubric
    ):
        # The same bar as the rules' rewrites: a named metric, never a template or a clause.
        result.problem = "the rewrite names no metric (a template or a garbled phrase)"
        return result
    moved = misplaced([analyze_kr(s, rubric.lexicon) for s in sources], facts, rubric.lexicon)
    if moved:
        # The same role guard as the rules' rewrites: "by 2 days" may not become "to 2 days".
        result.problem = f"a number in another role than the draft gave it ({', '.join(moved)})"
        return result
    label = kr_label(facts, rubric, slots=True)  # its placeholders are slots to fill
    if label is not None:
        rule = rubric.label_rule(label)
        result.problem = f"{label}: {rule.summary if rule else label}"
    return result


def guard_prose(text: str, sources: Iterable[str], *, keep: Iterable[str] = ()) -> str:
    """Model-written prose as a person may see it: one line, at most MAX_PROSE_CHARS, and
    no number, date or period the author did not write (each becomes `[number]`).

    `sources` are the author's texts; `keep` names tokens shown as they are although
    they hold digits: the ids of the set's items ("O1.KR2") and the rubric's rule ids.
    """
    sources = list(sources)
    text = " ".join(str(text).split())
    if len(text) > MAX_PROSE_CHARS:
        text = text[: MAX_PROSE_CHARS - 1].rstrip() + "\u2026"
    names = set(keep)
    held: dict[str, str] = {}

    def hold(m: re.Match[str]) -> str:
        if m.group(0) not in names:
            return m.group(0)
        # A stand-in with no digit in it, so the number check passes over it.
        key = f"\x00{chr(0xE000 + len(held))}\x00"
        held[key] = m.group(0)
        return key

    text = _ID_LIKE.sub(hold, text)
    text = _PERIOD.sub(lambda m: NUMBER if fabricated(m.group(0), sources) else m.group(0), text)
    text, _ = enforce(text, sources, NUMBER)
    for key, token in held.items():
        text = text.replace(key, token)
    return text
