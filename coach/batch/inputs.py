"""Read the files a coach has into OKR sets, one per author, and say what was not used.

- CSV / TSV (and pasted tables): `team, owner, objective, key_result` columns, read by
  the one CSV reader (`coach.parse.tabular`, `per_owner=True`); one set per (team, owner);
- XLSX: every sheet with such a header row, merged cells filled in (`xlsx.py`);
- JSON: one set, a list of sets, or `{"sets": [...]}`; JSON Lines: one set per line;
- text / Markdown drafts (a folder of them): one set per file, the file name as owner,
  a sub-folder's name as team.

Nothing here raises for a bad file or row: each problem becomes a `SkippedItem` with
its line or row and the reason, and the rest of the batch goes on. A file over one of the
limits that protect the reader (`BatchSettings`: rows, columns, cells, merged ranges, an
XLSX part's unpacked size and ratio) is different: those are checked before the parser
or the spreadsheet library builds anything, and `LimitExceededError` ends the whole read,
naming the file, the limit and its setting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import IO, Any

from ..config import get_settings
from ..errors import LimitExceededError, ParseError
from ..models import OkrSet
from ..parse import parse, parse_csv, parse_structured
from ..parse.columns import ColumnMap
from ..parse.sniff import BINARY, decode, sniff
from ..parse.tabular import _SPACES, DELIMITERS, Header, _cell, _rows, find_header
from .models import SKIPPED_KEPT, BatchInput, BatchSet, FileReport, SkippedItem, reason_key
from .settings import BatchSettings, setting_name
from .xlsx import read_workbook

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ""}
TABLE_SUFFIXES = {".csv", ".tsv", ".tab"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
EXCERPT = 120
# A table is parsed CHUNK_ROWS rows at a time (cut where a new author's first row starts),
# and sets are handed to a sink SINK_SETS at a time: an upload of any size is read in
# about the memory of one chunk, never as all its rows or sets at once.
CHUNK_ROWS = 2000
SINK_SETS = 1000
Sink = Callable[[list[BatchSet]], None]
try:  # glibc's malloc_trim, where there is one
    _libc: ctypes.CDLL | None = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _libc.malloc_trim.argtypes = [ctypes.c_size_t]
except (OSError, AttributeError):
    _libc = None


@dataclass
class InputFile:
    """A file to read: its name as the user knows it (path or upload name) and its bytes,
    or a seekable binary `file` holding them (an upload spooled to disk)."""

    name: str
    data: bytes = b""
    team: str | None = None  # from a sub-folder of a drafts folder
    in_folder: bool = False
    file: IO[bytes] | None = None

    def size(self) -> int:
        if self.file is None:
            return len(self.data)
        self.file.seek(0, io.SEEK_END)
        return self.file.tell()

    def stream(self) -> IO[bytes]:
        """The bytes as a file, from the start; a workbook is read from it in place."""
        if self.file is None:
            return io.BytesIO(self.data)
        self.file.seek(0)
        return self.file

    def read(self) -> bytes:
        """All the bytes (text and tables are decoded whole, within the file-size limit)."""
        return self.data if self.file is None else self.stream().read()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


class _Collector:
    """Numbers the sets in order and keeps the batch within its limits.

    Without a `sink` the sets are kept in `result.sets` (the command line reviews them in
    memory); with one, they are handed to it in lists of `SINK_SETS` as they are read and
    `result.sets` stays empty (the service writes them to the store as they come)."""

    def __init__(
        self, settings: BatchSettings, columns: ColumnMap | None = None, sink: Sink | None = None
    ):
        self.settings = settings
        self.columns = columns or None  # the columns a coach named, for every table
        self.result = BatchInput()
        self.sink = sink
        self._pending: list[BatchSet] = []

    def add(
        self,
        report: FileReport,
        where: str,
        okr: dict[str, Any] | None,
        skip: Callable[[SkippedItem], None] | None = None,
        **fields: Any,
    ) -> None:
        """Add one set (`okr` is the structured shape; text drafts pass kind/draft in fields)."""
        s = self.settings
        if self.result.total >= s.max_sets:
            (skip or report.skip)(
                SkippedItem(
                    where=where,
                    reason=f"the batch already has {s.max_sets:,} OKR sets, the most one batch "
                    "takes (OKR_COACH_BATCH_MAX_SETS); not reviewed",
                )
            )
            return
        if okr is not None:
            fields.setdefault("kind", "json")
            fields.setdefault("draft", json.dumps(okr, ensure_ascii=False, separators=(",", ":")))
        bs = BatchSet(seq=self.result.total, **fields)
        self.result.total += 1
        if self.sink is None:
            self.result.sets.append(bs)
        else:
            self._pending.append(bs)
            if len(self._pending) >= SINK_SETS:
                self.flush()
        report.sets += 1
        report.key_results += bs.key_results

    def flush(self) -> None:
        if self.sink is not None and self._pending:
            sets, self._pending = self._pending, []
            self.sink(sets)


class _Deferred:
    """Skipped items of a table's sets, noted after its rows' warnings as a whole-file read
    notes them: the first SKIPPED_KEPT kept whole (no more can be listed), the rest counted
    per reason, so that the report's list, totals and counts come out the same."""

    def __init__(self) -> None:
        self.items: list[SkippedItem] = []
        self.more: dict[str, int] = {}

    def __call__(self, item: SkippedItem) -> None:
        if len(self.items) < SKIPPED_KEPT:
            self.items.append(item)
        else:
            key = reason_key(item.reason)
            self.more[key] = self.more.get(key, 0) + 1

    def replay(self, report: FileReport) -> None:
        for item in self.items:
            report.skip(item)
        for key, n in self.more.items():
            for _ in range(n):
                report.skipped_total += 1
                report._count(key)
        self.items, self.more = [], {}


