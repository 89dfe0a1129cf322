"""Before parsing: decode bytes, refuse oversized/empty/binary drafts, pick the format."""

from __future__ import annotations

import codecs
import json
import re

from ..errors import InputTooLargeError, ParseError
from ..lazy_re import lazy_compile
from .structured import JSON_TOO_DEEP, json_error
from .tabular import Header, find_header

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_JSON_START = re.compile(r"\s*[\[{]")
# Text that is clearly meant to be JSON, so a syntax error is reported as such rather
# than the text being read as prose ("[Draft] Q3 OKRs" is not meant to be JSON).
_JSON_INTENT = lazy_compile(r"\s*(?:\{\s*(?:\"|\}|$)|\[\s*(?:[{\[\"]|\]\s*$))")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


BINARY = "the draft looks like binary data, not text"
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def _looks_binary(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    return len(_CONTROL_BYTES.findall(data[:65536])) * 10 > min(len(data), 65536)


def too_large(size: int, limit: int, unit: str = "characters") -> InputTooLargeError:
    return InputTooLargeError(
        f"the draft is too large: {size:,} {unit}, the limit is {limit:,} characters"
    )


def decode(data: bytes, max_chars: int) -> str:
    """UTF-8 (with or without BOM) or UTF-16/32 with a BOM."""
    if len(data) > 4 * max_chars + 4:  # cannot fit whatever the encoding
        raise too_large(len(data), max_chars, "bytes")
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break
    if encoding.startswith("utf-8") and _looks_binary(data):
        raise ParseError(BINARY)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        bad = data[e.start : e.start + 1].hex() or "end of data"
        if encoding.startswith("utf-8"):
            detail = f"byte 0x{bad} at offset {e.start} is not valid UTF-8"
        else:
            detail = f"it starts with a {encoding.upper()} byte-order mark but does not decode"
        raise ParseError(
            f"the draft is not UTF-8 text ({detail}); save it as UTF-8 and try again"
        ) from None


def check_text(text: str, max_chars: int) -> None:
    """Size, emptiness and binary junk."""
    if len(text) > max_chars:
        raise too_large(len(text), max_chars)
    if not text.replace("\ufeff", "").strip():
        raise ParseError("the draft is empty: paste your objectives and key results, one per line")
    if "\x00" in text:
        raise ParseError(BINARY)
    junk = len(text) - len(_CONTROL.sub("", text))
    if junk * 10 > len(text):
        raise ParseError(BINARY)


def sniff(text: str) -> tuple[str, object]:
    """("json", value), ("csv", Header) or ("text", None).

    JSON syntax errors in text that is clearly meant as JSON raise ParseError with
    the line number; text that merely starts with a bracket is read as prose.
    """
    body = text[1:] if text.startswith("\ufeff") else text
    if _JSON_START.match(body):
        try:
            return "json", json.loads(body)
        except json.JSONDecodeError as e:
            if _JSON_INTENT.match(body):
                raise json_error(e) from None
        except RecursionError:
            raise ParseError(JSON_TOO_DEEP) from None
    header: Header | None = find_header(text)
    if header is not None:
        return "csv", header
    return "text", None
