"""Shared reading helpers: fillers, noun phrases, countable and quality words, verb kinds.

Every function reads tokens (lower-case words with offsets, one tokenisation per text)
and the rubric's lexicon; none keeps state.
"""

from __future__ import annotations

from functools import lru_cache

from ..lexicon import MAX_PHRASE, Lexicon, grams
from ..quantities import Quantity, Scan, scan
from .facts import KrFacts

# The verb classes that measure (a verb class name, not a word list).
MEASURE_CLASSES = frozenset({"change_verbs", "level_verbs", "maintain_verbs"})


def token_set(tokens: list[tuple[str, int]]) -> frozenset[str]:
    return grams([t for t, _ in tokens])


def strip_fillers(low: str, tokens: list[tuple[str, int]], lex: Lexicon) -> int:
    """Index of the first token after leading fillers ("We will", "Successfully")."""
    fillers = lex["lead_fillers"].entries
    opens = lex["lead_fillers"].first_words  # (a word that opens no filler: no sequence is joined)
    words = [t for t, _ in tokens]
    i = 0
    while i < len(words):
        if starts_name(words, i, lex):
            break  # "First response time under 4 hours": the filler is the metric's first word
        for size in range(MAX_PHRASE, 0, -1) if words[i] in opens else ():
            if " ".join(words[i : i + size]) in fillers:
                i += size
                break
        else:
            if not adverb_before_verb(words, i, lex):
                break
            i += 1  # "Properly test Twitter as a channel": the order is the verb's
    return i


def starts_name(words: list[str], i: int, lex: Lexicon) -> bool:
    """Do the words from `i` open with the name of a metric, a thing or a role ("first
    response", "team members"), so that a filler word there ("first", "team") is the name's?"""
    if i + 1 >= len(words) or words[i] not in lex.phrase_starts:
        return False  # (most words open no class's phrase: one set test, no sequence built)
    classes = (lex["metric_terms"].phrases, lex["deliverable_nouns"].phrases, lex["staff_nouns"].phrases)
    for k in range(2, min(MAX_PHRASE, len(words) - i) + 1):
        seq = " ".join(words[i : i + k])
        if any(seq in names for names in classes):
            return True
    return False


def adverb_before_verb(words: list[str], i: int, lex: Lexicon) -> bool:
    """'Properly | test Twitter as a channel': a manner word before the order."""
    word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
    return (
        len(word) > 5
        and word.endswith("ly")
        and word not in lex["cadence_words"].words  # "Weekly active users"
        and bool(nxt)
        and (bool(lex.verb_classes(nxt)) or known_verb(nxt, lex))  # ("Properly track …")
        and lex.lemma_of(nxt) == nxt
    )


def duration_at_cadence(facts: KrFacts, q: Quantity, lex: Lexicon) -> bool:
    """'10 minutes every morning', '3 days/week': a target duration done at a cadence (how
    long or how often the work is done, not an amount of what it names)."""
    if q.role != "target" or q.kind != "duration":
        return False
    rest = facts.low[q.end :].lstrip()
    of = lex.patterns.of_activity.match(rest)  # "120 minutes | of cardio | every week"
    if of and not lex.union("metric_terms", "metric_heads", "time_metrics", "lower_is_better").isdisjoint(of.group(0).split()):
        return False  # "10 minutes of downtime per month": a time measured, no time spent doing
    return bool(lex.patterns.cadence.match(rest, of.end() if of else 0))


def verb_kind(classes: frozenset[str]) -> str | None:
    delivery = "delivery_verbs" in classes
    measure = bool(classes & {"change_verbs", "level_verbs", "maintain_verbs"})
    if "maintain_verbs" in classes and not delivery:
        return "maintain"
    if "ambiguous_delivery_verbs" in classes or (delivery and measure):
        return "ambiguous"
    if delivery:
        return "delivery"
    if "change_verbs" in classes:
        return "change"
    if "level_verbs" in classes:
        return "level"
    return None


def known_verb(word: str, lex: Lexicon) -> bool:
    """A word the lexicon knows as a verb: one of its verb classes, or an everyday verb."""
    return bool(lex.verb_classes(word)) or word in lex.union("common_verbs", "activity_verbs", "other_verbs")


@lru_cache(maxsize=4096)
def scan_cached(text: str) -> Scan:
    return scan(text)


