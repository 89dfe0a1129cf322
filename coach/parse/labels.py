"""Recognise what a line says it is: labels, section titles, remarks.

- labels at the start of a line: "Objective 1:", "O2 -", "Obj 3.", "KR1.2:",
  "Key Result 3 -", "We are working on", "Because we believe", "As measured by",
  "Owner:", "Team:", "Why:" (typos like "Objecitve" and **bold** or *Slack* emphasis
  included);
- section titles: "Objectives", "Key results:", "OKRs Q3 2025", "Q3 planning - draft";
- remarks that are not OKR lines: greetings, questions, sign-offs.

Everything works on [start, end) offsets into the original text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

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
_TEMPLATE = re.compile(
    r"(?P<emph>\*\*|__|\*|_)?(?:"
    r"(?P<init>(?:(?:we|we\s*['’]\s*re|we\s+are|we\s+re)\s+)?(?:currently\s+)?working\s+on)"
    r"|(?P<belief>(?:because\s+)?we\s+(?:strongly\s+|also\s+)?believe(?:\s+that)?|because)"
    r"|(?P<measure>(?:as\s+)?measured\s+by(?:\s+the\s+following(?:\s+key\s+results)?)?)"
    r")\b" + _EMPH + r"[ \t]*(?P<sep>[:：,\-–—]|\.\.\.|…)?" + _EMPH + r"[ \t]*",
    re.I,
)
_TEMPLATE_INLINE = re.compile(
    r"\b(?:(?P<belief>because\s+we\s+(?:strongly\s+)?believe(?:\s+that)?)"
    r"|(?P<measure>as\s+measured\s+by))\b[ \t]*[:：,\-–—]?[ \t]*",
    re.I,
)
_INLINE_SEPARATORS = frozenset(" \t,;.:–—-")
_NUM = r"\d{1,3}(?:\.\d{1,3})*[a-z]?\b"
_ASIDE = r"(?:[ \t]*\([^()\n]{1,40}\)(?=[ \t]*[:：\-–—]))?"  # "Objective 1 (Platform):"
_LABEL = re.compile(
    "".join(
        [
            r"(?P<emph>\*\*|__|\*|_)?(?:",
            # Objective 1 / Obj 2. / Objecitve / Goal 3 / O1
            r"(?P<obj>obj[a-z]{0,9}\.?|goal)(?:[ \t]*\#?[ \t]*(?P<onum>",
            _NUM,
            r"))?",
            _ASIDE,
            r"|o(?P<onum2>\d{1,3})\b",
            _ASIDE,
            # KR1.2 / KR-3 / KRs / Key result 3 / key reslut
            r"|(?P<kr>k\.?r\.?s?|key[ \t_-]*res[a-z]{0,5}|key[ \t_-]*rsults?)",
            r"(?:[ \t]*[\#\-]?[ \t]*(?P<knum>",
            _NUM,
            r"))?",
            _ASIDE,
            r"|(?P<meta>owners?|owned[ \t]+by|team|squad|dri|lead)",
            r"|(?P<note>why|context|description|rationale|background|notes?|comments?|status",
            r"|confidence|progress|updates?)",
            r")",
            _EMPH,
            # the separator: ":", " - ", ".", ")" or just a space after a number
            r"(?P<sep>[ \t]*[:：]|[ \t]*[-–—](?=[ \t]|$)|\.(?=[ \t]|$)|\)(?=[ \t]|$)|(?=[ \t]|$))",
            _EMPH,
            r"[ \t]*",
        ]
    ),
    re.I,
)
_OBJECTIVE_WORD = Counter("objective")
_NOT_OBJECTIVE = frozenset({"objectively", "objection", "objections", "object", "objects"})

_HDR_KR = re.compile(
    r"(?:the\s+|our\s+)?(?:key[\s_-]*results?|krs?|k\.r\.s?|results|metrics|success\s+metrics"
    r"|measures(?:\s+of\s+success)?|how\s+we(?:['’]ll|\s+will)\s+measure"
    r"(?:\s+(?:it|this|success|progress))?|(?:as\s+)?measured\s+by)"
    r"(?:\s*\([^)]*\))?[\s:：.]*",
    re.I,
)
_HDR_KR_TAIL = re.compile(
    r"\b(?:key[\s_-]*results?|krs|measured\s+by|success\s+metrics)\s*[:：]$", re.I
)
_PERIOD_WORD = (
    r"(?:q[1-4]|h[12]|fy\s?['’]?\d{2,4}|\d{4}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?"
    r"|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?"
    r"|dec(?:ember)?)\.?|quarter(?:ly)?|half|year|annual|draft|v\d+(?:\.\d+)?|version\s*\d+)"
)
_HDR_PERIOD = re.compile(
    r"(?:" + _PERIOD_WORD + r"[\s/,\-–—:()|.]*)+",
    re.I,
)
_HDR_OBJ = re.compile(
    r"(?:(?:our|the|draft|proposed|team|company|quarterly|main|top)\s+)*(?:objectives|goals)"
    r"(?:\s*\([^)]*\)|\s+(?:for|in)\s+[^:.!?]{1,40}|\s*[-–—:]\s*" + _PERIOD_WORD + r".{0,20}"
    r"|(?:\s+" + _PERIOD_WORD + r")+)?[\s:：.]*",
    re.I,
)
_HDR_BOTH = re.compile(
    r"(?:(?:our|the|draft|proposed|team)\s+)*objectives?\s*(?:and|&|\+|/)\s*"
    r"(?:key\s*results?|krs?)\b.{0,40}",
    re.I,
)
_OKR_WORD = re.compile(r"okrs?", re.I)
_PROSE = re.compile(
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
    r"|p\.?s(?:\.|\b)|n\.b\.",
    re.I,
)
_SPACE_RUN = re.compile(r"\s+")


_LONG_PARAGRAPH = 40  # runs of whitespace


def is_prose(body: str) -> bool:
    """A remark around the OKRs: a greeting, a question, a sign-off, a long paragraph."""
    if body.endswith("?") or _PROSE.match(body):
        return True
    # 40 whitespace runs need at least 79 characters: skip counting on ordinary lines
    if len(body) < 2 * _LONG_PARAGRAPH - 1:
        return False
    return len(_SPACE_RUN.findall(body)) >= _LONG_PARAGRAPH


_HDR_OKR_BEFORE = re.compile(
    r"our|my|the|draft|proposed|team|company|quarterly|new|updated|final|q[1-4]|h[12]|annual"
    r"|yearly|department|squad|tribe|product|engineering|marketing|sales",
    re.I,
)
_PERIOD_ONLY = re.compile(r"(?:q[1-4]|h[12]|fy\s?['’]?\d{2,4}|(?:19|20)\d{2})", re.I)
_TITLE_WORDS = re.compile(
    r"okrs?|objectives|goals|planning|plans?|drafts?|review|proposal|proposed|final|updated?"
    r"|kickoff|cycle|for|the|our|of|and|team|company|quarterly|version|wip|new|revised",
    re.I,
)
_WORD = re.compile(r"[^\s()\[\]:,;.!?\-–—/|]+")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")


# Every title pattern below needs one of these words (same IGNORECASE semantics, so
# Unicode case folds such as the Kelvin sign match here exactly when they match there).
# Most OKR lines contain none, which saves the dozen full-pattern tries below.
_MAYBE_TITLE = re.compile(
    r"key|kr|k\.r|result|metric|measure|objective|goal|okr"  # _HDR_KR(_TAIL), _HDR_OBJ/BOTH, _OKR_WORD
    r"|q[1-4]|h[12]|fy|\d{4}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"  # _PERIOD_WORD ...
    r"|quarter|half|year|annual|draft|v\d|version",  # ... and _PERIOD_ONLY
    re.I,
)


def header_kind(body: str) -> str | None:
    """Which kind of section title `body` is, if it is one."""
    if len(body) > 80 or not _MAYBE_TITLE.search(body):
        return None
    if _HDR_KR.fullmatch(body) or (_HDR_KR_TAIL.search(body) and len(body) <= 60):
        return H_KR
    if _HDR_OBJ.fullmatch(body):
        return H_OBJ
    if _HDR_BOTH.fullmatch(body) or _HDR_PERIOD.fullmatch(body):
        return H_OKR
    words = _WORD.findall(body)
    if (
        0 < len(words) <= 8
        and any(_PERIOD_ONLY.fullmatch(w) for w in words)
        and all(_TITLE_WORDS.fullmatch(w) or _HDR_PERIOD.fullmatch(w) for w in words)
    ):
        return H_OKR  # "Q3 planning - DRAFT v2", "OKR review H2 2025"
    if _OKR_WORD.search(body):
        words = _WORD.findall(_PAREN.sub(" ", body))
        if 0 < len(words) <= 10:
            for i, w in enumerate(words):
                if _OKR_WORD.fullmatch(w) and (
                    i == 0
                    or _HDR_OKR_BEFORE.fullmatch(words[i - 1])
                    or _HDR_PERIOD.fullmatch(words[i - 1])
                    or all(_HDR_PERIOD.fullmatch(x) for x in words[i + 1 :])  # "... OKRs, Q3"
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
    extra: list[Segment] = field(default_factory=list)


def _strip_close_emph(text: str, start: int, end: int, emph: str | None) -> tuple[int, int]:
    if emph and text.endswith(emph, start, end) and end - start >= len(emph):
        end -= len(emph)
    return trim(text, start, end)


def _template(text: str, p: int, e: int) -> Label | None:
    m = _TEMPLATE.match(text, p, e)
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
        for im in _TEMPLATE_INLINE.finditer(text, body_start, e):
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
    for seg_label, s, t in segments:
        s, t = _strip_close_emph(text, s, t, m.group("emph") if first else None)
        if first:
            lab.body = (s, t)
            first = False
        else:
            lab.extra.append(Segment(seg_label, s, t))
    return lab


def read_label(text: str, p: int, e: int) -> Label:
    """Find a label at text[p:e] and return it with the body range."""
    if text[p] in "wWbBaAmMcC*_":
        tl = _template(text, p, e)
        if tl is not None:
            return tl
    m = _LABEL.match(text, p, e) if text[p] in "oOgGkKtTsSdDlLwWcCbBnNpPuUrR*_" else None
    if m:
        sep = m.group("sep").strip()
        body = _strip_close_emph(text, m.end(), e, m.group("emph"))
        empty = not ALNUM.search(text, body[0], body[1])
        span = trim(text, m.start(), m.start("sep"), noise=True)
        if m.group("obj") or m.group("onum2"):
            word = m.group("obj") or "o"
            number = m.group("onum") or m.group("onum2")
            if (m.group("onum2") or _is_objective_word(word) or word.lower() == "goal") and (
                sep or number or empty
            ):
                plural = word.lower().rstrip(".").endswith("s")
                if plural and not number and empty:
                    return Label(header=H_OBJ, label_span=span, body=body)
                return Label(OBJ, span, plural, body=body)
        elif m.group("kr"):
            number = m.group("knum")
            if sep or number or empty:
                plural = m.group("kr").lower().rstrip(".").endswith("s")
                if empty:
                    return Label(KRS, span, True, body=body)
                return Label(KRS if plural else KR, span, plural, body=body)
        elif sep in (":", "："):
            if m.group("meta"):
                if not empty:
                    word = m.group("meta").lower()
                    return Label(TEAM if word in ("team", "squad") else OWNER, span, body=body)
            elif m.group("note"):
                return Label(NOTE, span, body=body)
    s, t = body = trim(text, p, e)
    return Label(header=header_kind(text[s:t]) if t - s <= 80 else None, body=body)
