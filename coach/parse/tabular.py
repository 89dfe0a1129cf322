"""CSV (and pasted Markdown / spreadsheet tables) -> OkrSet.

One row per key result: `objective,key_result[,team,owner]` in any order and
case. A blank objective cell continues the objective above; a repeated one adds
to it. Several key-result columns ("KR1, KR2, KR3") and several key results in
one cell (one per line) are read too. With `per_owner=True` (batch review: one
file, many authors) team and owner cells fill down like merged cells, and the
same objective text under two owners stays two objectives. The tokenizer is a small regex loop rather
than the csv module so that every cell keeps its offsets in the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import LimitExceededError, ParseError
from ..lazy_re import lazy_compile
from ..models import KeyResult, Objective, OkrSet, ParseWarning, Span

if TYPE_CHECKING:
    from .columns import ColumnMap

DELIMITERS = (",", ";", "\t", "|")
_HEADER_CELL = lazy_compile(r"[^\W\d][\w .#/()&'-]{0,39}")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_SEPARATOR_CELL = lazy_compile(r"\s*:?-{2,}:?\s*")
_CELL_BULLET = lazy_compile(r"(?:[-*+•◦▪–]|\d{1,2}[.)])\s+")
_SPACES = re.compile(r"\s+")

_QUOTED: dict[str, re.Pattern[str]] = {}  # a double-quoted cell, "" inside for a quote
_PLAIN: dict[str, re.Pattern[str]] = {}
for _d in DELIMITERS:
    _e = re.escape(_d)
    _QUOTED[_d] = re.compile(r'[ \t]*"([^"]*(?:""[^"]*)*)"[ \t]*(?=' + _e + r"|\r|\n|\Z)")
    _PLAIN[_d] = re.compile(r"[^" + _e + r"\r\n]*")


@dataclass(slots=True)
class Header:
    delimiter: str
    line: int
    start: int  # offset of the header row
    end: int  # offset just after the header row
    names: list[str]
    objective: int | None = None
    key_results: list[int] = field(default_factory=list)
    team: int | None = None
    owner: int | None = None
    unmatched: list[str] = field(default_factory=list)  # columns named but not in the header

    @property
    def complete(self) -> bool:
        return self.objective is not None and bool(self.key_results)


def _classify(
    names: list[str],
    delimiter: str,
    line: int,
    start: int,
    end: int,
    columns: ColumnMap | None = None,
) -> Header:
    """Each column's role from its header cell (`coach.parse.columns`); columns the coach
    named win over any guess, and a guess never takes a column the coach named."""
    # Imported with the first table read: a draft that is no table never loads the column
    # words (columns.yaml and its validating models: start-up of `okr-coach check`).
    from .columns import column_role, same_header

    h = Header(delimiter, line, start, end, names)
    named = columns.named() if columns else {}
    taken: set[int] = set()
    for role, wanted in named.items():
        i = next((i for i, n in enumerate(names) if same_header(wanted, n)), None)
        if i is None:
            h.unmatched.append(f"{role}={wanted}")
            continue
        taken.add(i)
        if role == "key_result":
            h.key_results.append(i)
        else:
            setattr(h, role, i)
    fallback: list[int] = []
    for i, name in enumerate(names):
        found = None if i in taken else column_role(name)
        if found is None:
            continue
        role, weak = found
        if role in named:
            continue
        if role == "key_result":
            (fallback if weak else h.key_results).append(i)
        elif getattr(h, role) is None:
            setattr(h, role, i)
    if not h.key_results and "key_result" not in named:
        h.key_results = fallback
    return h


def _split_header(line: str, delimiter: str) -> list[str]:
    cells = [c.strip().strip('"').strip() for c in line.split(delimiter)]
    if delimiter == "|":
        if cells and not cells[0]:
            cells = cells[1:]
        if cells and not cells[-1]:
            cells = cells[:-1]
    return cells


def _first_line(text: str) -> tuple[int, int, int] | None:
    """(line number, start, end) of the first non-blank line."""
    pos, lineno = 0, 1
    for m in _NEWLINE.finditer(text):
        if text[pos : m.start()].strip("\ufeff \t\f\v"):
            return lineno, pos, m.start()
        pos, lineno = m.end(), lineno + 1
    if text[pos:].strip("\ufeff \t\f\v"):
        return lineno, pos, len(text)
    return None


def find_header(text: str, columns: ColumnMap | None = None) -> Header | None:
    """The CSV header when the first non-blank line is one, else None.

    A header must name an objective and a key-result column; a line of short
    column names that includes one known name (and more delimited lines below
    it) also counts, so that a missing column is reported rather than the
    table being read as prose.
    """
    first = _first_line(text)
    if first is None:
        return None
    lineno, start, end = first
    line = text[start:end]
    partial: Header | None = None
    for d in DELIMITERS:
        if d not in line:
            continue
        names = _split_header(line, d)
        if len(names) < 2:
            continue
        h = _classify(names, d, lineno, start, _line_end(text, end), columns)
        if h.complete:
            return h
        known = (
            (h.objective is not None)
            + len(h.key_results)
            + (h.team is not None)
            + (h.owner is not None)
        )
        if (
            partial is None
            and known >= 2
            and all(_HEADER_CELL.fullmatch(n) and len(n.split()) <= 3 for n in names if n)
            and _next_line_cells(text, h.end, d) == line.count(d)
        ):
            partial = h
    return partial


def _next_line_cells(text: str, pos: int, delimiter: str) -> int:
    """Delimiters in the next non-blank line (-1 when there is none)."""
    rest = _first_line(text[pos:])
    if rest is None:
        return -1
    _, start, end = rest
    return text[pos + start : pos + end].count(delimiter)


def _line_end(text: str, end: int) -> int:
    if text.startswith("\r\n", end):
        return end + 2
    return end + 1 if end < len(text) else end


def _guess_header(text: str, columns: ColumnMap | None = None) -> Header:
    first = _first_line(text)
    if first is None:
        raise ParseError("the CSV is empty")
    lineno, start, end = first
    line = text[start:end]
    d = max(DELIMITERS, key=lambda d: line.count(d))
    return _classify(_split_header(line, d), d, lineno, start, _line_end(text, end), columns)


@dataclass(slots=True)
class _Cell:
    value: str
    start: int  # span of the value's text in the original, when it is literally there
    end: int
    literal: bool  # value == text[start:end] apart from surrounding whitespace / line breaks
    line: int  # line where the cell starts


def _rows(text: str, pos: int, delimiter: str, lineno: int, max_fields: int | None = None):
    """Yield (line, row start, row end, cells) for each row from `pos`.

    A row of more than `max_fields` fields raises LimitExceededError before its cells are
    all built: one line of a million delimiters must not become a million cells."""
    # Markdown tables have no quoting: their cells are always literal
    quoted = _QUOTED[delimiter] if delimiter != "|" else None
    plain = _PLAIN[delimiter]
    n = len(text)
    while pos <= n:
        row_start, row_line = pos, lineno
        cells: list[_Cell] = []
        while True:
            m = quoted.match(text, pos) if quoted else None
            if m:
                raw = m.group(1)
                cs, ce = m.span(1)
                if '""' in raw:
                    cells.append(_Cell(raw.replace('""', '"'), cs - 1, ce + 1, False, lineno))
                else:
                    cells.append(_Cell(raw, cs, ce, True, lineno))
                lineno += raw.count("\n") + raw.count("\r") - raw.count("\r\n")
            else:
                m = plain.match(text, pos)
                cells.append(_Cell(m.group(), m.start(), m.end(), True, lineno))  # type: ignore[union-attr]
            pos = m.end()  # type: ignore[union-attr]
            if pos < n and text[pos] == delimiter:
                pos += 1
                if max_fields is not None and len(cells) >= max_fields:
                    _too_many_fields(text, pos, delimiter, row_line, len(cells), max_fields)
                continue
            break
        yield row_line, row_start, pos, cells
        if pos >= n:
            return
        pos += 2 if text.startswith("\r\n", pos) else 1
        lineno += 1


def _too_many_fields(text: str, pos: int, delimiter: str, line: int, seen: int, limit: int) -> None:
    eol = _NEWLINE.search(text, pos)
    fields = seen + 1 + text.count(delimiter, pos, eol.start() if eol else len(text))
    raise LimitExceededError(
        f"line {line} has {fields:,} fields; a row may have at most {limit:,}",
        limit="max_columns", max=limit, actual=fields,
    )  # fmt: skip


def _span_of(cell: _Cell) -> tuple[str, Span]:
    """The cell's text (whitespace-normalised) and its span."""
    value = cell.value.strip()
    if cell.literal:
        s = cell.start + (len(cell.value) - len(cell.value.lstrip()))
        e = s + len(value)
    else:
        s, e = cell.start, cell.end
    if "\n" in value or "\r" in value:
        value = _SPACES.sub(" ", value)
    return value, Span(start=s, end=e, line=cell.line)