def object_chunk(tokens: list[tuple[str, int]], start: int, lex: Lexicon) -> list[str]:
    """Words of the noun phrase after the lead verb, up to the first preposition."""
    chunk: list[str] = []
    breakers, stopwords = lex["chunk_breakers"].words, lex["stopwords"].words
    for tok, _ in tokens[start:]:
        if tok in breakers or tok in {"->", "→"}:
            if chunk:
                break
            continue
        if tok[0].isdigit() or tok in stopwords:
            continue
        chunk.append(tok)
    return chunk


def head_chunk(facts: KrFacts, lex: Lexicon, start: int = 0) -> list[str]:
    """The leading noun phrase: 'Sales enablement deck for Team plan' → [sales, enablement, deck]."""
    chunk: list[str] = []
    prev_end = None
    openers = lex["chunk_openers"].written
    for tok, pos in facts.tokens[start:]:
        if chunk and prev_end is not None and any(c in facts.low[prev_end:pos] for c in ",;:()[]"):
            break
        prev_end = pos + len(tok)
        if tok[0].isdigit() or tok in openers or lex.patterns.version.match(tok):
            if chunk:
                break
            continue
        if tok in lex["chunk_breakers"].words or tok in {"->", "→"}:
            break
        chunk.append(tok)
    return chunk


def starts_with_verb(facts: KrFacts, lex: Lexicon) -> bool:
    return starts_with_verb_tokens(facts.tokens, 0, lex)


def starts_with_verb_tokens(tokens: list[tuple[str, int]], at: int, lex: Lexicon) -> bool:
    first = tokens[at][0] if at < len(tokens) else ""
    return bool(lex.verb_classes(first)) or lex.lemma_of(first) in lex["other_verbs"].words


def feeling_clause(tokens: list[tuple[str, int]], start: int, lex: Lexicon) -> bool:
    """'Pilot customers love the product': people, then what they feel (a feeling word at
    `start` or later); the first word is no order to do something."""
    people = lex.union("people_nouns", "outcome_nouns")
    feelings = lex["feeling_words"].words
    # (up to a purpose: "Provide documentation to allow a new user understand …" is the
    # documentation, for what users understand)
    end = next((j for j in range(max(1, start), len(tokens)) if tokens[j][0] in lex["purpose_words"].words), len(tokens))
    return any(
        tokens[j][0] in feelings and (tokens[j - 1][0] in people or countable(tokens[j - 1][0], lex))
        for j in range(max(1, start), end)
    )


def quality_word(word: str, lex: Lexicon) -> bool:
    """'happier', 'impactful', 'engaging' (from the lexicon): a quality, not a quantity."""
    return word in lex["quality_words"].words or (len(word) > 5 and word.endswith("ful"))


def race_clock(low: str, q: Quantity, lex: Lexicon) -> bool:
    """A time to finish in ("in under 45 minutes", "sub 3:30"), not a gap of weeks or days."""
    return (
        q.role == "target"
        and q.kind == "duration"
        and lex["long_spans"].words.isdisjoint(q.text.lower().replace("-", " ").split())
        and lex.patterns.race_clock_before.search(low, max(0, q.start - 16), q.start) is not None
    )


def looks_plural(word: str) -> bool:
    """Ends like an English plural: 'entries', 'teams'; not 'process', 'status', 'analysis'."""
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))



def countable(word: str, lex: Lexicon) -> bool:
    """A plural noun names a count ('manual journal entries'), unless it is a quality word."""
    return (
        len(word) > 3
        and looks_plural(word)
        and word not in lex["vague_nouns"].words
        and not lex.verb_classes(word)
    )


def is_quality_adjective(word: str, lex: Lexicon) -> bool:
    """'happier', 'stress-free', 'kinder': how something feels, not how much of it there is."""
    return word in lex["quality_words"].words or (len(word) > 5 and lex.patterns.quality_suffix.search(word) is not None)


def counted_events(head: list[str], lex: Lexicon) -> bool:
    """'Agents leaving within 90 days', 'Samples re-run due to QC failure': things to
    which something happens, counted; not a thing to deliver."""
    return any(
        countable(noun, lex) and (nxt.endswith(("ed", "ing")) or lex.lemma_of(nxt) != nxt or "-" in nxt)
        for noun, nxt in zip(head, head[1:], strict=False)
    )
