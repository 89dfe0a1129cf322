"""CSV and pasted tables."""

from __future__ import annotations

import pytest
from parse_helpers import assert_spans, shape, warned

from coach.errors import ParseError
from coach.parse import parse, parse_csv

CSV = """\
objective,key_result,team,owner
Grow revenue,Increase ARR from 1M to 2M,Sales,Ana
,Win 10 new logos,,
Grow revenue,"Raise ASP from $10k to $12k, net of discounts",,
Improve retention,"Reduce churn
from 5% to 3%",CS,Bo
,,
only one field
A,B,C,D,E
"""


def test_csv_rows_continuations_and_warnings():
    okr = parse(CSV)
    assert okr.source_format == "csv"
    assert shape(okr) == [
        (
            "Grow revenue",
            [
                "Increase ARR from 1M to 2M",
                "Win 10 new logos",
                "Raise ASP from $10k to $12k, net of discounts",
            ],
        ),
        ("Improve retention", ["Reduce churn from 5% to 3%"]),
    ]
    assert [(o.team, o.owner) for o in okr.objectives] == [("Sales", "Ana"), ("CS", "Bo")]
    assert warned(okr) == [(7, ",,"), (8, "only one field"), (9, "A,B,C,D,E")]
    assert "neither an objective nor a key result" in okr.warnings[0].message
    assert "1 field but the header has 4 fields" in okr.warnings[1].message
    assert "5 fields" in okr.warnings[2].message
    assert_spans(CSV, okr)


def test_csv_spans_point_at_cells():
    okr = parse(CSV)
    grow = okr.objectives[0]
    assert grow.span is not None and grow.span.line == 2
    asp = grow.key_results[2]
    assert asp.span is not None and asp.span.line == 4
    assert CSV[asp.span.start : asp.span.end] == asp.text
    churn = okr.objectives[1].key_results[0]
    assert churn.span is not None and churn.span.line == 5
    assert CSV[churn.span.start : churn.span.end] == "Reduce churn\nfrom 5% to 3%"


@pytest.mark.parametrize(
    "header",
    [
        "Objective,Key Result",
        "OBJECTIVE , KEY_RESULT",
        "objectives,key results",
        "Goal,KR",
        "goal,result",
        "Key Result,Objective",
        "objective;key_result",
        "objective\tkey_result",
    ],
)
def test_header_synonyms_order_and_delimiters(header):
    delimiter = next(d for d in ",;\t" if d in header)
    names = [n.strip().lower() for n in header.split(delimiter)]
    row = ["Grow revenue", "ARR from 1M to 2M"]
    if names[0].startswith(("key", "kr", "result")):
        row.reverse()
    text = header + "\r\n" + delimiter.join(row) + "\r\n"
    okr = parse(text)
    assert okr.source_format == "csv"
    assert shape(okr) == [("Grow revenue", ["ARR from 1M to 2M"])]
    assert_spans(text, okr)


def test_missing_required_column_names_found_columns():
    with pytest.raises(ParseError) as info:
        parse("Goal,Owner\nGrow revenue,Bob\n")
    assert "no key_result column" in str(info.value)
    assert "columns found: Goal, Owner" in str(info.value)
    with pytest.raises(ParseError, match="no objective and no key_result column"):
        parse_csv("team,owner,notes\nA,B,C\n")


def test_key_result_before_any_objective_row_is_warned():
    okr = parse("objective,key_result\n,Orphan KR\nGrow,ARR from 1M to 2M\n")
    assert shape(okr) == [("Grow", ["ARR from 1M to 2M"])]
    assert warned(okr) == [(2, ",Orphan KR")]
    assert "no objective comes before it" in okr.warnings[0].message


def test_csv_without_objectives_is_an_error():
    with pytest.raises(ParseError, match="no rows with an objective"):
        parse("objective,key_result\n,\n")
    with pytest.raises(ParseError, match="no rows with an objective"):
        parse("objective,key_result\n")


def test_objective_only_rows_and_repeated_objectives_merge():
    text = "objective,key_result\nGrow,\nRetain,churn 5% to 3%\ngrow,ARR 1M to 2M\n"
    assert shape(parse(text)) == [("Grow", ["ARR 1M to 2M"]), ("Retain", ["churn 5% to 3%"])]


def test_wide_kr_columns_and_multi_line_cells():
    text = (
        "Objective,KR1,KR2,KR 3\n"
        'Grow revenue,ARR from 1M to 2M,"- 10 new logos\n- ASP from $10k to $12k",\n'
        "Retain,Churn from 5% to 3%\n"
    )
    okr = parse(text)
    assert shape(okr) == [
        ("Grow revenue", ["ARR from 1M to 2M", "10 new logos", "ASP from $10k to $12k"]),
        ("Retain", ["Churn from 5% to 3%"]),
    ]
    assert [kr.span.line for kr in okr.objectives[0].key_results] == [2, 2, 3]  # type: ignore[union-attr]
    assert_spans(text, okr)


def test_escaped_quotes_keep_a_span_on_the_raw_cell():
    text = 'objective,key_result\nGrow,"Ship the ""fast"" checkout"\n'
    okr = parse(text)
    kr = okr.objectives[0].key_results[0]
    assert kr.text == 'Ship the "fast" checkout'
    assert (
        kr.span is not None and text[kr.span.start : kr.span.end] == '"Ship the ""fast"" checkout"'
    )


def test_markdown_table():
    text = (
        "| Objective | Key result | Owner |\n"
        "|-----------|------------|-------|\n"
        "| Grow revenue | ARR from 1M to 2M | Ana |\n"
        "|  | 10 new logos | |\n"
    )
    okr = parse(text)
    assert okr.source_format == "markdown"
    assert shape(okr) == [("Grow revenue", ["ARR from 1M to 2M", "10 new logos"])]
    assert okr.objectives[0].owner == "Ana"
    assert_spans(text, okr)


def test_prose_with_commas_is_not_csv():
    text = "Objective: grow revenue, fast\nKR: ARR from 1M to 2M, net\n"
    assert parse(text).source_format == "text"


def test_line_numbers_after_a_multi_line_cell():
    text = 'objective,key_result\n"Grow\nrevenue",ARR from 1M to 2M\nRetain,churn\n'
    okr = parse(text)
    assert shape(okr) == [("Grow revenue", ["ARR from 1M to 2M"]), ("Retain", ["churn"])]
    assert okr.objectives[0].span.line == 2  # type: ignore[union-attr]
    assert okr.objectives[0].key_results[0].span.line == 3  # type: ignore[union-attr]
    assert okr.objectives[1].span.line == 4  # type: ignore[union-attr]
    assert_spans(text, okr)
