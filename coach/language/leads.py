"""The lead of a key result: the verb (or verbless direction word) that says what is asked.

"Launch the portal" leads with a delivery verb, "Reduce churn" with a change verb,
"Churn down 20%" with a direction word; "Test coverage 80%" has no lead at all, its
first word being the noun of a metric.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..lexicon import Lexicon
from .facts import Lead
from .reading import (
    adverb_before_verb,
    countable,
    counted_events,
    known_verb,
    object_chunk,
    verb_kind,
)


def find_lead(tokens: list[tuple[str, int]], lex: Lexicon, start: int) -> Lead | None:
    """The lead of a KR whose leading fillers or short label end at token `start`
    (`after_label`, else `reading.strip_fillers`)."""
    for i in range(start, min(len(tokens), start + 5)):
        tok = tokens[i][0]
        classes = lex.verb_classes(tok)
        if not classes:
            continue
        lemma = lex.lemma_of(tok)
        kind = verb_kind(classes)
        if i > start and lemma == "have" and i + 1 < len(tokens) and _done_participle(tokens[i + 1][0], lex):
            continue  # "The project has shipped its 2.0 release", "The team has delivered 10 guides": done, no level had
        # After a subject only a measure verb leads ("Safety culture improved");
        # "Portal launched" is a done-statement, "new hires" a noun, and so is
        # "Patient experience scores go up".
        if i > start and (
            tok == lemma or tok.endswith("ing") or kind in {"delivery", "ambiguous"} or tok in lex["plural_metric_heads"].words
        ):
            continue
        if i == start and tok != lemma and tok.endswith("s") and not tok.endswith("ss") and i + 1 < len(tokens):
            continue  # "Orders per active customer", "Contacts about billing": a plural noun
        if i == start and tok.endswith("ed") and i + 1 < len(tokens) and countable(tokens[i + 1][0], lex):
            continue  # "Certified admins per account": an adjective
        if i == start and kind in {"delivery", "ambiguous"} and _opens_a_name(tokens, i, lex):
            continue  # "Hiring manager satisfaction above 4.5", "Support ticket volume below 200": a name
        if i == start and (kind == "ambiguous" or tok in lex["verb_nouns"].words):
            # "Partner deal registration grows", "trial→paid conversion hits 12%": a noun that
            # could be a verb, then the real verb.
            later = _finite_change_verb(tokens, i + 1, lex)
            if later is None and tok.endswith("ing"):
                later = _direction_word(tokens, i, lex)  # "Getting-started questions down 30%"
            if later is not None:
                return later
        if kind and i + 1 < len(tokens) and f"{lemma} {tokens[i + 1][0]}" in lex["delivery_verbs"].phrases:
            kind = "delivery"  # "Reach out to 50 lapsed customers": the phrasal verb is work, no level reached
        if kind == "maintain" and i + 1 < len(tokens) and (nxt := tokens[i + 1][0]).endswith("ing"):
            going = lex.verb_classes(nxt)
            if "change_verbs" in going and verb_kind(going) == "change":
                return Lead(i + 1, nxt, lex.lemma_of(nxt), "change")  # "Keep reducing costs": a change that goes on
        if kind in {"level", "change", "maintain"} and i + 2 < len(tokens) and tokens[i + 1][0] in ("and", "&"):
            joined = tokens[i + 2][0]  # "Achieve and maintain 99.9% uptime": the second verb says what is asked
            second = verb_kind(lex.verb_classes(joined))
            if second in {"level", "change", "maintain"}:
                return Lead(i + 2, joined, lex.lemma_of(joined), second)
        if kind:
            return Lead(i, tok, lemma, kind)
    return _direction_word(tokens, start, lex)


def _done_participle(tok: str, lex: Lexicon) -> bool:
    """'shipped', 'delivered', 'built': the participle of a verb of doing or making."""
    return tok != lex.lemma_of(tok) and "delivery_verbs" in lex.verb_classes(tok) and (tok.endswith("ed") or tok in lex.irregular_forms)


def _opens_a_name(tokens: Sequence[tuple[str, int]], i: int, lex: Lexicon) -> bool:
    """'Hiring manager satisfaction', 'Scheduling conflicts per week', 'Support ticket
    volume': a gerund or a noun that could be a verb, then nouns up to a metric's word
    ('satisfaction', 'volume') or a count's period, no object of an order ('Hiring 3
    engineers', 'Scheduling the reviews', 'Hiring engineers for the team')."""
    tok = tokens[i][0]
    if not ((tok.endswith("ing") and lex.lemma_of(tok) != tok) or tok in lex["verb_nouns"].words):
        return False
    measured = lex.union("metric_terms", "metric_heads", "lower_is_better", "time_metrics")
    stops = lex.union("determiners", "stopwords", "qualifier_prepositions", "number_words") - {"per"}
    # a quality is measured when a value follows ("Hiring manager satisfaction above 4.5")
    valued = any(word[:1].isdigit() for word, _ in tokens[i + 1 :])
    for word, _ in tokens[i + 1 : i + 5]:
        if not word.isalpha() or word in stops:
            return False  # ("Documenting three use cases": an order and its object)
        if word in measured or word == "per" or (valued and word in lex["vague_nouns"].words):
            return True
    return False


