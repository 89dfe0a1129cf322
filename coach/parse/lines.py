"""Scan pasted text into classified lines ("items"), keeping offsets into the original.

One pass over the lines. For each non-blank line it records the indentation,
the list marker (bullet, number, heading), an optional label ("Objective 1:",
"KR2 -", "We are working on", "Owner:") and the [start, end) offsets of the
remaining text. Wrapped continuation lines of a list item are joined to it, and
setext underlines turn the line above into a heading. Nothing here decides what
is an objective: that is `outline` (the tree) and `text` (the roles).

Speed: each line is classified on its own text into a `Shape` (offsets relative to
the line), which is cached by that text, so re-reading a draft, or a line seen in an
earlier one, skips the pattern matching; `scan` turns shapes into Items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from ..lazy_re import lazy_compile
from . import status, values
from .labels import (
    ALNUM,
    KR,
    OBJ,
    PROSE_HEADS,
    Segment,
    fold,
    is_prose,
    read_label,
    rstrip_end,
)
from .values import MAX_VALUE_CHARS, is_value, is_value_tail, may_be_value, open_end

if TYPE_CHECKING:
    from .mdtable import Table

TAB_WIDTH = 4

# Item kinds besides list markers ("bullet:-", "1.", "dec2", "a)", "(i)", ...).
PLAIN = "plain"
HEADING = "heading"
TABLE = "table"  # a Markdown table of objectives or key results (`mdtable`), as one item
_UNMARKED = frozenset({PLAIN, HEADING, TABLE})


@dataclass(eq=False, slots=True)
class Item:
    # what the line says (`Shape.item` passes these positionally, in this order)
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
    prose: bool = False  # a greeting, question or remark rather than an OKR line
    description: bool = False  # ends like a sentence (. ! ?)
    value: bool = False  # only a number and its period or role: "22% in H1" (see `values`)
    # where it sits: set by `scan` and `outline.build_tree`
    blank_before: bool = False
    children: list[Item] = field(default_factory=list)
    parent: Item | None = None
    height: int = 0
    deep: bool = False  # has a child indented deeper than itself
    run_parent_kind: str | None = None
    measure: bool = False  # a metric's name with its value lines under it (`outline`)

    @property
    def marked(self) -> bool:
        return self.kind not in _UNMARKED

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


@dataclass(eq=False, slots=True)
class TableItem(Item):
    """A TABLE item: a Markdown table read as one node (its own class, so that no other
    item carries a `table` field)."""

    table: Table | None = None


# --- regular expressions (compiled once) -----------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")
_LEAD = lazy_compile(r"[ \t\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff\f\v]*")
_ZERO_WIDTH = frozenset("\u200b\ufeff")
_RULE = lazy_compile(r"([-=_*])[ \t]*(?:\1[ \t]*){2,}")
_FENCE = re.compile(r"```|~~~")
_HEADING = re.compile(r"(#{1,6})(?:[ \t]+|$)")

_EMOJI = (
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2190-\u21ff\u25a0-\u25ff\u2300-\u23ff]"
    "[\ufe0e\ufe0f\u200d\u20e3\U0001f000-\U0001faff\u2600-\u27bf]*"
)
_BULLET = re.compile(r"([-*+•‣⁃∙·–—−]|" + _EMOJI + r"|o(?=\t))(?:[ \t\u00a0]+|$)")
_NUMBER = lazy_compile(
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
# "(O) ...", "(KR1) ...": a label in brackets, not the "(o)" of a letter list (a bare O
# only in capitals)
_BRACKET_LABEL = lazy_compile(
    r"\((?:O|[Oo]\d{1,3}|(?i:obj[a-z]{0,9}|okr[ \t]*\d{1,3}|k\.?r|key[ \t_-]*results?)"
    r"[ \t]*\d{0,3}(?:\.\d{1,3})*[a-z]?)\)"
)
# "> text", "> > text" (not "> 50% of orders": a comparison)
_QUOTE = lazy_compile(r"(?:>(?:[ \t\u00a0]+|(?=>)|$))+(?![$€£¥]?\d)")
_CHECKBOX = lazy_compile(r"\[[ xX✓✔✗\-]?\](?:[ \t]+|$)")

# --- scanning ------------------------------------------------------------------------------


def _columns(s: str, col: int = 0) -> int:
    if "\t" not in s and "\u200b" not in s and "\ufeff" not in s:
        return col + len(s)  # (one column a character: what the loop below gives)
    for ch in s:
        if ch == "\t":
            col += TAB_WIDTH - col % TAB_WIDTH
        elif ch not in _ZERO_WIDTH:
            col += 1
    return col


def line_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every line; "\r\n", "\r" and "\n" each end one."""
    spans = []
    if "\r" in text:
        start = 0
        for nl in _NEWLINE.finditer(text):
            spans.append((start, nl.start()))
            start = nl.end()
        spans.append((start, len(text)))
        return spans
    start = 0
    for line in text.split("\n"):  # no regex needed for plain "\n" text
        end = start + len(line)
        spans.append((start, end))
        start = end + 1
    return spans


