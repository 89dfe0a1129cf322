"""Linguistic facts about one objective or key result.

The checks never look at raw text: they read these facts. Facts combine the
rubric's word classes (verb classes, metric and deliverable nouns) with the
quantity scanner (numbers, units, deadlines, comparison frames).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .lexicon import MAX_PHRASE, Lexicon, grams, tokenize
from .quantities import Quantity, Scan, scan

_PURPOSE_RE = re.compile(
    r"\b(?:to|so that|so|in order to|resulting in|result in|that will|which will|that|which|"
    r"leading to|thereby|and thereby|driving|lifting|aimed at|aiming to|with the goal of|"
    r"to help)\s+(?:\w+\s+){0,2}?"
)
_STOPWORDS = frozenset(
    ["a", "an", "the", "our", "we", "to", "of", "for", "in", "on", "at", "by", "with", "and", "or", "as", "is", "are", "was", "were", "that", "this", "these", "those", "it", "its", "all", "every", "each", "more", "most", "into", "from", "across", "through", "within", "us", "their", "them", "they", "your", "you", "my", "who", "what", "how", "which", "while", "so", "than", "then", "via", "per", "out", "up", "down", "over", "under", "about", "into", "onto", "off", "new", "very", "much", "many", "some", "any", "no", "not", "be", "been", "being", "do", "does", "did", "has", "have", "had", "will", "would", "can", "could", "should", "must", "may", "might", "shall", "i", "me", "mine", "ours", "own", "just", "also", "only", "both", "either", "neither", "nor", "yet", "still", "even", "ever", "s", "one"]
)
_COMPARATIVES = frozenset(
    ["more", "fewer", "less", "faster", "slower", "higher", "lower", "better", "cheaper", "quicker", "shorter", "longer", "bigger", "smaller", "greater", "stronger", "clearer", "smoother", "easier", "simpler", "tighter", "closer", "deeper", "improved", "enhanced", "increased", "reduced"]
)
_VERSION = re.compile(r"^v\d+(?:\.\d+)*$")
_STATISTICS = frozenset(
    "median average mean total rate ratio score scores index count number percentage share proportion".split()
)
_COUNT_WORDS = frozenset(["more", "fewer", "less"])
_COUNTED_SUBJECT_RE = re.compile(r"\s*[\d][\d,.]*\s?[km]?%?\s+(?:(?:new|more|active|paying)\s+)?([a-z-]+)")
_QUALITY_SUFFIXES = ("ier", "-free", "ful", "able", "ible")
_ROLLOUT_RE = re.compile(r"\b(?:for|on|in|across|to|at) (?:all|every|each)\b|\bon the\b")
_QUALITY_COMPARATIVES = (_COMPARATIVES - _COUNT_WORDS) | frozenset(
    ["happier", "cleaner", "safer", "healthier", "friendlier", "richer", "sharper", "warmer", "fairer"]
)
_PURPOSE_WORDS = frozenset(["to", "so", "that", "which", "and", "by", "through", "via", "for"])
# "per patient", "per TB carried", "per 1,000 orders": a rate ("per the policy" is not).
_RATE_RE = re.compile(r"\bper (?!the\b|our\b|their\b|its\b|cent\b)(?:\d[\d,.]*\s?k?|[a-z][a-z-]+)\b")
_SPLIT_COMPOUND = re.compile(r"\s(?:and|&|as well as|while|plus|along with)\s|;\s*")


tokens_of = tokenize


def token_set(tokens: list[tuple[str, int]]) -> frozenset[str]:
    return grams([t for t, _ in tokens])


@dataclass
class Lead:
    index: int
    token: str
    lemma: str
    kind: str  # delivery | ambiguous | change | level | maintain


@dataclass
class KrFacts:
    text: str
    low: str
    tokens: list[tuple[str, int]]
    words: frozenset[str]
    scan: Scan
    lead: Lead | None
    is_task: bool = False
    task_reason: str = ""
    has_metric: bool = False
    has_target: bool = False
    has_baseline: bool = False
    maintains: bool = False
    compound: bool = False
    qualitative: bool = False  # no number, and a quality word: "More engaging lectures"
    measures: tuple[Quantity, ...] = ()  # the quantities that are values, not qualifiers
    chunk_metric_words: list[str] = field(default_factory=list)
    # Derived phrases (metric, deadline) computed once for findings and rewrites alike.
    cache: dict[str, object] = field(default_factory=dict)
    metric_words: list[str] = field(default_factory=list)
    vague_words: list[str] = field(default_factory=list)

    @property
    def quantities(self) -> tuple[Quantity, ...]:
        return self.scan.quantities


@dataclass
class ObjectiveFacts:
    text: str
    low: str
    words: frozenset[str]
    scan: Scan
    aspiration_words: list[str]
    specific_words: list[str]
    choice_words: list[str]
    lead_lemma: str | None
    concrete_change: bool = False
    # A slogan's marks: a slogan verb leads ("Delight", "Foster", "Be") or slogan words appear.
    slogan: bool = False
    slogan_lead: bool = False
    slogan_words: tuple[str, ...] = ()  # aspiration words that are not mere lofty adjectives
    superlative: bool = False  # "best", "most fun", "friendliest": a superlative of no dimension
    # Generic words that still name a dimension ("satisfaction", "costs"): a plain direction.
    dimension_words: tuple[str, ...] = ()
    # The objective is itself a project ("Launch the mobile app", "Define our pricing strategy").
    project: bool = False


def _strip_fillers(low: str, tokens: list[tuple[str, int]], lex: Lexicon) -> int:
    """Index of the first token after leading fillers ("We will", "Successfully")."""
    fillers = lex["lead_fillers"].entries
    words = [t for t, _ in tokens]
    i = 0
    while i < len(words):
        for size in range(MAX_PHRASE, 0, -1):
            if " ".join(words[i : i + size]) in fillers:
                i += size
                break
        else:
            break
    return i


def _verb_kind(classes: frozenset[str]) -> str | None:
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


def find_lead(low: str, tokens: list[tuple[str, int]], lex: Lexicon) -> Lead | None:
    start = _after_label(low, tokens, lex) or _strip_fillers(low, tokens, lex)
    for i in range(start, min(len(tokens), start + 5)):
        tok = tokens[i][0]
        classes = lex.verb_classes(tok)
        if not classes:
            continue
        lemma = lex.lemma_of(tok)
        kind = _verb_kind(classes)
        # After a subject only a measure verb leads ("Safety culture improved");
        # "Portal launched" is a done-statement, "new hires" a noun, and so is
        # "Patient experience scores go up".
        if i > start and (
            tok == lemma or tok.endswith("ing") or kind in {"delivery", "ambiguous"} or tok in _PLURAL_HEADS
        ):
            continue
        if i == start and tok != lemma and tok.endswith("s") and not tok.endswith("ss") and i + 1 < len(tokens):
            continue  # "Orders per active customer", "Contacts about billing": a plural noun
        if i == start and tok.endswith("ed") and i + 1 < len(tokens) and _countable(tokens[i + 1][0], lex):
            continue  # "Certified admins per account": an adjective
        if i == start and (kind == "ambiguous" or tok in lex["verb_nouns"].words):
            # "Partner deal registration grows", "trial→paid conversion hits 12%": a noun that
            # could be a verb, then the real verb.
            later = _finite_change_verb(tokens, i + 1, lex)
            if later is None and tok.endswith("ing"):
                later = _direction_word(tokens, i, lex)  # "Getting-started questions down 30%"
            if later is not None:
                return later
        if kind:
            return Lead(i, tok, lemma, kind)
    return _direction_word(tokens, start, lex)


def _after_label(low: str, tokens: list[tuple[str, int]], lex: Lexicon) -> int:
    """'Parcel lockers: install 300 more in Warsaw': a short label, then the order itself.
    The index of the verb after the colon, or 0."""
    colon = low.find(":")
    if colon < 0:
        return 0
    for i, (tok, pos) in enumerate(tokens):
        if pos > colon:
            return i if 0 < i <= 4 and lex.verb_classes(tok) and tok == lex.lemma_of(tok) else 0
    return 0


def _finite_change_verb(tokens: list[tuple[str, int]], begin: int, lex: Lexicon) -> Lead | None:
    """A change verb in its -s or -ed form after a noun phrase, before any purpose word."""
    for j in range(begin, min(len(tokens), begin + 6)):
        tok = tokens[j][0]
        if tok in _PURPOSE_WORDS or tok[0].isdigit():
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
        if tok not in {"up", "down"} or prev in _PREPOSITIONS or prev in _STOPWORDS:
            continue
        verb = lex.lemma_of(prev)
        if lex.verb_classes(prev) or verb in lex["other_verbs"].words or verb in lex["phrasal_verbs"].words:
            return None
        return Lead(j, tok, tok, "change")
    return None




def _noun_use(tokens: list[tuple[str, int]], lead: Lead, lex: Lexicon, has_numbers: bool) -> bool:
    """'Test coverage', 'Share of spend': the lead verb is the first noun of a metric."""
    if lead.token in ("open", "scope"):
        rest = " ".join(t for t, _ in tokens[lead.index :])
        if lead.token == "open" and _AGING_RE.search(rest):
            return True  # "Open DSARs older than 20 days": the open ones, by age
        if lead.token == "scope" and _SCOPE_EMISSIONS.match(rest):
            return True  # "Scope 1 emissions down 1,200 tCO2e"
    if lead.token.endswith("ing") and lead.index == 0:
        # "Hiring manager satisfaction 4.5/5": the gerund names whose satisfaction is measured.
        chunk = _object_chunk(tokens, 1)
        if chunk and (chunk[-1] in lex.union("metric_heads", "metric_terms", "vague_nouns")):
            return True
    heads = lex["metric_heads"].words
    nouns = lex.union("metric_heads", "metric_terms", "deliverable_nouns", "outcome_nouns")
    nxt = tokens[lead.index + 1][0] if lead.index + 1 < len(tokens) else ""
    if lead.token in nouns and nxt == "of":
        return True
    if not nxt or nxt in _STOPWORDS or nxt[0].isdigit():
        return False
    if nxt in heads:
        return True
    if _counted_events([t for t, _ in tokens[lead.index : lead.index + 3]], lex):
        return True  # "Repair requests acknowledged within 1 day": requests, counted
    chunk = _object_chunk(tokens, lead.index + 1)
    if not chunk:
        return False
    if lead.token in nouns and not has_numbers and chunk[-1] in lex["vague_nouns"].words and len(chunk) <= 2:
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


def _metric_name_start(tokens: list[tuple[str, int]], lead: Lead, lex: Lexicon) -> bool:
    """'Win rate 30%', 'Starting salary', 'Contract turnaround': the first words name a metric."""
    if lead.index != 0 or len(tokens) < 2:
        return False
    nxt = tokens[1][0]
    if f"{lead.token} {nxt}" in lex["metric_terms"].entries:
        return True
    measured = lex.union("metric_terms", "metric_heads")
    return lead.kind in {"delivery", "ambiguous"} and nxt in measured and (
        lead.token.endswith("ing") or lead.token != lead.lemma or nxt in lex["metric_heads"].words
    )


@lru_cache(maxsize=4096)
def _scan_cached(text: str) -> Scan:
    return scan(text)


def analyze_kr(text: str, lex: Lexicon) -> KrFacts:
    """Facts about one KR. Memoised per lexicon: the same text always gives the same facts
    (rewrite templates and re-reviews repeat texts often)."""
    return lex.memoised(text, lambda: _analyze_kr(text, lex))


def _analyze_kr(text: str, lex: Lexicon) -> KrFacts:
    # A trailing note with no number ("(owner: Carla)", "(stretch)") is not part of the KR;
    # only the tail goes, so every offset into the text stays valid.
    core = _NOTE_RE.sub("", text)
    # "KR1: Staff survey engagement score 7.2": the item's label, blanked so offsets hold.
    core = _ITEM_LABEL_RE.sub(lambda m: " " * len(m.group(0)), core, count=1)
    low = core.lower()
    tokens = tokens_of(low)
    words = token_set(tokens)
    sc = _scan_cached(core)
    lead = find_lead(low, tokens, lex)
    if lead and (
        (not sc.quantities and _feeling_clause(tokens, lead.index + 2, lex))
        or _metric_name_start(tokens, lead, lex)
        or (lead.kind in {"delivery", "ambiguous"} and _noun_use(tokens, lead, lex, bool(sc.quantities)))
    ):
        lead = None
    facts = KrFacts(text, low, tokens, words, sc, lead)
    facts.qualitative = not sc.quantities and (
        any(_quality_word(t, lex) for t, _ in tokens)
        # "Team leads are better coaches", "Volunteers are more happy": a quality of people
        or bool(lead and lead.lemma == "be" and not words.isdisjoint(_COMPARATIVES | lex["feeling_words"].words))
        or _feeling_clause(tokens, 1, lex)  # "Devs rave about us"
        or (lead is None and _people_behaviour(tokens, lex))  # "Lecturers embrace digital tools"
    )

    first = _strip_fillers(low, tokens, lex)
    if lead and lead.index > first:
        chunk = _object_chunk(tokens[: lead.index], first)  # the subject: "Safety culture improved"
    else:
        chunk = _object_chunk(tokens, lead.index + 1 if lead else first)
    chunk_words = grams(chunk)
    metric_terms = lex["metric_terms"].found(chunk_words)
    heads = lex["metric_heads"].found(chunk_words)
    vague = lex["vague_nouns"].found(words)
    facts.metric_words = metric_terms + heads + _RATE_RE.findall(low)
    statistic = [h for h in heads if h in _STATISTICS]
    feeling = not sc.quantities and not lex["feeling_words"].entries.isdisjoint(words)
    if feeling or (facts.qualitative and not statistic) or (chunk and chunk[-1] in lex["vague_nouns"].words and not statistic):
        # "Improve pricing discipline": the head is a quality word, whatever modifies it
        # (but "Median download speed" is measured: it names a statistic).
        metric_terms = []
        facts.metric_words = _RATE_RE.findall(low)
    facts.chunk_metric_words = metric_terms + heads
    nouns = [t for t in chunk if t not in _COUNT_WORDS]
    if lead is None and (sc.quantities or _WINDOW_WORDS_RE.search(low)) and words.isdisjoint(_COUNT_WORDS):
        # "Requests settled within 24h": the participle after the noun is not the head
        # (but "10 tutorials published" declares a deliverable done).
        while len(nouns) > 1 and (
            nouns[-1].endswith("ing")
            or (
                nouns[-1].endswith("ed")
                and nouns[-1] not in lex["done_words"].words
                and "delivery_verbs" not in lex.verb_classes(nouns[-1])
            )
        ):
            nouns.pop()
    # "More engaging lectures" counts no lectures; "the share of engineers who say ... fair" is a share.
    if not facts.metric_words and nouns and not (facts.qualitative and nouns[-1] not in _STATISTICS):
        quality = nouns[-1] in lex["vague_nouns"].words or lex["vague_nouns"].has(grams(nouns))
        if lead and lead.lemma in lex["quantity_verbs"].words and not quality:
            facts.metric_words = [nouns[-1]]  # "Reduce repeat victimisation": a quantity
        elif (
            (lead and lead.kind in {"change", "level", "maintain"})
            or (not words.isdisjoint(_COUNT_WORDS) and not feeling)  # "Buyers trust sellers more"
            or (
                lead is None
                and not feeling
                and nouns[-1] not in lex["deliverable_nouns"].words
                and words.isdisjoint(_QUALITY_COMPARATIVES)  # "Smoother handovers": a quality
                and "new" not in words  # "New quickstarts for Go": things to make
                and not _ROLLOUT_RE.search(low)  # "Solar panels on the roof": things to put in place
                and not any(lex.lemma_of(t) in lex["other_verbs"].words for t, _ in tokens)
                and not _starts_with_verb_tokens(tokens, first, lex)
            )
        ) and _countable(nouns[-1], lex):
            # "Site stoppages due to late materials": a plural with no verb names a count.
            facts.metric_words = [nouns[-1]]
    if not facts.metric_words and lead is None and tokens and not words.isdisjoint(_CADENCE):
        subject = tokens[0][0]
        if subject in lex.union("people_nouns", "outcome_nouns") or _countable(subject, lex):
            facts.metric_words = [subject]  # "Clinicians log in to the video platform weekly": how many do
    if _TIME_TO_RE.match(low):
        facts.metric_words = [*facts.metric_words, "time to"]  # "Time to first successful API call"
    if _SHARE_OF_RE.search(low):
        facts.metric_words = [*facts.metric_words, "share"]  # "Zero-result queries as a share of all searches"
    if not facts.metric_words and not feeling and tokens and tokens[-1][0] in lex["metric_heads"].words:
        facts.metric_words = [tokens[-1][0]]  # "Left without being seen rate"
    facts.vague_words = vague
    qualifiers = {q for q in sc.quantities if _qualifier(low, q, lead, lex)}
    measures = [
        q for q in sc.quantities if (q.kind != "placeholder" or q.role == "target") and q not in qualifiers
    ]
    facts.has_metric = bool(sc.quantities) or bool(facts.metric_words)
    facts.has_target = any(q.role == "target" for q in measures)
    everyone = _EVERYONE_RE.match(low)
    if everyone and everyone.group(1) in lex["people_nouns"].words:
        facts.has_metric = facts.has_target = True  # "Every AE certified": a share of 100%
        measures.append(Quantity(0, everyone.end(), text[: everyone.end()], "percent", "target"))
    facts.measures = tuple(measures)
    facts.has_baseline = any(q.role == "baseline" and q not in qualifiers for q in sc.quantities)
    facts.maintains = bool(lead and lead.kind == "maintain") or bool(
        re.search(r"\b(?:stay|remain|kept|keep)\s+(?:at|above|below|under|over|within)\b", low)
        or re.match(r"\s*hold\b(?:\s+\S+){1,5}?\s+(?:at|above|below|under|within)\s+\S*\d", low)
    )
    if facts.maintains and lead and lead.lemma == "hold":
        lead = facts.lead = Lead(lead.index, lead.token, lead.lemma, "maintain")
    facts.is_task, facts.task_reason = _task(facts, lex)
    facts.compound = _compound(text, lex)
    return facts


_QUALIFIER_RE = re.compile(
    r"\b([a-z][a-z'-]*)\s+(?:under|over|above|below|beyond|within|longer than|older than|more than|less than|"
    r"fewer than|greater than|larger than|smaller than|worth|with fewer than|with more than|with over)\s*$"
)
_DURATION_QUALIFIER_RE = re.compile(
    r"\b([a-z][a-z'-]*)\s+(?:within|w/in|past|after|beyond|older than|longer than|more than|over)\s*$"
)
_QUALIFIER_HINT = re.compile(r"(?:under|over|above|below|beyond|within|than|worth)\s*$")
_NOT_QUALIFIED = frozenset(
    "to by at be is are was were from stay stays remain remains keep kept now currently of with no "
    "have has had get reach hit than".split()
)
_AGING_RE = re.compile(r"\b(?:older than|longer than|aged)\b|>")
_PLURAL_HEADS = frozenset("scores rates times counts ratings".split())
_AMONG_BOUND = re.compile(r"\bamong\s+(?:[a-z-]+\s+){0,3}[a-z-]+\s*(?:<|>|≤|≥)\s*$")
_PAREN_BOUND = re.compile(r"\(\s*(?:under|over|below|above|within|<|>|≤|≥)\s*$")
_RANGE_AFTER = re.compile(r"\s?[-–]\s?\d")
_RANGE_BEFORE = re.compile(r"\d\s?[-–]\s?$")
_AGED = frozenset("overdue open late outstanding unpaid pending stuck unresolved idle inactive dormant".split())
_CADENCE = frozenset("daily weekly monthly quarterly hourly yearly annually fortnightly".split())
_BEHAVIOUR_VERBS = frozenset("can have look tell find admire embrace feel love use say see".split())
_NOW_RE = re.compile(r"\b(?:currently|today|now|baseline|current)\b")
_TIME_TO_RE = re.compile(r"\s*(?:(?:median|average|mean|avg\.?|p\d{2})\s+)?time[- ]to\b")
_SHARE_OF_RE = re.compile(r"\bas an? (?:share|percentage|proportion|ratio|%) of\b")
_SCOPE_EMISSIONS = re.compile(r"^\s*scope\s+[123]\b")
_ITEM_LABEL_RE = re.compile(r"^\s*(?:kr|key result|o|objective)\s*\d+(?:\.\d+)?\s*[:.)\-–]\s*", re.I)
# "(owner: Carla)", "(stretch)", "(committed)"; not "(moves per crane-hour)", which defines the metric.
_NOTE_RE = re.compile(r"(?:\s*\((?:[^()\d:]*:[^()\d]*|\s*(?!per\b)[^()\d\s]+(?:\s+(?!per\b)[^()\d\s]+)?\s*)\))+\s*$")
_WINDOW_WORDS_RE = re.compile(r"\b(?:within|w/in|before|after|beyond|longer than|older than)\b")
_WINDOW_RE = re.compile(r"\b(?:first|last|past|next|initial|opening)\s+$")
_SEGMENT_RE = re.compile(r"\b([a-z]{3,}ing|with)\s+(?:at least|at most|more than|fewer than|or more)\s+$")
_MEASURE_CLASSES = frozenset({"change_verbs", "level_verbs", "maintain_verbs"})
_AGE_RE = re.compile(r"\b([a-z]+)\s+(?:under|over|aged|above|below)\s+$")
_TIME_UNITS = frozenset("minute minutes hour hours day days week weeks month months year years".split())


# "Accounts using 3+ modules", "a project with 1k+ stars": a participle or "with" before
# "N+" picks a segment; after a verb or "of" ("Closed 3+ deals", "a pipeline of 10+ SAOs",
# "in 10+ countries") the N+ is the value to reach.
_SEGMENT_BEFORE_RE = re.compile(r"(?:\b[a-z]{2,}ing|\bwith|\bhaving|\bwho|\bthat)\s+(?:at least\s+)?$")


def _plus_target(q: Quantity, after: str, lex: Lexicon) -> bool:
    """'4.6+ Google rating': a value and the metric it is for, not a segment ('3+ modules')."""
    following = re.findall(r"[a-z][a-z-]*", after)[:3]
    if following and following[0].split("-")[0] in _TIME_UNITS:
        return False  # "30+ days-past-due rate": the days pick the loans counted
    return "." in q.text or any(w in lex["metric_heads"].words and w not in _TIME_UNITS for w in following)


def _small_int(text: str) -> bool:
    return text.isdigit() and int(text) <= 120


_EVERYONE_RE = re.compile(r"^(?:every|all|each)\s+(?:(?:new|our|the|current|active|\d+)\s+)?([a-z]+)")


def _qualifier(low: str, q: Quantity, lead: Lead | None, lex: Lexicon) -> bool:
    """'Reduce tickets older than 30 days', 'deals under €50k': the value picks what is
    counted; it is not the target."""
    if q.kind == "placeholder":
        return False
    window = low[max(0, q.start - 40) : q.start]
    after = low[q.end : q.end + 24]
    # "Accounts using 3+ modules", "the 10 most frequent routes": the number picks a segment.
    if (
        q.kind == "number"
        and re.match(r"\+\s*[a-z]", after)
        and (
            re.match(r"\+\s*(?:of\b|(?:minute|hour|day|week|month|year)s?\b)", after)  # "4+ of 5", "30+ days"
            or (_SEGMENT_BEFORE_RE.search(window) and not _plus_target(q, after, lex))
        )
    ) or (
        window.endswith("the ") and re.match(r"\s+most\b", after)
    ):
        return True
    if q.kind == "duration" and (
        _WINDOW_RE.search(window)
        or (lead is None and window.endswith(("every ", "(>", "(<", "( >", "( <")))
        # "Bugs open > 30 days", "Repeat buyers in 90 days": an age or a window of what is counted
        or (lead is None and re.search(r"(?:\b[a-z]{4,}s|\bopen|\bhold|\blegal)\s*(?:>|≥|\bin)\s*$", window))
        or (lead is None and (g := re.search(r"\b([a-z-]+)\s*(?:>|≥)\s*$", window)) and g.group(1) in _AGED)
    ):
        # "in their first 6 weeks", "over the past 30 days", "repositioned every 2 hours",
        # "Late orders (>45 min)": a window or a standard that defines what is counted.
        return True
    if (
        (s := _SEGMENT_RE.search(window))
        and not lex.verb_classes(s.group(1)) & _MEASURE_CLASSES  # "scoring at least 4.5": a target
        and s.group(1) not in lex.union("metric_heads", "metric_terms")  # "rating at least 4.5/5"
    ):
        return True  # "Students attending at least one session": the count picks who is counted
    if (
        lead is None
        and q.kind == "number"
        and (a := _AGE_RE.search(window))
        and a.group(1) in lex.union("people_nouns", "outcome_nouns")
        and _small_int(q.text)
    ):
        return True  # "Readers under 30", "patients over 65": an age band, not a target
    if q.kind == "duration":
        # "Tickets resolved within 24 hours", "vulnerabilities open longer than 30 days":
        # a time window that defines what is counted; after a time metric ("Lead time
        # under 2 days") it is the target.
        d = _DURATION_QUALIFIER_RE.search(window)
        if (
            d
            and d.group(1) not in _NOT_QUALIFIED
            and d.group(1) not in lex["time_metrics"].words
            and (lead is None or lead.kind == "change" or d.group(1).endswith("ed"))
        ):
            return True
    if re.search(r"\bwith\s*(?:<|>|≤|≥)\s*$", window) or _AMONG_BOUND.search(window):
        return True  # "ANR rate on devices with < 3 GB RAM", "churn among farms <50 ha": who is counted
    if lead is None and _PAREN_BOUND.search(window):
        return True  # "Short-connection bags (under 45 min) that make the flight"
    if (
        q.kind == "number"
        and "." not in q.text
        and "range" not in after
        and (_RANGE_AFTER.match(low, q.end) or _RANGE_BEFORE.search(low[: q.start]))
    ):
        return True  # "hospitals with 200-1,000 beds", "18-34 share", "belts 3-6": a range picks a segment
    m = _QUALIFIER_RE.search(window) if _QUALIFIER_HINT.search(window) else None
    if not m or m.group(1) in _NOT_QUALIFIED or m.group(1) in lex["time_metrics"].words:
        return False  # "... to bring average queue time under 4 minutes": the time's target
    noun = m.group(1)
    if q.kind == "percent" and not re.search(r"\b(?:among|with|using|having)\b", window):
        return False  # "write-offs on fixed-fee matters below 8% of billed fees": the level to reach
    plural = len(noun) > 3 and noun.endswith("s") and not noun.endswith("ss")
    if lead is None or lead.kind == "level":
        # With no verb of change a value after a noun is usually its target ("Write-offs
        # under 5%"); only a segment introduced by "among" is picked by it.
        if q.kind == "percent" and "among" in window:
            return False  # "Visa refusal rate among admitted students under 8%": the target
        # "Churn among accounts under $20k ARR", "Chargebacks on orders over €100": a segment
        # (but "Time to hire for Lisbon roles below 40 days", "LCOE ... below €42/MWh": targets).
        currency = q.kind == "currency" and not after.lstrip().startswith("/")
        if currency and plural and noun not in lex["metric_terms"].words and window[: m.start(1)].strip() == "":
            return True  # "Grants over £1m awarded": the grants counted ("Bookings over $2M" is a target)
        preps = "among|on|for|from|of" if currency else "among"
        return plural and bool(
            re.search(rf"\b(?:{preps})\s+(?:[a-z-]+\s+){{0,3}}$", window[: m.end(1)] + " ")
        )
    if lead.kind not in {"change", "delivery", "ambiguous"}:
        return False
    return lead.kind != "change" or plural


def _rate_object(facts: KrFacts, lead: Lead) -> bool:
    """'Deliver 95% of orders on time': the object is a rate, so this is an outcome."""
    after = facts.tokens[lead.index + 1 : lead.index + 3]
    if not after:
        return False
    pos = after[0][1]
    return any(
        q.start >= pos and q.kind in {"percent", "rating", "currency"} and q.start - pos < 12
        for q in facts.scan.quantities
    )


def _outcome_clause(facts: KrFacts, lex: Lexicon, lead: Lead) -> bool:
    """A delivery verb followed by the measured outcome it is for."""
    rest_start = facts.tokens[lead.index][1]
    for m in _PURPOSE_RE.finditer(facts.low, rest_start):
        clause = facts.low[m.end() :]
        first = clause.split(" ", 1)[0].strip(",.;:")
        kinds = lex.verb_classes(first)
        trigger = m.group(0).split()[0]
        if trigger.endswith("ing") and lex.verb_classes(trigger) & {"change_verbs", "level_verbs"}:
            kinds = lex.verb_classes(trigger)
            clause = facts.low[m.start() :]
        # "... so that 60% of loans are self-service" ("Talk to 50 owners" is no purpose clause)
        if kinds & {"change_verbs", "level_verbs"} or (first[:1].isdigit() and trigger != "to"):
            sub = _scan_cached(clause)
            if any(q.role == "target" for q in sub.quantities):
                return True
    return False


_PREPOSITIONS = frozenset(
    ["about", "around", "towards", "toward", "regarding", "between", "among", "amongst", "inside",
     "due", "because", "without"] +
    ["for", "with", "on", "in", "at", "to", "from", "by", "across", "per", "among", "within", "under", "over", "via", "through", "of", "into", "and", "or", "vs", "versus", "than", "using", "that", "which", "who", "where", "when", "while", "as"]
)


def _object_chunk(tokens: list[tuple[str, int]], start: int) -> list[str]:
    """Words of the noun phrase after the lead verb, up to the first preposition."""
    chunk: list[str] = []
    for tok, _ in tokens[start:]:
        if tok in _PREPOSITIONS or tok in {"->", "→"}:
            if chunk:
                break
            continue
        if tok[0].isdigit() or tok in _STOPWORDS:
            continue
        chunk.append(tok)
    return chunk


def head_chunk(facts: KrFacts, start: int = 0) -> list[str]:
    """The leading noun phrase: 'Sales enablement deck for Team plan' → [sales, enablement, deck]."""
    chunk: list[str] = []
    prev_end = None
    for tok, pos in facts.tokens[start:]:
        if chunk and prev_end is not None and any(c in facts.low[prev_end:pos] for c in ",;:()[]"):
            break
        prev_end = pos + len(tok)
        if tok[0].isdigit() or tok in {"#", "a", "an", "the", "our", "new", "all", "every"} or _VERSION.match(tok):
            if chunk:
                break
            continue
        if tok in _PREPOSITIONS or tok in {"->", "→"}:
            break
        chunk.append(tok)
    return chunk


def _starts_with_verb(facts: KrFacts, lex: Lexicon) -> bool:
    return _starts_with_verb_tokens(facts.tokens, 0, lex)


def _starts_with_verb_tokens(tokens: list[tuple[str, int]], at: int, lex: Lexicon) -> bool:
    first = tokens[at][0] if at < len(tokens) else ""
    return bool(lex.verb_classes(first)) or lex.lemma_of(first) in lex["other_verbs"].words


def _feeling_clause(tokens: list[tuple[str, int]], start: int, lex: Lexicon) -> bool:
    """'Pilot customers love the product': people, then what they feel (a feeling word at
    `start` or later); the first word is no order to do something."""
    people = lex.union("people_nouns", "outcome_nouns")
    feelings = lex["feeling_words"].words
    return any(
        tokens[j][0] in feelings and (tokens[j - 1][0] in people or _countable(tokens[j - 1][0], lex))
        for j in range(max(1, start), len(tokens))
    )


def _quality_word(word: str, lex: Lexicon) -> bool:
    """'happier', 'impactful', 'engaging' (from the lexicon): a quality, not a quantity."""
    return word in lex["quality_words"].words or (len(word) > 5 and word.endswith("ful"))


def _countable(word: str, lex: Lexicon) -> bool:
    """A plural noun names a count ('manual journal entries'), unless it is a quality word."""
    return (
        len(word) > 3
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is"))
        and word not in lex["vague_nouns"].words
        and not lex.verb_classes(word)
    )


def _is_quality_adjective(word: str, lex: Lexicon) -> bool:
    """'happier', 'stress-free', 'kinder': how something feels, not how much of it there is."""
    return word in lex["quality_words"].words or (len(word) > 5 and word.endswith(_QUALITY_SUFFIXES))


def _counted_object(facts: KrFacts, lead: Lead) -> bool:
    """'Sign 25 fleet contracts': the verb's object is what the number counts."""
    nxt = facts.tokens[lead.index + 1 : lead.index + 2]
    return bool(nxt) and any(q.role == "target" and q.start == nxt[0][1] for q in facts.scan.quantities)


