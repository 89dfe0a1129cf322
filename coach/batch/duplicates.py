"""Near-duplicate key results across owners: two managers measuring the same thing.

A KR is reduced to what it measures: its words without numbers, filler words and
the direction verb (increase / raise / grow are one "up"). KRs whose word sets are
alike (Jaccard similarity at least `THRESHOLD`) and whose owners differ are grouped.
Identical word sets are merged first, so a large batch compares only distinct ones,
and candidate pairs come from a prefix filter on rare words (no all-pairs loop).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

THRESHOLD = 0.75
MAX_GROUPS = 50
_WORD = re.compile(r"[a-z][a-z'&+-]*")
_UP = {"increase", "raise", "grow", "improve", "boost", "lift", "double", "triple", "expand"}
_DOWN = {"reduce", "cut", "decrease", "lower", "shrink", "halve", "minimise", "minimize"}
_FILLER = {
    "a", "an", "the", "of", "in", "on", "for", "and", "to", "from", "by", "at", "per", "our",
    "we", "with", "end", "q", "h", "week", "weeks", "month", "months", "quarter", "year",
    "hours", "hour", "days", "day", "than", "least", "most", "more", "less", "all", "each",
    "every", "new", "this", "that", "is", "be", "it", "its", "as", "currently", "baseline",
}  # fmt: skip


def signature(text: str) -> frozenset[str]:
    words = []
    for w in _WORD.findall(text.lower()):
        w = w.strip("'-+&")
        if w in _UP:
            w = "↑"
        elif w in _DOWN:
            w = "↓"
        elif w in _FILLER or len(w) < 2:
            continue
        words.append(w)
    return frozenset(words)


@dataclass
class Item:
    owner: str
    team: str | None
    text: str


@dataclass
class Group:
    items: list[Item] = field(default_factory=list)
    owners: int = 0
    words: list[str] = field(default_factory=list)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def find_duplicates(items: list[Item], *, threshold: float = THRESHOLD) -> list[Group]:
    """Groups of KRs (two or more owners) that measure the same thing, biggest first."""
    by_sig: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        sig = signature(it.text)
        if len(sig) >= 2:  # "Increase NPS" alone is too little to call a duplicate
            by_sig[sig].append(i)
    sigs = list(by_sig)
    freq = Counter(w for s in sigs for w in s)
    ordered = [sorted(s, key=lambda w: (freq[w], w)) for s in sigs]
    parent = list(range(len(sigs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    index: dict[str, list[int]] = defaultdict(list)
    for i, words in enumerate(ordered):
        # Two sets alike at `threshold` share a word among each one's first words (prefix filter).
        prefix = len(words) - math.ceil(threshold * len(words)) + 1
        seen: set[int] = set()
        for w in words[:prefix]:
            for j in index[w]:
                if j not in seen:
                    seen.add(j)
                    if _jaccard(sigs[i], sigs[j]) >= threshold:
                        parent[find(i)] = find(j)
            index[w].append(i)
    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(sigs)):
        clusters[find(i)].append(i)
    groups: list[Group] = []
    for members in clusters.values():
        idx = sorted(k for m in members for k in by_sig[sigs[m]])
        owners = {(items[k].team, items[k].owner) for k in idx}
        if len(owners) < 2:
            continue
        common = frozenset.intersection(*(sigs[m] for m in members))
        words = sorted(w for w in common if w not in ("↑", "↓"))
        groups.append(Group(items=[items[k] for k in idx], owners=len(owners), words=words))
    groups.sort(key=lambda g: (-g.owners, -len(g.items), g.items[0].text))
    return groups[:MAX_GROUPS]
