"""Rewrites measured the way a coach would: the checks the eval runs on each returned rewrite.

Each check is recomputed here, from the rewrite's text and its original KR, rather than
trusted from the rewrite engine that already applied it: the eval is the second pair of
eyes, and a check the engine skipped (or a model rewrite it never saw) is still counted.

- `role_errors`: the author's numbers the rewrite moved into a role they did not have
  (a qualifier made the target, a change made a level), read by `coach.roles`;
- `garbled`: the metric the rewrite names is not a noun phrase a coach would write, or it
  carries punctuation or a clause ("or lower defect rate", "paid on time"); read twice,
  as written in the rewrite's metric slot and as the reader finds it;
- `empty_template`: the metric slot is a placeholder ("Increase [outcome metric ...]
  from [baseline] to [target]"): a form to fill, not a rewrite;
- `duplicates`: rewrites of one set that say the same thing twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..language.key_results import analyze_kr
from ..language.noun_phrases import is_noun_phrase
from ..language.phrases import metric_phrase
from ..lexicon import Lexicon
from ..provenance import numbers_in
from ..roles import misplaced, roles_of

# The engine's rewrite form: "<Verb> <metric>[ by <change>| <n>x][,] from <baseline> to <target>".
# Group 2 is the metric slot as written; a rewrite in another form (a model's) has none, and
# is read by the reader only.
_SLOT = re.compile(
    r"^\s*(\S+)\s+(?P<slot>.+?)(?:\s+(?:by|up|down)\s+[^,\[]+?)?(?:\s+\d+(?:[.,]\d+)?x)?,?\s+from\s",
    re.I,
)
_PLACEHOLDER = re.compile(r"\[[^\]]*\]")


@dataclass(frozen=True)
class RewriteCheck:
    """What the eval found wrong with one rewrite (nothing: every field empty)."""

    role_errors: list[str] = field(default_factory=list)
    garbled: str | None = None  # the phrase that is not a noun phrase ("" when none could be read)
    empty_template: bool = False

    @property
    def ok(self) -> bool:
        return not self.role_errors and self.garbled is None and not self.empty_template


def metric_slot(rewrite: str) -> str | None:
    """The metric as the rewrite writes it, when the rewrite has the engine's form."""
    m = _SLOT.match(rewrite)
    return m.group("slot").strip() if m else None


def is_empty_template(rewrite: str, lex: Lexicon) -> bool:
    """The rewrite's metric is a placeholder: nothing measured is named, only a form."""
    slot = metric_slot(rewrite)
    if slot is not None:
        return bool(_PLACEHOLDER.search(slot))
    # Another form: the metric the reader finds sits inside a placeholder, or there is none
    # and the text is only a verb and placeholders.
    metric = metric_phrase(analyze_kr(rewrite, lex), lex)
    bare = _PLACEHOLDER.sub(" ", rewrite)
    if metric and metric.lower() not in bare.lower():
        return True
    return not metric and bool(_PLACEHOLDER.search(rewrite)) and len(re.findall(r"[A-Za-z]+", bare)) <= 3


def garbled_phrase(rewrite: str, lex: Lexicon) -> str | None:
    """The metric phrase of `rewrite` that a coach would not write, or None when it reads
    as a noun phrase both as written and as re-read ("" when no metric can be read)."""
    slot = metric_slot(rewrite)
    if slot is not None and not _PLACEHOLDER.search(slot) and not is_noun_phrase(slot, lex):
        return slot
    read = metric_phrase(analyze_kr(rewrite, lex), lex)
    if not read:
        return ""
    return None if is_noun_phrase(read, lex) else read


# The values a KR's own metric is measured by: a rewrite of the same metric keeps them.
_VALUE_ROLES = {"baseline", "target", "change"}


def lost_values(original: str, rewrite: str, lex: Lexicon) -> list[str]:
    """The author's baseline, target or change the rewrite dropped ("5 million monthly
    readers" rewritten with no 5): a number that lost its role altogether."""
    kept = set(numbers_in(rewrite))
    return sorted(n for n, roles in roles_of(analyze_kr(original, lex)).items()
                  if roles & _VALUE_ROLES and n not in kept)


def check(original: str, rewrite: str, lex: Lexicon, *, same_metric: bool = True) -> RewriteCheck:
    """Every check of one rewrite of the KR `original`.

    `same_metric`: the rewrite measures the KR's own metric (a KR flagged for a missing
    baseline or target), so it must keep the author's values too; a task's rewrite measures
    what the task is for, and its numbers (people to hire, pages to write) stay with the task.
    """
    template = is_empty_template(rewrite, lex)
    moved = misplaced(analyze_kr(original, lex), analyze_kr(rewrite, lex))
    lost = lost_values(original, rewrite, lex) if same_metric else []
    return RewriteCheck(
        role_errors=sorted({*moved, *lost}),
        # A template has no phrase to garble: it is counted once, as a template.
        garbled=None if template else garbled_phrase(rewrite, lex),
        empty_template=template,
    )


def normalise(text: str) -> str:
    """Two rewrites that differ only in case, spacing or a final stop say the same."""
    return " ".join(text.lower().split()).rstrip(" .")


def duplicates(texts: Iterable[str]) -> list[int | None]:
    """For each text, the index of an earlier text of the same set it repeats (or None)."""
    first: dict[str, int] = {}
    out: list[int | None] = []
    for i, text in enumerate(texts):
        key = normalise(text)
        out.append(first.get(key))
        first.setdefault(key, i)
    return out
