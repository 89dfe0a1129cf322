"""Numbers, units, deadlines and comparison frames in one sentence.

`scan(text)` finds every quantity ("35%", "$1.2M", "8.7/10", "2x", "double",
"zero", "[target]") and gives each a role:

- ``target``: a value to reach ("to 50", "by 20%", "at least 4.5", "95% CSAT");
- ``baseline``: where it starts ("from 32", "(currently 6)", "up from 12%");
- ``deadline`` / ``identifier`` are found but are not measures: "Q3", "by June
  30", "in 2026", "within 6 weeks"; "Phase 2", "ISO 27001", "v2", "24/7".

Everything works on the lower-cased text with offsets kept, so a span found
here indexes the original sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lazy_re import lazy_compile

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PERIOD = (
    r"(?:year|quarter|month|cycle|sprint|period|half|week|semester|term|season|fiscal year|fy)"
)
_SMALL_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an)"

# A date or period: these say *when*, never *how much*.
# No alternative opens with "\b": each starts where no word character comes before (the
# guard of DEADLINE_RE and DEADLINE_PHRASE_RE, or the space after a phrase's "by") with a
# word character, so "\b" holds there anyway; without it the engine rejects an alternative
# on its first letter (20% fewer instructions, same matches).
_DEADLINE_CORE = (
    rf"(?:(?<![\w])(?:q[1-4]|h[12]|fy\s?'?\d{{2,4}}|cy\s?\d{{2,4}}|eo[yqm]|ytd|qtd)(?:\s*(?:'|’|/|-)?\s*(?:19|20)?\d{{2}}(?!\d))?(?![\w])"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}\b"
    rf"|\d{{1,2}}([/.-])\d{{1,2}}\1(?:19|20)?\d{{2}}\b"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}\b\.?(?:,?\s+(?:19|20)\d{{2}})?"
    rf"|{_MONTH}\b\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+(?:19|20)\d{{2}})?"
    rf"|{_MONTH}\b\.?\s+(?:19|20)\d{{2}}\b"
    rf"|(?:in\s+)?{_MONTH}\s*[–—-]\s*{_MONTH}\b"
    rf"|(?:end|start|beginning|middle|close)\s+of\s+(?:the\s+)?(?:(?:this|next|current|first|second|third|fourth|last)\s+)?(?:{_MONTH}|{_PERIOD}|q[1-4]|h[12]|fy\s?\d{{2,4}}|(?:19|20)\d{{2}})(?:\s+(?:19|20)\d{{2}})?\b"
    rf"|end[\s-](?:q[1-4]|h[12]|fy\s?\d{{2,4}}|(?:19|20)\d{{2}})\b"  # "by end 2025", "end-Q3"
    rf"|(?:this|next|the)\s+(?:{_PERIOD})\b"
    rf"|(?:in|within|over|for|during|after)\s+(?:the\s+)?(?:next\s+|first\s+|coming\s+|following\s+)?{_SMALL_NUMBER}\s+(?:weeks?|months?|quarters?|years?|sprints?)\b"
    rf"|(?:by|in|at|on|until|before|from|after|of)\s+(?:the\s+)?(?:end\s+of\s+)?(?:week|wk|sprint|day|month)\s+\d{{1,3}}\b"
    rf"|(?:by|before|until|till|on|in|from|since|during|through|of|for|at)\s+(?:the\s+)?(?:{_MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?|{_WEEKDAY})\b"
    # A year after one of these words: the lookbehinds share one body, tried once.
    rf"|(?:(?<=\bby\s)|(?<=\bin\s)|(?<=\bof\s)|(?<=\buntil\s)|(?<=\bbefore\s)|(?<=\bfor\s)"
    rf"|(?<=\bsince\s)|(?<=\bduring\s)|(?<=,\s))(?:19|20)\d{{2}}\b|\((?:19|20)\d{{2}}\)"
    rf")"
)
# Every deadline, and every deadline phrase, starts with one of these characters: the first
# letters of the words that open them ("by", "end", "june", "q3", "this"; the patterns are
# case-sensitive and read lower-cased text), a digit or "(". Checked first, it spares the
# alternatives at each word that starts otherwise ("grow", "latency": half the instructions,
# same matches).
_DEADLINE_START = r"(?=[\dabcdefhijmnoqstuwy(])"
# The outer lookbehind lets the engine skip mid-word positions at once (a 4x speed-up).
DEADLINE_RE = re.compile(rf"(?<![\w]){_DEADLINE_START}{_DEADLINE_CORE}")
# The phrase a rewrite keeps: "by end of Q3", "before 31 March", "in FY27". It starts where a
# deadline does: after no word character, or at "(" (the "(2024)" form); the guard skips the
# other positions at once (2.5x fewer instructions, same matches).
DEADLINE_PHRASE_RE = re.compile(
    rf"(?:(?<![\w])|(?=\())"
    rf"{_DEADLINE_START}(?:\b(?:by|before|until|till|in|within|during|for|no later than|at)\s+(?:the\s+)?)?{_DEADLINE_CORE}"
)

# "11 working days", "3 business days": one unit of time
_WORKDAYS = r"(?:working|business|calendar|school)\s+(?:days?|hours?|weeks?)"
# "4,3" and "23,5%" are decimal commas (a comma with 1–2 digits after it); "1,200" groups thousands.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?!\d)|\d+(?:\.\d+)?|\.\d+"
# The lookahead names every character a number can start with (a currency sign or code, a
# digit, "."): most positions fail it at once, before the guard and the groups are tried
# (15% fewer instructions, same matches).
NUMBER_RE = re.compile(
    r"(?=[\d.$€£¥₹uegcsndia])(?<![\w.,/])"
    r"(?P<cur>[$€£¥₹]\s?|(?:usd|eur|gbp|chf|sek|nok|dkk|inr|aud|cad)\s?)?"
    rf"(?P<num>{_NUMBER})"
    r"(?P<mult>\s?(?:k|m|mm|mn|bn|b|million|millions|billion|billions|thousand|thousands|lakh|crore|x|×)(?![\w]))?"
    r"(?P<unit>\s?(?:%|percent\b|per\s?cent\b|pct\b|pp\b|p\.p\.|percentage points?\b|points?\b|pts\b"
    r"|/\s?(?:day|week|wk|month|mo|quarter|qtr|year|yr|hour|hr|h|min|user|customer|rep|head)\b"
    r"|/\s?\d+(?:\.\d+)?|out of \d+(?:\.\d+)?|stars?\b|ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b"
    rf"|{_WORKDAYS}\b"
    r"|mins?\b|minutes?\b|h\b|hrs?\b|hours?\b|days?\b|d\b|weeks?\b|wks?\b|months?\b|yrs?\b|years?\b"
    r"|usd\b|eur\b|gbp\b|dollars?\b|euros?\b|pounds?\b|kwh\b|mwh\b|kg\b|g\b|l\b|ml\b|tonnes?\b|tons?\b|t\b|km\b|gb\b|tb\b|mb\b"
    r"|p\b(?!\.)))?"
    r"(?![\w])"
)
# Every alternative starts after no word character: the outer lookbehind skips mid-word
# positions at once (2x fewer instructions, same matches).
WORD_QUANTITY_RE = re.compile(
    r"(?<![\w])(?:"
    r"(?<=\bfrom )(?:hourly|daily|weekly|fortnightly|biweekly|monthly|quarterly|yearly|annually)\b"
    r"|(?:(?<=\bto )|(?<=→ )|(?<=-> ))(?:hourly|daily|weekly|fortnightly|biweekly|monthly|quarterly|yearly|annually|continuous)\b"
    r"|(?<=\bto )(?:same|next)[- ]day\b|(?<=→ )(?:same|next)[- ]day\b"  # "4 days → same day"
    r"|(?<=\bto )all\b(?=\s*(?:$|[,.;)]|by\b|in\b|before\b|until\b))|\b(?:zero|double|doubles|doubled|doubling|triple|triples|tripled|tripling|quadruple|quadruples|quadrupled|halve|halves|halved|halving|"
    r"(?<=by |in )half|(?<=by )(?:a|one) (?:third|quarter|fifth)|(?<=at least )one|(?<=\bto )one(?=\s+[a-z])|twice|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    r"fifty|hundred|hundreds|thousand|dozen|million)\b(?![-–])"
    r")"
)
PLACEHOLDER_RE = re.compile(r"\[[^\[\]\n]{1,80}\]")
# A value left as a letter or "TBD" where a number belongs ("by X%", "from X to Y", "N new
# users", "x% of employees"): a placeholder too, unfilled.
LETTER_PLACEHOLDER_RE = re.compile(
    r"(?:\b(?:by|to|from|reach|reaches|hit|at|target|goal)\s*:?\s+|^\s*)((?:x{1,3}|y|n|tbd|tbc)(?:\s?%)?)(?![\w'’-]|\.(?!$))"
)
# What every LETTER_PLACEHOLDER_RE value is: one of its letters or "tbd"/"tbc", at the start or
# after a space, and then no word character (a "%" or a space may follow). Most sentences hold
# none: searched first from its first letters (the engine skips the other characters at once),
# it spares the full pattern's try at every position (2.0 → 0.4 µs a sentence, same matches).
_MAYBE_LETTER_PLACEHOLDER = re.compile(r"[xynt](?<!\S.)(?:x{0,2}|b[dc])(?![\w'’-])")

# The three `lazy_compile`d patterns here are compiled when first used (coach.lazy_re): a
# short draft seldom needs them, and they were 2 ms of every `okr-coach check`. This one's
# alternatives start at a word's first letter or at "(": the guard skips the other
# positions at once (a search tries each position of the window; same matches). Where the
# guard holds, a letter next is a word's first, so no alternative repeats "\b" before it: the
# engine then rejects an alternative on its first character.
_BASELINE_BEFORE = lazy_compile(
    r"(?:(?<![\w])|(?=\())"
    r"(?:from|up from|down from|currently(?: at| is)?|current(?: value| level| rate| is)?:?|baseline(?: of| is)?:?"
    r"|today(?: at)?:?|vs\.?|versus|compared (?:to|with)|was(?: at)?|were(?: at)?|now(?: at)?|from a baseline of"
    r"|last (?:quarter|year|month|cycle|period|half|fy|q[1-4])(?:\s*(?:was|were|of|at|:))?"
    r"|as of (?:(?!\bto\b)[^,;]){0,16}?:?"
    r"|starting (?:at|from)|starting point:?|base:?|actual:?|current state:?|is at|stands at"
    r"|\((?:fy\s?'?\d{2,4}|q[1-4][^:)]{0,8}|h[12][^:)]{0,8}|(?:19|20)\d{2}|last \w+|prior \w+|previous \w+|prev|today|now|current|baseline|was)\s*:?"
    r")\s*(?:about|around|approximately|approx\.?|roughly|est\.?|estimated|~|≈|an? )?\s*[±+~≈-]?\s*$"
)
_ARROW_BETWEEN = lazy_compile(
    # A unit may sit between the number and the arrow: "12,400 persons →", "0.62 m³ →", "₹41 Cr →".
    r"^(?:\s*/\s*[a-z]+|\s+(?:per|a|an|each|of)\s+[a-z]+|\s+(?:of|out of)\s+\d[\d,.]*|\s?[$€£¥₹]"
    rf"|\s+{_WORKDAYS}|\s?[^\W\d_]{{1,10}}[²³]?(?:\s?/\s?[a-z]{{1,6}})?)?"
    r"(?:\s*\(?\s*(?:in\s+)?(?:last|this|prior|previous)\s+(?:quarter|year|month|cycle|period|half)\s*\)?)?"
    r"\s*(?:→|->|=>|➝|➔|⇒|—>|-->|>|to)\s*"
    r"(?:about|~|under|below|above|over|at least|at most|less than|more than|<|>|≤|≥)?\s*[±+~≈-]?\s*"
    r"(?:[a-z]{0,3}[$€£¥₹]|[★☆*#])?\s*$"  # "→ ★4.5", "→ US$1.30"
    r"|^\s+[-–—]\s+$"
)
_IDENT_AFTER = re.compile(
    r"^(?:\s?-?degree|\s?-?factor|\s?-?party|-?d\b|\s?:\s?1|[/x]7\b|-?[a-z]{2,}\d|\*"
    r"|-(?:day|week|month|year|hour|minute|second|step|person|seat|point|page|star)s?\b)"
)


def _arrow_between(between: str) -> bool:
    """Does the text between two values lead from the first to the second ("32 → 50")?"""
    # Every _ARROW_BETWEEN match holds "to", ">", an arrow or a dash (its second form): most
    # pairs ("74 (currently ", "% by ") hold none, and a plain test skips the pattern.
    return (
        "to" in between or ">" in between or "-" in between or "→" in between or "–" in between
        or "—" in between or "➝" in between or "➔" in between or "⇒" in between
    ) and _ARROW_BETWEEN.match(between) is not None


_YEAR = re.compile(r"^(?:19|20)\d{2}$")


def _is_year(num: str) -> bool:
    """Does `_YEAR` match the number ("2026")? A plain test: `num` holds only digits, "," and
    "." (NUMBER_RE's "num" group), so isdigit() here is the pattern's \\d."""
    return len(num) == 4 and num[:2] in ("19", "20") and num.isdigit()


# "30 day retention", "5-10 year replacement costs", "18–24 year olds": a number with a
# singular unit of time before a word names a thing (like "30-day"); it is no value to reach.
_NAMING_AFTER = re.compile(
    r"(?:\s*[-–]\s*\d+)?\s?(?:day|week|month|year|hour|minute)\s+"
    r"(?!(?:or|and|to|of|in|by|from|for|per|at|on|a|an|the|ago|before|after|earlier|later|than|vs)\b)[a-z]"
)


@dataclass(frozen=True, slots=True)
class Quantity:
    start: int
    end: int
    text: str
    kind: str  # number | percent | currency | rating | duration | multiplier | points | word | placeholder
    role: str  # target | baseline


@dataclass(frozen=True, slots=True)
class Scan:
    quantities: tuple[Quantity, ...]
    deadlines: tuple[tuple[int, int], ...]

    @property
    def targets(self) -> list[Quantity]:
        return [q for q in self.quantities if q.role == "target"]

    @property
    def baselines(self) -> list[Quantity]:
        return [q for q in self.quantities if q.role == "baseline"]


# A digit first, then "no [\w.,] before it" (the same as a leading (?<![\w.,])): a pattern that
# starts with a character class lets the engine skip to the digits (half the instructions). The
# two forms share that start: as two alternatives, neither would start with the class.
# "6h40", "7m30s", "5min. 40sec.", "1 hr 30 mins": one duration (a long hour unit needs its minutes:
# "2 hours 15 people" is two values)
_COMPOUND_DURATION = re.compile(
    r"\d(?<![\w.,]\d)\d{0,2}\s?(?:h\s?\d{1,2}(?:\s?m(?:in)?)?"
    r"|(?:hrs?|hours?)\.?\s?\d{1,2}\s?m(?:ins?|inutes?)?\.?"
    r"|m(?:ins?|inutes?)?\.?\s?\d{1,2}\s?s(?:ecs?|econds?)?\.?)(?![\w])"
)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    return text


# Cheap pre-checks: most sentences hold no date and no bracket, so skip those regexes.
# A sentence without a digit may hold a deadline only with one of these words (read only
# then: a digit lets the deadline search run anyway). Each starts a word: the guard skips
# the other positions at once, and "\b" would add nothing after it.
_MAYBE_DEADLINE = re.compile(
    r"(?<![\w])(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|eo[yqm]|ytd|qtd|(?:end|start|beginning|middle|close) of\b"
    r"|(?:weeks?|months?|quarters?|years?|sprints?|cycle|period|half|semester|term|season|fiscal)\b)"
)
_DIGIT = re.compile(r"\d")
# What every deadline holds (most sentences with a digit hold none of it): a quarter, half or
# fiscal year, a year, a month, a period word, "day" or a weekday, each at a word's start (no
# word character before it: "summary" holds no March, "accuracy" no CY) and a word whole (a
# non-word character follows it in every deadline: "weekly" and "market" hold none), or a
# date's digits. Each alternative of _DEADLINE_CORE needs one, so a text without one has no
# deadline and no deadline phrase: the search of the large patterns (~10 µs a sentence) is
# skipped. The guard first lets the engine pass mid-word positions at once; the words are
# grouped by first letter, which the engine tries before any word (a third fewer instructions).
# The date's digits are a pattern of their own: searched from the first digit (the engine's
# cost is per position tried), and not at all in a text without one.
# Compiled when first needed: a process that never reads a sentence does not pay for it.
_DEADLINE_HINT = (
    r"(?<![\w])(?:19\d\d|20\d\d|a(?:pr(?:il)?\b|ug(?:ust)?\b)|c(?:y|ycle\b)|d(?:ec(?:ember)?\b|ays?\b)|eo[yqm]"
    r"|f(?:y|eb(?:ruary)?\b|riday\b)|h(?:[12]|alf\b)|j(?:an(?:uary)?\b|une?\b|uly?\b)"
    r"|m(?:a(?:r(?:ch)?\b|y\b)|onths?\b|onday\b)|nov(?:ember)?\b|oct(?:ober)?\b|period\b|q(?:[1-4]|td|uarters?\b)"
    r"|s(?:ep(?:t(?:ember)?)?\b|prints?\b|emester\b|eason\b|aturday\b|unday\b)|t(?:erm\b|uesday\b|hursday\b)"
    r"|w(?:eeks?\b|ks?\b|ednesday\b)|y(?:td|ears?\b))"
)
_DATE_DIGITS = re.compile(r"\d[/.-]\d")
_deadline_hint: re.Pattern[str] | None = None


def may_hold_deadline(low: str, first_digit: int | None = 0) -> bool:
    """False when the lower-cased `low` can hold no deadline (see `_DEADLINE_HINT`).
    `first_digit`: where its first digit is, if known (None: it has none)."""
    global _deadline_hint
    if _deadline_hint is None:
        _deadline_hint = re.compile(_DEADLINE_HINT)
    return _deadline_hint.search(low) is not None or (
        first_digit is not None and _DATE_DIGITS.search(low, first_digit) is not None
    )
# Every WORD_QUANTITY_RE match starts with one of these words, where no word character
# comes before (its guard): most sentences hold none, and this alternation is searched far
# faster than the full pattern fails (its guard, too, skips mid-word positions at once).
# Grouped by first letter (the same words): at each word the engine tries ~20 first
# letters, not 44 words (a quarter fewer instructions).
_MAYBE_WORD_QUANTITY = re.compile(
    r"(?<![\w])(?:a (?:third|quarter|fifth)|a(?:ll|nnually)|biweekly|continuous|d(?:aily|oubl|ozen)|e(?:ight|leven)"
    r"|f(?:ortnightly|ifteen|ifty|orty|our|ive)|h(?:ourly|alv|alf|undred)|million|monthly|n(?:ext|ine)|one"
    r"|qua(?:rterly|drupl)|s(?:ame|ix|even)|t(?:ripl|wice|wo|hree|en|welve|wenty|hirty|housand)|weekly|yearly|zero)"
)
# "No P1 incidents", "No client inquiry takes more than a day": the KR opens with an
# absence, a target of zero (not "No more than 3", "No later than May").
_NONE_OPENING = re.compile(r"\s*(no)\s+(?!(?:more|less|fewer|later|longer|sooner|earlier|one|single)\b)[a-z0-9]")
_BASELINE_AFTER = re.compile(
    r"(?:\s+of\s+[a-z]+(?:\s+[a-z]+)?)?"  # "6% of bookings today"
    r"\s*(?:today|now|currently|at present|so far|"
    r"(?:last|previous|prior|this past)\s+(?:quarter|year|half|month|cycle|fy|q[1-4]|h[12]|season|term))\b"
)


def _may_name_baseline_after(low: str) -> bool:
    """False when no value of `low` can be followed by a _BASELINE_AFTER word ("today")."""
    # Every match ends with one of these words: most sentences hold none, and a plain test
    # of the whole sentence, once, spares a match after every value.
    return (
        "today" in low or "now" in low or "currently" in low or "at present" in low
        or "so far" in low or "last" in low or "previous" in low or "prior" in low
        or "this past" in low
    )


_BASELINE_HINTS = (
    "from",
    "current",
    "baseline",
    "today",
    "vs",
    "versus",
    "compared",
    "was",
    "were",
    "now",
    "last",
    "as of",
    "starting",
    "base",
    "actual",
    "is at",
    "stands at",
    "(",
)


def _kind(cur: str | None, unit: str, mult: str) -> str:
    """The kind of a NUMBER_RE match from its currency, unit and multiplier (units stripped)."""
    if not unit and not cur:  # a bare number, the most common: no test below holds but the multiplier's
        return "multiplier" if mult in {"x", "×"} else "number"
    if (
        cur
        or unit in {"usd", "eur", "gbp"}
        or unit.startswith(("dollar", "euro", "pound"))
    ):
        return "currency"
    if unit in {"%", "percent", "pct", "per cent"} or unit.startswith("per"):
        return "percent"
    if unit.startswith(("pp", "p.p", "percentage", "point", "pts")):
        return "points"
    if unit.startswith("/") and not any(c.isdigit() for c in unit):
        return "number"  # a rate: 14/week
    if unit.startswith(("/", "out of", "star")):
        return "rating"
    if mult in {"x", "×"}:
        return "multiplier"
    if unit:
        return "duration" if unit[0] in "msdhwy" or unit.startswith(("business", "calendar", "school")) else "number"
    return "number"


def scan(text: str) -> Scan:
    """Find the quantities and deadlines of one sentence (any case)."""
    low = text.lower()
    placeholders = (
        [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(low)] if "[" in low else []
    ) + (
        [m.span(1) for m in LETTER_PLACEHOLDER_RE.finditer(low)] if _MAYBE_LETTER_PLACEHOLDER.search(low) else []
    )
    placeholders.sort()
    masked = _mask(low, placeholders)
    digit = _DIGIT.search(masked)
    has_digit = digit is not None
    deadlines = (
        [(m.start(), m.end()) for m in DEADLINE_RE.finditer(masked)]
        if (has_digit or _MAYBE_DEADLINE.search(masked))
        and may_hold_deadline(masked, digit.start() if digit else None)
        else []
    )
    masked = _mask(masked, deadlines)
    if "scale" in masked or "point" in masked:
        # "on a scale of 1-5", "a 10-point scale": the scale's ends are no values to reach.
        masked = _mask(masked, [m.span() for m in _SCALE_RE.finditer(masked)])

    found: list[tuple[int, int, str]] = [(s, e, "placeholder") for s, e in placeholders]
    # "6h40 → 4h", "7m30s → 2m": one duration each, not an hour and a number
    # Masking only blanks text: no number starts before the first digit (a currency may come
    # up to 5 characters earlier: "usd .5"), so both scans start there, not at the verb.
    # Most texts hold none: one search says so, cheaper than an iterator and a list.
    first = _COMPOUND_DURATION.search(masked, digit.start()) if digit else None
    spans = [m.span() for m in _COMPOUND_DURATION.finditer(masked, first.start())] if first else []
    if spans:
        found += [(s, e, "duration") for s, e in spans]
        masked = _mask(masked, spans)
    for m in NUMBER_RE.finditer(masked, max(0, digit.start() - 5)) if digit else ():
        s, e = m.span()
        # One call for the four groups: each group() call costs as much as a short test.
        cur, num, mult, unit = m.group("cur", "num", "mult", "unit")
        unit = unit or ""
        before = masked[max(0, s - 24) : s]
        after = masked[e : e + 8]
        if _IDENT_AFTER.match(after) or _NAMING_AFTER.match(masked, m.end("num")) or (
            # read unmasked: "before the Season 4 launch" masks "the season" as a deadline (when
            # nothing there was masked, the same text: read once)
            not cur and "%" not in unit and (
                _identifier_before(before) or ((raw := low[max(0, s - 24) : s]) != before and _identifier_before(raw))
            )
        ):
            continue  # "Phase 2" names a thing; "release €3M" and "line 64%" are values
        if ("top" in before or "bottom" in before) and _TOP_BEFORE.search(before) and _PICKED_AFTER.match(after):
            continue  # "top 10 alerts" picks the alerts; it is not a value to reach
        if s > 1 and low[s - 1] in "-–" and low[s - 2].isalpha():
            continue  # COVID-19, SHA-256, K–3, "the week-6 call" (read unmasked: a deadline may hide the word)
        if masked.find("of", max(0, s - 12), s) >= 0 and _OF_WHOLE_BEFORE.search(masked, max(0, s - 12), s):
            continue  # "7 of 12 councillors": 12 is the whole, not a value to reach
        unit = unit.strip()
        if unit in {"g", "s"} and text[e - 1] in "GS":
            continue  # 3G, 5S: a network generation, a method's name; not grams or seconds
        if s > 1 and low[s - 1] == "#" and (low[s - 2].isalnum() or low[s - 2] == "/"):
            continue  # "ipfs/project#14": an issue's reference, no value
        if unit == "s" and (masked.startswith(" of ", e) or _is_year(num)):
            continue  # "10s of millions", "100s of teams", "the 1990s": no seconds, and no value
        if num == "24" and m.group(0).replace(" ", "") == "24/7":  # (no other number spells it)
            continue
        if _is_year(num) and not (cur or unit or mult):
            nxt = masked[e:].lstrip()[:1]
            if not nxt or not nxt.isalpha():
                deadlines.append((s, e))
                continue
        found.append((s, e, _kind(cur, unit, (mult or "").strip())))
    for m in WORD_QUANTITY_RE.finditer(masked) if _MAYBE_WORD_QUANTITY.search(masked) else ():
        if any(s < m.end() and m.start() < e for s, e, _ in found):
            continue  # "5 million": the word is the number's multiplier, not a value of its own
        found.append((m.start(), m.end(), "word"))
    if masked.lstrip()[:3] == "no " and (none := _NONE_OPENING.match(masked)):
        found.append((*none.span(1), "word"))  # "No P1 incidents", "No inquiry waits a day": zero of them
    found.sort()

    quantities: list[Quantity] = []
    after_hint = _may_name_baseline_after(low) if found else False
    for i, (s, e, kind) in enumerate(found):
        role = "target"
        if (
            (after_hint and _BASELINE_AFTER.match(low, e))
            or (_baseline_before(low[max(0, s - 40) : s]) and not _source_count(low, s, e))
            or (i + 1 < len(found) and _arrow_between(low[e : found[i + 1][0]]))
            or (kind == "placeholder" and _looks_like_baseline_placeholder(low[s:e]))
        ) or _trailing_point(low, s, e, kind, quantities):
            role = "baseline"
        if role == "baseline" and _THRESHOLD_AFTER.match(low, e):
            role = "target"  # "(3 or higher on a scale of 1-5)": a threshold to reach
        quantities.append(Quantity(s, e, text[s:e], kind, role))
    return Scan(tuple(quantities), tuple(sorted(deadlines)))


_SCALE_RE = lazy_compile(
    r"\bscale\s+(?:of|from)\s+\d+(?:\s*(?:-|–|to)\s*\d+)?|\b\d+\s*(?:-|–|to)\s*\d+\s+scale\b|\b\d+[- ]point\s+scale\b"
)
_THRESHOLD_AFTER = re.compile(r"\s*(?:or\s+(?:higher|above|more|better|greater|over)|\+)")
_FROM_BEFORE = re.compile(r"\bfrom\s+$")
_NOUN_AFTER = re.compile(r"\s+(?:new\s+|more\s+|active\s+)?[a-z]{3,}s\b")
_LATER_TARGET = re.compile(r"\bto\b|→|->|=>")


def _source_count(low: str, s: int, e: int) -> bool:
    """'contributions from 30 allies', 'feedback from 12 customers': 'from' names where
    something comes from, a count of sources; with no 'to' after it, no starting value."""
    return (
        _FROM_BEFORE.search(low, max(0, s - 6), s) is not None
        and _NOUN_AFTER.match(low, e) is not None
        and _LATER_TARGET.search(low, e) is None
    )


_TOP_BEFORE = re.compile(r"\b(?:top|bottom)\s+$")
_PICKED_AFTER = re.compile(r"\s+(?!in\b|on\b|of\b|at\b|among\b|for\b)[a-z]")
_OF_WHOLE_BEFORE = re.compile(r"\d\+?\s+(?:of|out of)\s+$")
_OPENS_NOTE = re.compile(r"\(\s*$")
# A value then the name of what it counts ("(2 guides, 4 case studies)"): a breakdown of the
# target, not where it starts ("(12 today)", "(12 in Q2)", "(17%, July 2013.)" are).
_PART_NAMED_AFTER = re.compile(r"\s+(?!(?:today|now|currently|so|as|in|at|on|last|this|ytd)\b)[a-z][a-z-]+")
_CLOSES_TEXT = re.compile(r"[^()]*\)[\s.;,]*$")


def _trailing_point(low: str, s: int, e: int, kind: str, earlier: list[Quantity]) -> bool:
    """'24.5% of developers using X. (17%, July 2013.)': a value of the same kind as the
    target, alone at the head of a closing note, is where the KR starts."""
    return (
        bool(earlier)
        and earlier[-1].role == "target"
        and earlier[-1].kind == kind
        and _OPENS_NOTE.search(low, max(0, s - 3), s) is not None
        and _CLOSES_TEXT.match(low, e) is not None
        and _PART_NAMED_AFTER.match(low, e) is None  # "(1 member meeting and 3 social events)": the parts
    )


_BASELINE_LAST = frozenset(
    "from currently current baseline today vs vs. versus was were now base actual".split()
)
_BASELINE_LAST2 = frozenset(
    {
        "up from", "down from", "compared to", "compared with", "currently at", "currently is", "current is",
        "current value", "current level", "current rate", "baseline of", "baseline is", "today at",
        "now at", "starting at", "starting from", "starting point", "is at", "stands at", "was at", "were at",
        "current state",
    }
)
_APPROX = frozenset("about around approximately approx approx. roughly ~ ≈ a an".split())


_FROM_AVERAGE = re.compile(r"\bfrom\s+(?:an?\s+)?(?:average|avg\.?|median|mean|typical)(?:\s+of)?\s*$")
_LABELLED_POINT = re.compile(r"\(\s*([a-z][\w .'/-]{0,24}?)\s*:\s*$")
_NOT_A_BASELINE_LABEL = re.compile(r"\b(?:target|goal|stretch|aim|commit(?:ted)?|by|owner|due)\b")


def _has_average_word(window: str) -> bool:
    # Every _FROM_AVERAGE match names one of these: most windows with "from" name none.
    return "average" in window or "avg" in window or "median" in window or "mean" in window or "typical" in window


def _baseline_before(window: str) -> bool:
    """Does the text just before a value introduce a starting point ("from", "currently")?"""
    # Each pattern holds a word or sign most windows lack: looked for first (a plain
    # substring test is 20x cheaper than a search that fails).
    if "from" in window and _has_average_word(window) and _FROM_AVERAGE.search(window):
        return True  # "Cut page load time by 40% from an average of 3.5 s"
    labelled = _LABELLED_POINT.search(window) if ":" in window else None
    if labelled and not _NOT_A_BASELINE_LABEL.search(labelled.group(1)):
        return True  # "retention ≥ 45% (closed alpha: 38%)": a value measured elsewhere, now
    if "last" in window or "(" in window or "as of" in window:
        return _BASELINE_BEFORE.search(window) is not None  # rare shapes: the full pattern
    words = window.replace(":", " ").split()
    while words and (words[-1] in _APPROX or words[-1] in "±+~≈-"):
        words.pop()
    if not words:
        return False
    return words[-1] in _BASELINE_LAST or " ".join(words[-2:]) in _BASELINE_LAST2


_IDENT_WORDS = frozenset(
    """phase tier level step wave release version stage gen generation type article section iso soc
    pci dss class grade chapter module lot zone building floor room route line no no. sev severity
    priority windows python ios android java node php http web ipv wcag iec nist ec model series
    region cohort batch group team squad pod district ward unit item kr o okr objective goal pillar
    track workstream part appendix annex figure table page ticket issue jira per first iatf ieee astm
    din ansi plant site warehouse terminal gate wing lab hall lesson sprint episode round form season band""".split()
)
_NOT_BEFORE_YEAR = frozenset("last prior previous this next".split())


_IDENT_WORD = re.compile(r"[a-z0-9.#:-]+")


def _identifier_before(before: str) -> bool:
    """Is the number a name ("Phase 2", "ISO 27001", "per 1,000") rather than a value?"""
    # Most values follow a plain word and spaces, "(" or " #" ("to 50", "(currently 6",
    # "customers (12", "users #220"): that word is then the last of `_IDENT_WORD`'s words (a
    # lone "#" is dropped), and only "year" and "than" need the one before.
    tail = before[:-2] if before.endswith(" #") else before.rstrip(" (")
    if len(tail) < len(before) and tail[-1:].isalpha():
        word = tail.rpartition(" ")[2].lstrip("([{'\"")
        if word.isalpha() and word.isascii() and word != "year" and word != "than":
            return word in _IDENT_WORDS
    words = _IDENT_WORD.findall(before)
    if words and words[-1] in {"-", "#"}:
        words.pop()
    if not words:
        return False
    # Only the last two words decide, and the one before the last only after "year" or
    # "than": it is stripped only then.
    last = words[-1].rstrip("-#")
    if last in _IDENT_WORDS:
        return True
    if last == "year":
        return len(words) < 2 or words[-2].rstrip("-#") not in _NOT_BEFORE_YEAR
    return last == "than" and len(words) > 1 and words[-2].rstrip("-#") == "older"


def _looks_like_baseline_placeholder(inner: str) -> bool:
    inner = inner.strip("[] ")
    if inner.startswith(("target", "goal")):
        return False
    return inner.startswith(("baseline", "current", "today", "starting value", "start"))


def deadline_phrase(text: str) -> str | None:
    """The author's own deadline wording, if any ("by end of Q3")."""
    low = text.lower()
    m = DEADLINE_PHRASE_RE.search(low) if may_hold_deadline(low) else None
    if not m:
        return None
    return text[m.start() : m.end()].strip(" ,.;")
