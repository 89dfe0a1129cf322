"""Read a draft (pasted text, Markdown, JSON, CSV, a dict) into an OkrSet.

`parse(draft)` is the one entry point; the format-specific readers are exported
for callers that already know the format.
"""

from __future__ import annotations

from ..errors import ParseError
from ..models import OkrSet
from .sniff import check_text, decode, sniff
from .structured import parse_json, parse_structured
from .tabular import Header, parse_csv
from .text import parse_text

__all__ = ["parse", "parse_csv", "parse_json", "parse_structured", "parse_text"]

DEFAULT_MAX_CHARS = 1_000_000


def parse(
    draft: str | bytes | dict | list | OkrSet, *, max_chars: int = DEFAULT_MAX_CHARS
) -> OkrSet:
    """Turn a draft into an OkrSet.

    - OkrSet: returned as is; dict / list: the structured shapes of `structured`;
    - bytes: decoded (UTF-8 with or without BOM, UTF-16 with BOM), then as str;
    - str: JSON when it starts with `{` or `[` and parses, CSV when the first line
      is a header with objective and key-result columns, otherwise pasted text.

    Raises ParseError (InputTooLargeError when over `max_chars`).
    """
    if isinstance(draft, OkrSet):
        return draft
    if isinstance(draft, (dict, list)):
        return parse_structured(draft)
    if isinstance(draft, (bytes, bytearray, memoryview)):
        text = decode(bytes(draft), max_chars)
    elif isinstance(draft, str):
        text = draft
    else:
        raise ParseError(
            f"cannot read a draft of type {type(draft).__name__}: "
            "pass text, bytes, a dict or a list"
        )
    check_text(text, max_chars)
    fmt, value = sniff(text)
    if fmt == "json":
        return parse_structured(value, source_format="json")
    if fmt == "csv":
        assert isinstance(value, Header)
        return parse_csv(text, value)
    return parse_text(text)