def read_paths(
    paths: Iterable[str | Path],
    settings: BatchSettings | None = None,
    columns: ColumnMap | None = None,
) -> BatchInput:
    """Read files and folders given on the command line (`columns`: what the coach named)."""
    settings = settings or BatchSettings()
    col = _Collector(settings, columns)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not files:
                col.result.files.append(_unused(str(path), "the folder holds no files"))
            for f in files:
                rel = f.relative_to(path)
                team = rel.parts[-2] if len(rel.parts) > 1 else None
                _read_path(f, str(f), col, team=team, in_folder=True)
        else:
            _read_path(path, str(raw), col)
    return col.result


def read_files(
    files: Iterable[InputFile],
    settings: BatchSettings | None = None,
    columns: ColumnMap | None = None,
    sink: Sink | None = None,
) -> BatchInput:
    """Read uploaded files (name and bytes; `columns`: what the coach named).

    With a `sink`, the sets go to it in order as they are read, a few at a time (the
    result has their number in `total` and no `sets`): memory stays that of one chunk
    of one file, whatever the upload's size."""
    settings = settings or BatchSettings()
    col = _Collector(settings, columns, sink)
    for f in files:
        read_one(f, col)
    col.flush()
    return col.result


def _unused(name: str, reason: str, **fields: Any) -> FileReport:
    return FileReport(
        file=name, used=False, skipped=[SkippedItem(where="whole file", reason=reason)], **fields
    )


def _read_path(path: Path, name: str, col: _Collector, **kw: Any) -> None:
    try:
        size = path.stat().st_size
        if size > col.settings.max_file_bytes:
            col.result.files.append(_too_large(name, size, col.settings))
            return
        data = path.read_bytes()
    except FileNotFoundError:
        col.result.files.append(_unused(name, "no such file"))
        return
    except OSError as exc:
        col.result.files.append(_unused(name, f"cannot read: {exc.strerror or exc}"))
        return
    read_one(InputFile(name=name, data=data, **kw), col)


def _too_large(name: str, size: int, settings: BatchSettings) -> FileReport:
    return _unused(
        name,
        f"the file is {_mb(size)}; the largest file a batch reads is "
        f"{_mb(settings.max_file_bytes)} (OKR_COACH_BATCH_MAX_FILE_BYTES): split it",
        size_bytes=size,
    )


