"""Value lines: the numbers of a metric written on lines of their own, under its name.

Sheets pasted as text put an objective, its metric names and each metric's targets
in columns, one level per column:

    Grow repeat business
            Repeat purchase rate
                    22% in H1
                    26% in H2

A value line says nothing but a number and when or what it is: "22% in H1",
"H1: 22%", "from 18% to 22%", "Target: 22%", "~25% (stretch)", "4h by Q3". It is
recognised from a closed vocabulary (numbers, periods, role words such as target
and baseline, units and connectors), so that a line naming a metric of its own
("99.9% uptime", "10 new logos") is never one: that line is a key result itself.

The reader (`text`) joins a name's value lines into one key result, "name: value; value"
("Repeat purchase rate: 22% in H1; 26% in H2"): readable, and each number keeps
the words that give it its role.
"""

from __future__ import annotations

import re

from ..lazy_re import lazy_compile

# Tokens are what is left between these separators ("->" and dashes are tokens).
_SEPARATORS = lazy_compile(r"[\s:;,()\[\]/|=→⇒~≈<>≤≥]+")
_NUMBER_SIGNS = frozenset("+-−±$€£¥₹")  # what a number token may start with, or a digit
_TOKEN = lazy_compile(r"[^\s:;,()\[\]/|=→⇒~≈<>≤≥]+")
_DIGIT = re.compile(r"\d")
_NUMBER = lazy_compile(r"[+\-−±]?[$€£¥₹]?\d[\d.,']*(?:[a-z]{1,3}|[$€£¥₹×])?%?")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_PERIOD = lazy_compile(
    r"q[1-4]|h[12]|[fc]y\d{0,4}|(?:19|20)\d{2}|t[1-3]"
    r"|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_PERIOD_WORDS = frozenset(
    "eoy eoq eom ytd qtd mtd year years quarter quarters half month months week weeks day "
    "days annual annually yearly quarterly monthly weekly daily end mid start beginning "
    "early late".split()
)
# words that give a number its role, and the glue between numbers and periods
_ROLE_WORDS = frozenset(
    "target targets baseline base current currently now today goal goals stretch committed "
    "aspirational min max minimum maximum approx approximately about around least most "
    "plan planned forecast actual actuals expected est estimated".split()
)
_GLUE = frozenset(
    "in by for at of the until till through thru from to vs per a an each every and or "
    "over under above below less more than up down".split()
)
_UNITS = frozenset(
    "% percent pct pp pts points point bps k m mm bn b x times h hr hrs hours hour min "
    "mins minutes minute s sec secs seconds ms d wk wks mo mos yr yrs eur usd gbp chf "
    "dollars euros pounds".split()
)
_DASHES = frozenset({"-", "–", "—", "−", "->", "=>", "+", ".", "…", "&"})
_EMPHASIS = "*_`'\"“”‘’"
# a value line may start with these (a number or a period comes later)
_LEADING_WORDS = _ROLE_WORDS | frozenset({"from", "by", "in", "at", "up", "down", "over", "under"})
_TAIL_WORDS = _PERIOD_WORDS | _ROLE_WORDS | _GLUE | _UNITS
# what may follow a decimal that is a value, not a list number ("1.4 in H1", "2.5 days")
_TAIL_START = frozenset(
    "in by for at per until till through to vs from over under above below each every".split()
)

# the words _PERIOD matches, as a set (no regex for the usual first word)
_PERIOD_NAMES = frozenset(
    "q1 q2 q3 q4 h1 h2 t1 t2 t3 fy cy jan january feb february mar march apr april may jun "
    "june jul july aug august sep sept september oct october nov november dec december".split()
)
# the first three characters of a line that starts with a word a value line may start
# with ("tar" of target; "by " and "by:" for a shorter one, "fy2" of fy25)
HEADS = frozenset(
    h
    for w in _LEADING_WORDS | _PERIOD_WORDS | _PERIOD_NAMES
    for h in ([w[:3]] if len(w) >= 3 else [w + f for f in " :-–—,;()/.0123456789"] + [w])
)
NOT_A_LETTER = frozenset("0123456789+-−±$€£¥₹–—….*_`'\"“”‘’([~≈<>≤≥")
_FIRST_WORD = re.compile(r"[^\W\d_]+\d*")
_FIRST_WORDS = _LEADING_WORDS | _PERIOD_WORDS
_OPENERS = frozenset("*_`'\"“”‘’([~≈<>≤≥")
_SIGNS = frozenset("+-−±$€£¥₹–—….")


def may_be_value(text: str) -> bool:
    """A cheap first test for `is_value`, on the first three characters: a value line
    starts with a number, a sign, a bracket or one of its leading words; most lines
    start with a word of their own ("Increase", "NPS")."""
    head = text[:3]
    return head[0] in NOT_A_LETTER or head.lower() in HEADS


