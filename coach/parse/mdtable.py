"""Markdown tables inside pasted text: "| Objective | Key result | Status |" under a heading.

A draft that is only a table is read by `tabular` (its first line is the header).
OKR.md files put their tables further down, one per quarter or per objective, so
`lines.scan` finds them here and hands each one on as a single item; `text` reads
its rows.

A table is a header row, a delimiter row ("|---|:---:|") with as many cells, and the
rows after it up to a blank line or a line without a "|". Its columns are read by
their header:

- objective, key result(s) (also "KR1, KR2", "metric", "KPI"), team, owner;
- a period ("H1", "Q3 2025") or a role (target, baseline, current, due): its cell
  is added to the row's key result in the form of a value line (see `values`):
  "Monthly cloud bill: baseline $42k; target $30k", "Repeat purchase rate: 22% in H1;
  26% in H2";
- status, progress, score, confidence: notes on how it is going, left out (see
  `status`);
- anything else (notes, links, initiatives) is not part of an objective or key result.

A table with neither an objective nor a key-result column is no OKR table: its
lines are read as any other lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .labels import H_OKR, header_kind, trim
from .tabular import _classify  # the column names of a CSV header, shared with CSV files

# Extra names of a key-result column, for a table that lists the KRs of one objective.
_MEASURE_NAMES = frozenset(
    {"metric", "metrics", "measure", "measures", "kpi", "kpis", "indicator", "indicators",
     "successmetric", "successmetrics", "measureofsuccess"}
)  # fmt: skip
_ROLE_NAMES = {
    "target": "target", "targets": "target", "goal": "target", "goalvalue": "target",
    "targetvalue": "target", "to": "target", "baseline": "baseline", "base": "baseline",
    "from": "baseline", "start": "baseline", "startvalue": "baseline", "current": "current",
    "currentvalue": "current", "actual": "current", "now": "current", "today": "current",
    "due": "due", "duedate": "due", "deadline": "due", "by": "due", "when": "due",
    "timeline": "due", "date": "due", "enddate": "due",
}  # fmt: skip
_STATUS_NAMES = frozenset(
    {"status", "progress", "score", "grade", "confidence", "state", "health", "done",
     "complete", "completion", "percentcomplete", "%complete", "%", "rag", "result%"}
)  # fmt: skip
_NORM = re.compile(r"[\s_\-.*`]+")
MAX_COLUMNS = 50  # more is no OKR table
_DELIMITER_ROW = frozenset("|:- \t")
_DELIMITER_CELL = re.compile(r"[ \t]*:?-+:?[ \t]*")
_BREAK = re.compile(r"<br\s*/?>", re.I)

OBJECTIVE, KEY_RESULTS, TEAM, OWNER, ROLE, PERIOD, STATUS = (
    "objective", "key_result", "team", "owner", "role", "period", "status",
)  # fmt: skip


@dataclass(slots=True)
class Cell:
    start: int
    end: int  # text[start:end] is the cell's text, trimmed


@dataclass(slots=True)
class Row:
    line: int
    start: int  # the row's text, trimmed
    end: int
    cells: list[Cell]


@dataclass(slots=True)
class Column:
    kind: str | None  # OBJECTIVE, KEY_RESULTS, ... or None (not used)
    name: str  # the header as written


@dataclass(slots=True)
class Table:
    first_line: int  # the header row
    last_line: int
    header: Row
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)

    @property
    def has_objectives(self) -> bool:
        return any(c.kind == OBJECTIVE for c in self.columns)


def _cells(text: str, start: int, end: int, limit: int = MAX_COLUMNS) -> list[Cell]:
    """The cells of a row: split at "|" (not "\\|"), outer pipes dropped; no more than
    `limit` + 2 (a hostile line of pipes must not become a million cells)."""
    cells: list[Cell] = []
    pos = start
    i = start
    while i < end and len(cells) <= limit:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "|":
            cells.append(Cell(pos, i))
            pos = i + 1
        i += 1
    cells.append(Cell(pos, end))
    if cells and not text[cells[0].start : cells[0].end].strip():
        cells.pop(0)  # before a leading "|"
    if cells and not text[cells[-1].start : cells[-1].end].strip():
        cells.pop()  # after a trailing "|"
    out = []
    for c in cells:
        s, e = trim(text, c.start, c.end)
        out.append(Cell(s, max(s, e)))
    return out


def _column(name: str, role: str | None) -> Column:
    if role is not None:
        return Column(role, name)
    key = _NORM.sub("", name.lower())
    if key in _MEASURE_NAMES:
        return Column(KEY_RESULTS, name)
    if key in _ROLE_NAMES:
        return Column(ROLE, _ROLE_NAMES[key])
    if key in _STATUS_NAMES:
        return Column(STATUS, name)
    if name and header_kind(name) == H_OKR and any(ch.isdigit() for ch in name):
        return Column(PERIOD, name)  # "H1", "Q3 2025"
    return Column(None, name)


def _columns(text: str, header: list[Cell]) -> list[Column]:
    names = [text[c.start : c.end] for c in header]
    h = _classify(names, "|", 0, 0, 0)
    roles: dict[int, str] = {i: KEY_RESULTS for i in h.key_results}
    if h.objective is not None:
        roles[h.objective] = OBJECTIVE
    if h.team is not None:
        roles[h.team] = TEAM
    if h.owner is not None:
        roles[h.owner] = OWNER
    return [_column(name, roles.get(i)) for i, name in enumerate(names)]


def find_tables(text: str, spans: list[tuple[int, int]]) -> dict[int, Table]:
    """The OKR tables of `text` by the line number of their header row."""
    tables: dict[int, Table] = {}
    n = len(spans)
    i = 0
    while i + 1 < n:
        s, e = spans[i]
        if "|" not in text[s:e]:
            i += 1
            continue
        ds, de = spans[i + 1]
        below = text[ds:de]
        if "-" not in below or "|" not in below or not _DELIMITER_ROW.issuperset(below):
            i += 1
            continue
        header = _cells(text, s, e)
        delimiter = _cells(text, ds, de)
        if (
            not 2 <= len(header) <= MAX_COLUMNS
            or len(delimiter) != len(header)
            or not all(_DELIMITER_CELL.fullmatch(text, c.start, c.end) for c in delimiter)
        ):
            i += 1
            continue
        columns = _columns(text, header)
        if not any(c.kind in (OBJECTIVE, KEY_RESULTS) for c in columns):
            i += 2  # no OKR table: its lines are read as lines
            continue
        hs, he = trim(text, s, e)
        table = Table(i + 1, i + 2, Row(i + 1, hs, he, header), columns)
        j = i + 2
        while j < n:
            rs, re_ = spans[j]
            if "|" not in text[rs:re_] or not text[rs:re_].strip():
                break
            rs2, re2 = trim(text, rs, re_)
            table.rows.append(Row(j + 1, rs2, re2, _cells(text, rs, re_, len(header))))
            table.last_line = j + 1
            j += 1
        tables[i + 1] = table
        i = j
    return tables


def cell_parts(text: str, cell: Cell) -> list[tuple[int, int]]:
    """The pieces of a cell split at "<br>" (several key results in one cell)."""
    if "<" not in text[cell.start : cell.end]:
        return [(cell.start, cell.end)] if cell.end > cell.start else []
    parts = []
    pos = cell.start
    for m in _BREAK.finditer(text, cell.start, cell.end):
        parts.append(trim(text, pos, m.start()))
        pos = m.end()
    parts.append(trim(text, pos, cell.end))
    return [(s, e) for s, e in parts if e > s]
