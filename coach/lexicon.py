"""Word classes from a rubric's lexicon, with verb inflections derived once.

A class holds single words and multi-word phrases alike; a text is turned into
the set of its 1- to 4-word sequences once (`grams`), and a class lookup is one
set intersection, so checks never care which kind an entry is.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from .lazy_re import lazy_compile

if TYPE_CHECKING:
    from .language.patterns import Patterns

T = TypeVar("T")
_MISSING = object()
_NO_CLASSES: frozenset[str] = frozenset()

_VOWELS = set("aeiou")
VERB_CLASSES = (
    "delivery_verbs",
    "ambiguous_delivery_verbs",
    "change_verbs",
    "level_verbs",
    "maintain_verbs",
    "aspiration_verbs",
)


def gerund(lemma: str) -> str:
    """The -ing form of a verb when spelling alone decides it (reduce → reducing, cut →
    cutting, launch → launching), else "": "open" and "admit" end alike but double
    differently (stress decides), so neither is guessed."""
    if not lemma.isalpha() or len(lemma) < 2:
        return ""
    if lemma.endswith("ie"):
        return lemma[:-2] + "ying"
    if lemma.endswith("e") and len(lemma) > 2 and not lemma.endswith(("ee", "ye", "oe")):
        return lemma[:-1] + "ing"
    if re.search(r"[^aeiou][aeiou][^aeiouwxy]$", lemma):
        syllables = len(re.findall(r"[aeiouy]+", lemma))
        return lemma + lemma[-1] + "ing" if syllables == 1 else ""
    return lemma + "ing"


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
        cvc = len(lemma) >= 3 and lemma[-2] in _VOWELS and lemma[-3] not in _VOWELS
        if cvc and last not in _VOWELS | {"w", "x", "y"}:
            forms.update({lemma + last + "ed", lemma + last + "ing"})
    return forms


# The word classes and maps the detectors and rewrites read (a test keeps this list equal to
# the names the code uses). A rubric's lexicon must define each; asking for any other name
# is a programming error, never a silent empty class.
REQUIRED_CLASSES = frozenset(
    """activity_verbs aged_words aid_verbs aim_verbs ambiguous_delivery_verbs aspiration_verbs aspiration_words assurance_verbs
    becoming_verbs behaviour_verbs cadence_words coverage_words capability_adjectives capability_words change_nouns change_verbs choice_words chunk_breakers clause_words
    common_verbs distance_units first_person measuring_verbs
    comparatives commercial_words
    count_modifiers count_nouns count_words deliverable_nouns delivery_verbs determiners direction_verbs done_words empty_superlatives entity_nouns expansion_verbs
    feeling_words finish_verbs funnel_words frequency_words function_names generic_nouns higher_is_better hire_verbs irregular_verbs lead_fillers learning_nouns learning_verbs
    level_adjectives level_verbs lofty_adjectives lower_is_better lower_verbs maintain_verbs manner_prepositions
    mass_plurals measurement_nouns metric_heads metric_terms modal_verbs money_links
    not_qualifier_words not_specific_words number_words not_superlatives obtain_verbs other_verbs
    outcome_nouns passive_auxiliaries period_words people_nouns phrasal_verbs plan_nouns plural_metric_heads pronoun_subjects purpose_words
    qualifier_prepositions quality_comparatives quality_words quantity_verbs region_words relationship_nouns relative_pronouns service_verbs service_windows
    slogan_verbs span_openers staff_nouns
    state_verbs statistics stopwords task_outcomes thing_outcomes time_metrics time_units vague_metrics vague_nouns
    vague_objective_nouns vague_objective_verbs vague_superlatives value_first_nouns value_frames value_links whole_nouns
    enabling_verbs event_kinds event_nouns phrasal_noun_ends stage_heads value_bounds verb_nouns win_verbs work_items zero_verbs
    clause_starts deadline_periods level_before_sign multiply_verbs name_qualifier_words not_verbs_after_to time_heads
    verb_particles weak_name_ends
    fraction_plurals list_joiners objective_multipliers question_words offering_nouns offering_verbs outreach_verbs negations quality_verbs recovery_verbs money_pools possession_verbs personal_roles craft_verbs contribution_verbs change_openers two_way_metrics race_events long_spans
    agreement_nouns chunk_openers hire_particles""".split()
)

# A word never ends in a hyphen, slash or apostrophe ("Q3-" is "q3"): the match stops at its
# last other character, so no token needs stripping afterwards.
_TOKEN_RE = re.compile(r"[a-z0-9#](?:[a-z0-9'’&+#\-/]*[a-z0-9&+#])?")
_PART_RE = re.compile(r"[-/]")
MAX_PHRASE = 4


def tokenize(low: str) -> list[tuple[str, int]]:
    """Lower-case words with their offsets; inner hyphens and slashes stay ("sign-ups")."""
    out = [(m[0], m.start()) for m in _TOKEN_RE.finditer(low)]
    if "'s" in low or "’s" in low:  # possessive: "everyone's" is "everyone"
        out = [(t[:-2], at) if t.endswith(("'s", "’s")) else (t, at) for t, at in out]
    return out


def grams(words: list[str]) -> frozenset[str]:
    """Every 1- to 4-word sequence, plus the parts of hyphenated words: what a phrase can match."""
    out = list(words)
    # The sequences of `size` words, each made one longer by the word before it: one string
    # concatenation per sequence (the word and its space are joined once).
    spaced = [w + " " for w in words]
    run = words
    for _ in range(1, MAX_PHRASE):
        run = [w + seq for w, seq in zip(spaced, run[1:], strict=False)]
        out += run
    joined = " ".join(words)
    if "-" in joined or "/" in joined:
        for w in words:
            if "-" in w or "/" in w:
                parts = [p for p in _PART_RE.split(w) if p]
                out += parts
                out.append(" ".join(parts))
    return frozenset(out)


@dataclass(frozen=True)
class WordClass:
    """Entries of one word class, normalised the way texts are tokenised (`written`: as the
    rubric writes them, lower-cased, for a reader that compares words split at spaces with
    their punctuation: "vs.", ":")."""

    entries: frozenset[str]
    words: frozenset[str] = field(default=frozenset())
    written: frozenset[str] = field(default=frozenset())

    @classmethod
    def build(cls, entries: list[str]) -> WordClass:
        normal = {" ".join(t for t, _ in tokenize(e.lower())) for e in entries}
        normal.discard("")
        return cls(frozenset(normal), frozenset(e for e in normal if " " not in e), frozenset(e.lower() for e in entries))

    @cached_property
    def phrases(self) -> frozenset[str]:
        return self.entries - self.words

    @cached_property
    def first_words(self) -> frozenset[str]:
        """The first word of each entry: a word that is none of these opens no entry."""
        return frozenset(e.split(" ", 1)[0] for e in self.entries)

    def has(self, text_grams: frozenset[str]) -> bool:
        return not self.entries.isdisjoint(text_grams)

    def found(self, text_grams: frozenset[str]) -> list[str]:
        return sorted(self.entries & text_grams, key=_longest_first)


def _longest_first(entry: str) -> tuple[int, str]:
    return -len(entry), entry


class Lexicon(dict[str, WordClass]):
    """All word classes of a rubric plus a form → lemma map for its verbs.

    The lexicon is itself the mapping of its word classes by name (`lex["metric_terms"]`):
    the readers ask ~110 times per KR, and a dict's own lookup costs a quarter of a method
    call (2% of a cold review's instructions). A name the rubric leaves out is `__missing__`."""

    # One lexicon is one object: compared, hashed and shown as such, not as the mapping.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__
    __repr__ = object.__repr__

    def __init__(self, data: dict[str, object], patterns: Patterns | None = None):
        self.raw = data
        # The rubric's named patterns (patterns.yaml), read through the lexicon by the readers.
        self.patterns = patterns
        # Per-lexicon memo of analyses and rewrites: the same text always gives the same
        # answer under the same lexicon. Bounded; oldest entries go first.
        # (An OrderedDict: dropping a plain dict's first entry walks the holes the earlier drops
        # left, about 4 µs a time once the memo is full.)
        self.memo: OrderedDict[object, object] = OrderedDict()
        self._unions: dict[tuple[object, ...], frozenset[str]] = {}
        self.maps: dict[str, dict[str, list[str]]] = {}
        for name, value in data.items():
            if isinstance(value, list):
                entries = [str(v).strip().lower() for v in value if str(v).strip()]
                self[name] = WordClass.build(entries)
            elif isinstance(value, dict) and name != "irregular_verbs":
                self.maps[name] = {
                    str(k).lower(): [str(x) for x in (v if isinstance(v, list) else [v])]
                    for k, v in value.items()
                }
        # (compiled when first looked up: most reviews consult one map, and a rubric kept
        # on disk pickles them as their sources)
        self._map_regex = {
            name: lazy_compile(
                r"(?<![\w-])("
                + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
                + r")(?:s|es)?(?![\w-])"
            )
            for name, table in self.maps.items()
            if table
        }
        irregular = {
            str(k).lower(): str(v).lower()
            for k, v in dict(data.get("irregular_verbs") or {}).items()
        }
        # form -> set of verb classes it belongs to, and form -> lemma.
        self.lemma: dict[str, str] = {}
        self.verb_class: dict[str, frozenset[str]] = {}
        collected: dict[str, set[str]] = {}
        # A verb whose past and participle are both irregular ("see": saw, seen) has no
        # regular past: "seed" and "bed" are other words, not forms of "see" and "be".
        by_lemma = Counter(irregular.values())
        strong = {lemma for lemma, n in by_lemma.items() if n >= 2}
        for cls_name in VERB_CLASSES:
            wc = self.get(cls_name)
            if not wc:
                continue
            for lemma in wc.words:
                for form in inflections(lemma):
                    if lemma in strong and form != lemma and form.endswith("d"):
                        continue
                    self.lemma.setdefault(form, lemma)
                    collected.setdefault(form, set()).add(cls_name)
        for form, lemma in irregular.items():
            self.lemma[form] = lemma
            for cls_name in VERB_CLASSES:
                wc = self.get(cls_name)
                if wc and lemma in wc.words:
                    collected.setdefault(form, set()).add(cls_name)
        self.verb_class = {form: frozenset(c) for form, c in collected.items()}
        self.irregular_forms = irregular  # form -> lemma, for participles ("won", "written")
        # The word sequences that begin a phrase of some class ("at", "at least" of "at least
        # once"): `grams` makes a longer sequence only from one of these.
        self.phrase_starts = frozenset(
            " ".join(words[:k])
            for wc in self.values()
            for words in (e.split(" ") for e in wc.entries if " " in e)
            for k in range(1, min(len(words), MAX_PHRASE))
        )

    @property
    def classes(self) -> dict[str, WordClass]:
        """The word classes by name (a copy)."""
        return dict(self)

    def __missing__(self, name: str) -> WordClass:
        if name not in REQUIRED_CLASSES:
            raise KeyError(f"no word class {name!r}: add it to lexicon.REQUIRED_CLASSES and the rubric")
        found = self[name] = WordClass.build([])  # declared, but empty in this rubric
        return found

    def grams(self, words: list[str]) -> frozenset[str]:
        """What a class can match in `words`: each word, the parts of hyphenated words (as
        `grams` makes them), and each sequence of up to 4 words that may be a class's phrase.
        A class lookup finds the same as in all the sequences (`grams`), which are 3 to 4
        times as many strings to build and hash."""
        out = set(words)
        starts = self.phrase_starts
        for i, word in enumerate(words):
            if word in starts:
                seq = word
                for nxt in words[i + 1 : i + MAX_PHRASE]:
                    seq = f"{seq} {nxt}"
                    out.add(seq)
                    if seq not in starts:
                        break
        joined = " ".join(words)
        if "-" in joined or "/" in joined:
            for word in words:
                if "-" in word or "/" in word:
                    parts = [p for p in _PART_RE.split(word) if p]
                    out.update(parts)
                    out.add(" ".join(parts))
        return frozenset(out)

    def verb_classes(self, token: str) -> frozenset[str]:
        return self.verb_class.get(token, _NO_CLASSES)

    def union(self, *names: str, without: tuple[str, ...] = ()) -> frozenset[str]:
        """The single words of several classes together, less those of the classes `without`,
        computed once (and never evicted): a reader asks for the same few sets on every text."""
        key = (names, without) if without else names  # (the common key: no tuple to build)
        found = self._unions.get(key)
        if found is None:
            words = frozenset().union(*(self[n].words for n in names))
            found = self._unions[key] = words.difference(*(self[n].words for n in without))
        return found

    def memoised(self, key: object, compute: Callable[[], T], limit: int = 8192) -> T:
        """The value for `key`, computed once under this lexicon; oldest entries go first."""
        value = self.memo.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            if len(self.memo) >= limit:
                self.memo.popitem(last=False)
            self.memo[key] = value
        return value  # type: ignore[return-value]

    def lookup(self, name: str, text: str) -> list[str]:
        """From map `name`, the values of the longest key found in `text` (whole words, plurals too)."""
        return self.lookup_key(name, text)[1]

    def lookup_key(self, name: str, text: str) -> tuple[str, list[str]]:
        """`lookup`, with the key that was found ("productivity" in "routines for productivity")."""
        regex = self._map_regex.get(name)
        found = [m.group(1) for m in regex.finditer(text.lower())] if regex else []
        if not found:
            return "", []
        key = max(found, key=len)
        return key, self.maps[name][key]

    def lemma_of(self, token: str) -> str:
        return self.lemma.get(token, token)