def scan(
    text: str,
    spans: list[tuple[int, int]] | None = None,
    scored: list[tuple[Item, int]] | None = None,
) -> list[Item]:
    """Classify every line of `text`; blank and decorative lines are skipped.

    `spans`: line_spans(text), when the caller has it already. `scored`: gets (item,
    where its text ends without it) for each item ending with a 0–1 score ("– 0.7"),
    which is a note when two or more do (see `status`)."""
    items: list[Item] = []
    blank = False
    last: Item | None = None  # the previous item, for continuations and setext headings
    last_line = 0
    last_alpha: dict[str, str] = {}
    spans = spans or line_spans(text)
    tables = None
    if "|" in text:  # (mdtable is imported by a text that may hold a table, not by every run)
        from .mdtable import find_tables

        tables = find_tables(text, spans)
    # (one test per line for tables: from `stop` on, a line may start or be in a table)
    stop = min(tables) if tables else len(spans) + 1
    skip_to = 0  # the last line of a table read as one item
    for lineno, (start, end) in enumerate(spans, 1):
        if lineno >= stop and (lineno <= skip_to or lineno in tables):  # type: ignore[operator]
            if lineno <= skip_to:
                continue
            table = tables[lineno]  # type: ignore[index]
            h = table.header
            indent = _columns(text[start : _LEAD.match(text, start, end).end()])  # type: ignore[union-attr]
            item = TableItem(lineno, indent, indent, TABLE, pieces=[(h.start, h.end)])
            item.table, item.blank_before = table, blank
            item.height = 1 if table.has_objectives else 0  # (a table of objectives is high)
            items.append(item)
            blank, last, last_line, skip_to = False, None, lineno, table.last_line
            continue
        line = text[start:end]
        shape = _cached_shape(line) if end - start <= _CACHED_LINE_MAX else _classify(line)
        if shape.__class__ is not Shape:  # (one test for the usual line, a Shape)
            if shape is None or isinstance(shape, Marker):
                if shape is not None:  # a blank line, but its marker counts in the run
                    _alpha_kind(shape.letter, shape.sep, last_alpha)
                blank = True
                continue
            # a horizontal rule or a setext underline
            if (
                shape in "=-"
                and last is not None
                and last.kind == PLAIN
                and last.label is None
                and last_line == lineno - 1
                and len(last.pieces) <= 1
            ):
                last.kind = HEADING
                last.level = 1 if shape == "=" else 2
            else:
                blank = True
            continue
        kind = shape.kind if shape.alpha is None else _alpha_kind(*shape.alpha, last_alpha)
        item = shape.item(start, lineno, kind)
        if shape.score >= 0 and scored is not None:
            scored.append((item, start + shape.score))
        if (
            last is not None
            and not blank
            and last_line == lineno - 1
            and item.kind == PLAIN
            and item.label is None
            and item.header is None
            and item.pieces
            and not item.extra
            and (_wrapped(last, item) or _hard_wrapped(text, last, item, spans[last_line - 1][0]))
            # "- Rate\n  22% in H1" is a value under its name; "- from 5% to\n  3%" goes on
            and (not item.value or (last.pieces and open_end(text[slice(*last.pieces[-1])])))
        ):
            last.pieces.append(item.pieces[0])  # a wrapped continuation line
            if scored and scored[-1][0] is item:
                scored.pop()  # (its score is no note at the end of `last`)
            if scored and scored[-1][0] is last:
                scored.pop()  # (nor is the one at the end of its first line)
            last_line = lineno
        else:
            item.blank_before = blank
            blank = False
            items.append(item)
            last, last_line = item, lineno
    return items