def _deliverable_singular(chunk: list[str]) -> bool:
    """'Sign the contract': one named thing, not a count."""
    return bool(chunk) and chunk[-1] in {"contract", "deal", "agreement", "partnership", "mou", "lease"}


def _own_work(facts: KrFacts, lex: Lexicon) -> str:
    """The voices real drafts use for the team's own work, read before the lead verb's
    finer rules: adding people to the team, learning and deciding, setting up
    measurement, a state of the world to reach ("There is a prototype ...", "Users can
    export ..."), and "Have X merged". The reason, or "" when none applies."""
    if facts.has_target and facts.has_baseline:
        return ""  # a move from a baseline is a result, whoever does the work
    toks = [t for t, _ in facts.tokens]
    first = _strip_fillers(facts.low, facts.tokens, lex)
    if first >= len(toks):
        return ""
    verb = toks[first].split("/")[0]  # "launch/test 3 tools": the first of two verbs
    lemma = lex.lemma_of(verb)
    # Phrases that start with the verb: "bring on board", "look into", "start tracking".
    opening = frozenset(" ".join([verb, *toks[first + 1 : first + k]]) for k in (1, 2, 3))
    rest = grams(toks[first + 1 :])
    valued = any(q.role == "target" and q.kind != "number" for q in facts.measures)
    imperative = verb == lemma  # "Hiring manager satisfaction" names a metric, not an order
    if imperative and (lemma in lex["hire_verbs"].words or lex["hire_verbs"].has(opening)) and lex["staff_nouns"].has(rest):
        return f"'{verb}' adds people to the team: the team's own work"
    if imperative and (lemma in lex["learning_verbs"].words or lex["learning_verbs"].has(opening)) and not valued:
        return f"'{verb}' names learning, deciding or setting up measurement: a deliverable"
    if not facts.quantities:
        if toks[first : first + 2] in (["there", "is"], ["there", "are"], ["there", "will"]):
            return "a state to reach ('there is ...'): a deliverable, not a result"
        window = toks[first + 1 : first + 5]
        if "can" in window and lex["feeling_words"].words.isdisjoint(toks[: first + 1 + window.index("can")]):
            return "a capability to build: a deliverable, not a result"
    if lemma == "have" and not valued and lex["done_words"].has(rest):
        return "a done state of the team's own work"
    if verb != toks[first] and "delivery_verbs" in lex.verb_classes(verb) and not valued:
        return f"'{verb}' names an activity or deliverable"
    return ""


