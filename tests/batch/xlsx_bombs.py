"""Hostile XLSX workbooks for the upload-limit tests, written by hand (a few parts, inline
strings) so that each one is exactly the attack it names:

- `merge_bomb()`: 1.7 KB, two rows of data and `<mergeCell ref="A3:XFD1048576"/>`;
- `sparse_bomb()`: two rows of data and one cell at XFD1048576 (a dense reader allocates
  17 billion cells for it);
- `deflate_bomb(inflated)`: a sheet of repeated rows that inflates ~290 times its size;
- `many_merges(n)`: n small merged ranges, each inside the data;
- `lying_sizes()`: a sheet whose central directory says it inflates to less than it does.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="OKRs" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
ROWS = [
    ["Team", "Owner", "Objective", "Key Result"],
    ["Sales", "Ana", "Win the mid-market segment", "Increase win rate from 20% to 30%"],
]
SHEET = "xl/worksheets/sheet1.xml"


def column(n: int) -> str:
    """1 -> A, 16384 -> XFD."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def row_xml(r: int, cells: Iterable[object]) -> str:
    return (
        f'<row r="{r}">'
        + "".join(
            f'<c r="{column(j)}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
            for j, v in enumerate(cells, start=1)
        )
        + "</row>"
    )


def _rows_xml(rows: list[list[object]]) -> str:
    return "".join(row_xml(i, r) for i, r in enumerate(rows, start=1))


def write_xlsx(out: io.BufferedIOBase | Path, sheet: Iterable[str | bytes]) -> None:
    """A one-sheet workbook whose sheet part is the chunks of `sheet`, deflated."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open(SHEET, "w", force_zip64=True) as f:
            for chunk in sheet:
                f.write(chunk.encode() if isinstance(chunk, str) else chunk)


def workbook(rows: list[list[object]] = ROWS, tail: str = "") -> bytes:
    """A plain workbook of these rows; `tail` goes after the sheet data (merges)."""
    out = io.BytesIO()
    write_xlsx(out, [_SHEET_HEAD, _rows_xml(rows), "</sheetData>", tail, "</worksheet>"])
    return out.getvalue()


def merge_bomb() -> bytes:
    return workbook(
        tail='<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>'
    )


def sparse_bomb() -> bytes:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    out = io.BytesIO()
    write_xlsx(out, [_SHEET_HEAD, _rows_xml(ROWS), far, "</sheetData></worksheet>"])
    return out.getvalue()


def many_merges(n: int) -> bytes:
    """n rows of data, and each row's Team cell merged with its Owner cell."""
    rows = [ROWS[0]] + [["Sales", "", f"Objective {i}", f"Grow x from {i} to {i + 1}"]
                        for i in range(n)]  # fmt: skip
    refs = "".join(f'<mergeCell ref="A{i}:B{i}"/>' for i in range(2, n + 2))
    return workbook(rows, tail=f'<mergeCells count="{n}">{refs}</mergeCells>')


def _bomb_chunks(inflated: int) -> Iterator[str | bytes]:
    row = (
        '<row><c t="inlineStr"><is><t>Sales</t></is></c>'
        '<c t="inlineStr"><is><t>Ana</t></is></c></row>'
    )
    block = (row * (1 + (1 << 20) // len(row))).encode()
    yield _SHEET_HEAD + _rows_xml(ROWS)
    n = 0
    while n < inflated:
        yield block
        n += len(block)
    yield "</sheetData></worksheet>"


def deflate_bomb(inflated: int, out: io.BufferedIOBase | Path | None = None) -> bytes | None:
    """A sheet of `inflated` bytes of repeated rows (~290:1); bytes, or written to `out`."""
    if out is not None:
        write_xlsx(out, _bomb_chunks(inflated))
        return None
    buf = io.BytesIO()
    write_xlsx(buf, _bomb_chunks(inflated))
    return buf.getvalue()


def lying_sizes(real: int = 4 << 20, claimed: int = 4096) -> bytes:
    """A sheet of `real` bytes whose local header and central directory both say it
    inflates to `claimed`: a reader that trusts them is handed far more than it was told."""
    sheet = b"".join(c.encode() if isinstance(c, str) else c for c in _bomb_chunks(real))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr(SHEET, sheet)
    data = bytearray(out.getvalue())
    # The uncompressed size: offset 22 of the local header, 24 of the central directory entry.
    for signature, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.index(signature)
        while True:
            name_len = struct.unpack_from("<H", data, pos + (26 if field == 22 else 28))[0]
            name_at = pos + (30 if field == 22 else 46)
            if bytes(data[name_at : name_at + name_len]) == SHEET.encode():
                struct.pack_into("<I", data, pos + field, claimed)
                break
            pos = data.index(signature, pos + 4)
    return bytes(data)
