"""Word classes from a rubric's lexicon, with verb inflections derived once.

A class holds single words (looked up in a set of tokens) and multi-word
phrases (matched by one compiled regex), so checks ask `lex.has("metric_terms",
sentence)` without caring which kind an entry is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_VOWELS = set("aeiou")
VERB_CLASSES = (
    "delivery_verbs",
    "ambiguous_delivery_verbs",
    "change_verbs",
    "level_verbs",
    "maintain_verbs",
    "aspiration_verbs",
)


def inflections(lemma: str) -> set[str]:
    """Regular English forms of a verb: launch → launches, launched, launching."""
    forms = {lemma}
    if " " in lemma or not lemma.isalpha():
        return forms
    last = lemma[-1]
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms.add(lemma + "es")
    elif last == "y" and lemma[-2:-1] not in _VOWELS:
        forms.add(lemma[:-1] + "ies")
    else:
        forms.add(lemma + "s")
    if last == "e":
        forms.add(lemma + "d")
        forms.add((lemma if lemma.endswith("ee") else lemma[:-1]) + "ing")
    elif last == "y" and lemma[-2:-1] not in _VOWELS:
        forms.update({lemma[:-1] + "ied", lemma + "ing"})
    else:
        forms.update({lemma + "ed", lemma + "ing"})
        # Consonant-vowel-consonant endings double: ship → shipped, plan → planning.
        if len(lemma) >= 3 and last not in _VOWELS | {"w", "x", "y"}:
            if lemma[-2] in _VOWELS and lemma[-3] not in _VOWELS:
                forms.update({lemma + last + "ed", lemma + last + "ing"})
    return forms


@dataclass
class WordClass:
    words: frozenset[str]
    phrases: tuple[str, ...]
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, entries: list[str]) -> WordClass:
        words = {e for e in entries if " " not in e}
        phrases = tuple(sorted({e for e in entries if " " in e}, key=len, reverse=True))
        regex = None
        if phrases:
            alternation = "|".join(re.escape(p) for p in phrases)
            regex = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")
        return cls(frozenset(words), phrases, regex)

    def in_tokens(self, tokens: set[str] | frozenset[str]) -> bool:
        return not self.words.isdisjoint(tokens)

    def search(self, text: str) -> re.Match[str] | None:
        return self._regex.search(text) if self._regex else None

    def has(self, tokens: set[str] | frozenset[str], text: str) -> bool:
        return self.in_tokens(tokens) or self.search(text) is not None

    def found(self, tokens: set[str] | frozenset[str], text: str) -> list[str]:
        hits = sorted(self.words.intersection(tokens))
        if self._regex:
            hits += [m.group(0) for m in self._regex.finditer(text)]
        return hits


class Lexicon:
    """All word classes of a rubric plus a form → lemma map for its verbs."""

    def __init__(self, data: dict[str, object]):
        self.raw = data
        self.classes: dict[str, WordClass] = {}
        self.maps: dict[str, dict[str, list[str]]] = {}
        for name, value in data.items():
            if isinstance(value, list):
                entries = [str(v).strip().lower() for v in value if str(v).strip()]
                self.classes[name] = WordClass.build(entries)
            elif isinstance(value, dict) and name != "irregular_verbs":
                self.maps[name] = {
                    str(k).lower(): [str(x) for x in (v if isinstance(v, list) else [v])]
                    for k, v in value.items()
                }
        irregular = {str(k).lower(): str(v).lower() for k, v in dict(data.get("irregular_verbs") or {}).items()}
        # form -> set of verb classes it belongs to, and form -> lemma.
        self.lemma: dict[str, str] = {}
        self.verb_class: dict[str, frozenset[str]] = {}
        collected: dict[str, set[str]] = {}
        for cls_name in VERB_CLASSES:
            wc = self.classes.get(cls_name)
            if not wc:
                continue
            for lemma in wc.words:
                for form in inflections(lemma):
                    self.lemma.setdefault(form, lemma)
                    collected.setdefault(form, set()).add(cls_name)
        for form, lemma in irregular.items():
            self.lemma[form] = lemma
            for cls_name in VERB_CLASSES:
                wc = self.classes.get(cls_name)
                if wc and lemma in wc.words:
                    collected.setdefault(form, set()).add(cls_name)
        self.verb_class = {form: frozenset(c) for form, c in collected.items()}

    def __getitem__(self, name: str) -> WordClass:
        return self.classes.get(name) or WordClass.build([])

    def verb_classes(self, token: str) -> frozenset[str]:
        return self.verb_class.get(token, frozenset())

    def lemma_of(self, token: str) -> str:
        return self.lemma.get(token, token)