def _task(facts: KrFacts, lex: Lexicon) -> tuple[bool, str]:
    own = _own_work(facts, lex)
    if own:
        return True, own
    lead, words, measures = facts.lead, facts.words, facts.measures
    if lead and lead.lemma in lex["obtain_verbs"].words and re.match(
        r"\s*\d", facts.low[facts.tokens[lead.index][1] + len(lead.token) :]
    ) and not lex["done_words"].has(words):
        return False, ""  # "Get 500 sign-ups", "Attract 40 sponsors": what others do, counted
    deliverables = lex["deliverable_nouns"]
    done = lex["done_words"]
    moves = facts.has_target and facts.has_baseline
    rate_target = any(
        q.role == "target"
        and q.kind in {"percent", "rating", "currency", "multiplier", "duration", "points"}
        for q in measures
    )
    if lead and lead.kind in {"delivery", "ambiguous"}:
        if _rate_object(facts, lead) or _outcome_clause(facts, lex, lead):
            return False, ""
        if any(q.role == "target" and q.kind == "currency" for q in measures):
            return False, ""  # "Build a pipeline of SEK 8M": an amount of money is a result
        if moves or any(q.role == "target" and q.text.lower() == "zero" for q in measures):
            return False, ""  # a move from a baseline, or an absence ("zero P1 regressions"), is a result
        chunk = _object_chunk(facts.tokens, lead.index + 1)
        obj = grams(chunk)
        has_deliverable = bool(chunk) and (
            chunk[-1] in deliverables.words or not deliverables.phrases.isdisjoint(obj)
        )
        if has_deliverable:
            return True, f"'{lead.token}' with a deliverable as its object"
        # "Build trust", "Embed a learning culture": a vague aim, judged as unmeasured.
        if (
            chunk
            and lead.lemma in lex["aspiration_verbs"].words
            and chunk[-1] in lex["vague_nouns"].words
            and not facts.quantities
        ):
            return False, ""
        if moves and rate_target:
            return False, ""
        if lead.kind == "delivery":
            return True, f"'{lead.token}' names an activity or deliverable"
        if lead.lemma in lex["activity_verbs"].words and re.match(
            r"\s*(?:every|all|each)\b", facts.low[facts.tokens[lead.index][1] + len(lead.token) :]
        ):
            return True, f"'{lead.token}' names the team's own activity"  # "Call every account over $100k ARR"
        if lead.lemma in lex["activity_verbs"].words and facts.has_target and not moves and not rate_target:
            # "Run 4 employer open days", "Make 60 calls a day": a count of the team's own work.
            return True, f"'{lead.token}' counts the team's own activity"
        outcomes = lex["outcome_nouns"].entries
        if chunk and (chunk[-1] in outcomes or " ".join(chunk[-2:]) in outcomes):  # the head: "Run 6 partner bootcamps" is a task
            return False, ""
        if lead.lemma in {"get", "bring"} and any(
            re.search(r"\b(?:below|under|above|over|to|within)\s+$", facts.low[max(0, q.start - 10) : q.start])
            for q in facts.quantities
            if q.role == "target"
        ):
            return False, ""  # "Get write-offs ... below 8% of billed fees": a level to reach
        if lead.lemma in lex["win_verbs"].words and _counted_object(facts, lead) and not _deliverable_singular(chunk):
            return False, ""  # "Sign 25 fleet contracts", "Secure 2 new services": deals won
        if not facts.quantities and chunk and (facts.qualitative or _is_quality_adjective(facts.tokens[-1][0], lex)):
            return False, ""  # "Make EV charging stress-free": a quality, judged as unmeasured
        if moves or (facts.has_target and facts.chunk_metric_words):
            return False, ""
        after = {t for t, _ in facts.tokens[lead.index + 1 :]}
        if not has_deliverable and not after.isdisjoint(_COMPARATIVES):
            return False, ""
        return True, f"'{lead.token}' names an activity or deliverable"
    stated_now = lead is None and facts.has_baseline and _NOW_RE.search(facts.low)
    if (lead and lead.kind in {"change", "maintain"}) or moves or stated_now:
        return False, ""  # a change, or a metric with its current value ("(today: 47)")
    if any(q.role == "target" and q.text.lower() == "zero" for q in measures):
        return False, ""  # "Zero never events": an absence is a result, not a deliverable
    head = head_chunk(facts)
    metric_nouns = lex.union("metric_heads", "metric_terms")
    if head and (head[0] in lex["metric_heads"].words or head[-1] in metric_nouns):
        return False, ""
    metric_target = facts.has_target and (bool(facts.metric_words) or rate_target)
    if lead is None and facts.has_target and not moves and not rate_target and _people_at_work(facts, lex):
        return True, "the team's own people doing their own work, counted"
    counted = _COUNTED_SUBJECT_RE.match(facts.low)
    if counted and (
        counted.group(1) in lex.union("outcome_nouns", "people_nouns") or _acts(facts, counted.end(), lex)
    ):
        return False, ""  # "15,000 customers upgrade to the new plan": what customers do
    done_hit = done.found(words)
    # "Containers held beyond 72h": a window defines what is counted, nothing is declared done.
    windowed = bool(facts.quantities) and not measures
    if (
        done_hit
        and not windowed
        and not facts.qualitative  # "Patrons feel confident online"
        and not _RATE_RE.search(facts.low)  # "Certified admins per account": a rate
        and not re.search(rf"\bfe(?:el|els|lt)\s+{re.escape(done_hit[0])}\b", facts.low)  # "Managers feel equipped"
        and not metric_target
        and not (lead and lead.kind == "level" and facts.has_target)
        and words.isdisjoint(_COMPARATIVES)
    ):
        return True, f"'{done_hit[0]}' declares a deliverable done"
    if lead is None and _rolled_out(facts, lex):
        return True, "a thing rolled out to a number of places or people, not a result"
    if lead is None or lead.kind == "level":
        noun = head[-1] if head else ""
        if (
            (noun in deliverables.words or not deliverables.phrases.isdisjoint(grams(head)))
            and not rate_target
            and not facts.qualitative  # "Managers who are happier in their roles"
            and not _RATE_RE.search(facts.low)  # "Phishing reports per 100 employees": a rate
            and words.isdisjoint(_COMPARATIVES)
        ):
            return True, f"'{noun}' is a deliverable, not a result"
        if (
            lead is None
            and head
            and not _starts_with_verb(facts, lex)
            and not facts.has_target
            and not facts.metric_words
            and not facts.vague_words
            and words.isdisjoint(_COMPARATIVES)
            and not any(_is_quality_adjective(t, lex) for t in words)  # "Friendlier tone", "Happier devs"
            and not _counted_events(head, lex)
            and not facts.qualitative  # "Devs rave about us on Twitter"
            # "Short-connection bags (under 45 min) that make the flight": counted (but "tech
            # talks every 2 weeks" is a cadence of the team's own work)
            and not (windowed and "every" not in words)
        ):
            return True, f"'{' '.join(head)}' names a thing to deliver, not a result"
    return False, ""


