"""Scan pasted text into classified lines ("items"), keeping offsets into the original.

One pass over the lines. For each non-blank line it records the indentation,
the list marker (bullet, number, heading), an optional label ("Objective 1:",
"KR2 -", "We are working on", "Owner:") and the [start, end) offsets of the
remaining text. Wrapped continuation lines of a list item are joined to it, and
setext underlines turn the line above into a heading. Nothing here decides what
is an objective: that is `outline` (the tree) and `text` (the roles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .labels import (
    ALNUM,
    KR,
    OBJ,
    Segment,
    is_prose,
    read_label,
    rstrip_end,
)

TAB_WIDTH = 4

# Item kinds besides list markers ("bullet:-", "1.", "dec2", "a)", "(i)", ...).
PLAIN = "plain"
HEADING = "heading"


@dataclass(eq=False, slots=True)
class Item:
    line: int
    indent: int  # column of the first visible character
    cont_col: int  # column where the text after the list marker starts
    kind: str  # PLAIN, HEADING or a list-marker kind
    alt_col: int = -1  # like cont_col, but before a checkbox "[ ]"
    level: int = 0  # heading level
    label: str | None = None
    label_span: tuple[int, int] | None = None  # the label word(s), e.g. "Objective 1"
    plural: bool = False  # "Key results" rather than "Key result"
    header: str | None = None  # H_OBJ / H_KR / H_OKR for a recognised section title
    pieces: list[tuple[int, int]] = field(default_factory=list)
    extra: list[Segment] = field(default_factory=list)
    blank_before: bool = False
    children: list[Item] = field(default_factory=list)
    parent: Item | None = None
    height: int = 0
    deep: bool = False  # has a child indented deeper than itself
    run_parent_kind: str | None = None
    prose: bool = False  # a greeting, question or remark rather than an OKR line
    description: bool = False  # ends like a sentence (. ! ?)

    @property
    def marked(self) -> bool:
        return self.kind != PLAIN and self.kind != HEADING

    def text(self, source: str) -> str:
        if len(self.pieces) == 1:
            s, e = self.pieces[0]
            return source[s:e]
        return " ".join(source[s:e] for s, e in self.pieces)

    def raw(self, source: str) -> str:
        """The item's text, or its label when it has no text of its own."""
        if self.pieces:
            return self.text(source)
        s, e = self.label_span or (0, 0)
        return source[s:e]

    def full(self, source: str) -> str:
        """The whole line(s) as written, label included, markers excluded."""
        if self.label_span is None or not self.pieces:
            return self.raw(source)
        if len(self.pieces) == 1:
            return source[self.label_span[0] : self.pieces[0][1]]
        return (
            source[self.label_span[0] : self.pieces[0][1]]
            + " "
            + " ".join(source[s:e] for s, e in self.pieces[1:])
        )


# --- regular expressions (compiled once) -----------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")
_LEAD = re.compile(r"[ \t\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff\f\v]*")
_ZERO_WIDTH = frozenset("\u200b\ufeff")
_RULE = re.compile(r"([-=_*])[ \t]*(?:\1[ \t]*){2,}")
_FENCE = re.compile(r"```|~~~")
_HEADING = re.compile(r"(#{1,6})(?:[ \t]+|$)")

_EMOJI = (
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u25a0-\u25ff\u2300-\u23ff]"
    "[\ufe0e\ufe0f\u200d\u20e3\U0001f000-\U0001faff\u2600-\u27bf]*"
)
_BULLET = re.compile(r"([-*+•‣⁃∙·–—−]|" + _EMOJI + r"|o(?=\t))(?:[ \t\u00a0]+|$)")
_NUMBER = re.compile(
    r"""(?:
        (?P<multi>\d{1,3}(?:\.\d{1,3})+)\.?
      | (?P<dec>\d{1,3})(?P<dsep>[.)])
      | \((?P<paren>\d{1,3}|[a-zA-Z]|(?i:x{0,3}(?:ix|iv|v?i{1,3}|v)))\)
      | (?P<roman>(?i:(?=[ivx]{2})x{0,3}(?:ix|iv|v?i{1,3}|v)))(?P<rsep>[.)])
      | (?P<alpha>[a-zA-Z])(?P<asep>[.)])
      | (?P<keycap>[0-9#*]\ufe0f?\u20e3)
    )(?:[ \t\u00a0]+|$)""",
    re.X,
)
_CHECKBOX = re.compile(r"\[[ xX✓✔✗\-]?\](?:[ \t]+|$)")

# --- scanning ------------------------------------------------------------------------------


def _columns(s: str, col: int = 0) -> int:
    for ch in s:
        if ch == "\t":
            col += TAB_WIDTH - col % TAB_WIDTH
        elif ch not in _ZERO_WIDTH:
            col += 1
    return col


