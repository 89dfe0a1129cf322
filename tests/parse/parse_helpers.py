"""Shared assertions for the parser tests."""

from __future__ import annotations

import re

from coach.models import OkrSet

_NEWLINE = re.compile(r"\r\n|\r|\n")


def line_of(text: str, offset: int) -> int:
    return len(_NEWLINE.findall(text, 0, offset)) + 1


def assert_spans(text: str, okr: OkrSet) -> None:
    """Every span indexes the original text; a one-line span covers exactly the item text."""
    for obj in okr.objectives:
        for item in [obj, *obj.key_results]:
            span = item.span
            assert span is not None, item
            assert 0 <= span.start < span.end <= len(text), (item, span)
            assert span.line == line_of(text, span.start), (item, span)
            covered = text[span.start : span.end]
            if not _NEWLINE.search(covered):
                assert covered == item.text, (covered, item.text)
            assert item.text == item.text.strip()


def shape(okr: OkrSet) -> list[tuple[str, list[str]]]:
    """[(objective, [key results])] for compact comparisons."""
    return [(o.text, [kr.text for kr in o.key_results]) for o in okr.objectives]


def warned(okr: OkrSet) -> list[tuple[int, str]]:
    return [(w.line, w.text) for w in okr.warnings]
