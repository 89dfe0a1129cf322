"""Decoding, size, emptiness, binary junk and format detection."""

from __future__ import annotations

import contextlib
import time

import pytest
from parse_helpers import shape

from coach.errors import InputTooLargeError, ParseError
from coach.parse import parse

DRAFT = "Objective: Delight our customers\nKR1: Increase NPS from 32 to 50\n"
EXPECTED = [("Delight our customers", ["Increase NPS from 32 to 50"])]


@pytest.mark.parametrize(
    "data",
    [
        DRAFT.encode("utf-8"),
        DRAFT.encode("utf-8-sig"),
        DRAFT.encode("utf-16"),  # with BOM
        DRAFT.encode("utf-16-be").join([b"\xfe\xff", b""]),
        bytearray(DRAFT.encode("utf-8")),
    ],
)
def test_bytes_are_decoded(data):
    assert shape(parse(data)) == EXPECTED


def test_bom_in_str_is_tolerated_and_spans_index_the_original():
    text = "\ufeff" + DRAFT
    okr = parse(text)
    obj = okr.objectives[0]
    assert obj.span is not None and text[obj.span.start : obj.span.end] == obj.text


def test_undecodable_bytes():
    with pytest.raises(ParseError, match="not UTF-8 text"):
        parse("Objective: café".encode("latin-1"))
    with pytest.raises(ParseError, match="not UTF-8 text"):
        parse(b"\x89PNG\r\n\x1a\n\xff\xd8")


@pytest.mark.parametrize(
    "junk",
    [
        "Objective: A\x00\nKR: b",
        b"Objective: A\x00\x00\x00",
        bytes(range(256)) * 4,
        "\x01\x02\x03 hello \x04\x05\x06\x07",
        "\ufffd\ufffd\ufffd\ufffd abc",
    ],
)
def test_binary_junk(junk):
    with pytest.raises(ParseError, match="the draft looks like binary data, not text"):
        parse(junk)


@pytest.mark.parametrize("empty", ["", "   ", "\n\n\t \r\n", "\ufeff", b"", b"\xef\xbb\xbf  \n"])
def test_empty(empty):
    with pytest.raises(ParseError, match="^the draft is empty"):
        parse(empty)


def test_too_large():
    with pytest.raises(InputTooLargeError) as info:
        parse("x" * 101, max_chars=100)
    assert "101 characters" in str(info.value) and "100 characters" in str(info.value)
    assert info.value.status == 413
    with pytest.raises(InputTooLargeError, match="bytes"):
        parse(b"x" * 500, max_chars=100)
    assert parse(DRAFT, max_chars=len(DRAFT)).objectives


def test_unsupported_type():
    with pytest.raises(ParseError, match="cannot read a draft of type int"):
        parse(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, fmt",
    [
        (DRAFT, "text"),
        ("# OKRs\n- Grow\n  - ARR from 1M to 2M\n", "markdown"),
        ('{"objectives": [{"text": "A", "key_results": ["b"]}]}', "json"),
        ('  [{"text": "A", "key_results": ["b"]}]', "json"),
        ("objective,key_result\nA,b\n", "csv"),
        ("\n\n  Objective , KR \nA,b\n", "csv"),
    ],
)
def test_source_format(text, fmt):
    assert parse(text).source_format == fmt


def test_a_5000_line_paste_parses_quickly():
    block = (
        "Objective: Make deploys boring\n"
        "- KR1: Cut lead time from 2 days to 2 hours\n"
        "- Reduce failed deploys from 12% to 3%\n"
        "  measured weekly\n"
        "\n"
        "Grow revenue\n"
        "    Increase ARR from 1M to 2M\n"
        "1. Improve retention\n"
        "   a) churn from 5% to 3%\n"
        "Let me know!\n"
    )
    text = block * 500
    assert text.count("\n") == 5000
    start = time.perf_counter()
    okr = parse(text)
    elapsed = time.perf_counter() - start
    assert len(okr.objectives) == 1500
    # generous bound (typically ~0.1 s): catches accidental quadratic behaviour, not noise
    assert elapsed < 2.0


def test_undecodable_utf16_mentions_utf8():
    with pytest.raises(ParseError, match="not UTF-8 text"):
        parse(b"\xff\xfeO\x00b\x00j")  # UTF-16 BOM, odd number of bytes


def test_parse_csv_on_empty_text():
    from coach.parse import parse_csv

    with pytest.raises(ParseError, match="the CSV is empty"):
        parse_csv("\n\n")


N = 100_000


@pytest.mark.parametrize(
    "text",
    [
        "# x" + " " * N + "y\n- a\n",
        "We are working on x" + "," * N + "\nKR: a",
        "Objective: a\n\n" + "from " * (N // 5),
        "\t" * N + "x\n- y",
        'objective,key_result\n"' + "a" * N,
        "objective,key_result\n" + '"a,' * (N // 3),
        "As measured by: " + ";" * N,
        "- " * (N // 2),
        "**" * (N // 2),
        "".join(" " * (i % 100) + "- x\n" for i in range(3000)),
        "".join("#" * (i % 6 + 1) + " h\n" for i in range(3000)),
    ],
    ids=[
        "heading-spaces",
        "template-commas",
        "from-from",
        "tabs",
        "unclosed-quote",
        "many-quotes",
        "semicolons",
        "bullets",
        "stars",
        "staircase",
        "headings",
    ],
)
def test_pathological_input_finishes(text):
    """No regex or tree walk may go quadratic (or recurse) on hostile input."""
    with contextlib.suppress(ParseError):
        parse(text)