def _wrapped(last: Item, item: Item) -> bool:
    """An unmarked line indented to the text of the list item above it."""
    return (
        last.marked
        and item.indent > last.indent
        and (item.indent == last.cont_col or item.indent == last.alt_col)
    )


_WRAP_WIDTH = 60


def _hard_wrapped(text: str, last: Item, item: Item, last_start: int) -> bool:
    """A line broken mid-sentence by a PDF or an email client: the line above is long,
    ends without punctuation, and this one goes on in lower case at the same indent.
    Only after list items and labelled lines, where a lower-case line cannot start a
    new item anyway. `last_start`: where the line above (holding last.pieces[-1]) starts."""
    if not (last.marked or last.label in (OBJ, KR)) or item.indent != last.indent:
        return False
    s, e = item.pieces[0]
    first = text[s]
    if not (first.islower() or first.isdigit()):
        return False
    if not last.pieces:
        return False
    _, prev_end = last.pieces[-1]
    # (the line start is known: searching back for it is O(text) per line on long drafts)
    return prev_end - last_start >= _WRAP_WIDTH and text[prev_end - 1].isalnum()


# --- one line ----------------------------------------------------------------------------
#
# A line is classified on its own text: nothing before or after it changes what it is
# (no pattern looks behind the line start; "\b" sees the same non-word context at the
# start of a line as after a newline), except the kind of an "a)" / "b." marker, which
# depends on the markers above and is settled by `scan`. So the classification of a
# line is cached by its text, and a line seen before (a re-review, boilerplate such as
# "Owner: Sam" or "Key results:") costs a look-up.


@dataclass(slots=True)  # not frozen (slow to build), but never changed: it is cached
class Shape:
    """What a line is, with offsets from the start of the line."""

    indent: int
    cont_col: int
    kind: str  # "" for an "a)" marker: `scan` works it out from `alpha` and the lines above
    alt_col: int
    level: int
    label: str | None
    label_span: tuple[int, int] | None
    plural: bool
    header: str | None
    piece: tuple[int, int] | None  # the text of its own, if any
    extra: tuple[tuple[str, int, int], ...]  # (label, start, end) of inline segments
    prose: bool
    description: bool
    value: bool
    score: int  # the end of the text without a trailing 0–1 score (-1: none), see `status`
    alpha: tuple[str, str] | None  # letter and separator of an "a)" / "B." marker

    def item(self, offset: int, lineno: int, kind: str) -> Item:
        """The Item for this line when it starts at `offset` of the text."""
        span, piece, extra = self.label_span, self.piece, self.extra
        # positional arguments, in Item's field order: half the cost of keywords
        return Item(
            lineno,
            self.indent,
            self.cont_col,
            kind,
            self.alt_col,
            self.level,
            self.label,
            None if span is None else (span[0] + offset, span[1] + offset),
            self.plural,
            self.header,
            [] if piece is None else [(piece[0] + offset, piece[1] + offset)],
            [Segment(lab, s + offset, e + offset) for lab, s, e in extra] if extra else [],
            self.prose,
            self.description,
            self.value,
        )


# Cheap tests before `status.notes` in _classify: can the line end with a status note at
# all? A bracket, noise or a mark at the end; a status word as its last word; a number
# after a dash near the end.
_NOTE_END = frozenset(")]:;,")
_NOTE_WORDS = status.LAST_WORDS
_NOTE_LAST_LETTERS = frozenset(w[-1] for w in _NOTE_WORDS) | {w[-1].upper() for w in _NOTE_WORDS}


_VALUE_HEADS, _VALUE_SIGNS = values.HEADS, values.NOT_A_LETTER


_CACHED_LINE_MAX = 1000  # longer lines are classified every time (bounded cache memory)


