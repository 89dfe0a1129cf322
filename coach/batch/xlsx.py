"""XLSX workbooks -> CSV text per sheet, so that the one CSV reader (`coach.parse.tabular`)
reads spreadsheets too. Each sheet's CSV keeps a map from its lines back to sheet rows,
so that every problem is reported with the row a person sees in the spreadsheet.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import ParseError
from ..parse.tabular import find_header

# Where to look for the header row: spreadsheets often carry a title and a blank row first.
HEADER_SEARCH_ROWS = 15
# Larger workbooks are streamed (openpyxl's read-only mode), which cannot see merged cells.
STREAM_ABOVE_BYTES = 16 * 1024 * 1024


@dataclass
class Sheet:
    """One sheet as CSV text from its header row on; `rows[i]` is the sheet row of line i+1."""

    name: str
    text: str = ""
    rows: list[int] = field(default_factory=list)
    header_row: int | None = None
    merged: int = 0
    reason: str | None = None  # why the sheet is not used

    def row_of(self, line: int) -> int:
        if 1 <= line <= len(self.rows):
            return self.rows[line - 1]
        return self.rows[-1] if self.rows else line


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def read_workbook(data: bytes) -> tuple[list[Sheet], list[str]]:
    """The sheets of a workbook, and notes on how it was read. Raises ParseError."""
    notes: list[str] = []
    stream = len(data) > STREAM_ABOVE_BYTES
    try:
        book = load_workbook(io.BytesIO(data), read_only=stream, data_only=True)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        TypeError,
        OSError,
    ) as exc:
        raise ParseError(
            f"not a readable XLSX workbook ({type(exc).__name__}: {str(exc)[:120]}); "
            "save it again from the spreadsheet as .xlsx or export it as CSV"
        ) from None
    if stream:
        notes.append("large workbook read in streaming mode: merged cells are not filled in")
    try:
        return [_sheet(ws, stream) for ws in book.worksheets], notes
    finally:
        book.close()


def _sheet(ws: Any, stream: bool) -> Sheet:
    sheet = Sheet(name=ws.title)
    grid: list[list[str]] = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    if not stream:
        # A merged range shows its value in every cell it covers: fill it in.
        for rng in ws.merged_cells.ranges:
            top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(grid) else ""
            sheet.merged += 1
            for r in range(rng.min_row, min(rng.max_row, len(grid)) + 1):
                row = grid[r - 1]
                if len(row) < rng.max_col:
                    row.extend([""] * (rng.max_col - len(row)))
                for c in range(rng.min_col, rng.max_col + 1):
                    row[c - 1] = top
    start = None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if not any(c.strip() for c in row):
            continue
        probe = _csv_line(row) + "".join(_csv_line(r) for r in grid[i + 1 : i + 2])
        header = find_header(probe)
        if header is not None and header.complete:
            start = i
            break
    if start is None:
        sheet.reason = (
            f"no header row with an objective and a key-result column in its first "
            f"{HEADER_SEARCH_ROWS} rows"
        )
        return sheet
    sheet.header_row = start + 1
    parts: list[str] = []
    for r, row in enumerate(grid[start:], start=start + 1):
        while row and not row[-1]:
            row = row[:-1]
        if not row:
            continue
        line = _csv_line(row)
        parts.append(line)
        sheet.rows.extend([r] * line.count("\n"))
    sheet.text = "".join(parts)
    return sheet
