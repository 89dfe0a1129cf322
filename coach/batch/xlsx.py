"""XLSX workbooks -> CSV text per sheet, so that the one CSV reader (`coach.parse.tabular`)
reads spreadsheets too. Each sheet's CSV keeps a map from its lines back to sheet rows,
so that every problem is reported with the row a person sees in the spreadsheet.

Nothing reaches the spreadsheet library unvetted. `vet()` reads the zip's central
directory first and refuses a workbook whose parts would unpack too large or are packed
too tightly; then it inflates each XML part it keeps, counting the bytes against the same
limits as they come (a directory can lie), and scans every part for cells and merged
ranges: the last row, the last column, the cells from A1 to there, how many merged ranges
and whether one is larger than the sheet's data. What it read is written uncompressed to
a private temporary file, and only that file is given to the library. A workbook over a
limit raises `LimitExceededError` naming it; a broken one `ParseError`.

The library is python-calamine, chosen on these figures (this machine, 2 cores; the sample
team's 60,483-row sheet, 1.5 MB): calamine 0.15 s and +23 MB peak RSS, openpyxl 2.8 s and
+111 MB (its read-only mode 1.5 s and +6 MB, but without merged cells). Unvetted, each
falls to a bomb: openpyxl's merged cells grow to a MemoryError at 3 GB after 29 s on the
merge bomb and are still inflating the 2 GiB deflate bomb after 60 s; calamine lists the
merge bomb's range without filling it, but aborts the whole process (SIGABRT) on the
deflate bomb and on a 1.7 KB sheet with one cell at XFD1048576, which is why the scan
bounds the sheet's extent, not just its byte size.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, Any
from xml.sax.saxutils import unescape

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, XmlError, ZipError

from ..errors import LimitExceededError, ParseError
from ..parse.columns import ColumnMap
from ..parse.tabular import find_header
from .settings import BatchSettings

# Where to look for the header row: spreadsheets often carry a title and a blank row first.
HEADER_SEARCH_ROWS = 15
# A part smaller than this may be packed as tightly as it likes: XML compresses well.
RATIO_FLOOR = 1024 * 1024
# The zip's central directory (~46 bytes and a name per part): a workbook has tens of parts.
MAX_DIRECTORY_BYTES = 1024 * 1024
# The workbook's own description parts, read whole to name the sheets.
MAX_WORKBOOK_PART = 4 * 1024 * 1024
CHUNK = 1024 * 1024
# Parts no reader of cell values needs: never inflated.
_SKIPPED_DIRS = (
    "xl/media/", "xl/drawings/", "xl/charts/", "xl/theme/", "xl/embeddings/", "xl/diagrams/",
    "xl/printerSettings/", "xl/activeX/", "xl/ctrlProps/", "docProps/", "customXml/",
)  # fmt: skip


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.1f} MB"


@dataclass
class Sheet:
    """One sheet as CSV text from its header row on; `rows[i]` is the sheet row of line i+1."""

    name: str
    text: str = ""
    rows: list[int] = field(default_factory=list)
    header_row: int | None = None
    merged: int = 0
    reason: str | None = None  # why the sheet is not used
    columns: list[str] = field(default_factory=list)  # no header found: its first row's cells

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
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


# -- vetting ------------------------------------------------------------------------------


def column_name(n: int) -> str:
    """1 -> A, 16384 -> XFD."""
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
# A start tag of a row, a cell or a merged range, with any prefix; attribute values may
# hold '>' (XML allows it), so quoted values are matched whole.
_TAG = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?(row|c|mergeCell)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(raw)}  # fmt: skip


def _ref(value: bytes, part: str) -> tuple[int, int]:
    """'AB12' -> (row 12, column 28)."""
    m = _REF.fullmatch(value.strip())
    if m is None:
        raise ParseError(f"{part}: a cell reference '{value[:20].decode(errors='replace')}' "
                         "cannot be read")  # fmt: skip
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ch - 64
    return int(m.group(2)), col


class _PartScan:
    """Cells and merged ranges of one part, scanned as it inflates, each limit checked as
    soon as it is crossed."""

    def __init__(self, sheet: str, limits: BatchSettings):
        self.sheet = sheet
        self.limits = limits
        self.row = 0  # the current row element's number
        self.col = 0  # the last cell's column in it
        self.max_row = 0
        self.max_col = 0
        self.cells = 0
        self.merges = 0
        self.merged_cells = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        buf = self._tail + chunk
        cut = buf.rfind(b"<")
        if cut > buf.rfind(b">"):  # a tag continues in the next chunk
            self._tail, buf = buf[cut:], buf[:cut]
            if len(self._tail) > CHUNK:
                raise ParseError(f"sheet '{self.sheet}': a tag longer than 1 MB")
        else:
            self._tail = b""
        for m in _TAG.finditer(buf):
            self._tag(m.group(1), _attrs(m.group(2)))

    def _tag(self, name: bytes, attrs: dict[bytes, bytes]) -> None:
        r = attrs.get(b"r")
        if name == b"row":
            if r is not None and not r.strip().isdigit():
                shown = r[:20].decode(errors="replace")
                raise ParseError(f"sheet '{self.sheet}': a row number '{shown}' cannot be read")
            self.row = int(r) if r is not None else self.row + 1
            self.col = 0
            self._extent(self.row, self.max_col)
        elif name == b"c":
            row, col = _ref(r, self.sheet) if r is not None else (self.row or 1, self.col + 1)
            self.col = col
            self.cells += 1
            self._extent(row, col)
            if self.cells > self.limits.max_cells:
                self._too_many_cells(self.cells)
        else:
            self._merge(attrs.get(b"ref", b""))

    def _extent(self, row: int, col: int) -> None:
        s = self.limits
        if row > self.max_row:
            self.max_row = row
            if row > s.max_rows:
                raise LimitExceededError(
                    f"sheet '{self.sheet}' reaches row {row:,}; a sheet may have at most "
                    f"{s.max_rows:,} rows", limit="max_rows", max=s.max_rows, actual=row,
                )  # fmt: skip
        if col > self.max_col:
            self.max_col = col
            if col > s.max_columns:
                raise LimitExceededError(
                    f"sheet '{self.sheet}' reaches column {column_name(col)} ({col:,}); a "
                    f"sheet may have at most {s.max_columns:,} columns",
                    limit="max_columns", max=s.max_columns, actual=col,
                )  # fmt: skip
        if self.max_row * self.max_col > s.max_cells:
            self._too_many_cells(self.max_row * self.max_col)

    def _too_many_cells(self, n: int) -> None:
        s = self.limits
        raise LimitExceededError(
            f"sheet '{self.sheet}' spans A1:{column_name(self.max_col)}{self.max_row} "
            f"({n:,} cells); a sheet may have at most {s.max_cells:,} cells",
            limit="max_cells", max=s.max_cells, actual=n,
        )  # fmt: skip

    def _merge(self, ref: bytes) -> None:
        s = self.limits
        self.merges += 1
        if self.merges > s.max_merged_ranges:
            raise LimitExceededError(
                f"sheet '{self.sheet}' has more than {s.max_merged_ranges:,} merged cell ranges",
                limit="max_merged_ranges", max=s.max_merged_ranges, actual=self.merges,
            )  # fmt: skip
        first, _, last = ref.partition(b":")
        r0, c0 = _ref(first, self.sheet)
        r1, c1 = _ref(last, self.sheet) if last else (r0, c0)
        area = (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)
        data = self.max_row * self.max_col
        if area > data:
            name = ref.decode(errors="replace")[:40]
            end = f"A1:{column_name(self.max_col)}{self.max_row}" if data else "no cells"
            raise LimitExceededError(
                f"sheet '{self.sheet}' has a merged range {name} of {area:,} cells, larger than "
                f"the sheet's data ({data:,} cells, {end}); a merged range may not cover more "
                "cells than the sheet holds",
                limit="merged_range", max=data, actual=area,
            )  # fmt: skip
        self.merged_cells += area
        if self.merged_cells > s.max_cells:
            raise LimitExceededError(
                f"the merged ranges of sheet '{self.sheet}' cover more than {s.max_cells:,} "
                "cells", limit="max_cells", max=s.max_cells, actual=self.merged_cells,
            )  # fmt: skip


def _directory_size(f: IO[bytes]) -> int:
    """The size of the zip's central directory, from its end record (zip64 too)."""
    f.seek(0, io.SEEK_END)
    size = f.tell()
    f.seek(max(0, size - 65_557))
    tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise zipfile.BadZipFile("no end of central directory")
    cd_size = struct.unpack_from("<I", tail, at + 12)[0]
    if cd_size == 0xFFFFFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        f.seek(struct.unpack_from("<Q", tail, at - 12)[0])
        record = f.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            cd_size = struct.unpack_from("<Q", record, 40)[0]
    return cd_size