# First characters that can start a match, for cheap checks before the regexes (most
# lines start with a letter and match none of them).
_LEAD_CHARS = frozenset(" \t\u00a0\u1680\u202f\u205f\u3000\ufeff\f\v") | frozenset(
    map(chr, range(0x2000, 0x200C))
)
_BULLET_FIRST = frozenset("-*+•‣⁃∙·–—−o")  # plus the emoji ranges, all >= U+2190
_ROMAN_ASCII = frozenset("ivxIVX")


def _may_be_number(line: str, p: int, e: int) -> bool:
    """Can _NUMBER match at p? Letters only start "a)" / "B." (ASCII) or roman numerals;
    non-ASCII letters go to the regex, which knows its case folding."""
    ch = line[p]
    if ch.isdigit() or ch in "(#*":
        return True
    if not ch.isalpha():
        return False
    return not ch.isascii() or ch in _ROMAN_ASCII or (p + 1 < e and line[p + 1] in ".)")


class Marker(NamedTuple):
    """An "a)" / "B." list marker alone on a line (else blank)."""

    letter: str
    sep: str


def _classify(line: str) -> Shape | Marker | str | None:
    """A Shape; a rule character ("-", "=", ...) for a horizontal rule or setext
    underline; None for a blank or decorative line, or a Marker for one that has an
    "a)" / "B." marker and nothing else."""
    p, end = 0, len(line)
    if p < end and line[p] in _LEAD_CHARS:
        p = _LEAD.match(line).end()  # type: ignore[union-attr]
    if p < end and line[p] == ">":  # a quoted line reads as an indented one
        quote = _QUOTE.match(line, p)
        if quote:
            p = quote.end()
    # (rstrip_end, called only when there is something to strip: most lines end clean)
    e = end
    if end and (line[end - 1].isspace() or line[end - 1] in "\ufeff\u200b"):
        e = rstrip_end(line, p, end)
    if p >= e:
        return None
    ch = line[p]
    if ch.isalnum():  # what ALNUM ([^\W_]) matches
        first = p  # the first letter or digit; markers and labels come before it
    else:
        alnum = ALNUM.search(line, p, e)
        if alnum is None:
            rule = _RULE.fullmatch(line, p, e)
            return rule.group(1) if rule else None
        first = alnum.start()
    if ch in "`~" and _FENCE.match(line, p, e):
        return None
    indent = _columns(line[:p]) if p else 0
    col = indent
    alt = -1
    kind = PLAIN
    level = 0
    alpha = None
    m = _HEADING.match(line, p, e) if ch == "#" else None
    if m:
        kind, level = HEADING, len(m.group(1))
        p = m.end()
        bullet = _BULLET.match(line, p, e)  # "## 🎯 Objective 1: ..."
        if bullet:
            p = bullet.end()
        if line[e - 1] == "#":  # closing hashes: "## Title ##"
            j = e - 1
            while j > p and line[j - 1] == "#":
                j -= 1
            if j > p and line[j - 1] in " \t":
                e = rstrip_end(line, p, j)
    else:
        m = _BULLET.match(line, p, e) if ch in _BULLET_FIRST or ch >= "\u2190" else None
        if m:
            kind = "bullet:" + m.group(1)[0]
        elif (
            # _may_be_number(line, p, e), inline: most lines start with a word's letter
            (
                not ch.isalpha()
                or not ch.isascii()
                or ch in _ROMAN_ASCII
                or (p + 1 < e and line[p + 1] in ".)")
            )
            and _may_be_number(line, p, e)
            and not (ch == "(" and _BRACKET_LABEL.match(line, p, e))
        ):
            m = _NUMBER.match(line, p, e)
            if m and m.group("multi") and _decimal_value(line, m, e):
                m = None
            if m:
                alpha = m.group("alpha", "asep") if m.group("alpha") else None
                kind = "" if alpha else _number_kind(m)
        if m:
            col = _columns(line[p : m.end()], col)
            p = m.end()
        cb = _CHECKBOX.match(line, p, e) if p < e and line[p] == "[" else None
        if cb:
            if kind == PLAIN:
                kind = "bullet:["
            alt = col
            col = _columns(line[p : cb.end()], col)
            p = cb.end()
    # from here on a line without text is blank, but an "a)" marker on it still counts
    blank = None if alpha is None else Marker(*alpha)
    if p >= e:
        return blank
    if first < p:  # the marker had letters or digits ("1.", "a)"): look again after it
        alnum = ALNUM.search(line, p, e)
        if alnum is None:
            return blank
        first = alnum.start()
    elif first >= e:  # only closing hashes had any
        return blank
    # the label and title patterns match in lower case, see labels.fold (inline for ASCII)
    low = line.lower() if line.isascii() else fold(line)
    lab = read_label(line, p, e, low)
    s, t = lab.body
    # text of its own: [s, t) holds a letter or digit (`first` is the first one from p)
    has_text = s < t and (s <= first < t or (first < s and ALNUM.search(line, s, t)))
    if not has_text and lab.label is None and lab.header is None:
        return blank
    score = -1
    if has_text and not lab.extra:
        # a status note at the end ("(done)", "✅", "— 60%") is no part of the text; most
        # lines end with a word that ends no note (tested inline: this runs on every line)
        last = line[t - 1]
        if (
            (
                last in _NOTE_LAST_LETTERS
                and (low is None or low[low.rfind(" ", s, t) + 1 : t] in _NOTE_WORDS)
            )
            if last.isalpha()
            else (
                last in _NOTE_END
                or not last.isascii()
                # (a share or a score after a dash is short: "— 60%", "– 0.75")
                or "—" in (tail := line[max(s, t - 12) : t])
                or "–" in tail
                or " -" in tail
                or "|" in tail
            )
        ):
            cut, sc = status.notes(line[s:t])
            t = s + cut
            if sc >= 0:
                score = s + sc
    prose = description = value = False
    if has_text and lab.label is None and lab.header is None:
        body = line[s:t]
        low_body = None if low is None else low[s:t]
        if (
            low_body is not None
            and body[-1] != "?"
            and len(body) < 79
            and low_body[:2] not in PROSE_HEADS
            and not (low_body[0] in "ia" and low_body[1:2].isspace())
        ):
            prose = False  # is_prose's own first tests, without the call
        else:
            prose = is_prose(body, low_body)
        description = prose or body[-1] in ".!?…"
        # a value line ("22% in H1") starts with a number, a sign or a leading word
        value = (
            not prose
            and kind != HEADING
            and (
                low_body[:3] in _VALUE_HEADS or body[0] in _VALUE_SIGNS
                if low_body is not None
                else may_be_value(body)
            )
            and is_value(body)
        )
    return Shape(  # positional, in field order (cheaper than keywords)
        indent,
        col,
        kind,
        alt,
        level,
        lab.label,
        lab.label_span,
        lab.plural,
        lab.header,
        (s, t) if has_text else None,
        tuple([(seg.label, seg.start, seg.end) for seg in lab.extra]) if lab.extra else (),
        prose,
        description,
        value,
        score,
        alpha,
    )