def _acts(facts: KrFacts, end: int, lex: Lexicon) -> bool:
    """'200 new pros complete onboarding': counted things, then a verb in the present."""
    nxt = next((t for t, pos in facts.tokens if pos >= end), "")
    return bool(nxt) and lex.lemma_of(nxt) == nxt and bool(lex.verb_classes(nxt)) and _countable(
        facts.low[:end].split()[-1], lex
    )


def _rolled_out(facts: KrFacts, lex: Lexicon) -> bool:
    """'Mobile clinics in 6 districts', 'Bid-writing bootcamp for 30 researchers': no metric
    anywhere, and every number says where or for whom something is put in place."""
    targets = [q for q in facts.measures if q.role == "target"]
    if (
        not targets
        or facts.has_baseline
        or _RATE_RE.search(facts.low)
        or re.search(r"\btop[- ]?\d", facts.low)  # "Top-3 ranking for 20 priority keywords"
        or not facts.words.isdisjoint(lex.union("metric_terms", "metric_heads"))
    ):
        return False
    return all(
        q.kind == "number" and re.search(r"\b(?:at|in|on|for|across|with)\s+$", facts.low[max(0, q.start - 12) : q.start])
        for q in targets
    )


def _people_behaviour(tokens: list[tuple[str, int]], lex: Lexicon) -> bool:
    """'Lecturers embrace digital tools', 'Players have a blast': people, then what they do
    or feel, with no number and no cadence to count."""
    if len(tokens) < 3 or any(t in _CADENCE for t, _ in tokens):
        return False
    first, verb = tokens[0][0], tokens[1][0]
    people = lex.union("people_nouns", "outcome_nouns") - lex.union("metric_terms")
    if first not in people and not _countable(first, lex):
        return False
    return verb in _BEHAVIOUR_VERBS or (
        lex.lemma_of(verb) == verb and (verb in lex["other_verbs"].words or verb in lex["aspiration_verbs"].words)
    )