def _may_start_value(text: str) -> bool:
    """Can a value line start like `text`: a number, a sign or currency, a period or a
    leading word?"""
    i = 0
    while i < len(text) and text[i] in _OPENERS:
        i += 1
    if i == len(text):
        return False
    ch = text[i]
    if ch.isdigit() or ch in _SIGNS:
        return True
    m = _FIRST_WORD.match(text, i)
    if m is None:
        return False
    word = m.group().lower()
    return word in _FIRST_WORDS or word in _PERIOD_NAMES or (word[:2] in ("fy", "cy"))


MAX_VALUE_CHARS = 48  # (a value is short: "from 18% to 22% by the end of H2" is 32)
_MAX_TOKENS = 12


def is_value(text: str) -> bool:
    """Is `text` (a line's text, markers and labels removed) a value line?"""
    # most lines start with a word of their own ("Increase ...", "NPS ..."): the first
    # token turns them away; the others stop at their first word of their own ("40,000
    # more people ..."), before the rest is split
    if len(text) > MAX_VALUE_CHARS or not _may_start_value(text) or not _DIGIT.search(text):
        return False
    low = text.lower()
    if "per" not in low:  # (one free noun may follow "per")
        # a word of four letters or more is a word of the vocabulary (a number's unit
        # glued to it has three at most): one regex call turns most lines away
        for word in _LONG_WORD.findall(low):
            if word not in _VOCABULARY:
                return False
    number = False
    after_per = False
    i = 0
    for m in _TOKEN.finditer(low):
        tok = m.group().strip(_EMPHASIS)
        if not tok:
            continue
        if i == _MAX_TOKENS:
            return False  # too long for a value
        first = tok[0]
        if (first.isdecimal() or first in _NUMBER_SIGNS) and _NUMBER.fullmatch(tok):
            if not _YEAR.fullmatch(tok):
                number = True
        elif tok in _PERIOD_WORDS or tok in _DASHES or _is_period(tok):
            pass
        elif i == 0:
            if tok not in _LEADING_WORDS:
                return False
        elif tok not in _TAIL_WORDS and not after_per:  # "€12 per seat": one noun after per
            return False
        after_per = tok == "per"
        i += 1
    return number


_LONG_WORD = re.compile(r"[a-z]{4,}")
_VOCABULARY = _TAIL_WORDS | _PERIOD_WORDS | _LEADING_WORDS | _PERIOD_NAMES


def _is_period(tok: str) -> bool:
    """_PERIOD.fullmatch(tok), without the regex."""
    if tok in _PERIOD_NAMES:
        return True
    head, rest = tok[:2], tok[2:]
    if head in ("fy", "cy"):
        return len(rest) <= 4 and (not rest or rest.isdecimal())
    return head in ("19", "20") and len(rest) == 2 and rest.isdecimal()


def is_value_tail(text: str) -> bool:
    """Is `text` only what may follow a number in a value line ("in H1", "days")?

    Tells "1.4 in H1" (a value) from "1.4 Hire a PM" (a numbered list item)."""
    if not text or len(text) > MAX_VALUE_CHARS:
        return False
    first = _TOKEN.search(text)  # (the first token turns most list items away)
    if first is None:
        return False
    tok = first.group().lower()
    if not (tok in _TAIL_START or tok in _UNITS or tok in _PERIOD_WORDS or _is_period(tok)):
        return False
    tokens = [t for t in _SEPARATORS.split(text.lower()) if t]
    return all(
        t in _GLUE or t in _UNITS or t in _PERIOD_WORDS or t in _DASHES or _PERIOD.fullmatch(t)
        for t in tokens
    )


# (shared by `outline` and `text`: does a line read like a key result of its own?)
_KR_LIKE = re.compile(
    r"\d|%|\b(?:increase|decrease|reduce|grow|raise|lower|improve|cut|reach|achieve|hit|boost"
    r"|double|triple|halve|from\b.*\bto)\b",
    re.I,
)


def kr_like(text: str) -> bool:
    """Does `text` read like a key result (a number, or a verb of change)?"""
    return _KR_LIKE.search(text[:300]) is not None


_OPEN_END = lazy_compile(
    r"(?:\b(?:to|from|by|of|in|at|than|and|or|vs|with|per|under|over|below|above)|[-–—→,:+(])$",
    re.I,
)


def open_end(text: str) -> bool:
    """Does `text` stop mid-phrase ("... from 5% to"), so that a value line below it
    goes on with it rather than being a value of its own?"""
    return _OPEN_END.search(text[-12:]) is not None
