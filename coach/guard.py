"""The rewrite guard: every rewrite a model proposes is checked in code before it is shown.

1. Number provenance: a number the author did not write becomes a visible
   placeholder (`[baseline]`, `[target]`, `[value]`), or `[suggested: N]` when
   the caller asked for suggestions. Whatever the model says.
2. Rubric re-check: the rewrite is reviewed by the rules like any KR; one that
   would still be flagged is not shown as a fix (the pipeline asks the model
   to repair it once, then falls back to the deterministic rewrite).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .language.key_results import analyze_kr
from .language.labels import kr_label
from .provenance import enforce, fabricated
from .rubric import Rubric

_PLACEHOLDER = re.compile(r"\[[^\]]+\]")
_BEFORE_BASELINE = re.compile(r"\b(?:from|currently|baseline(?: of)?|up from|down from)\s*$", re.I)
_BEFORE_TARGET = re.compile(r"\b(?:to|by|reach|hit|at least|at most|above|below|under|over)\s*$", re.I)
# A period the author never named ("by Q3") is one placeholder, not "Q[value]".
_PERIOD = re.compile(r"\b(?:Q[1-4]|H[12]|FY\s?'?\d{2,4})(?:\s+(?:FY\s?)?'?\d{2,4})?\b")
MAX_REWRITE_CHARS = 300


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
    # `[suggested: 40]` holds a number the author never gave: the rubric sees a placeholder.
    label = kr_label(analyze_kr(_PLACEHOLDER.sub("[value]", clean), rubric.lexicon), rubric)
    if label is not None:
        rule = rubric.label_rule(label)
        result.problem = f"{label}: {rule.summary if rule else label}"
    return result