def _people_at_work(facts: KrFacts, lex: Lexicon) -> bool:
    """'Sales reps visit 25 bars per week', 'SDRs do 50 dials daily': staff, then an activity."""
    people = lex["people_nouns"].words - lex.union("outcome_nouns")  # staff, not customers
    toks = [t for t, _ in facts.tokens[:3]]
    for i, tok in enumerate(toks[:2]):
        if tok in people and i + 1 < len(toks):
            verb = lex.lemma_of(toks[i + 1])
            return verb in lex["activity_verbs"].words or "delivery_verbs" in lex.verb_classes(toks[i + 1])
    return False


def _counted_events(head: list[str], lex: Lexicon) -> bool:
    """'Agents leaving within 90 days', 'Samples re-run due to QC failure': things to
    which something happens, counted; not a thing to deliver."""
    return any(
        _countable(noun, lex) and (nxt.endswith(("ed", "ing")) or lex.lemma_of(nxt) != nxt or "-" in nxt)
        for noun, nxt in zip(head, head[1:], strict=False)
    )


def _compound(text: str, lex: Lexicon) -> bool:
    parts = _SPLIT_COMPOUND.split(text.lower())
    if len(parts) < 2:
        return False
    measured = 0
    for part in parts:
        toks = tokens_of(part)
        if not toks:
            continue
        classes = lex.verb_classes(toks[0][0])
        if classes & {"change_verbs", "level_verbs", "maintain_verbs"} and (
            _scan_cached(part).quantities or lex["metric_terms"].has(token_set(toks))
        ):
            measured += 1
    return measured >= 2