# Lines repeat across reviews of the same or a similar draft (and within a draft:
# "Owner: Sam", "Key results:"); 4096 distinct lines is a few hundred drafts.
_cached_shape = lru_cache(maxsize=4096)(_classify)


def _decimal_value(line: str, m: re.Match[str], e: int) -> bool:
    """Is the "1.4" that _NUMBER read as a list number a decimal value instead: alone on
    its line ("1.4") or followed only by its period or unit ("1.4 in H1", "2.5 days")?"""
    if line[m.end("multi") : m.end()].startswith("."):  # "1.4." is numbering
        return False
    if e - m.end() > MAX_VALUE_CHARS:  # (a list item's text, most often)
        return False
    rest = line[m.end() : e]
    return not rest or rest.isspace() or is_value_tail(rest)


def _number_kind(m: re.Match[str]) -> str:
    """The kind of a numeric or roman marker (not "a)": see `_alpha_kind`)."""
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
    return "keycap"


def _alpha_kind(a: str, sep: str, last_alpha: dict[str, str]) -> str:
    """The kind of an "a)" marker: "a)", or a roman "i)" for "i)" / "v." / "x)" not
    right after "h)" / "u." / "w)".
    `last_alpha` holds the last letter seen per marker style; this updates it."""
    key = ("a" if a.islower() else "A") + sep
    prev = last_alpha.get(key)
    last_alpha[key] = a
    if a in "ivxIVX" and not (prev and ord(a) - ord(prev) == 1):
        return ("i" if a.islower() else "I") + sep
    return key