def scan(text: str) -> list[Item]:
    """Classify every line of `text`; blank and decorative lines are skipped."""
    items: list[Item] = []
    blank = False
    last: Item | None = None  # the previous item, for continuations and setext headings
    last_line = 0
    last_alpha: dict[str, str] = {}
    start = 0
    lineno = 0
    n = len(text)
    newlines = _NEWLINE.finditer(text)
    while start <= n:
        nl = next(newlines, None)
        end = nl.start() if nl else n
        lineno += 1
        item = _scan_line(text, start, end, lineno, last_alpha)
        if item is None:
            blank = True
        elif isinstance(item, str):  # a horizontal rule or a setext underline
            if (
                item in "=-"
                and last is not None
                and last.kind == PLAIN
                and last.label is None
                and last_line == lineno - 1
                and len(last.pieces) <= 1
            ):
                last.kind = HEADING
                last.level = 1 if item == "=" else 2
            else:
                blank = True
        elif (
            last is not None
            and not blank
            and last_line == lineno - 1
            and item.kind == PLAIN
            and item.label is None
            and item.header is None
            and item.pieces
            and not item.extra
            and (_wrapped(last, item) or _hard_wrapped(text, last, item))
        ):
            last.pieces.append(item.pieces[0])  # a wrapped continuation line
            last_line = lineno
        else:
            item.blank_before = blank
            blank = False
            items.append(item)
            last, last_line = item, lineno
        if nl is None:
            break
        start = nl.end()
    return items


def _wrapped(last: Item, item: Item) -> bool:
    """An unmarked line indented to the text of the list item above it."""
    return (
        last.marked
        and item.indent > last.indent
        and (item.indent == last.cont_col or item.indent == last.alt_col)
    )


_WRAP_WIDTH = 60


def _hard_wrapped(text: str, last: Item, item: Item) -> bool:
    """A line broken mid-sentence by a PDF or an email client: the line above is long,
    ends without punctuation, and this one goes on in lower case at the same indent.
    Only after list items and labelled lines, where a lower-case line cannot start a
    new item anyway."""
    if not (last.marked or last.label in (OBJ, KR)) or item.indent != last.indent:
        return False
    s, e = item.pieces[0]
    first = text[s]
    if not (first.islower() or first.isdigit()):
        return False
    _, prev_end = last.pieces[-1] if last.pieces else (0, 0)
    prev_start = max(text.rfind("\n", 0, prev_end), text.rfind("\r", 0, prev_end)) + 1
    return prev_end - prev_start >= _WRAP_WIDTH and text[prev_end - 1].isalnum()


def _scan_line(
    text: str, start: int, end: int, lineno: int, last_alpha: dict[str, str]
) -> Item | str | None:
    p = _LEAD.match(text, start, end).end()  # type: ignore[union-attr]
    e = rstrip_end(text, p, end)
    if p >= e:
        return None
    if not ALNUM.search(text, p, e):
        rule = _RULE.fullmatch(text, p, e)
        return rule.group(1) if rule else None
    if _FENCE.match(text, p, e):
        return None
    indent = _columns(text[start:p])
    col = indent
    alt = -1
    kind = PLAIN
    level = 0
    ch = text[p]
    m = _HEADING.match(text, p, e) if ch == "#" else None
    if m:
        kind, level = HEADING, len(m.group(1))
        p = m.end()
        bullet = _BULLET.match(text, p, e)  # "## 🎯 Objective 1: ..."
        if bullet:
            p = bullet.end()
        if text[e - 1] == "#":  # closing hashes: "## Title ##"
            j = e - 1
            while j > p and text[j - 1] == "#":
                j -= 1
            if j > p and text[j - 1] in " \t":
                e = rstrip_end(text, p, j)
    else:
        m = _BULLET.match(text, p, e)
        if m:
            kind = "bullet:" + m.group(1)[0]
        elif ch.isdigit() or ch in "(#*" or ch.isalpha():
            m = _NUMBER.match(text, p, e)
            if m:
                kind = _number_kind(m, last_alpha)
        if m:
            col = _columns(text[p : m.end()], col)
            p = m.end()
        cb = _CHECKBOX.match(text, p, e) if p < e and text[p] == "[" else None
        if cb:
            if kind == PLAIN:
                kind = "bullet:["
            alt = col
            col = _columns(text[p : cb.end()], col)
            p = cb.end()
    if p >= e or not ALNUM.search(text, p, e):
        return None
    lab = read_label(text, p, e)
    s, t = lab.body
    pieces = [(s, t)] if s < t and ALNUM.search(text, s, t) else []
    if not pieces and lab.label is None and lab.header is None:
        return None
    prose = description = False
    if pieces and lab.label is None and lab.header is None:
        body = text[s:t]
        prose = is_prose(body)
        description = prose or body[-1] in ".!?…"
    return Item(
        line=lineno,
        indent=indent,
        cont_col=col,
        alt_col=alt,
        kind=kind,
        level=level,
        label=lab.label,
        label_span=lab.label_span,
        plural=lab.plural,
        header=lab.header,
        pieces=pieces,
        extra=lab.extra,
        prose=prose,
        description=description,
    )


def _number_kind(m: re.Match[str], last_alpha: dict[str, str]) -> str:
    if m.group("multi"):
        return f"dec{m.group('multi').count('.') + 1}"
    if m.group("dec"):
        return "1" + m.group("dsep")
    if m.group("paren"):
        inner = m.group("paren")
        if inner.isdigit():
            return "(1)"
        if len(inner) > 1 or inner in "ivxIVX":
            return "(i)" if inner.islower() else "(I)"
        return "(a)" if inner.islower() else "(A)"
    if m.group("roman"):
        r = m.group("roman")
        return ("i" if r.islower() else "I") + m.group("rsep")
    if m.group("alpha"):
        a, sep = m.group("alpha"), m.group("asep")
        key = ("a" if a.islower() else "A") + sep
        prev = last_alpha.get(key)
        last_alpha[key] = a
        if a in "ivxIVX" and not (prev and ord(a) - ord(prev) == 1):
            return ("i" if a.islower() else "I") + sep
        return key
    return "keycap"