def read_one(f: InputFile, col: _Collector) -> None:
    """Read one file into the collector; every outcome ends in a FileReport.
    Raises LimitExceededError (naming the file and the setting) for a file over a limit."""
    try:
        _read_one(f, col)
    except LimitExceededError as exc:
        raise exc.named(f.name, setting_name(exc.limit)) from None


def _read_one(f: InputFile, col: _Collector) -> None:
    size = f.size()
    if size > col.settings.max_file_bytes:
        col.result.files.append(_too_large(f.name, size, col.settings))
        return
    report = FileReport(file=f.name, size_bytes=size)
    col.result.files.append(report)
    suffix = PurePath(f.name).suffix.lower()
    head = f.stream().read(8)
    try:
        if size == 0:
            raise ParseError("the file is empty")
        if suffix in XLSX_SUFFIXES or head.startswith(b"PK\x03\x04"):
            _read_xlsx(f, report, col)
            return
        if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
            raise ParseError("old Excel .xls files are not read: save the sheet as .xlsx or CSV")
        data = f.read()
        if not data.strip():
            raise ParseError("the file is empty")
        text = _decode(data, report)
        del data  # the text is all that is needed from here on
        if suffix in JSONL_SUFFIXES:
            _read_jsonl(text, f, report, col)
        elif suffix == ".json":
            _read_json_text(text, f, report, col)
        elif suffix in TABLE_SUFFIXES:
            _read_table(text, f, report, col)
        elif f.in_folder and suffix in TEXT_SUFFIXES:
            _read_draft(text, f, report, col)
        else:
            fmt, _ = sniff(text)
            if fmt == "json":
                _read_json_text(text, f, report, col)
            elif fmt == "csv":
                _read_table(text, f, report, col)
            else:
                _read_draft(text, f, report, col)
    except ParseError as exc:
        if exc.columns and not report.sets:
            report.columns = exc.columns
        report.used = report.sets > 0
        report.skip(
            SkippedItem(
                where="whole file" if not report.sets else "rest of file", reason=exc.message
            )
        )
    if report.used and report.sets == 0:
        report.used = False
        if not report.skipped:
            report.skip(SkippedItem(where="whole file", reason="no OKR set found"))
    if report.used:
        report.columns = []  # a sheet without a header beside ones read: nothing to map


# -- decoding -------------------------------------------------------------------------


_BOM_NAMES = (
    (b"\xef\xbb\xbf", "UTF-8 with byte-order mark"),
    (b"\xff\xfe\x00\x00", "UTF-32 (byte-order mark)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (byte-order mark)"),
    (b"\xff\xfe", "UTF-16 (byte-order mark)"),
    (b"\xfe\xff", "UTF-16 (byte-order mark)"),
)


