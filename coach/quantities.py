"""Numbers, units, deadlines and comparison frames in one sentence.

`scan(text)` finds every quantity ("35%", "$1.2M", "8.7/10", "2x", "double",
"zero", "[target]") and gives each a role:

- ``target``: a value to reach ("to 50", "by 20%", "at least 4.5", "95% CSAT");
- ``baseline``: where it starts ("from 32", "(currently 6)", "up from 12%");
- ``deadline`` / ``identifier`` are found but are not measures: "Q3", "by June
  30", "in 2026", "within 6 weeks"; "Phase 2", "ISO 27001", "v2", "24/7".

Everything works on the lower-cased text with offsets kept, so a span found
here indexes the original sentence.

The reader's English (month names, units, the words that open a baseline, the words that
make a number a name) is data: `rubrics/default/quantities.yaml`, read and validated once
when this module is imported (`load_vocabulary`), the same for every rubric (the parser and
`okr-coach check` read numbers too). The patterns are composed from it here; only the
structural ones (digits, punctuation, brackets) are written in code.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import diskcache
from .diskcache import load_rubric_yaml
from .errors import RubricError
from .lazy_re import lazy_compile
from .resources import rubrics_dir

VOCABULARY_FILE = "quantities.yaml"
# The patterns and fragments of quantities.yaml the reader composes (a test keeps these
# equal to the names the module reads) ...
REQUIRED_PATTERNS = (
    "month", "weekday", "period", "small_number", "deadline_core", "deadline_start",
    "deadline_phrase_opening", "maybe_deadline", "deadline_hint", "workdays", "number_start",
    "currency", "multiplier", "unit", "word_quantity", "maybe_word_quantity", "compound_duration",
    "scale", "one_on_one", "clock_time", "example_value", "bracket_placeholder", "letter_placeholder", "maybe_letter_placeholder", "to_decide_bracket", "ident_after",
    "version_after", "acronym_before", "name_word_after",
    "naming_after",
    "top_before", "picked_after", "of_whole_before", "baseline_before", "from_average",
    "not_a_baseline_label", "baseline_after", "arrow_between", "threshold_after", "from_before",
    "noun_after", "later_target", "part_named_after", "none_opening", "goal_label", "period_label_gap", "times_counted",
)  # fmt: skip
# ... and its word lists.
REQUIRED_WORDS = (
    "ident_words", "not_before_year", "year_name_before", "year_time_before", "baseline_last", "baseline_last2", "approx", "baseline_after_words",
    "average_words", "baseline_placeholder_starts", "target_placeholder_starts", "currency_units",
    "percent_units", "points_units", "rating_units", "duration_units", "multiplier_marks",
)  # fmt: skip
# "{month}" in a pattern stands for the fragment of that name (regex counts, "{2,4}", hold no letter).
_REFERENCE = re.compile(r"\{([a-z_]+)\}")


def load_vocabulary(path: Path | None = None) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """The number reader's patterns (name → regex text, its `{fragment}`s filled in) and word
    lists (name → words) from `quantities.yaml`, validated: the file exists and is YAML, each
    key is there with its type, and each pattern compiles; else a RubricError naming the file
    and the key."""
    path = path or rubrics_dir() / "default" / VOCABULARY_FILE
    data = load_rubric_yaml(path, f"{path}: the number reader's words are missing (reinstall okr-coach)")
    if not isinstance(data, dict):
        raise RubricError(f"{path}: must map names to patterns and word lists")
    for name in (*REQUIRED_PATTERNS, *REQUIRED_WORDS):
        if name not in data:
            kind = "pattern" if name in REQUIRED_PATTERNS else "word list"
            raise RubricError(f"{path}: missing {kind} {name!r} (the number reader uses it)")
    unknown = sorted(map(str, set(data) - {*REQUIRED_PATTERNS, *REQUIRED_WORDS}))
    if unknown:
        raise RubricError(f"{path}: {unknown[0]}: unknown key (the number reader reads none of that name)")
    texts: dict[str, str] = {}
    for name in REQUIRED_PATTERNS:
        value = data[name]
        if isinstance(value, list) and value and all(isinstance(piece, str) for piece in value):
            value = "".join(value)  # a long pattern, written as its pieces
        if not isinstance(value, str) or not value:
            raise RubricError(f"{path}: {name}: a pattern is a non-empty string (or a list of its pieces)")
        texts[name] = value
    words: dict[str, frozenset[str]] = {}
    for name in REQUIRED_WORDS:
        value = data[name]
        if not isinstance(value, list) or not value or not all(isinstance(w, str) and w for w in value):
            raise RubricError(f"{path}: {name}: a word list is a non-empty list of words (quote '~', 'no', 'yes')")
        words[name] = frozenset(value)

    def filled(name: str, seen: tuple[str, ...]) -> str:
        def fragment(ref: re.Match[str]) -> str:
            if ref[1] not in texts:
                raise RubricError(f"{path}: {name}: {ref[0]} names no pattern of this file")
            if ref[1] in seen:
                raise RubricError(f"{path}: {name}: {ref[0]} refers back to itself")
            return filled(ref[1], (*seen, ref[1]))

        return _REFERENCE.sub(fragment, texts[name])

    patterns = {name: filled(name, (name,)) for name in REQUIRED_PATTERNS}
    _check_compiles(path, patterns)
    return patterns, words


def _check_compiles(path: Path, patterns: dict[str, str]) -> None:
    """Compile each pattern (a RubricError names the one that does not), unless these very
    texts compiled before under this Python and okr-coach (`coach.diskcache`): the module
    compiles some patterns only when first used, and the fragments are never compiled alone,
    so checking them costs a process ~20 ms, kept to the first after a change."""
    key = hashlib.sha256(diskcache.fingerprint("quantities") + repr(sorted(patterns.items())).encode()).digest()
    ident = os.path.abspath(path)
    if diskcache.read("quantities", ident, key) is not None:
        return
    for name, text in patterns.items():
        try:
            re.compile(text)
        except re.error as exc:
            raise RubricError(f"{path}: {name}: not a valid pattern: {exc}") from exc
    diskcache.write("quantities", ident, key, b"compiled")


_PATTERNS, _WORDS = load_vocabulary()

# A date or period: these say *when*, never *how much* (quantities.yaml: deadline_core).
_DEADLINE_CORE = _PATTERNS["deadline_core"]
# Every deadline, and every deadline phrase, starts with one of these characters (checked
# first, it spares the alternatives at each word that starts otherwise).
_DEADLINE_START = _PATTERNS["deadline_start"]
# The outer lookbehind lets the engine skip mid-word positions at once (a 4x speed-up).
DEADLINE_RE = re.compile(rf"(?<![\w]){_DEADLINE_START}{_DEADLINE_CORE}")
# The phrase a rewrite keeps: "by end of Q3", "before 31 March", "in FY27". It starts where a
# deadline does: after no word character, or at "(" (the "(2024)" form); the guard skips the
# other positions at once (2.5x fewer instructions, same matches).
DEADLINE_PHRASE_RE = re.compile(
    rf"(?:(?<![\w])|(?=\())"
    rf"{_DEADLINE_START}(?:{_PATTERNS['deadline_phrase_opening']})?{_DEADLINE_CORE}"
)

# "11 working days", "3 business days": one unit of time
_WORKDAYS = _PATTERNS["workdays"]
# "4,3" and "23,5%" are decimal commas (a comma with 1–2 digits after it); "1,200" groups thousands.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?!\d)|\d+(?:\.\d+)?|\.\d+"
# The lookahead (number_start) names every character a number can start with (a currency
# sign or code, a digit, "."): most positions fail it at once, before the guard and the
# groups are tried (15% fewer instructions, same matches).
NUMBER_RE = re.compile(
    rf"{_PATTERNS['number_start']}(?<![\w.,/])"
    rf"(?P<cur>{_PATTERNS['currency']})?"
    rf"(?P<num>{_NUMBER})"
    rf"(?P<mult>{_PATTERNS['multiplier']})?"
    rf"(?P<unit>{_PATTERNS['unit']})?"
    r"(?![\w])"
)
# "double", "zero", "to weekly", "by a third": a value written as a word.
WORD_QUANTITY_RE = re.compile(_PATTERNS["word_quantity"])
PLACEHOLDER_RE = re.compile(_PATTERNS["bracket_placeholder"])
# A value left as a letter or "TBD" where a number belongs ("by X%", "from X to Y", "N new
# users", "x% of employees"): a placeholder too, unfilled.
LETTER_PLACEHOLDER_RE = re.compile(_PATTERNS["letter_placeholder"])
TO_DECIDE_RE = re.compile(_PATTERNS["to_decide_bracket"], re.I)  # "[TBD]": no value written
# What every LETTER_PLACEHOLDER_RE value is: most sentences hold none, and this search first
# spares the full pattern's try at every position (2.0 → 0.4 µs a sentence, same matches).
_MAYBE_LETTER_PLACEHOLDER = re.compile(_PATTERNS["maybe_letter_placeholder"])

# The three `lazy_compile`d patterns here are compiled when first used (coach.lazy_re): a
# short draft seldom needs them, and they were 2 ms of every `okr-coach check`.
_BASELINE_BEFORE = lazy_compile(_PATTERNS["baseline_before"])
# "32 → 50", "12,400 persons → 16,000": what leads from one value to the next.
_ARROW_BETWEEN = lazy_compile(_PATTERNS["arrow_between"])
_IDENT_AFTER = re.compile(_PATTERNS["ident_after"])
_VERSION_AFTER = re.compile(_PATTERNS["version_after"])


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
_NAMING_AFTER = re.compile(_PATTERNS["naming_after"])


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


# "6h40", "7m30s", "5min. 40sec.", "1 hr 30 mins": one duration (a long hour unit needs its minutes:
# "2 hours 15 people" is two values)
_COMPOUND_DURATION = re.compile(_PATTERNS["compound_duration"])


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    return text


# Cheap pre-checks: most sentences hold no date and no bracket, so skip those regexes.
# A sentence without a digit may hold a deadline only with one of these words (read only
# then: a digit lets the deadline search run anyway).
_MAYBE_DEADLINE = re.compile(_PATTERNS["maybe_deadline"])
_DIGIT = re.compile(r"\d")
# What every deadline holds (most sentences with a digit hold none of it): a quarter, half or
# fiscal year, a year, a month, a period word, "day" or a weekday (quantities.yaml:
# deadline_hint), or a date's digits. Each alternative of _DEADLINE_CORE needs one, so a text
# without one has no deadline and no deadline phrase: the search of the large patterns
# (~10 µs a sentence) is skipped. The date's digits are a pattern of their own: searched from the first digit (the engine's
# cost is per position tried), and not at all in a text without one.
# Compiled when first needed: a process that never reads a sentence does not pay for it.
_DEADLINE_HINT = _PATTERNS["deadline_hint"]
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
# Every WORD_QUANTITY_RE match starts with one of these words: most sentences hold none,
# and this alternation is searched far faster than the full pattern fails.
_MAYBE_WORD_QUANTITY = re.compile(_PATTERNS["maybe_word_quantity"])
# "No P1 incidents", "No client inquiry takes more than a day": the KR opens with an
# absence, a target of zero (not "No more than 3", "No later than May").
_NONE_OPENING = re.compile(_PATTERNS["none_opening"])
_BASELINE_AFTER = re.compile(_PATTERNS["baseline_after"])


# (as one alternation of plain words: a single search, the cost of a few substring tests)
_BASELINE_AFTER_WORDS = re.compile("|".join(map(re.escape, sorted(_WORDS["baseline_after_words"]))))


def _may_name_baseline_after(low: str) -> bool:
    """False when no value of `low` can be followed by a _BASELINE_AFTER word ("today")."""
    # Every match ends with one of these words: most sentences hold none, and a plain test
    # of the whole sentence, once, spares a match after every value.
    return _BASELINE_AFTER_WORDS.search(low) is not None


_UNITS = {
    "currency": tuple(sorted(_WORDS["currency_units"])),
    "percent": tuple(sorted(_WORDS["percent_units"])),
    "points": tuple(sorted(_WORDS["points_units"])),
    "rating": tuple(sorted(_WORDS["rating_units"])),
    "duration": tuple(sorted(_WORDS["duration_units"])),
}
_MULTIPLIER_MARKS = _WORDS["multiplier_marks"]


def _kind(cur: str | None, unit: str, mult: str) -> str:
    """The kind of a NUMBER_RE match from its currency, unit and multiplier (units stripped)."""
    if not unit and not cur:  # a bare number, the most common: no test below holds but the multiplier's
        return "multiplier" if mult in _MULTIPLIER_MARKS else "number"
    if cur or unit.startswith(_UNITS["currency"]):
        return "currency"
    if unit.startswith(_UNITS["percent"]):
        return "percent"
    if unit.startswith(_UNITS["points"]):
        return "points"
    if unit.startswith("/") and not any(c.isdigit() for c in unit):
        return "number"  # a rate: 14/week
    if unit.startswith(_UNITS["rating"]):
        return "rating"
    if mult in _MULTIPLIER_MARKS:
        return "multiplier"
    if unit:
        return "duration" if unit.startswith(_UNITS["duration"]) else "number"
    return "number"


def scan(text: str) -> Scan:
    """Find the quantities and deadlines of one sentence (any case)."""
    low = text.lower()
    placeholders = (
        [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(low)] if "[" in low else []
    ) + (
        [m.span(m.lastindex or 1) for m in LETTER_PLACEHOLDER_RE.finditer(low)] if _MAYBE_LETTER_PLACEHOLDER.search(low) else []
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
    if (":" in masked or "on1" in masked or "on-1" in masked) and _ONE_ON_ONE.search(masked):
        masked = _mask(masked, [m.span() for m in _ONE_ON_ONE.finditer(masked)])  # "Hold weekly 1:1s"
    if ("e.g" in masked or "eg." in masked or " for " in masked) and _EXAMPLE_VALUE.search(masked):
        masked = _mask(masked, [m.span() for m in _EXAMPLE_VALUE.finditer(masked)])  # "Target: e.g. 70%"
    if ":" in masked and _CLOCK_TIME.search(masked):
        masked = _mask(masked, [m.span() for m in _CLOCK_TIME.finditer(masked)])  # "up at 6:30am": a time of day
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
            ("." in num or after[:2] == ".x") and _VERSION_AFTER.match(after)
        ) or (
            # read unmasked: "before the Season 4 launch" masks "the season" as a deadline (when
            # nothing there was masked, the same text: read once)
            not cur and "%" not in unit and (
                _identifier_before(before) or ((raw := low[max(0, s - 24) : s]) != before and _identifier_before(raw))
            )
        ):
            continue  # "Phase 2" names a thing; "release €3M" and "line 64%" are values
        if "." in num and not (cur or unit or mult) and _ACRONYM_BEFORE.search(text, max(0, s - 8), s) and _NAME_WORD_AFTER.match(low, e):
            continue  # "the MAP 2.0 reading assessment": a test's name and version, no value
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
            word = _word_before(low, s)
            if word in _YEAR_NAME_BEFORE:
                continue  # "the 2025 roadmap", "our 2024 budget": the year names a thing
            if word in _YEAR_TIME_BEFORE and not masked.startswith(" to ", e):  # (not "from 2024 to 3000")
                deadlines.append((s, e))  # "from 2024 levels", "since 2023 on …": a time, no value
                continue
        kind = _kind(cur, unit.lstrip("-"), (mult or "").strip())  # ("20-minutes": the unit past its hyphen)
        if kind == "multiplier" and mult[:1].isspace() and _TIMES_COUNTED.match(masked, e):
            # "Sign 4 x mid-size schools a month": four of them ("3x qualified leads" triples them)
            kind, e = "number", m.end("num")
        found.append((s, e, kind))
    for m in WORD_QUANTITY_RE.finditer(masked) if _MAYBE_WORD_QUANTITY.search(masked) else ():
        if any(s < m.end() and m.start() < e for s, e, _ in found):
            continue  # "5 million": the word is the number's multiplier, not a value of its own
        if m.group(0).endswith("ly") and _NAME_WORD_AFTER.match(low, m.end()) and not any(
            k == "word" and low[s:e].endswith("ly") for s, e, k in found
        ):
            continue  # "Move 20% of donors to monthly giving": a kind of giving ("from monthly to weekly releases" moves)
        found.append((m.start(), m.end(), "word"))
    if "no " in masked and (none := _NONE_OPENING.match(masked)):
        found.append((*none.span(1), "word"))  # "No P1 incidents", "No inquiry waits a day": zero of them
    found.sort()

    quantities: list[Quantity] = []
    after_hint = _may_name_baseline_after(low) if found else False
    # "Active users — Goal: 500; Q4: 61": beside a labelled goal, a value labelled by a period
    # is where it stood then (the goal is the target)
    goal = ":" in low and len(found) > 1 and _GOAL_LABEL.search(low) is not None
    for i, (s, e, kind) in enumerate(found):
        role = "target"
        if (
            (after_hint and _BASELINE_AFTER.match(low, e))
            or (_baseline_before(low[max(0, s - 40) : s]) and not _source_count(low, s, e))
            or (i + 1 < len(found) and _arrow_between(low[e : found[i + 1][0]]))
            or (kind == "placeholder" and _looks_like_baseline_placeholder(low[s:e]))
            or (goal and any(_PERIOD_LABEL_GAP.fullmatch(low, de, s) for _, de in deadlines))
        ) or _trailing_point(low, s, e, kind, quantities):
            role = "baseline"
        if role == "baseline" and _THRESHOLD_AFTER.match(low, e) and not _FROM_BEFORE.search(low, max(0, s - 6), s):
            role = "target"  # "(3 or higher on a scale of 1-5)": a threshold to reach ("from 20+ days" starts)
        quantities.append(Quantity(s, e, text[s:e], kind, role))
    return Scan(tuple(quantities), tuple(sorted(deadlines)))


_SCALE_RE = lazy_compile(_PATTERNS["scale"])
_GOAL_LABEL = re.compile(_PATTERNS["goal_label"])
_TIMES_COUNTED = re.compile(_PATTERNS["times_counted"])
_PERIOD_LABEL_GAP = re.compile(_PATTERNS["period_label_gap"])
_ONE_ON_ONE = lazy_compile(_PATTERNS["one_on_one"])
_CLOCK_TIME = lazy_compile(_PATTERNS["clock_time"])
_EXAMPLE_VALUE = lazy_compile(_PATTERNS["example_value"])
_ACRONYM_BEFORE = lazy_compile(_PATTERNS["acronym_before"])
_NAME_WORD_AFTER = lazy_compile(_PATTERNS["name_word_after"])
_THRESHOLD_AFTER = re.compile(_PATTERNS["threshold_after"])
_FROM_BEFORE = re.compile(_PATTERNS["from_before"])
_NOUN_AFTER = re.compile(_PATTERNS["noun_after"])
_LATER_TARGET = re.compile(_PATTERNS["later_target"])


def _source_count(low: str, s: int, e: int) -> bool:
    """'contributions from 30 allies', 'feedback from 12 customers': 'from' names where
    something comes from, a count of sources; with no 'to' after it, no starting value."""
    return (
        _FROM_BEFORE.search(low, max(0, s - 6), s) is not None
        and _NOUN_AFTER.match(low, e) is not None
        and _LATER_TARGET.search(low, e) is None
    )


_TOP_BEFORE = re.compile(_PATTERNS["top_before"])
_PICKED_AFTER = re.compile(_PATTERNS["picked_after"])
_OF_WHOLE_BEFORE = re.compile(_PATTERNS["of_whole_before"])
_OPENS_NOTE = re.compile(r"\(\s*$")
# A value then the name of what it counts ("(2 guides, 4 case studies)"): a breakdown of the
# target, not where it starts ("(12 today)", "(12 in Q2)", "(17%, July 2013.)" are).
_PART_NAMED_AFTER = re.compile(_PATTERNS["part_named_after"])
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


_BASELINE_LAST = _WORDS["baseline_last"]
_BASELINE_LAST2 = _WORDS["baseline_last2"]
_APPROX = _WORDS["approx"]


_FROM_AVERAGE = re.compile(_PATTERNS["from_average"])
_LABELLED_POINT = re.compile(r"\(\s*([a-z][\w .'/-]{0,24}?)\s*:\s*$")
_NOT_A_BASELINE_LABEL = re.compile(_PATTERNS["not_a_baseline_label"])


_AVERAGE_WORDS = re.compile("|".join(map(re.escape, sorted(_WORDS["average_words"]))))


def _has_average_word(window: str) -> bool:
    # Every _FROM_AVERAGE match names one of these: most windows with "from" name none.
    return _AVERAGE_WORDS.search(window) is not None


def _baseline_before(window: str) -> bool:
    """Does the text just before a value introduce a starting point ("from", "currently")?"""
    # Each pattern holds a word or sign most windows lack: looked for first (a plain
    # substring test is 20x cheaper than a search that fails).
    if "from" in window and _has_average_word(window) and _FROM_AVERAGE.search(window):
        return True  # "Cut page load time by 40% from an average of 3.5 s"
    labelled = _LABELLED_POINT.search(window) if ":" in window else None
    if labelled and not _NOT_A_BASELINE_LABEL.search(labelled.group(1)):
        return True  # "retention ≥ 45% (closed alpha: 38%)": a value measured elsewhere, now
    if "last" in window or "(" in window or "as of" in window or "previous" in window or "prior" in window:
        return _BASELINE_BEFORE.search(window) is not None  # rare shapes: the full pattern
    words = window.replace(":", " ").replace("=", " ").split()  # "Currently at = 110"
    while words and (words[-1] in _APPROX or words[-1] in "±+~≈-"):
        words.pop()
    if not words:
        return False
    return words[-1] in _BASELINE_LAST or " ".join(words[-2:]) in _BASELINE_LAST2


_IDENT_WORDS = _WORDS["ident_words"]
_NOT_BEFORE_YEAR = _WORDS["not_before_year"]
_YEAR_NAME_BEFORE = frozenset(_WORDS["year_name_before"])
_YEAR_TIME_BEFORE = frozenset(_WORDS["year_time_before"])


_IDENT_WORD = re.compile(r"[a-z0-9.#:-]+")


def _word_before(low: str, s: int) -> str:
    """The word right before a value at `s`: a determiner makes a year after it part of a name
    ("the 2025 roadmap"; a count keeps its verb: "Reach 2000 users"), "from" a time."""
    return low[max(0, s - 8) : s].rstrip().rpartition(" ")[2].lstrip("([{'\"")


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


_TARGET_PLACEHOLDER = tuple(sorted(_WORDS["target_placeholder_starts"]))
_BASELINE_PLACEHOLDER = tuple(sorted(_WORDS["baseline_placeholder_starts"]))


def _looks_like_baseline_placeholder(inner: str) -> bool:
    inner = inner.strip("[] ")
    return not inner.startswith(_TARGET_PLACEHOLDER) and inner.startswith(_BASELINE_PLACEHOLDER)


def deadline_phrase(text: str) -> str | None:
    """The author's own deadline wording, if any ("by end of Q3")."""
    low = text.lower()
    m = DEADLINE_PHRASE_RE.search(low) if may_hold_deadline(low) else None
    if not m:
        return None
    return text[m.start() : m.end()].strip(" ,.;")
