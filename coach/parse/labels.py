"""Recognise what a line says it is: labels, section titles, remarks.

- labels at the start of a line: "Objective 1:", "O2 -", "Obj 3.", "KR1.2:",
  "Key Result 3 -", "We are working on", "Because we believe", "As measured by",
  "Owner:", "Team:", "Why:" (typos like "Objecitve" and **bold** or *Slack* emphasis
  included);
- section titles: "Objectives", "Key results:", "OKRs Q3 2025", "Q3 planning - draft";
- remarks that are not OKR lines: greetings, questions, sign-offs.

Everything works on [start, end) offsets into the original text. The case-insensitive
patterns are matched on a lower-cased copy where that is provably the same (`fold`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, fields
from functools import cache

from ..lazy_re import lazy_compile

# Roles announced by a label at the start of a line.
OBJ = "objective"
KR = "key_result"
KRS = "key_results"  # "Key results: a; b" or a bare "Key results:" heading
INIT = "initiative"  # "We are working on ..."
BELIEF = "belief"  # "Because we believe ..."
MEASURE = "measure"  # "As measured by ..."
OWNER = "owner"
TEAM = "team"
NOTE = "note"  # "Why: ...", "Context: ...", "Notes:"

# Recognised section titles (not items themselves).
H_OBJ = "objectives"  # "Objectives", "Our goals for Q3"
H_KR = "key results"  # "Key results:", "KRs", "Success metrics"
H_OKR = "okrs"  # "OKRs Q3 2025", "Q3 2025", "Objectives and key results"

OBJECTIVE_LABELS = frozenset({OBJ, INIT, BELIEF})
KR_LIST_LABELS = frozenset({KRS, MEASURE})


@dataclass(eq=False, slots=True)
class Segment:
    """A second labelled part on the same line ("... because we believe ...")."""

    label: str
    start: int
    end: int


ALNUM = re.compile(r"[^\W_]")

_EMPH = r"(?:\*\*|__|\*|_)?"
_TEMPLATE = (
    r"(?P<emph>\*\*|__|\*|_)?(?:"
    r"(?P<init>(?:(?:we|we\s*['’]\s*re|we\s+are|we\s+re)\s+)?(?:currently\s+)?working\s+on)"
    r"|(?P<belief>(?:because\s+)?we\s+(?:strongly\s+|also\s+)?believe(?:\s+that)?|because)"
    r"|(?P<measure>(?:as\s+)?measured\s+by(?:\s+the\s+following(?:\s+key\s+results)?)?)"
    r")\b" + _EMPH + r"[ \t]*(?P<sep>[:：,\-–—]|\.\.\.|…)?" + _EMPH + r"[ \t]*"
)
_TEMPLATE_INLINE = (
    r"\b(?:(?P<belief>because\s+we\s+(?:strongly\s+)?believe(?:\s+that)?)"
    r"|(?P<measure>as\s+measured\s+by))\b[ \t]*[:：,\-–—]?[ \t]*"
)
_INLINE_SEPARATORS = frozenset(" \t,;.:–—-")
_NUM = r"\d{1,3}(?:\.\d{1,3})*[a-z]?\b"
_ASIDE = r"(?:[ \t]*\([^()\n]{1,40}\)(?=[ \t]*[:：\-–—]))?"  # "Objective 1 (Platform):"
_LABEL = (
    "".join(
        [
            r"(?P<emph>\*\*|__|\*|_)?(?P<br>[(\[])?(?:",
            # KR1.2 / KR-3 / KRs / Key result 3 / key reslut (first: the most frequent label;
            # no other alternative starts with a "k", so the order changes no match)
            r"(?P<kr>k\.?r\.?s?|key[ \t_-]*res[a-z]{0,5}|key[ \t_-]*rsults?)",
            r"(?:[ \t]*[\#\-]?[ \t]*(?P<knum>",
            _NUM,
            r"))?",
            _ASIDE,
            # Objective 1 / Obj 2. / Objecitve / Goal 3 / O1
            r"|(?P<obj>obj[a-z]{0,9}\.?|goal)(?:[ \t]*\#?[ \t]*(?P<onum>",
            _NUM,
            r"))?",
            _ASIDE,
            r"|o(?P<onum2>\d{1,3})\b",
            _ASIDE,
            # OKR 2: / OKR 2020A: (a numbered OKR is its objective; "OKRs 2025" is a title)
            r"|okr[ \t]*\#?[ \t]*(?P<onum3>\d{1,3}(?:\.\d{1,3})*[a-z]?\b|\d{4}[a-z]\b)",
            _ASIDE,
            # O: / (O)
            r"|(?P<obare>o)(?=[ \t]*[:：)\]])",
            r"|(?P<meta>owners?|owned[ \t]+by|team|squad|dri|lead)",
            r"|(?P<note>why|context|description|rationale|background|notes?|comments?|status",
            r"|confidence|progress|updates?)",
            r")",
            _EMPH,
            # the separator: ":", " - ", ".", ")" or just a space after a number
            r"(?P<sep>[ \t]*[:：]|[ \t]*[-–—](?=[ \t]|$)|\.(?=[ \t]|$)|[)\]](?=[ \t]|$)|(?=[ \t]|$))",
            _EMPH,
            r"[ \t]*",
        ]
    )
)
# what trim() takes off the start of a text (else, with its end stripped, it is as it is)
_TRIMMED = frozenset(
    "*_\ufeff\u200b \t\n\r\f\v\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\x1c\x1d\x1e\x1f\x85"
)
_TRIMMED |= {chr(c) for c in range(0x2000, 0x200B)}
_SPACES = _TRIMMED - {"*", "_"}
_LABEL_FIRST = frozenset("oOgGkKtTsSdDlLwWcCbBnNpPuUrR*_([")
# The first two characters (in lower case) a label can start with, after which _LABEL
# can match: obj.., goal, o1, okr, "o:", kr, k.r, key, owner, team, squad, dri, lead, why,
# context, description, rationale, background, notes, comments, status, progress, updates
# (a line starting with "*", "_", "(" or "[" is always tried); and _TEMPLATE's: we, working,
# currently, because, as, measured.
_LABEL_HEADS = frozenset(
    ["ob", "go", "ok", "kr", "k.", "ke", "ow", "te", "sq", "dr", "le", "wh", "co", "de"]
    + ["ra", "ba", "no", "st", "pr", "up"]
    + ["o" + c for c in "0123456789:：)] \t"]
)
_TEMPLATE_HEADS = frozenset(["we", "wo", "cu", "be", "as", "me"])
_CLOSE = {"(": ")", "[": "]"}
_GROUPS = ("emph", "br", "obj", "onum", "onum2", "onum3", "obare", "kr", "knum", "meta", "note")
_GROUPS += ("sep",)
_OBJECTIVE_WORD = Counter("objective")
_NOT_OBJECTIVE = frozenset({"objectively", "objection", "objections", "object", "objects"})

_HDR_KR = (
    r"(?:the\s+|our\s+)?(?:key[\s_-]*results?|krs?|k\.r\.s?|results|metrics|success\s+metrics"
    r"|measures(?:\s+of\s+success)?|how\s+we(?:['’]ll|\s+will)\s+measure"
    r"(?:\s+(?:it|this|success|progress))?|(?:as\s+)?measured\s+by)"
    r"(?:\s*\([^)]*\))?[\s:：.]*"
)
_HDR_KR_TAIL = r"\b(?:key[\s_-]*results?|krs|measured\s+by|success\s+metrics)\s*[:：]$"
_PERIOD_WORD = (
    r"(?:q[1-4]|h[12]|fy\s?['’]?\d{2,4}|\d{4}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?"
    r"|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?"
    r"|dec(?:ember)?)\.?|quarter(?:ly)?|half|year|annual|draft|v\d+(?:\.\d+)?|version\s*\d+)"
)
_HDR_PERIOD = r"(?:" + _PERIOD_WORD + r"[\s/,\-–—:()|.]*)+"
_HDR_OBJ = (
    r"(?:(?:our|the|draft|proposed|team|company|quarterly|main|top)\s+)*(?:objectives|goals)"
    r"(?:\s*\([^)]*\)|\s+(?:for|in)\s+[^:.!?]{1,40}|\s*[-–—:]\s*" + _PERIOD_WORD + r".{0,20}"
    r"|(?:\s+" + _PERIOD_WORD + r")+)?[\s:：.]*"
)
_HDR_BOTH = (
    r"(?:(?:our|the|draft|proposed|team)\s+)*objectives?\s*(?:and|&|\+|/)\s*"
    r"(?:key\s*results?|krs?)\b.{0,40}"
)
_OKR_WORD = r"okrs?"
_PROSE = (
    r"(?:hi|hello|hey|dear|greetings|thanks|thank\s+you|thx|cheers|regards|fyi|lmk|sorry"
    r"|please|pls|plz|kind\s+regards|best\s+(?:regards|wishes)|best,|tl;?\s*dr"
    r"|here(?:['’]s|\s+is|\s+are)|let\s+me\s+know|sent\s+from|looking\s+forward"
    r"|(?:any|all)\s+(?:thoughts|feedback|comments|questions|input)"
    r"|happy\s+to\s+(?:discuss|chat|talk|hear|help)|feel\s+free|as\s+discussed"
    r"|i\s+(?:think|am|have|hope|would|wrote|put|want|added|tried|made|drafted)"
    r"|i['’](?:m|ve|d|ll)|we['’]d\s+love|see\s+(?:below|above|attached)"
    r"|(?:below|attached)\s+(?:are|is)|(?:just\s+)?(?:a\s+)?quick\s+(?:note|question|draft)"
    r"|(?:feedback|comments|thoughts)\s+(?:welcome|appreciated)|(?:can|could|would)\s+you"
    r"|what\s+do\s+you\s+think)\b"
    r"|p\.?s(?:\.|\b)|n\.b\."
)
_SPACE_RUN = re.compile(r"\s+")


_HDR_OKR_BEFORE = (
    r"our|my|the|draft|proposed|team|company|quarterly|new|updated|final|q[1-4]|h[12]|annual"
    r"|yearly|department|squad|tribe|product|engineering|marketing|sales"
)
_PERIOD_ONLY = r"(?:q[1-4]|h[12]|fy\s?['’]?\d{2,4}|(?:19|20)\d{2})"
_TITLE_WORDS = (
    r"okrs?|objectives|goals|planning|plans?|drafts?|review|proposal|proposed|final|updated?"
    r"|kickoff|cycle|for|the|our|of|and|team|company|quarterly|version|wip|new|revised"
)
_WORD = re.compile(r"[^\s()\[\]:,;.!?\-–—/|]+")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")


# The four whole-line title patterns in one, tried in the order header_kind used to try
# them one by one (fullmatch of an alternation = the first alternative that matches
# whole): one failed match at the first character instead of four on most lines.
_HDR_WHOLE = (
    "|".join(
        f"(?P<{name}>{rx})"
        for name, rx in (
            ("kr", _HDR_KR),
            ("obj", _HDR_OBJ),
            ("both", _HDR_BOTH),
            ("period", _HDR_PERIOD),
        )
    )
)
# What the first word of a title starts with, in lower case: the first words of _HDR_KR,
# _HDR_OBJ, _HDR_BOTH and _HDR_PERIOD, and the title and period words of header_kind's
# word test. Titles holding "okr" or ending with a colon are not gated by it.
# The first words a title can start with (in lower case). Whole words where the pattern
# has a space or the end after them: the first words of _HDR_KR, _HDR_OBJ and _HDR_BOTH
# and the title words of header_kind's word test ("k" of "k.r.s"); prefixes where a
# pattern may glue more to them ("key_results", "objectives&krs", "q3q4", "draftv2"): the
# period words of _HDR_PERIOD, and a year (no other pattern starts with a digit).
_TITLE_FIRST_WORDS = frozenset(
    "the our how as of and for new wip top main company proposed proposal team success "
    "results metrics measures measured goals objectives plan plans planning review final "
    "update updated kickoff cycle revised drafts k kr krs".split()
)
_TITLE_PREFIXES = tuple(
    "key objective q1 q2 q3 q4 h1 h2 fy v0 v1 v2 v3 v4 v5 v6 v7 v8 v9 version jan feb mar "
    "apr may jun jul aug sep oct nov dec quarter half year annual draft".split()
)
_TITLE_BY_HEAD: dict[str, tuple[str, ...]] = {}  # the prefixes by their first two letters
for _start in _TITLE_PREFIXES:
    _TITLE_BY_HEAD[_start[:2]] = (*_TITLE_BY_HEAD.get(_start[:2], ()), _start)


def _title_start(word: str) -> bool:
    """Can `word` (lower case, a _WORD) be the first word of a title?"""
    if word in _TITLE_FIRST_WORDS or word[:4].isdecimal():
        return True
    starts = _TITLE_BY_HEAD.get(word[:2])
    return starts is not None and word.startswith(starts)


# _HDR_KR_TAIL ends in "[:：]$"; `$` also matches before a final newline
_COLON_ENDS = (":", "：", ":\n", "：\n")
# every _PERIOD_ONLY alternative has a digit, so a title made of words needs one
_DIGIT = re.compile(r"\d")


# --- case-insensitive matching, fast ---------------------------------------------------------
#
# re.IGNORECASE folds case at every character compared, which makes the patterns above
# about twice as slow as the same patterns without it. So a line is matched in lower
# case instead, with `LOWERED` (the same patterns compiled without re.I), whenever that
# is provably the same match: see `fold`. The position of every match is the same, and
# the group texts are only ever compared in lower case.


@dataclass(frozen=True, slots=True)
class Patterns:
    """The case-insensitive patterns, compiled for one kind of subject text."""

    template: re.Pattern[str]
    template_inline: re.Pattern[str]
    label: re.Pattern[str]
    hdr_whole: re.Pattern[str]
    hdr_kr_tail: re.Pattern[str]
    hdr_period: re.Pattern[str]
    okr_before: re.Pattern[str]
    period_only: re.Pattern[str]
    title_words: re.Pattern[str]
    okr_word: re.Pattern[str]
    prose: re.Pattern[str]


# The patterns' text, in the order of Patterns' fields (the names above hold text, not
# compiled patterns: each is compiled once, below, for the kind of text it is used on).
_SOURCES = (
    _TEMPLATE,
    _TEMPLATE_INLINE,
    _LABEL,
    _HDR_WHOLE,
    _HDR_KR_TAIL,
    _HDR_PERIOD,
    _HDR_OKR_BEFORE,
    _PERIOD_ONLY,
    _TITLE_WORDS,
    _OKR_WORD,
    _PROSE,
)
# Compiled when first used (coach.lazy_re): the patterns of template lines ("We are working
# on: ...", "Because we believe ..."), "...key results:" tails and bare periods, which
# most drafts never reach; the others serve nearly every line.
_RARE = ("template", "template_inline", "hdr_kr_tail", "period_only")
LOWERED = Patterns(
    *(
        lazy_compile(source) if name in _RARE else re.compile(source)
        for name, source in zip((f.name for f in fields(Patterns)), _SOURCES, strict=True)
    )
)


@cache
def caseless() -> Patterns:
    """The same patterns with re.I, for the rare text `fold` refuses: compiled when first
    needed (their compilation was a tenth of a short command's start-up)."""
    return Patterns(*(re.compile(source, re.I) for source in _SOURCES))

# re.IGNORECASE also matches these to "i", "i" and "s"; lower() turns them into
# something else ("İ" into two characters), so a text holding one is matched as is.
_FOLD_BREAKERS = ("\u0130", "\u0131", "\u017f")  # İ ı ſ


def fold(text: str) -> str | None:
    """`text.lower()` when matching LOWERED on it is exactly matching caseless() on `text`
    (same positions, same groups up to case), else None.

    Holds when every character lower-cases to one character with the same re.I
    equivalents: for ASCII letters that is all of Unicode but "İ", "ı" and "ſ" (the
    Kelvin sign lower-cases to "k", as re.I matches it). tests/parse checks this over
    every code point.
    """
    if not text.isascii():  # (isascii is a flag look-up: plain ASCII needs no scan)
        for ch in _FOLD_BREAKERS:
            if ch in text:
                return None
    return text.lower()


_LONG_PARAGRAPH = 40  # runs of whitespace


def _subject(text: str, low: str | None) -> tuple[Patterns, str]:
    """The patterns and the text to match them on; `low` is fold(text) if known."""
    if low is None:
        low = fold(text)
    return (caseless(), text) if low is None else (LOWERED, low)


# A key result a person reviews as a question, with its number ("Did I read 30 books by the
# end of the term?"): the line is the key result, not a question to the reader.
_REVIEW_QUESTION = re.compile(r"(?:did|have)\s+(?:i|we)\b[^?]*\d", re.I)


def is_prose(body: str, low: str | None = None) -> bool:
    """A remark around the OKRs: a greeting, a question, a sign-off, a long paragraph."""
    if body.endswith("?"):
        return not _REVIEW_QUESTION.match(body)
    rx, subject = _subject(body, low)
    if (rx is not LOWERED or _may_be_prose(subject)) and rx.prose.match(subject):
        return True
    # 40 whitespace runs need at least 79 characters: skip counting on ordinary lines
    if len(body) < 2 * _LONG_PARAGRAPH - 1:
        return False
    return len(_SPACE_RUN.findall(body)) >= _LONG_PARAGRAPH


# The first two characters (in lower case) of the words _PROSE starts with; "i", "a"
# before a space and "p.", "n." are tested in _may_be_prose.
PROSE_HEADS = frozenset(
    "hi he de gr th ch re fy lm so pl ki be tl le se lo an al ha fe as at we ju qu co ca wo "
    "wh ps p. n. i' i’".split()
)


def _may_be_prose(low: str) -> bool:
    """Can _PROSE match at the start of `low` (lower case)? Most lines start otherwise."""
    head = low[:2]
    return head in PROSE_HEADS or (len(head) == 2 and head[0] in "ia" and head[1].isspace())


def _title_word(rx: Patterns, word: str) -> bool:
    return bool(rx.title_words.fullmatch(word) or rx.hdr_period.fullmatch(word))


def header_kind(body: str, low: str | None = None) -> str | None:
    """Which kind of section title `body` is, if it is one (`low`: fold(body) if known)."""
    if len(body) > 80:
        return None
    rx, subject = _subject(body, low)
    if rx is LOWERED and "okr" not in subject and not body.endswith(_COLON_ENDS):
        # most lines are no title: their first word starts none of the title patterns
        # (the patterns below are all anchored at a first word of these, see _TITLE_STARTS)
        first = _WORD.search(subject)
        if first is None or not _title_start(first.group()):
            return None
    whole = rx.hdr_whole.fullmatch(subject)
    kind = whole.lastgroup if whole else None
    if kind == "kr" or (
        len(body) <= 60 and body.endswith(_COLON_ENDS) and rx.hdr_kr_tail.search(subject)
    ):
        return H_KR
    if kind == "obj":
        return H_OBJ
    if kind is not None:
        return H_OKR
    # a title made of title and period words: "Q3 planning - DRAFT v2", "OKR review H2 2025"
    # (checks ordered cheapest-rejection first; each is a pure test, so order is free)
    first = _WORD.search(subject)
    if first is not None and _title_word(rx, first.group()) and _DIGIT.search(subject):
        words = _WORD.findall(subject)
        if (
            len(words) <= 8
            and all(_title_word(rx, w) for w in words)
            and any(rx.period_only.fullmatch(w) for w in words)
        ):
            return H_OKR
    if rx.okr_word.search(subject):
        words = _WORD.findall(_PAREN.sub(" ", subject))
        # "Every team publishes its quarterly OKRs.": a sentence about OKRs is no title
        sentence = len(words) > 4 and body.rstrip().endswith(".")
        if 0 < len(words) <= 10:
            for i, w in enumerate(words):
                if rx.okr_word.fullmatch(w) and (
                    i == 0
                    or (not sentence and (rx.okr_before.fullmatch(words[i - 1]) or rx.hdr_period.fullmatch(words[i - 1])))
                    or (words[i + 1 :] and all(rx.hdr_period.fullmatch(x) for x in words[i + 1 :]))  # "... OKRs, Q3"
                    or (i == len(words) - 1 and len(words) <= 4 and not sentence)  # "Platform OKRs"
                ):
                    return H_OKR
    return None


def _is_objective_word(word: str) -> bool:
    w = word.lower().rstrip(".")
    if w in ("obj", "objective", "objectives"):
        return True
    if w in _NOT_OBJECTIVE or not 7 <= len(w) <= 11:
        return False
    # a typo of "objective(s)": the same letters give or take two
    diff = Counter(w.rstrip("s") if w.endswith("es") else w)
    diff.subtract(_OBJECTIVE_WORD)
    return sum(abs(v) for v in diff.values()) <= 2


def rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and (text[end - 1].isspace() or text[end - 1] in "\ufeff\u200b"):
        end -= 1
    return end


_NOISE_TAIL = ":;,：；，"


def trim(text: str, start: int, end: int, *, noise: bool = False) -> tuple[int, int]:
    """Drop surrounding whitespace and a wrapping ** or __; with `noise`, also a trailing
    ':', ';' or ','."""
    if start < end and text[start] not in _TRIMMED and text[end - 1] not in _SPACES:
        # the usual case: nothing to drop at either end (what the lines below give)
        return start, strip_noise(text, start, end) if noise else end
    while start < end and (text[start].isspace() or text[start] in "\ufeff\u200b"):
        start += 1
    end = rstrip_end(text, start, end)
    if start == end or text[start] not in "*_":
        # the usual case: no emphasis can wrap the text, and dropping the noise once
        # gives what the two rounds below would
        return start, strip_noise(text, start, end) if noise else end
    for _ in range(2):
        for mark in ("**", "__", "*", "_"):
            size = len(mark)
            if (
                end - start > 2 * size
                and text.startswith(mark, start)
                and text.startswith(mark, end - size)
                and not text[start + size].isspace()
            ):
                start, end = start + size, rstrip_end(text, start, end - size)
                break
        if noise:
            end = strip_noise(text, start, end)
    return start, end


def strip_noise(text: str, start: int, end: int) -> int:
    """The end of text[start:end] without trailing ':' ';' ',' (never empty)."""
    e = end
    while e > start and text[e - 1] in _NOISE_TAIL:
        e = rstrip_end(text, start, e - 1)
    return e if e > start else end


@dataclass(slots=True)
class Label:
    label: str | None = None
    label_span: tuple[int, int] | None = None
    plural: bool = False
    header: str | None = None
    body: tuple[int, int] = (0, 0)
    extra: list[Segment] | tuple[()] = ()  # (no list to build for the usual line)


def _strip_close_emph(text: str, start: int, end: int, emph: str | None) -> tuple[int, int]:
    if emph and text.endswith(emph, start, end) and end - start >= len(emph):
        end -= len(emph)
    return trim(text, start, end)


def _template(text: str, p: int, e: int, rx: Patterns, subject: str) -> Label | None:
    m = rx.template.match(subject, p, e)
    if not m:
        return None
    sep = m.group("sep")
    if m.group("init"):
        word = m.group("init").lower()
        if not word.startswith("we") and not sep:
            return None
        label = INIT
    elif m.group("belief"):
        word = " ".join(m.group("belief").lower().split())
        if word == "because" and sep not in (":", "："):
            return None
        if not word.startswith("because") and not word.endswith("that") and not sep:
            return None
        label = BELIEF
    else:
        word = m.group("measure").lower()
        if not word.startswith("as") and not sep:
            return None
        label = MEASURE
    lab = Label(label=label, label_span=trim(text, m.start(), m.end(), noise=True))
    body_start = m.end()
    segments: list[tuple[str, int, int]] = []
    cur_label, cur_start = label, body_start
    if label != MEASURE:
        for im in rx.template_inline.finditer(subject, body_start, e):
            end = im.start()  # the previous part ends before ", " / ". " separators
            while end > cur_start and text[end - 1] in _INLINE_SEPARATORS:
                end -= 1
            segments.append((cur_label, cur_start, end))
            cur_label = BELIEF if im.group("belief") else MEASURE
            cur_start = im.end()
            if cur_label == MEASURE:
                break
    segments.append((cur_label, cur_start, e))
    first = True
    lab.extra = []
    for seg_label, s, t in segments:
        s, t = _strip_close_emph(text, s, t, m.group("emph") if first else None)
        if first:
            lab.body = (s, t)
            first = False
        else:
            lab.extra.append(Segment(seg_label, s, t))  # type: ignore[union-attr]
    return lab


def read_label(text: str, p: int, e: int, low: str | None = None) -> Label:
    """Find a label at text[p:e] and return it with the body range.

    `low` is fold(text) when the caller has it (None: match `text` with re.I)."""
    rx, subject = (caseless(), text) if low is None else (LOWERED, low)
    if low is None:
        template, label = text[p] in "wWbBaAmMcC*_", text[p] in _LABEL_FIRST
    else:  # the first two letters tell most lines from every label (see _LABEL_HEADS)
        head = low[p : p + 2]
        template = head in _TEMPLATE_HEADS or head[0] in "*_"
        label = head in _LABEL_HEADS or head[0] in "*_(["
    if template:
        tl = _template(text, p, e, rx, subject)
        if tl is not None:
            return tl
    m = rx.label.match(subject, p, e) if label else None
    if m:
        # (one group() call for all the groups: each call costs as much as the match)
        emph, br, obj, onum, onum2, onum3, obare, kr, knum, meta, note, sep = m.group(*_GROUPS)
        sep = sep.strip()
        if (br or sep == "]") and sep != _CLOSE.get(br):  # "(KR1)", "[O2]": closed in kind
            m = None
    if m:
        body = trim(text, m.end(), e) if emph is None else _strip_close_emph(text, m.end(), e, emph)
        empty = not ALNUM.search(text, body[0], body[1])
        span = trim(text, m.end("br") if br else m.start(), m.start("sep"), noise=True)
        numbered = onum2 or onum3
        if obare:
            if sep in (":", "：", ")", "]"):  # "O: ...", "(O) ..."
                return Label(OBJ, span, False, body=body)
        elif obj or numbered:
            word = obj or "o"
            number = onum or numbered
            if (numbered or _is_objective_word(word) or word.lower() == "goal") and (
                sep or number or empty
            ):
                plural = word.lower().rstrip(".").endswith("s")
                if plural and not number and empty:
                    return Label(header=H_OBJ, label_span=span, body=body)
                return Label(OBJ, span, plural, None, body)
        elif kr:
            if sep or knum or empty:
                plural = kr.lower().rstrip(".").endswith("s")
                if empty:
                    return Label(KRS, span, True, None, body)
                return Label(KRS if plural else KR, span, plural, None, body)
        elif sep in (":", "："):
            if meta:
                if not empty:
                    word = meta.lower()
                    return Label(TEAM if word in ("team", "squad") else OWNER, span, body=body)
            elif note:
                return Label(NOTE, span, body=body)
    s, t = body = trim(text, p, e)
    if t - s > 80:  # too long for a title
        return Label(body=body)
    if low is not None and low.find("okr", s, t) < 0 and not text.endswith(_COLON_ENDS, s, t):
        # header_kind's own first test, without the call: most lines are no title
        first = _WORD.search(low, s, t)
        if first is None or not _title_start(first.group()):
            return Label(None, None, False, None, body)
    return Label(header=header_kind(text[s:t], None if low is None else low[s:t]), body=body)
