"""Spreadsheet-style outlines pasted as text: objective, metric names under it, and the
values of each metric (one per period) under its name; title lines above them."""

from __future__ import annotations

import pytest
from parse_helpers import assert_spans, shape, warned

from coach.errors import ParseError
from coach.parse import parse
from coach.parse.lines import PLAIN, scan

# The layout of issue 12, as pasted from a sheet with one column per level.
OUTLINE = """\
Grow repeat business
        Repeat purchase rate
                22% in H1
                26% in H2
        Orders per customer
                1.4 in H1
"""

EXPECTED = [
    (
        "Grow repeat business",
        ["Repeat purchase rate: 22% in H1; 26% in H2", "Orders per customer: 1.4 in H1"],
    )
]


def test_the_outline_keeps_its_objective_and_the_values_of_each_key_result():
    okr = parse(OUTLINE)
    assert shape(okr) == EXPECTED
    assert okr.warnings == []
    assert_spans(OUTLINE, okr)
    rate, orders = okr.objectives[0].key_results
    # a key result's span runs from its name to its last value: the name's line, and
    # every value line highlighted with it
    assert rate.span is not None and rate.span.line == 2
    assert OUTLINE[rate.span.start : rate.span.end] == (
        "Repeat purchase rate\n                22% in H1\n                26% in H2"
    )
    assert orders.span is not None and orders.span.line == 5
    assert OUTLINE[orders.span.start : orders.span.end].endswith("1.4 in H1")


@pytest.mark.parametrize(
    "one, two",
    [("\t", "\t\t"), ("  ", "    "), ("    ", "        "), ("\t", "\t    "), (" ", "   ")],
    ids=["tabs", "2 spaces", "4 spaces", "tab then tab+spaces", "1 and 3 spaces"],
)
def test_the_outline_with_tabs_and_other_indents(one, two):
    draft = OUTLINE.replace(" " * 16, "\0").replace(" " * 8, one).replace("\0", two)
    okr = parse(draft)
    assert shape(okr) == EXPECTED
    assert okr.warnings == []
    assert_spans(draft, okr)


SEVERAL = """\
Grow repeat business
    Repeat purchase rate
        22% in H1
        26% in H2
    Orders per customer
        1.4 in H1
Win back lapsed buyers
    Reactivated customers
        1,200 in H1
        2,000 in H2
    Win-back email revenue
        €40k in H1
Make support effortless
    First response time
        4h by Q3
    Tickets solved on first contact
        70%
"""


def test_several_objectives_one_after_another():
    okr = parse(SEVERAL)
    assert shape(okr) == [
        EXPECTED[0],
        (
            "Win back lapsed buyers",
            [
                "Reactivated customers: 1,200 in H1; 2,000 in H2",
                "Win-back email revenue: €40k in H1",
            ],
        ),
        (
            "Make support effortless",
            ["First response time: 4h by Q3", "Tickets solved on first contact: 70%"],
        ),
    ]
    assert okr.warnings == []
    assert_spans(SEVERAL, okr)


@pytest.mark.parametrize(
    "title",
    ["Marketing OKRs 2025 Q3", "OKRs H1 2025", "Q3 2025", "# Team Platform — H2"],
)
def test_a_title_line_above_the_outline_is_warned_not_dropped(title):
    draft = f"{title}\n{OUTLINE}"
    okr = parse(draft)
    assert shape(okr) == EXPECTED
    assert warned(okr) == [(1, title.lstrip("# "))]
    assert "title" in okr.warnings[0].message
    assert_spans(draft, okr)


def test_a_title_line_and_a_blank_line_above_indented_objectives():
    draft = "Marketing OKRs 2025 Q3\n\n" + "".join(
        "    " + line + "\n" for line in SEVERAL.splitlines()
    )
    okr = parse(draft)
    assert [o.text for o in okr.objectives] == [
        "Grow repeat business",
        "Win back lapsed buyers",
        "Make support effortless",
    ]
    assert warned(okr) == [(1, "Marketing OKRs 2025 Q3")]


def test_a_team_heading_sets_the_team_and_is_warned():
    draft = "# Team Platform — H2\n\nMake deploys boring\n  Deploy lead time\n    2 days in H1\n    4 hours in H2\n"
    okr = parse(draft)
    assert shape(okr) == [
        ("Make deploys boring", ["Deploy lead time: 2 days in H1; 4 hours in H2"])
    ]
    assert okr.objectives[0].team == "Platform"
    assert warned(okr) == [(1, "Team Platform — H2")]
    assert "title" in okr.warnings[0].message


def test_values_under_bulleted_key_results():
    draft = """\
## Grow repeat business
- Repeat purchase rate
    - 22% in H1
    - 26% in H2
- Orders per customer
    - 1.4 in H1
- Launch a loyalty programme
"""
    okr = parse(draft)
    assert shape(okr) == [
        (
            "Grow repeat business",
            [
                "Repeat purchase rate: 22% in H1; 26% in H2",
                "Orders per customer: 1.4 in H1",
                "Launch a loyalty programme",
            ],
        )
    ]
    assert okr.warnings == []
    assert_spans(draft, okr)


@pytest.mark.parametrize(
    "values, text",
    [
        (["H1: 22%", "H2: 26%"], "Repeat purchase rate: H1: 22%; H2: 26%"),
        (["Q3 – 22%"], "Repeat purchase rate: Q3 – 22%"),
        (["from 18% to 22%"], "Repeat purchase rate: from 18% to 22%"),
        (["Baseline: 18%", "Target: 22%"], "Repeat purchase rate: Baseline: 18%; Target: 22%"),
        (["18% → 22% by end of H2"], "Repeat purchase rate: 18% → 22% by end of H2"),
        (["22%"], "Repeat purchase rate: 22%"),
        (["1.4"], "Repeat purchase rate: 1.4"),
        (["~25% (stretch)"], "Repeat purchase rate: ~25% (stretch)"),
    ],
)
def test_the_ways_a_value_is_written(values, text):
    draft = "Grow repeat business\n  Repeat purchase rate\n" + "".join(f"    {v}\n" for v in values)
    okr = parse(draft)
    assert shape(okr) == [("Grow repeat business", [text])]
    assert okr.warnings == []


def test_a_detail_that_is_not_a_value_is_still_warned():
    draft = """\
Grow repeat business
  Repeat purchase rate
    22% in H1
    measured on web orders only
"""
    okr = parse(draft)
    assert shape(okr) == [("Grow repeat business", ["Repeat purchase rate: 22% in H1"])]
    assert warned(okr) == [(4, "measured on web orders only")]


def test_a_key_result_wrapped_before_its_number_is_one_line_not_a_value():
    draft = "Objective: Keep customers\n- Reduce monthly churn from 5% to\n  3% by Q4\n"
    okr = parse(draft)
    assert shape(okr) == [("Keep customers", ["Reduce monthly churn from 5% to 3% by Q4"])]


def test_metric_names_with_values_but_no_objective_are_an_error_not_objectives():
    with pytest.raises(ParseError, match="key results but no objective"):
        parse("Repeat purchase rate\n    22% in H1\nOrders per customer\n    1.4 in H1\n")


@pytest.mark.parametrize(
    "line, text",
    [("1.4 in H1", "1.4 in H1"), ("1.4", "1.4"), ("2.5 by Q3", "2.5 by Q3"), ("12.5", "12.5")],
)
def test_a_decimal_value_is_not_list_numbering(line, text):
    (item,) = scan(line)
    assert item.kind == PLAIN
    assert item.text(line) == text