def _kr_lines(cell: _Cell) -> list[tuple[str, Span]]:
    """One key result per line of a cell (a bullet or number before each is dropped).

    A line starting with a lower-case letter continues the line above it.
    """
    if "\n" not in cell.value and "\r" not in cell.value:
        return [_span_of(cell)]
    parts: list[list[int]] = []  # [start, end, line] in the cell value, joined pieces
    pieces: list[list[tuple[int, int]]] = []
    offset = 0
    value = cell.value
    for i, part in enumerate(_NEWLINE.split(value)):
        stripped = part.strip()
        if stripped:
            s = offset + len(part) - len(part.lstrip())
            bullet = _CELL_BULLET.match(stripped)
            if bullet and len(stripped) > bullet.end():
                s += bullet.end()
            elif pieces and stripped[0].islower():
                pieces[-1].append((s, offset + len(part.rstrip())))
                offset += len(part)
                nl = _NEWLINE.match(value, offset)
                offset = nl.end() if nl else offset
                continue
            pieces.append([(s, offset + len(part.rstrip()))])
            parts.append([cell.line + i])
        offset += len(part)
        nl = _NEWLINE.match(value, offset)
        offset = nl.end() if nl else offset
    out: list[tuple[str, Span]] = []
    for ranges, (ln,) in zip(pieces, parts, strict=True):
        text = " ".join(value[s:e] for s, e in ranges)
        if cell.literal:
            span = Span(start=cell.start + ranges[0][0], end=cell.start + ranges[-1][1], line=ln)
        else:
            span = Span(start=cell.start, end=cell.end, line=cell.line)
        out.append((text, span))
    return out