def enabled_level(tokens: Sequence[tuple[str, int]], lead: Lead | None, lex: Lexicon) -> Lead | None:
    """The verb of level others are enabled to reach or keep ("Enable the team to | achieve
    100% quality", "… to | maintain its treasury above CHF 20k"), or None: the level is
    theirs, a result, and its values are that verb's."""
    if lead is None or lead.lemma not in lex["enabling_verbs"].words:
        return None
    at = next((i for i in range(lead.index + 1, min(len(tokens) - 1, lead.index + 6)) if tokens[i][0] == "to"), None)
    if at is None:
        return None
    nxt = tokens[at + 1][0]
    classes = lex.verb_classes(nxt)
    return Lead(at + 1, nxt, lex.lemma_of(nxt), verb_kind(classes)) if classes & {"level_verbs", "maintain_verbs"} else None


def after_label(low: str, tokens: list[tuple[str, int]], lex: Lexicon) -> int:
    """'Parcel lockers: install 300 more in Warsaw': a short label, then the order itself.
    The index of the verb after the colon, or 0."""
    colon = low.find(":")
    at = next((i for i, (_, pos) in enumerate(tokens) if pos > colon), 0) if colon >= 0 else 0
    if not 0 < at <= 4:
        return 0  # no colon, nothing after it, or more than a label before it
    words = [t for t, _ in tokens]
    verb = at + 1 if adverb_before_verb(words, at, lex) else at  # "New: Properly test Twitter …"
    tok = words[verb]
    # (or the first word of a phrasal order it knows only whole: "Slack: figure out …")
    order = (known_verb(tok, lex) and tok == lex.lemma_of(tok)) or tok in lex["learning_verbs"].first_words
    return verb if order else 0


def _finite_change_verb(tokens: list[tuple[str, int]], begin: int, lex: Lexicon) -> Lead | None:
    """A change verb in its -s or -ed form after a noun phrase, before any purpose word."""
    for j in range(begin, min(len(tokens), begin + 6)):
        tok = tokens[j][0]
        if tok in lex["purpose_words"].words or tok[0].isdigit():
            return None  # "Repair 40 broken lifts": a number is the first verb's object
        lemma = lex.lemma_of(tok)
        classes = lex.verb_classes(tok)
        if tok != lemma and tok.endswith(("s", "ed")) and classes & {"change_verbs", "level_verbs"}:
            return Lead(j, tok, lemma, "change" if "change_verbs" in classes else "level")
    return None


def _direction_word(tokens: list[tuple[str, int]], start: int, lex: Lexicon) -> Lead | None:
    """'Customer PPM down from 320', 'near-miss reports up': a change with no verb
    (not the particle of a phrasal verb: 'follow up', 'sign up', 'wind down')."""
    for j in range(start + 1, len(tokens)):
        tok = tokens[j][0]
        prev = tokens[j - 1][0]
        if tok not in {"up", "down"} or prev in lex["chunk_breakers"].words or prev in lex["stopwords"].words:
            continue
        verb = lex.lemma_of(prev)
        if lex.verb_classes(prev) or verb in lex["other_verbs"].words or verb in lex["phrasal_verbs"].words:
            return None
        return Lead(j, tok, tok, "change")
    return None


