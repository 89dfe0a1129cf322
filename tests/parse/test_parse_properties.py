"""Property tests: any text gives an OkrSet or a ParseError, and spans stay honest."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parse_helpers import assert_spans, line_of
from parse_strategies import okr_drafts

from coach.errors import ParseError
from coach.models import OkrSet
from coach.parse import parse
from coach.parse.labels import (
    BELIEF,
    H_KR,
    H_OBJ,
    INIT,
    KR_LIST_LABELS,
    OBJ,
    OWNER,
    TEAM,
)
from coach.parse.lines import TableItem, scan
from coach.parse.outline import build_tree
from coach.parse.sniff import sniff

SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str) -> None:
    try:
        okr = parse(text)
    except ParseError:
        return
    assert isinstance(okr, OkrSet)
    assert okr.objectives
    if okr.source_format in ("text", "markdown"):
        assert_spans(text, okr)
    elif okr.source_format == "csv":
        for obj in okr.objectives:
            for item in [obj, *obj.key_results]:
                assert item.span is not None
                assert 0 <= item.span.start < item.span.end <= len(text)
                assert item.span.line == line_of(text, item.span.start)
    for warning in okr.warnings:
        assert 1 <= warning.line <= text.count("\n") + text.count("\r") + 1


@SETTINGS
@given(st.text())
def test_any_text(text):
    _check(text)


@SETTINGS
@given(okr_drafts())
def test_okr_shaped_text(text):
    _check(text)


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes(data):
    with contextlib.suppress(ParseError):
        parse(data)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
            min_size=1,
            max_size=5,
        ),
        max_size=6,
    )
)
def test_csv_like_text(rows):
    _check("objective,key_result,team\n" + "\n".join(",".join(r) for r in rows))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["Grow", '"a, b"', '"multi\nline"', '"x ""q"""', "", " KR 1 ", "\r"]),
            min_size=1,
            max_size=4,
        ),
        max_size=8,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_csv_with_quotes_and_line_breaks(rows, newline):
    _check("Objective,KR1,KR2" + newline + newline.join(",".join(r) for r in rows) + newline)


def _used_lines(okr: OkrSet, text: str) -> set[int]:
    """Lines with a warning, and every line an item's span covers (a key result with its
    value lines spans them all)."""
    lines = {w.line for w in okr.warnings}
    for obj in okr.objectives:
        for item in [obj, *obj.key_results]:
            if item.span is not None:
                last = line_of(text, item.span.end - 1)
                lines.update(range(item.span.line, last + 1))
    return lines


@SETTINGS
@given(okr_drafts())
def test_no_line_is_silently_dropped(text):
    """Every content line ends up in an objective, a key result or a warning, unless it
    is a label of what follows: "Key results:", "Objectives", a bare "Objective 2:", an
    owner/team line. Titles and sections are warned; so is each row of a table that is
    left out."""
    try:
        okr = parse(text)
    except ParseError:
        return
    if okr.source_format not in ("text", "markdown") or sniff(text)[0] != "text":
        return  # (a Markdown table on the first line is read as CSV: test_parse_csv)
    used = _used_lines(okr, text)
    items = scan(text)
    build_tree(items, text)
    for item in items:
        if isinstance(item, TableItem):
            assert item.table is not None
            for row in item.table.rows:
                assert row.line in used, (row.line, text[row.start : row.end])
            continue
        if (
            item.header in (H_KR, H_OBJ)
            or not item.pieces
            or item.label in (OWNER, TEAM, INIT)
            or (item.children and (item.label in KR_LIST_LABELS or item.label in (OBJ, BELIEF)))
        ):
            continue
        lines = {item.line} | {line_of(text, start) for start, _ in item.pieces}
        # An initiative ("We are working on ...") is kept without its trailing punctuation.
        initiatives = {(o.initiative or "").rstrip(" .;:,") for o in okr.objectives}
        assert lines & used or item.text(text).rstrip(" .;:,") in initiatives, (item.line, item.full(text))
