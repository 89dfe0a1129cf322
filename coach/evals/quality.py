"""Rewrites measured the way a coach would: the checks the eval runs on each returned rewrite.

Each check is recomputed here, from the rewrite's text and its original KR, rather than
trusted from the rewrite engine that already applied it: the eval is the second pair of
eyes, and a check the engine skipped (or a model rewrite it never saw) is still counted.

- `role_errors`: the author's numbers the rewrite moved into a role they did not have
  (a qualifier made the target, a change made a level), read by `coach.roles`;
- `garbled`: the rewrite does not open with a verb ("Half ANR rate, from ..."), or the
  metric it names is not a noun phrase a coach would write, or it carries punctuation or
  a clause ("or lower defect rate", "paid on time"); read twice, as written in the
  rewrite's metric slot and as the reader finds it;
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

# The engine's rewrite form: "<Verb> <metric>[ by <change>| <n>x][,] from <baseline> to <target>",
# the baseline a placeholder or the author's value ("conversion rate from trial from
# [current ...]": the metric runs to the second "from"). `slot` is the metric as written; a
# rewrite in another form (a model's) has none, and is read by the reader only.
_SLOT = re.compile(
    r"^\s*(\S+)\s+(?P<slot>.+?)(?:\s+(?:by|up|down)\s+[^,\[]+?)?(?:\s+\d+(?:[.,]\d+)?x)?,?"
    r"\s+from\s+(?=[\[\d$€£¥])",
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
    """The metric as the rewrite writes it, when the rewrite has the engine's form (an
    article before it is the sentence's, not the metric's: "Increase the share of ...")."""
    m = _SLOT.match(rewrite)
    if not m:
        return None
    # (a scope the author wrote in parentheses after the name is theirs, kept verbatim: "weekly
    # active users (other)"; the name before it is what must read as a noun phrase)
    slot = re.sub(r"\s*\([^()]*\)$", "", m.group("slot").strip())
    return re.sub(r"(?i)^(?:the|a|an)\s+", "", slot)


def is_empty_template(rewrite: str, lex: Lexicon) -> bool:
    """The rewrite's metric is a placeholder: nothing measured is named, only a form."""
    slot = metric_slot(rewrite)
    if slot is not None:
        return slot.startswith("[")
    # Another form: the metric the reader finds sits inside a placeholder, or there is none
    # and the text is only a verb and placeholders.
    metric = metric_phrase(analyze_kr(rewrite, lex), lex)
    bare = _PLACEHOLDER.sub(" ", rewrite)
    if metric and metric.lower() not in bare.lower():
        return True
    return not metric and bool(_PLACEHOLDER.search(rewrite)) and len(re.findall(r"[A-Za-z]+", bare)) <= 3


_MODALS = {"must", "should", "will", "shall", "can", "could", "would", "may", "might"}
_ARTICLES = {"a", "an", "the", "our", "their", "its", "my", "your", "his", "her"}
# Prepositions the lexicon's qualifier list leaves out: an article may follow them.
_PREPOSITIONS = {"about", "above", "after", "against", "before", "behind", "below", "beyond",
                 "despite", "during", "into", "like", "near", "onto", "over", "past", "since",
                 "through", "throughout", "toward", "towards", "under", "until", "upon", "within"}
_PLACEHOLDER_NAME = re.compile(r"\[(?:current|target)\s+([^\]]+)\]", re.I)


