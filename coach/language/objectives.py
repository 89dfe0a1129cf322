"""Read one objective once: slogan marks, specific and choice words, dimensions, projects.

`analyze_objective(text, lexicon)` is memoised per lexicon and returns frozen
`ObjectiveFacts`; `labels.is_aspiration` decides from them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..lexicon import MAX_PHRASE, Lexicon, tokenize
from .facts import ObjectiveFacts
from .reading import known_verb, looks_plural, object_chunk, scan_cached, strip_fillers

_WRITTEN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*")  # a word as written (its case read)


def analyze_objective(text: str, lex: Lexicon) -> ObjectiveFacts:
    return lex.memoised(("objective", text), lambda: _analyze_objective(text, lex))


def _analyze_objective(text: str, lex: Lexicon) -> ObjectiveFacts:
    low = text.lower()
    tokens = tokenize(low)
    words = lex.grams([t for t, _ in tokens])
    sc = scan_cached(text)
    if sc.quantities and sc.quantities[0].text.lower() == "no":
        # "No family in our county goes hungry": an objective's absence is no number in it
        sc = replace(sc, quantities=sc.quantities[1:])
    asp = lex["aspiration_words"]
    generic = lex["generic_nouns"]
    aspiration_hits = asp.found(words)
    # "Scale Customer Success through automation": a function's name is a domain, its words no slogan.
    functions = lex["function_names"].found(words)
    if functions:
        named = {w for f in functions for w in f.split()}
        aspiration_hits = [a for a in aspiration_hits if a not in named]
    choice_hits = lex["choice_words"].found(words)
    for tok, _ in tokens:
        # A superlative of one dimension is a choice ("fastest"); "best" is not.
        if tok in lex["vague_superlatives"].words and tok.endswith("est"):
            aspiration_hits = [*aspiration_hits, tok]  # "Fly the friendliest skies"
        elif (
            tok.endswith("est")
            and len(tok) > 5
            and tok not in asp.words
            and tok not in lex["not_superlatives"].words
        ):
            choice_hits.append(tok)
    m = lex.patterns.superlative_phrase.search(low)
    if m and m.group(1) in lex["vague_superlatives"].words:
        aspiration_hits = [*aspiration_hits, m.group(0)]  # "the most fun game": a feeling, no dimension
    elif m and m.group(1) not in asp.words:
        choice_hits.append(m.group(0))
    segment = lex.patterns.segment_for.search(low)
    if segment:
        choice_hits.append(segment.group(0))  # "the go-to tool for small law firms": a segment
    # "Put patients first", "Safety first": a value, not a channel or segment chosen first.
    # "US" is a market; "love us" is not.
    value_first = _first_after_value(low, lex)
    # "Best beer in Germany": a superlative with no dimension, and only a region chosen.
    if (
        choice_hits
        and lex["empty_superlatives"].has(words | frozenset(aspiration_hits))
        and all(c in lex["region_words"].entries for c in choice_hits)
    ):
        choice_hits = []
    if value_first:
        aspiration_hits = [*aspiration_hits, "first"]  # a value statement
    choice_hits = [
        c for c in choice_hits
        if not (c == "first" and (value_first or any(a.endswith("-first") for a in aspiration_hits)))
        and not (c == "us" and not lex.patterns.us_market.search(text))
        and c not in lex["vague_superlatives"].words
    ]
    # Words inside slogan phrases ("every touchpoint", "fit for the future") are not specifics.
    # (Looked up in each class's phrases: their union was built anew on every objective.)
    toks = [t for t, _ in tokens]
    covered_idx: set[int] = set()
    # (sought only when the text's grams hold one of those phrases: most objectives hold none)
    if not (asp.phrases.isdisjoint(words) and generic.phrases.isdisjoint(words)):
        for size in range(2, MAX_PHRASE + 1):
            for i in range(len(toks) - size + 1):
                seq = " ".join(toks[i : i + size])
                if seq in asp.phrases or seq in generic.phrases:
                    covered_idx.update(range(i, i + size))
    original = _WRITTEN_WORD.findall(text)
    title_case = sum(t[0].isupper() for t in original) > len(original) / 2
    capitalised = (
        set()
        if title_case
        else {t.lower() for i, t in enumerate(original) if i > 0 and t[0].isupper()}
    )
    # "Faster CI", "Ship the EU VAT engine": an acronym names a thing, title case or not.
    capitalised |= {
        t.lower() for t in original if len(t) >= 2 and t.isupper() and t.isalpha() and t.lower() not in generic.words
    }
    first = strip_fillers(low, tokens, lex)
    specific: list[str] = []
    for i, (tok, _) in enumerate(tokens):
        if i in covered_idx:
            continue
        lemma = lex.lemma_of(tok)
        is_verb = bool(lex.verb_classes(tok)) and (
            i == first
            or tok != lemma and tok.endswith("ed")
            # but "Improve hiring", "Secure funding": a gerund right after the order is its object
            or tok != lemma and tok.endswith("ing") and not (i == first + 1 and _ordered(tokens, first, lex))
        )
        if tok in capitalised and tok not in asp.words:
            # A name (product, place, programme) is a strong specific, unless slogan words surround it.
            specific += [tok] if aspiration_hits else [tok, tok]
            continue
        if (
            len(tok) < 3
            or tok in lex["stopwords"].words
            or tok in lex["not_specific_words"].words
            or (tok == "first" and value_first)
            or (tok.endswith("ly") and len(tok) > 5)  # "more efficiently": a manner, not a choice
            or tok in asp.words
            or tok in generic.words
            or is_verb
            or (i == first and lemma in lex["other_verbs"].words)
            or (lemma in lex["aspiration_verbs"].words and (i == first or tok == lemma))
        ):
            continue
        if "-" in tok or "/" in tok:
            parts = [p for p in re.split(r"[-/]", tok) if p]
            if len(parts) > 1 and all(p in asp.words or p in generic.words for p in parts):
                continue
        specific.append(tok)
    specific += functions
    lead_lemma = lex.lemma_of(tokens[first][0]) if first < len(tokens) else None
    # "Cut shrink", "Raise our Series A": a concrete change to a named thing is a choice,
    # however short ("Improve customer experience" names nothing specific).
    concrete = bool(
        lead_lemma
        and any(w not in lex["vague_nouns"].words and w not in lex["vague_objective_nouns"].words for w in specific)
        and not aspiration_hits
        and lex.verb_classes(tokens[first][0]) & {"change_verbs", "quantity_verbs"}
        and lead_lemma not in lex["vague_objective_verbs"].words
    )
    lead_tok = tokens[first][0] if first < len(tokens) else ""
    # A value statement ("Put patients first") counts as a slogan verb would.
    slogan_lead = value_first or lead_lemma in lex["slogan_verbs"].words or lex["slogan_verbs"].has(
        lex.grams([t for t, _ in tokens[first : first + 2]])
    )
    slogan = bool(aspiration_hits) or slogan_lead
    lofty = lex["lofty_adjectives"].entries
    slogan_words = tuple(sorted({a for a in aspiration_hits if a not in lofty and not (set(a.split()) & lofty)}))
    empty, vague = lex["empty_superlatives"].entries, lex["vague_superlatives"].entries
    superlative = any(a in empty or a in vague or a.startswith(("most ", "least ")) for a in aspiration_hits)
    # A superlative of feeling ("friendliest") is a slogan word, not a specific.
    specific = [w for w in specific if w not in aspiration_hits]
    dimensions = lex.union(
        "vague_nouns", "metric_terms", "metric_heads", "lower_is_better", without=("aspiration_words", "entity_nouns")
    )
    in_slogan = {w for a in aspiration_hits for w in a.split()}  # "most engaged" is no dimension
    dimension_words = tuple(t for t, _ in tokens if t in dimensions and t not in in_slogan)
    # "Launch the mobile app", "Define our pricing strategy": a delivery verb on a named thing.
    deliverables = lex["deliverable_nouns"]
    lead_classes = lex.verb_classes(lead_tok)
    project = bool(
        "delivery_verbs" in lead_classes
        and "ambiguous_delivery_verbs" not in lead_classes  # "Make mobile the easiest way ..."
        and lead_tok == lead_lemma
        and (specific or deliverables.has(lex.grams([t for t, _ in tokens[first + 1 :]])))
        and (not aspiration_hits or _named_deliverable(object_chunk(tokens, first + 1, lex), lex))
        and not _relationship(object_chunk(tokens, first + 1, lex), lex)
    )
    # (each word once, no article or pronoun: "Growth, growth, growth" chants, "level up the
    # team" is an order the lexicon does not know)
    heading = len(set(toks)) == len(toks) and lex["determiners"].words.isdisjoint(toks) and not (
        slogan or superlative or lead_classes or known_verb(lead_lemma or "", lex)
    )
    whole = _whole_scope(toks, lex)
    after = toks[first + 1 :]
    # more of a named thing: "a better engineer" (a role), "healthier" (a quality's own
    # comparative), "more efficient at work" (where); "be more data-led" names only a manner
    becoming_more = (
        lead_lemma in lex["becoming_verbs"].words
        and bool(specific)
        and not whole
        and not superlative
        and not lex.union("comparatives", "quality_comparatives").isdisjoint(after)
        and (
            after[:1] in (["a"], ["an"])
            or not lex["quality_comparatives"].words.isdisjoint(after)
            or not lex["qualifier_prepositions"].words.isdisjoint(after)
        )
    )
    return ObjectiveFacts(
        text, low, words, sc, tuple(aspiration_hits), tuple(specific), tuple(choice_hits), lead_lemma,
        concrete, slogan, slogan_lead, slogan_words, superlative, dimension_words, project, heading,
        whole, dimension_words[-1] if dimension_words else _last_content_word(text, lex), becoming_more,
        _lofty_offering(toks[first:], capitalised, lex),
        _personal_focus(toks, first, lead_lemma, lex),
    )


def _lofty_offering(toks: list[str], capitalised: set[str], lex: Lexicon) -> bool:
    """'Provide a great member experience', 'World-class support', 'Deliver outstanding service
    to every resident': a verb of giving (or none), lofty words, at most one word of whose
    it is ("user", "customer", "support"), the whole offering, and at most who gets it
    (everyone). A name, a product area or a segment is a focus ("Make checkout a delightful
    experience", "a great onboarding experience", "… for new admins")."""
    if toks[:1] and toks[0] in lex["offering_verbs"].words:
        toks = toks[1:]
    if toks[:1] and toks[0] in lex["determiners"].words:
        toks = toks[1:]
    lofty = lex["lofty_adjectives"]
    n = 0
    while n < len(toks) and (lofty.has(lex.grams(toks[n : n + 1])) or toks[n] == "and"):
        n += 1
    # the offering, right after or after one word of whose or which it is ("user", "support")
    offering = max((i for i in range(n, min(n + 2, len(toks))) if toks[i] in lex["offering_nouns"].words), default=None)
    whose = lex.union("people_nouns", "generic_nouns", "offering_nouns")  # "user", "support"; not "onboarding"
    if not n or offering is None or any(t in capitalised or t not in whose for t in toks[n:offering]):
        return False
    # who gets it, only everyone: "to every resident", "for our customers" (not "for our
    # enterprise customers": a segment)
    rest = toks[offering + 1 :]
    return not rest or (2 <= len(rest) <= 3 and rest[0] in ("to", "for") and rest[1] in lex["determiners"].words)


def _personal_focus(toks: list[str], first: int, lead: str | None, lex: Lexicon) -> bool:
    """'Be a patient and present grandmother', 'Become a musician': to be one of the roles
    of a person's own life; 'Write gripping one-act plays', 'Record inspiring audio guides': to make
    things by craft, named at the end (not 'Make our events legendary', 'Create amazing
    experiences': no thing chosen)."""
    rest = [t for t in toks[first + 1 :] if t not in lex.union("stopwords", "determiners")]
    if not rest or lead is None:
        return False
    if lead in ("be", "become"):
        return rest[-1] in lex["personal_roles"].words
    last = rest[-1]
    made = lex.union("deliverable_nouns", "work_items")
    plain = lex.union("generic_nouns", "vague_nouns", "offering_nouns", "entity_nouns", "aspiration_words")
    if not looks_plural(last) or last in plain:
        return False
    # (a thing the team makes, after any verb of making; anything else only after a craft's own verb)
    return lead in lex["craft_verbs"].words or (last in made and (lead == "make" or "delivery_verbs" in lex.verb_classes(lead)))


def _named_deliverable(chunk: list[str], lex: Lexicon) -> bool:
    """'Launch an amazing new website', 'Run a world-class conference in Berlin': a lofty word
    on a thing to deliver is still a project ('Build a better product', 'Create a stellar
    brand' name no thing: the whole offering, a reputation)."""
    return bool(chunk) and chunk[-1] in lex["deliverable_nouns"].words and chunk[-1] not in lex.union(
        "generic_nouns", "whole_nouns", "entity_nouns", "vague_nouns"
    )


def _last_content_word(text: str, lex: Lexicon) -> str:
    """The word a plain direction acts on, as written: the last named area (a generic or
    vague noun, a capitalised name), else the last word that is no verb, else the last
    content word ("Streamline IT": "IT"; "Sell more": "Sell")."""
    skip = lex.union("stopwords", "comparatives")
    content = [w for w in _WRITTEN_WORD.findall(text) if w.lower() not in skip or (len(w) > 1 and w.isupper())]
    things = [w for w in content if not known_verb(lex.lemma_of(w.lower()), lex)]
    named = [w for w in things if w.lower() in lex.union("generic_nouns", "vague_nouns") or w[0].isupper()]
    return (named or things or content or [""])[-1]  # ("Make our brand cool again": "brand")


def _whole_scope(toks: list[str], lex: Lexicon) -> bool:
    """Does the objective name only the whole ("Grow the business", "Strengthen the team") or
    only a manner ("Scale sustainably", "Grow, grow, grow"), no area to act on?"""
    if lex["whole_nouns"].has(lex.grams(toks)):
        return True
    content = [t for t in toks if t not in lex["stopwords"].words]
    manner = [t for t in content if t.endswith("ly") and len(t) > 4]
    return bool(content) and (bool(manner) or len(set(content)) < len(content)) and all(
        t in manner or known_verb(lex.lemma_of(t), lex) for t in content
    )


def _first_after_value(low: str, lex: Lexicon) -> bool:
    # "Put patients first", "Our patients always come first"
    m = lex.patterns.value_comes_first.search(low) or lex.patterns.value_first.search(low)
    if not m:
        return False
    word = m.group(1)
    return any(word in lex[name].words for name in ("value_first_nouns", "generic_nouns", "vague_nouns"))


def _relationship(chunk: list[str], lex: Lexicon) -> bool:
    """'customer trust', 'a small, devoted community', 'win-win partnerships': the object is
    built between people, not delivered (a short phrase: 'ETAs they can trust' is a thing)."""
    return bool(chunk) and len(chunk) <= 3 and chunk[-1] in lex["relationship_nouns"].words


def _ordered(tokens: list[tuple[str, int]], first: int, lex: Lexicon) -> bool:
    """Does the objective open with an order whose object may be a gerund ("Improve hiring"),
    not a linking or keeping verb ("We are working on", "Keep growing")?"""
    verb = tokens[first][0] if first < len(tokens) else ""
    return bool(lex.verb_classes(verb)) and lex.lemma_of(verb) == verb and verb not in lex.union(
        "passive_auxiliaries", "maintain_verbs"
    )