def noun_use(
    tokens: list[tuple[str, int]], lead: Lead, lex: Lexicon, has_numbers: bool, value_starts: frozenset[int] = frozenset()
) -> bool:
    """'Test coverage', 'Share of spend': the lead verb is the first noun of a metric.
    `value_starts`: where the text's values start (a value right after the verb is its count)."""
    if lead.token in ("open", "scope"):
        rest = " ".join(t for t, _ in tokens[lead.index :])
        if lead.token == "open" and lex.patterns.aging.search(rest):
            return True  # "Open DSARs older than 20 days": the open ones, by age
        if lead.token == "scope" and lex.patterns.scope_emissions.match(rest):
            return True  # "Scope 1 emissions down 1,200 tCO2e"
    if lead.index + 1 < len(tokens) and tokens[lead.index + 1][1] in value_starts:
        return False  # "Document three use cases", "Writing 3 case studies": the verb, then a count
    if lead.token.endswith("ing") and lead.index == 0:
        # "Hiring manager satisfaction 4.5/5": the gerund names whose satisfaction is measured.
        chunk = object_chunk(tokens, 1, lex)
        if chunk and (chunk[-1] in lex.union("metric_heads", "metric_terms", "vague_nouns")):
            return True
    heads = lex["metric_heads"].words
    nouns = lex.union("metric_heads", "metric_terms", "deliverable_nouns", "outcome_nouns")
    nxt = tokens[lead.index + 1][0] if lead.index + 1 < len(tokens) else ""
    if lead.token in nouns and nxt == "of":
        return True
    if not nxt or nxt in lex["stopwords"].words or nxt[0].isdigit():
        return False
    if not _joined(tokens, lead.index):
        return False
    if nxt in heads:
        return True
    if counted_events([t for t, _ in tokens[lead.index : lead.index + 3]], lex):
        return True  # "Repair requests acknowledged within 1 day": requests, counted
    chunk = object_chunk(tokens, lead.index + 1, lex)
    if not chunk:
        return False
    if lead.token in nouns and not has_numbers and chunk[-1] in lex["vague_nouns"].words and len(chunk) == 1:
        return True  # "Partner satisfaction": a noun, then what is (vaguely) measured of it
    if (lead.kind == "ambiguous" or not has_numbers) and (
        chunk[-1] in heads or (not has_numbers and any(t == "per" for t, _ in tokens[lead.index + 2 :]))
    ):
        return True  # "Call wait time", "Purchase order cycle time", "Open queries per patient"
    # "Offer acceptance rate of 85%", "Upgrade page CTR of 12%": a metric's name with its value
    # ("Implement QR-code drop-off with two partners" is an order: implement is no noun).
    if (
        has_numbers
        and chunk[-1] in nouns
        and chunk[-1] not in lex["deliverable_nouns"].words
        and (lead.token in nouns or lead.token in lex["verb_nouns"].words)
    ):
        return True
    return lead.token in nouns and chunk[-1] in heads


def _joined(tokens: list[tuple[str, int]], i: int) -> bool:
    """Token `i` and the next are one space apart, as the words of a compound noun are;
    "Finish & share the video" has a sign between them: two verbs, no noun."""
    return tokens[i + 1][1] - tokens[i][1] - len(tokens[i][0]) <= 1


def metric_name_start(tokens: list[tuple[str, int]], lead: Lead, lex: Lexicon) -> bool:
    """'Win rate 30%', 'Starting salary', 'Contract turnaround': the first words name a metric."""
    if lead.index != 0 or len(tokens) < 2 or not _joined(tokens, 0):
        return False
    nxt = tokens[1][0]
    if f"{lead.token} {nxt}" in lex["metric_terms"].entries:
        return True
    measured = lex.union("metric_terms", "metric_heads")
    return lead.kind in {"delivery", "ambiguous"} and nxt in measured and (
        lead.token.endswith("ing")
        or lead.token != lead.lemma
        or nxt in lex["metric_heads"].words
        or lead.token in lex["verb_nouns"].words  # "Trial conversion", "Search success rate"
    )