def _kept(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels")) and not name.startswith(_SKIPPED_DIRS)


def _sheet_names(zf: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Part path -> the sheet's name, from the workbook and its relationships."""

    def small(name: str) -> bytes:
        info = parts.get(name)
        if info is None or info.file_size > MAX_WORKBOOK_PART:
            return b""
        with zf.open(info) as f:
            return f.read(MAX_WORKBOOK_PART + 1)[:MAX_WORKBOOK_PART]

    targets = {}
    for m in re.finditer(rb"<(?:\w+:)?Relationship\s([^>]*)>", small("xl/_rels/workbook.xml.rels")):
        a = _attrs(m.group(1))
        target = a.get(b"Target", b"").decode(errors="replace")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[a.get(b"Id", b"")] = path
    names = {}
    for m in re.finditer(rb"<(?:\w+:)?sheet\s([^>]*)>", small("xl/workbook.xml")):
        a = _attrs(m.group(1))
        rid = next((v for k, v in a.items() if k.endswith(b":id") or k == b"id"), b"")
        if rid in targets:
            names[targets[rid]] = unescape(a.get(b"name", b"").decode(errors="replace"))
    return names


def vet(source: IO[bytes], out: IO[bytes], limits: BatchSettings) -> None:
    """Check the workbook in `source` against the limits and write its XML parts, inflated,
    to `out` (a stored zip). Raises LimitExceededError or ParseError."""
    try:
        cd_size = _directory_size(source)
        if cd_size > MAX_DIRECTORY_BYTES:
            raise LimitExceededError(
                f"the workbook's zip directory is {_mb(cd_size)}; a workbook's is at most "
                f"{_mb(MAX_DIRECTORY_BYTES)} (tens of parts, not tens of thousands)",
                limit="zip_directory", max=MAX_DIRECTORY_BYTES, actual=cd_size,
            )  # fmt: skip
        source.seek(0)
        zf = zipfile.ZipFile(source)
        _copy(zf, out, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            OSError, ValueError, struct.error) as exc:  # fmt: skip
        raise ParseError(
            f"not a readable XLSX workbook ({type(exc).__name__}: {str(exc)[:120]}); "
            "save it again from the spreadsheet as .xlsx or export it as CSV"
        ) from None


def _copy(zf: zipfile.ZipFile, out: IO[bytes], limits: BatchSettings) -> None:
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if not _kept(info.filename):
            continue
        if info.filename in parts:
            raise zipfile.BadZipFile(f"two parts named {info.filename[:80]}")
        if info.flag_bits & 0x1:
            raise ParseError("the workbook is password-protected: save a copy without a password")
        parts[info.filename] = info
    if "xl/workbook.xml" not in parts:
        raise zipfile.BadZipFile("a zip file, but not a workbook (no xl/workbook.xml)")
    cap, ratio = limits.max_xlsx_unpacked_bytes, limits.max_xlsx_ratio
    declared = sum(i.file_size for i in parts.values())
    if declared > cap:
        _too_large(declared, cap)
    for info in parts.values():
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(1, info.compress_size):
            _too_packed(info.filename, info.file_size, info.compress_size, ratio)
    names = _sheet_names(zf, parts)
    total = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name, info in parts.items():
            scan = _PartScan(names.get(name, name), limits)
            inflated = 0
            entry = zipfile.ZipInfo(name, date_time=info.date_time)
            with zf.open(info) as src, dst.open(entry, "w", force_zip64=cap >= 1 << 31) as w:
                while chunk := src.read(CHUNK):
                    # The directory's sizes were checked above; the bytes are counted too,
                    # since only what is counted here reaches the library.
                    inflated += len(chunk)
                    total += len(chunk)
                    if total > cap:
                        _too_large(total, cap)
                    if inflated > RATIO_FLOOR and inflated > ratio * max(1, info.compress_size):
                        _too_packed(name, inflated, info.compress_size, ratio)
                    scan.feed(chunk)
                    w.write(chunk)


def _too_large(size: int, cap: int) -> None:
    raise LimitExceededError(
        f"the workbook unpacks to {_mb(size)}; a workbook may unpack to at most {_mb(cap)}",
        limit="max_xlsx_unpacked_bytes", max=cap, actual=size,
    )  # fmt: skip


def _too_packed(name: str, size: int, packed: int, ratio: int) -> None:
    actual = size // max(1, packed)
    raise LimitExceededError(
        f"the workbook's part {name[:80]} unpacks to {_mb(size)} from {packed:,} bytes, "
        f"{actual:,} times its size (a compression bomb); a part may unpack to at most "
        f"{ratio:,} times its size",
        limit="max_xlsx_ratio", max=ratio, actual=actual,
    )  # fmt: skip


# -- reading ------------------------------------------------------------------------------


def read_workbook(
    source: IO[bytes], limits: BatchSettings, columns: ColumnMap | None = None
) -> tuple[list[Sheet], list[str]]:
    """The sheets of a workbook, and notes on how it was read. Raises ParseError, or
    LimitExceededError for a workbook over a limit (before the library reads a byte)."""
    with tempfile.NamedTemporaryFile(prefix="okr-coach-", suffix=".xlsx") as vetted:
        vet(source, vetted, limits)
        vetted.flush()
        try:
            book = CalamineWorkbook.from_path(vetted.name)
            try:
                return [
                    _sheet(book.get_sheet_by_name(m.name), columns)
                    for m in book.sheets_metadata
                    if str(m.typ).endswith("WorkSheet")
                ], []
            finally:
                book.close()
        except (CalamineError, PasswordError, XmlError, ZipError, ValueError) as exc:
            raise ParseError(
                f"not a readable XLSX workbook ({type(exc).__name__}: {str(exc)[:120]}); "
                "save it again from the spreadsheet as .xlsx or export it as CSV"
            ) from None


def _sheet(ws: Any, columns: ColumnMap | None = None) -> Sheet:
    sheet = Sheet(name=ws.name)
    start = ws.start
    lead = [""] * (start[1] if start else 0)  # rows start at the first used column
    grid: list[list[str]] = [lead + [_cell_text(v) for v in row] for row in ws.iter_rows()]
    # A merged range shows its value in every cell it covers: fill it in. The vetting has
    # kept every range within the sheet's data and their cells within OKR_COACH_BATCH_MAX_CELLS.
    for (r0, c0), (r1, c1) in ws.merged_cell_ranges or []:
        sheet.merged += 1
        top = grid[r0][c0] if r0 < len(grid) and c0 < len(grid[r0]) else ""
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c] = top
    start_row = None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if not any(c.strip() for c in row):
            continue
        if not sheet.columns:
            sheet.columns = [c.strip() for c in row if c.strip()][:100]
        probe = _csv_line(row) + "".join(_csv_line(r) for r in grid[i + 1 : i + 2])
        header = find_header(probe, columns)
        if header is not None and header.complete:
            start_row = i
            break
    if start_row is None:
        sheet.reason = (
            f"no header row with an objective and a key-result column in its first "
            f"{HEADER_SEARCH_ROWS} rows"
        )
        return sheet
    sheet.header_row = start_row + 1
    sheet.columns = []
    parts: list[str] = []
    for r, row in enumerate(grid[start_row:], start=start_row + 1):
        while row and not row[-1]:
            row = row[:-1]
        if not row:
            continue
        line = _csv_line(row)
        parts.append(line)
        sheet.rows.extend([r] * line.count("\n"))
    sheet.text = "".join(parts)
    return sheet