def _decode(data: bytes, report: FileReport) -> str:
    """UTF-8, UTF-16/32 with a BOM, else Windows-1252 (said so in the report)."""
    try:
        text = decode(data, max_chars=len(data) + 4)
    except ParseError as exc:
        if exc.message == BINARY:
            raise ParseError("the file looks like binary data, not text or a spreadsheet") from None
        bad = _first_invalid_utf8(data)
        try:
            text = data.decode("cp1252")
            report.encoding = "Windows-1252"
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            report.encoding = "Latin-1"
        report.notes.append(
            f"not valid UTF-8 (byte 0x{data[bad]:02x} at offset {bad}): read as "
            f"{report.encoding}; check accented letters, or save the file as UTF-8"
        )
        return text
    report.encoding = next((n for bom, n in _BOM_NAMES if data.startswith(bom)), "UTF-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _first_invalid_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


# -- tables ---------------------------------------------------------------------------


def _read_table(text: str, f: InputFile, report: FileReport, col: _Collector) -> None:
    report.format = "csv"
    _check_table(text, col.settings)
    _table_sets(text, f.name, report, col, at=lambda line: f"line {line}", span="lines")


def _check_table(text: str, s: BatchSettings) -> None:
    """Rows and header columns of a CSV text, counted before the parser builds anything."""
    lines = _line_breaks(text, 0, len(text)) + (not text.endswith(("\n", "\r")))
    if lines > s.max_rows:
        rows = _rows_outside_quotes(text)
        if rows > s.max_rows:
            raise LimitExceededError(
                f"the file has {rows:,} rows; a file may have at most {s.max_rows:,}",
                limit="max_rows", max=s.max_rows, actual=rows,
            )  # fmt: skip
    first = next((line for line in _first_lines(text) if line.strip()), "")
    columns = 1 + max(first.count(d) for d in DELIMITERS)
    if columns > s.max_columns:
        raise LimitExceededError(
            f"the header row has {columns:,} columns; a file may have at most "
            f"{s.max_columns:,}", limit="max_columns", max=s.max_columns, actual=columns,
        )  # fmt: skip


def _line_breaks(text: str, start: int, end: int) -> int:
    return text.count("\n", start, end) + text.count("\r", start, end) - text.count(
        "\r\n", start, end
    )


def _rows_outside_quotes(text: str) -> int:
    """Rows of a CSV text: line breaks outside double-quoted cells (a cell quoted over
    several lines is one row). Counted in place, never copying the text."""
    rows, pos, inside = 0, 0, False
    while True:
        quote = text.find('"', pos)
        end = len(text) if quote < 0 else quote
        if not inside:
            rows += _line_breaks(text, pos, end)
        if quote < 0:
            return rows + (not text.endswith(("\n", "\r")))
        inside, pos = not inside, quote + 1


def give_back_memory() -> None:
    """After a large read: collect, and hand freed heap pages back to the system (glibc
    keeps them otherwise; measured: 481 MB resident left after six 60 MB uploads)."""
    gc.collect()
    if _libc is not None:
        _libc.malloc_trim(0)


def _first_lines(text: str, n: int = 20) -> Iterable[str]:
    pos = 0
    for _ in range(n):
        end = text.find("\n", pos)
        yield text[pos:] if end < 0 else text[pos:end]
        if end < 0:
            return
        pos = end + 1


def _read_xlsx(f: InputFile, report: FileReport, col: _Collector) -> None:
    report.format = "xlsx"
    sheets, notes = read_workbook(f.stream(), col.settings, col.columns)
    report.notes += notes
    used = 0
    for sheet in sheets:
        if sheet.reason:
            report.skip(SkippedItem(where=f"sheet '{sheet.name}'", reason=sheet.reason))
            if sheet.columns and not report.columns:
                report.columns = sheet.columns
            continue
        if sheet.header_row and sheet.header_row > 1:
            report.notes.append(
                f"sheet '{sheet.name}': header on row {sheet.header_row}; the rows above it "
                "were not read"
            )
        if sheet.merged:
            report.notes.append(
                f"sheet '{sheet.name}': {sheet.merged} merged cell ranges, each read as its "
                "value repeated in every cell it covers"
            )
        before = report.sets
        try:
            _table_sets(
                sheet.text,
                f"{f.name} sheet '{sheet.name}'",
                report,
                col,
                at=lambda line, s=sheet: f"row {s.row_of(line)} of sheet '{s.name}'",
                span="rows",
                row_of=sheet.row_of,
            )
        except ParseError as exc:
            report.skip(SkippedItem(where=f"sheet '{sheet.name}'", reason=exc.message))
            if exc.columns and not report.columns:
                report.columns = exc.columns
        if report.sets > before:
            used += 1
    if sheets and used:
        report.notes.append(f"sheets read: {used} of {len(sheets)}")


def _table_sets(
    text: str,
    source: str,
    report: FileReport,
    col: _Collector,
    *,
    at: Callable[[int], str],
    span: str,
    row_of: Callable[[int], int] | None = None,
) -> None:
    """The sets of one table (a CSV file or a sheet), read CHUNK_ROWS rows at a time.

    A chunk ends just before a row that starts a new author's sets with every team and
    owner cell filled in, so each chunk parses on its own exactly as it does inside the
    whole table (its lines and offsets are the table's). A table where an author's rows
    come back after another's, or one without such rows to cut at, is parsed whole."""
    header = find_header(text, col.columns)
    max_fields = col.settings.max_columns
    starts = None if header is None else _chunk_starts(text, header, max_fields, CHUNK_ROWS)
    if header is None or starts is None or len(starts) == 1:
        # ParseError: a missing column, no rows; LimitExceededError: a row of too many fields.
        okr = parse_csv(text, header, per_owner=True, max_fields=max_fields, columns=col.columns)
        chunks: Iterable[tuple[OkrSet, int]] = [(okr, 0)]
    else:
        chunks = _parse_chunks(text, header, starts, max_fields, col.columns)
    deferred = _Deferred()
    has_owner = has_team = False
    for okr, offset in chunks:
        for w in okr.warnings:
            report.skip(SkippedItem(where=at(w.line), reason=w.message, text=_excerpt(w.text)))
        has_owner = has_owner or any(o.owner for o in okr.objectives)
        has_team = has_team or any(o.team for o in okr.objectives)
        _group_sets(okr, offset, source, report, col, deferred, at=at, span=span, row_of=row_of)
        del okr
    if not has_owner:
        report.notes.append(
            f"{source}: no owner column (or it is empty): one set per team"
            if has_team
            else f"{source}: no team or owner column: the whole table is one OKR set"
        )
    deferred.replay(report)
    report.format = report.format if report.format != "unknown" else "csv"


def _chunk_starts(
    text: str, header: Header, max_fields: int, every: int
) -> list[tuple[int, int]] | None:
    """(offset, line) where each chunk of a table starts; None when an author's rows come
    back after another author's (their set is made from both places: parse it whole).

    Rows are told apart as `parse_csv` tells them (same tokenizer, same checks of their
    fields, same fill-down of team and owner); a row of too many fields raises here,
    before anything is parsed."""
    if not header.complete or header.unmatched or header.delimiter == "|":
        return [(header.end, header.line + 1)]
    need = max([header.objective or 0, header.key_results[0]]) + 1
    width = len(header.names)
    starts = [(header.end, header.line + 1)]
    filled: dict[str, str | None] = {"team": None, "owner": None}
    author: tuple[str | None, str | None] | None = None
    left: set[int] = set()  # hashes of the authors whose rows have ended
    rows = 0
    found = _rows(text, header.end, header.delimiter, header.line + 1, max_fields)
    for line, rs, re_, cells in found:
        rows += 1
        if len(cells) < need or (
            len(cells) > width and any(c.value.strip() for c in cells[width:])
        ):
            continue  # a blank row or one parse_csv skips with a warning
        given = True
        for attr, idx in (("team", header.team), ("owner", header.owner)):
            c = _cell(cells, idx)
            if c is not None and c.value.strip():
                filled[attr] = _SPACES.sub(" ", c.value.strip())
            elif idx is not None:
                given = False
        obj = _cell(cells, header.objective)
        if obj is None or not obj.value.strip() or not text[rs:re_].strip():
            continue
        now = (filled["team"], filled["owner"])
        if now == author:
            continue
        if author is not None:
            left.add(hash(author))
            if given and rows >= every:
                starts.append((rs, line))
                rows = 0
        if hash(now) in left:
            return None
        author = now
    return starts


def _parse_chunks(
    text: str,
    header: Header,
    starts: list[tuple[int, int]],
    max_fields: int,
    columns: ColumnMap | None,
) -> Iterable[tuple[OkrSet, int]]:
    """Each chunk parsed with the table's header, its lines numbered as in the table;
    with the offset to add to its spans."""
    ends = [s for s, _ in starts[1:]] + [len(text)]
    for (start, line), end in zip(starts, ends, strict=True):
        part = replace(header, start=0, end=0, line=line - 1)
        yield parse_csv(
            text[start:end], part, per_owner=True, max_fields=max_fields, columns=columns
        ), start


def _moved(span: dict[str, Any], offset: int) -> None:
    if offset:
        span["start"] += offset
        span["end"] += offset


def _group_sets(
    okr: OkrSet,
    offset: int,
    source: str,
    report: FileReport,
    col: _Collector,
    skip: Callable[[SkippedItem], None],
    *,
    at: Callable[[int], str],
    span: str,
    row_of: Callable[[int], int] | None,
) -> None:
    """One set per (team, owner) of a parsed table (or chunk of one)."""
    groups: dict[tuple[str | None, str | None], list[dict[str, Any]]] = {}
    lines: dict[tuple[str | None, str | None], list[int]] = {}
    limit = col.settings.max_item_chars
    for obj in okr.objectives:
        key = (obj.team, obj.owner)
        line = obj.span.line if obj.span else 0
        if len(obj.text) > limit:
            skip(
                SkippedItem(
                    where=at(line),
                    reason=f"the objective has {len(obj.text):,} characters, over the limit of "
                    f"{limit:,}; it and its key results were not used",
                    text=_excerpt(obj.text),
                )
            )
            continue
        item = obj.model_dump(exclude_none=True)
        krs = []
        for kr, raw in zip(obj.key_results, item.get("key_results", []), strict=True):
            kr_line = kr.span.line if kr.span else line
            if len(kr.text) > limit:
                skip(
                    SkippedItem(
                        where=at(kr_line),
                        reason=f"the key result has {len(kr.text):,} characters, over the limit "
                        f"of {limit:,}; not used",
                        text=_excerpt(kr.text),
                    )
                )
                continue
            if "span" in raw:
                _moved(raw["span"], offset)
                if row_of:
                    raw["span"]["line"] = row_of(kr_line)
            krs.append(raw)
            lines.setdefault(key, []).append(kr_line)
        item["key_results"] = krs
        if "span" in item:
            _moved(item["span"], offset)
            if row_of:
                item["span"]["line"] = row_of(line)
        groups.setdefault(key, []).append(item)
        lines.setdefault(key, []).append(line)
    conv = row_of or (lambda n: n)
    for (team, owner), objectives in groups.items():
        rows = lines[(team, owner)]
        first, last = conv(min(rows)), conv(max(rows))
        where = f"{span} {first}–{last}" if first != last else f"{span[:-1]} {first}"
        name = owner or team or PurePath(source.split(" sheet '")[0]).stem
        _add_structured(
            report, col, f"{source} {where}", name, team, {"objectives": objectives}, skip
        )


def _add_structured(
    report: FileReport,
    col: _Collector,
    where: str,
    owner: str,
    team: str | None,
    okr: dict,
    skip: Callable[[SkippedItem], None] | None = None,
) -> None:
    n_obj = len(okr["objectives"])
    n_krs = sum(len(o.get("key_results") or []) for o in okr["objectives"])
    limits = get_settings()
    if n_obj > limits.max_objectives or n_krs > limits.max_key_results:
        (skip or report.skip)(
            SkippedItem(
                where=where,
                reason=f"the set has {n_obj} objectives and {n_krs} key results; one set "
                f"may have at most {limits.max_objectives} and {limits.max_key_results}; "
                "not reviewed",
                text=owner,
            )
        )
        return
    col.add(
        report,
        where,
        okr,
        skip,
        owner=owner,
        team=team,
        source=where,
        objectives=n_obj,
        key_results=n_krs,
    )


# -- JSON -----------------------------------------------------------------------------


def _set_name(data: dict[str, Any], okr: OkrSet, fallback: str) -> tuple[str, str | None]:
    owners = {o.owner for o in okr.objectives if o.owner}
    teams = {o.team for o in okr.objectives if o.team}
    owner = data.get("owner") or data.get("author")
    team = data.get("team")
    owner = owner if isinstance(owner, str) and owner.strip() else None
    team = team if isinstance(team, str) and team.strip() else None
    if owner is None and len(owners) == 1:
        owner = next(iter(owners))
    if team is None and len(teams) == 1:
        team = next(iter(teams))
    if owner is None and isinstance(data.get("id"), (str, int)):
        owner = str(data["id"])
    return (owner or fallback).strip(), team.strip() if team else None


def _json_set(
    value: Any, where: str, f: InputFile, n: int, report: FileReport, col: _Collector
) -> None:
    try:
        okr = parse_structured(value, source_format="json")
    except ParseError as exc:
        report.skip(SkippedItem(where=where, reason=exc.message))
        return
    data = value if isinstance(value, dict) else {}
    inner = data.get("okr_set") if isinstance(data.get("okr_set"), dict) else data
    owner, team = _set_name({**inner, **data}, okr, f"{PurePath(f.name).stem} #{n + 1}")
    limit = col.settings.max_item_chars
    long = [
        t
        for o in okr.objectives
        for t in (o.text, *(k.text for k in o.key_results))
        if len(t) > limit
    ]
    if long:
        report.skip(
            SkippedItem(
                where=where,
                reason=f"an objective or key result has {len(long[0]):,} characters, over the "
                f"limit of {limit:,}; set not reviewed",
                text=_excerpt(long[0]),
            )
        )
        return
    okr_dict = {"objectives": [o.model_dump(exclude_none=True) for o in okr.objectives]}
    _add_structured(report, col, f"{f.name} {where}", owner, team or f.team, okr_dict)


def _is_set(item: Any) -> bool:
    return isinstance(item, dict) and ("objectives" in item or "okr_set" in item)


def _read_json_text(text: str, f: InputFile, report: FileReport, col: _Collector) -> None:
    report.format = "json"
    _check_json(text, col.settings)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":
            _read_jsonl(text, f, report, col)
            return
        raise ParseError(
            f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ParseError("the JSON is nested too deeply to read") from None
    if isinstance(value, dict) and isinstance(value.get("sets"), list):
        items, path = value["sets"], "sets"
    elif isinstance(value, list) and value and all(_is_set(i) for i in value):
        items, path = value, ""
    else:
        _json_set(value, "(one set)", f, 0, report, col)
        return
    for i, item in enumerate(items):
        _json_set(item, f"{path}[{i}]", f, i, report, col)


def _check_json(text: str, s: BatchSettings) -> None:
    """json.loads builds every value at once, ~200 bytes for each small object: bound them
    first (an opening bracket or a comma per value; those inside strings count too)."""
    values = text.count("{") + text.count("[") + text.count(",")
    if values > s.max_cells:
        raise LimitExceededError(
            f"the JSON has about {values:,} values; a file may have at most {s.max_cells:,}",
            limit="max_cells", max=s.max_cells, actual=values,
        )  # fmt: skip


def _read_jsonl(text: str, f: InputFile, report: FileReport, col: _Collector) -> None:
    report.format = "jsonl"
    _check_json(text, col.settings)
    n = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            report.skip(
                SkippedItem(
                    where=f"line {lineno}",
                    reason=f"invalid JSON: {exc.msg} (column {exc.colno})",
                    text=_excerpt(line),
                )
            )
            continue
        except RecursionError:
            report.skip(
                SkippedItem(where=f"line {lineno}", reason="the JSON is nested too deeply to read")
            )
            continue
        _json_set(value, f"line {lineno}", f, n, report, col)
        n += 1


# -- text drafts ----------------------------------------------------------------------


def _read_draft(text: str, f: InputFile, report: FileReport, col: _Collector) -> None:
    okr = parse(text)  # ParseError: empty, binary, no objectives
    report.format = okr.source_format
    for w in okr.warnings:
        report.skip(
            SkippedItem(where=f"line {w.line}", reason=w.message, text=_excerpt(w.text))
        )
    limit = col.settings.max_item_chars
    long = [
        t
        for o in okr.objectives
        for t in (o.text, *(k.text for k in o.key_results))
        if len(t) > limit
    ]
    if long:
        raise ParseError(
            f"an objective or key result has {len(long[0]):,} characters, over the limit of "
            f"{limit:,}; the draft was not reviewed"
        )
    owner = PurePath(f.name).stem
    n_obj = len(okr.objectives)
    n_krs = sum(len(o.key_results) for o in okr.objectives)
    where = f"{f.name}"
    limits = get_settings()
    if n_obj > limits.max_objectives or n_krs > limits.max_key_results:
        raise ParseError(
            f"the draft has {n_obj} objectives and {n_krs} key results; one set may have at "
            f"most {limits.max_objectives} and {limits.max_key_results}"
        )
    col.add(
        report,
        where,
        None,
        owner=owner,
        team=f.team,
        source=where,
        kind="text",
        draft=text,
        objectives=n_obj,
        key_results=n_krs,
    )