def _cell(cells: list[_Cell], i: int | None) -> _Cell | None:
    return cells[i] if i is not None and i < len(cells) else None


def _fields(n: int) -> str:
    return "1 field" if n == 1 else f"{n} fields"


def parse_csv(
    text: str,
    header: Header | None = None,
    *,
    per_owner: bool = False,
    max_fields: int | None = None,
    columns: ColumnMap | None = None,
) -> OkrSet:
    """Read CSV text. Raises ParseError for a missing column or when no objective results,
    LimitExceededError for a row of more than `max_fields` fields.

    `per_owner`: a blank team or owner cell repeats the one above (a merged or
    filled-down spreadsheet column), and objectives are told apart by team and
    owner as well as by text, so that a file of many authors can be split into
    their sets by (team, owner).
    """
    if header is None:
        header = find_header(text, columns) or _guess_header(text, columns)
    if header.unmatched:
        found = ", ".join(n for n in header.names if n) or "none"
        raise ParseError(
            f"no column named as given ({', '.join(header.unmatched)}; columns found: {found})",
            columns=[n for n in header.names if n],
            line=header.line,
        )
    if not header.complete:
        missing = []
        if header.objective is None:
            missing.append("objective")
        if not header.key_results:
            missing.append("key_result")
        found = ", ".join(n for n in header.names if n) or "none"
        raise ParseError(
            f"the CSV header has no {' and no '.join(missing)} column (columns found: {found})",
            columns=[n for n in header.names if n],
            line=header.line,
        )
    d = header.delimiter
    pipe = d == "|"
    width = len(header.names)
    need = max([header.objective or 0, header.key_results[0]]) + 1
    objectives: list[Objective] = []
    by_text: dict[str, Objective] = {}
    warnings: list[ParseWarning] = []
    current: Objective | None = None
    filled: dict[str, str | None] = {"team": None, "owner": None}

    def warn(line: int, message: str, s: int, e: int) -> None:
        warnings.append(ParseWarning(line=line, message=message, text=text[s:e].strip()[:300]))

    for line, rs, re_, cells in _rows(text, header.end, d, header.line + 1, max_fields):
        row_text = text[rs:re_]
        if not row_text.strip():
            continue
        if pipe:
            if cells and not cells[0].value.strip() and row_text.lstrip().startswith("|"):
                cells = cells[1:]
            if cells and not cells[-1].value.strip() and row_text.rstrip().endswith("|"):
                cells = cells[:-1]
            if cells and all(_SEPARATOR_CELL.fullmatch(c.value) for c in cells):
                continue
        if len(cells) < need or (
            len(cells) > width and any(c.value.strip() for c in cells[width:])
        ):
            warn(
                line,
                f"row has {_fields(len(cells))} but the header has {_fields(width)}; skipped "
                "(put cells that contain the delimiter in double quotes)",
                rs,
                re_,
            )
            continue

        obj_cell = _cell(cells, header.objective)
        kr_cells = [
            c for c in (_cell(cells, i) for i in header.key_results) if c and c.value.strip()
        ]
        obj_text = obj_cell.value.strip() if obj_cell else ""
        if per_owner:
            for attr, idx in (("team", header.team), ("owner", header.owner)):
                c = _cell(cells, idx)
                if c is not None and c.value.strip():
                    filled[attr] = _SPACES.sub(" ", c.value.strip())
            if (
                not obj_text
                and current is not None
                and (current.team, current.owner) != (filled["team"], filled["owner"])
            ):
                # A new author's first row must name its objective.
                current = None
                warn(
                    line,
                    "row has a key result but no objective, and the row above belongs to "
                    "another team or owner; skipped",
                    rs,
                    re_,
                )
                continue
        if obj_text:
            value, span = _span_of(obj_cell)  # type: ignore[arg-type]
            key = value.casefold()
            if per_owner:
                key = f"{filled['team']}\x00{filled['owner']}\x00{key}"
            obj = by_text.get(key)
            if obj is None:
                obj = Objective(text=value, span=span)
                if per_owner:
                    obj.team, obj.owner = filled["team"], filled["owner"]
                by_text[key] = obj
                objectives.append(obj)
            for attr, idx in (("team", header.team), ("owner", header.owner)):
                c = _cell(cells, idx)
                if c is not None and c.value.strip() and getattr(obj, attr) is None:
                    setattr(obj, attr, _SPACES.sub(" ", c.value.strip()))
            current = obj
        elif not kr_cells:
            warn(line, "row has neither an objective nor a key result; skipped", rs, re_)
            continue
        elif current is None:
            warn(
                line,
                "row has a key result but no objective, and no objective comes before it; skipped",
                rs,
                re_,
            )
            continue
        for c in kr_cells:
            for value, span in _kr_lines(c):
                current.key_results.append(KeyResult(text=value, span=span))
    if not objectives:
        raise ParseError("the CSV has a header but no rows with an objective")
    return OkrSet(
        objectives=objectives,
        warnings=warnings,
        source_format="markdown" if pipe else "csv",
    )