def analyze_objective(text: str, lex: Lexicon) -> ObjectiveFacts:
    return lex.memoised(("objective", text), lambda: _analyze_objective(text, lex))


def _analyze_objective(text: str, lex: Lexicon) -> ObjectiveFacts:
    low = text.lower()
    tokens = tokens_of(low)
    words = token_set(tokens)
    sc = _scan_cached(text)
    asp = lex["aspiration_words"]
    generic = lex["generic_nouns"]
    aspiration_hits = asp.found(words)
    choice_hits = lex["choice_words"].found(words)
    for tok, _ in tokens:
        # A superlative of one dimension is a choice ("fastest"); "best" is not.
        if tok in lex["vague_superlatives"].words and tok.endswith("est"):
            aspiration_hits = [*aspiration_hits, tok]  # "Fly the friendliest skies"
        elif (
            tok.endswith("est")
            and len(tok) > 5
            and tok not in asp.words
            and tok not in _NOT_SUPERLATIVE
        ):
            choice_hits.append(tok)
    m = re.search(r"\b(?:most|least)\s+([a-z\-]+)", low)
    if m and m.group(1) in lex["vague_superlatives"].words:
        aspiration_hits = [*aspiration_hits, m.group(0)]  # "the most fun game": a feeling, no dimension
    elif m and m.group(1) not in asp.words:
        choice_hits.append(m.group(0))
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
        and not (c == "us" and not re.search(r"\bUS\b", text))
        and c not in lex["vague_superlatives"].words
    ]
    # Words inside slogan phrases ("every touchpoint", "fit for the future") are not specifics.
    phrases = asp.phrases | generic.phrases
    toks = [t for t, _ in tokens]
    covered_idx: set[int] = set()
    for size in range(2, MAX_PHRASE + 1):
        for i in range(len(toks) - size + 1):
            if " ".join(toks[i : i + size]) in phrases:
                covered_idx.update(range(i, i + size))
    original = re.findall(r"[A-Za-z][A-Za-z0-9'’\-]*", text)
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
    first = _strip_fillers(low, tokens, lex)
    specific: list[str] = []
    for i, (tok, _) in enumerate(tokens):
        if i in covered_idx:
            continue
        lemma = lex.lemma_of(tok)
        is_verb = bool(lex.verb_classes(tok)) and (
            i == first or tok != lemma and tok.endswith(("ed", "ing"))
        )
        if tok in capitalised and tok not in asp.words:
            # A name (product, place, programme) is a strong specific, unless slogan words surround it.
            specific += [tok] if aspiration_hits else [tok, tok]
            continue
        if (
            len(tok) < 3
            or tok in _STOPWORDS
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
        parts = [p for p in re.split(r"[-/]", tok) if p]
        if len(parts) > 1 and all(p in asp.words or p in generic.words for p in parts):
            continue
        specific.append(tok)
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
        grams([t for t, _ in tokens[first : first + 2]])
    )
    slogan = bool(aspiration_hits) or slogan_lead
    lofty = lex["lofty_adjectives"].entries
    slogan_words = tuple(sorted({a for a in aspiration_hits if a not in lofty and not (set(a.split()) & lofty)}))
    superlatives = lex["empty_superlatives"].entries | lex["vague_superlatives"].entries
    superlative = any(a in superlatives or a.startswith(("most ", "least ")) for a in aspiration_hits)
    # A superlative of feeling ("friendliest") is a slogan word, not a specific.
    specific = [w for w in specific if w not in aspiration_hits]
    dimensions = lex.union("vague_nouns", "metric_terms", "metric_heads", "lower_is_better") - lex.union(
        "aspiration_words", "entity_nouns"
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
        and (specific or deliverables.has(grams([t for t, _ in tokens[first + 1 :]])))
        and not aspiration_hits
    )
    return ObjectiveFacts(
        text, low, words, sc, aspiration_hits, specific, choice_hits, lead_lemma, concrete,
        slogan, slogan_lead, slogan_words, superlative, dimension_words, project,
    )


def _first_after_value(low: str, lex: Lexicon) -> bool:
    # "Put patients first", "Our patients always come first"
    m = re.search(r"\b([a-z]+)\s+(?:always\s+)?comes?\s+first\b", low) or re.search(
        r"\b([a-z]+)[\s-]+first\b", low
    )
    if not m:
        return False
    word = m.group(1)
    return any(word in lex[name].words for name in ("value_first_nouns", "generic_nouns", "vague_nouns"))


_NOT_SUPERLATIVE = frozenset(
    ["interest", "forest", "request", "harvest", "contest", "suggest", "invest", "honest", "manifest", "digest"]
)