def fragment(phrase: str, lex: Lexicon) -> str | None:
    """Why `phrase` is a clause or a fragment rather than a noun phrase, or None.

    A second opinion beside `is_noun_phrase`, on signs that need no word classes it lacks:
    a modal or an auxiliary outside a relative clause ("sick day rate must go"), two noun
    phrases run together ("referrals our cheapest channel", "realise a salary audit"; not
    "orders a month"), a phrase that stops on a function word ("share of X that have"), a
    range cut in half ("rate between DTP1": no "and", not "time between shifts"), and a
    placeholder inside it ("revenue from R[value]").
    """
    if "[" in phrase:
        return "a placeholder inside the metric"
    words = re.findall(r"[a-z0-9]+(?:['’-][a-z0-9]+)*", phrase.lower())
    if not words:
        return "no words"
    relative = lex["relative_pronouns"].words
    joins = lex.union("qualifier_prepositions", "chunk_breakers", "determiners", "value_frames") | relative | _PREPOSITIONS
    # Inside a relative clause, an infinitive or an -ing clause ("customers taking the
    # bundle"), verbs and their objects are fine.
    clause = False
    for i, w in enumerate(words):
        if w in relative or w == "to" or (i and len(w) > 4 and w.endswith("ing")):
            clause = True
        if w in _MODALS:
            return f"a modal verb ({w})"
        if not clause and i and w in lex["passive_auxiliaries"].words:
            return f"a verb ({w})"
        per_unit = i + 1 < len(words) and words[i + 1] in lex["time_units"].words  # "a month"
        if not clause and i and w in _ARTICLES and words[i - 1] not in joins and not per_unit:
            return f"two phrases run together ({words[i - 1]} {w})"
    end = lex.union("qualifier_prepositions", "determiners", "passive_auxiliaries") | relative | _MODALS | _PREPOSITIONS | {
        "and", "or", "to", "between", "have", "has", "had"}
    if words[-1] in end:
        return f"ends on '{words[-1]}'"
    if "between" in words:
        rest = words[words.index("between") + 1 :]
        if "and" not in rest and rest and not rest[0].endswith("s"):
            return "'between' with one end"
    return None


def garbled_phrase(rewrite: str, lex: Lexicon) -> str | None:
    """The metric phrase of `rewrite` that a coach would not write, or None when it reads
    as a noun phrase as written, as re-read, and in the placeholders that repeat it ("" when
    no metric can be read)."""
    slot = metric_slot(rewrite)
    opening = rewrite.split(maxsplit=1)[:1]
    if slot is not None and opening and not lex.verb_classes(opening[0].lower()):
        return f"{opening[0]} {slot}"  # "Half ANR rate, from ...", "Two number of ...": no verb opens it
    if slot is not None and not _PLACEHOLDER.search(slot) and (
        not is_noun_phrase(slot, lex) or fragment(slot, lex)
    ):
        return slot
    read = metric_phrase(analyze_kr(rewrite, lex), lex)
    if not read:
        return ""
    if not is_noun_phrase(read, lex) or fragment(read, lex):
        return read
    # The questions and the copied KR repeat the placeholders' names: "[current share of
    # them that have]" is as garbled as the metric.
    for name in _PLACEHOLDER_NAME.findall(rewrite):
        if fragment(name, lex):
            return f"[{name}]"
    return None


# The values a KR's own metric is measured by: a rewrite of the same metric keeps them.
_VALUE_ROLES = {"baseline", "target", "change"}


def lost_values(original: str, rewrite: str, lex: Lexicon) -> list[str]:
    """The author's baseline, target or change the rewrite dropped ("5 million monthly
    readers" rewritten with no 5): a number that lost its role altogether."""
    kept = set(numbers_in(rewrite))
    return sorted(n for n, roles in roles_of(analyze_kr(original, lex), lex).items()
                  if roles & _VALUE_ROLES and n not in kept)


def check(original: str, rewrite: str, lex: Lexicon, *, same_metric: bool = True) -> RewriteCheck:
    """Every check of one rewrite of the KR `original`.

    `same_metric`: the rewrite measures the KR's own metric (a KR flagged for a missing
    baseline or target), so it must keep the author's values too; a task's rewrite measures
    what the task is for, and its numbers (people to hire, pages to write) stay with the task.
    """
    template = is_empty_template(rewrite, lex)
    moved = misplaced(analyze_kr(original, lex), analyze_kr(rewrite, lex), lex)
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
