"""Dicts, lists and JSON text."""

from __future__ import annotations

import json

import pytest
from parse_helpers import shape

from coach.errors import ParseError
from coach.models import KeyResult, Objective, OkrSet, Span
from coach.parse import parse, parse_json, parse_structured

API_SHAPE = {
    "objectives": [
        {
            "text": "Delight our customers",
            "team": "Support",
            "owner": "Dana",
            "key_results": [{"text": "Launch new customer portal"}, "Improve CSAT from 7.8 to 8.5"],
        },
        {"text": "Win the mid-market segment in DACH", "key_results": []},
    ]
}

LABELED_EXAMPLE = {
    "id": "ex-001",
    "source": "workshop notes",
    "objectives": [
        {
            "text": "Delight our customers",
            "labels": ["aspiration"],
            "key_results": [
                {
                    "text": "Launch new customer portal",
                    "labels": ["task"],
                    "reference_rewrite": "Increase self-service adoption from [baseline] to [x]",
                },
                {"text": "Improve customer satisfaction score from 7.8 to 8.5", "labels": []},
            ],
        }
    ],
}


def test_api_shape():
    okr = parse(API_SHAPE)
    assert okr.source_format == "structured"
    assert shape(okr) == [
        ("Delight our customers", ["Launch new customer portal", "Improve CSAT from 7.8 to 8.5"]),
        ("Win the mid-market segment in DACH", []),
    ]
    assert (okr.objectives[0].team, okr.objectives[0].owner) == ("Support", "Dana")
    assert okr.objectives[1].team is None


def test_labeled_example_parses_with_unknown_fields_ignored():
    okr = parse(LABELED_EXAMPLE)
    assert shape(okr) == [
        (
            "Delight our customers",
            ["Launch new customer portal", "Improve customer satisfaction score from 7.8 to 8.5"],
        )
    ]


def test_okr_set_wrapper_list_and_single_objective():
    assert shape(parse({"okr_set": API_SHAPE})) == shape(parse(API_SHAPE))
    assert shape(parse(API_SHAPE["objectives"])) == shape(parse(API_SHAPE))
    assert shape(parse({"text": "Grow", "key_results": ["ARR"]})) == [("Grow", ["ARR"])]
    assert shape(parse(["Grow revenue", {"text": "Retain", "key_results": None}])) == [
        ("Grow revenue", []),
        ("Retain", []),
    ]


def test_okr_set_is_returned_as_is_and_round_trips():
    okr = OkrSet(
        objectives=[
            Objective(
                text="A",
                span=Span(start=0, end=1, line=1),
                key_results=[KeyResult(text="b", span=Span(start=2, end=3, line=2))],
                initiative="x",
            )
        ],
        source_format="text",
    )
    assert parse(okr) is okr
    again = parse(json.loads(okr.model_dump_json()))
    assert again.objectives == okr.objectives


def test_json_text():
    text = json.dumps(API_SHAPE, indent=2)
    okr = parse(text)
    assert okr.source_format == "json"
    assert shape(okr) == shape(parse(API_SHAPE))
    assert parse_json(text).objectives == okr.objectives
    assert parse("\ufeff  \n" + text).source_format == "json"


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"objectives": [{"text": "A", "key_results": [{"txt": "x"}]}]},
            "objectives[0].key_results[0]: text is missing",
        ),
        (
            {"objectives": [{"text": "A", "key_results": []}, {"text": "B"}, {"key_results": []}]},
            "objectives[2]: text is missing",
        ),
        (
            {"objectives": [{"text": "A", "key_results": [{"text": 3}]}]},
            "objectives[0].key_results[0].text: expected a string, got a number",
        ),
        ({"objectives": [{"text": "  ", "key_results": []}]}, "objectives[0].text: is empty"),
        (
            {"objectives": [{"text": "A", "key_results": "x; y"}]},
            "objectives[0].key_results: expected a list of key results, got a string",
        ),
        ({"objectives": [{"text": "A", "team": 7}]}, "objectives[0].team: expected a string"),
        (
            {"objectives": [{"text": "A", "key_results": [None]}]},
            "objectives[0].key_results[0]: expected a key result",
        ),
        ({"objectives": "A"}, "objectives: expected a list of objectives, got a string"),
        ({"objectives": [5]}, "objectives[0]: expected an objective"),
        ({"okr_set": []}, "okr_set: expected an object"),
        (
            {"okr_set": {"objectives": [{"text": "A", "key_results": [{}]}]}},
            "okr_set.objectives[0].key_results[0]: text is missing",
        ),
        ([{"text": "A"}, 5], "[1]: expected an objective"),
        ({"foo": 1, "bar": 2}, 'expected an object with an "objectives" list'),
        ({"objectives": []}, "no objectives"),
        ([], "no objectives"),
    ],
)
def test_wrong_shapes_name_the_path(data, message):
    with pytest.raises(ParseError) as info:
        parse_structured(data)
    assert message in str(info.value)


def test_unknown_fields_at_the_top_are_listed():
    with pytest.raises(ParseError, match="found keys: foo, bar"):
        parse({"foo": 1, "bar": 2})


def test_json_syntax_error_carries_the_line_number():
    text = '{\n  "objectives": [\n    {"text": "A",\n     "key_results": [}\n  ]\n}'
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.line == 4
    assert str(info.value).startswith("line 4: ")
    assert "invalid JSON: Expecting value (column 22)" in str(info.value)


def test_json_shape_error_through_text():
    with pytest.raises(ParseError, match=r"objectives\[0\]\.key_results\[1\]: text is missing"):
        parse('{"objectives": [{"text": "A", "key_results": [{"text": "x"}, {"note": "y"}]}]}')


def test_text_that_merely_starts_with_a_bracket_is_not_json():
    okr = parse("[Draft] Q3 OKRs\nGrow revenue\n- ARR from 1M to 2M\n")
    assert shape(okr) == [("Grow revenue", ["ARR from 1M to 2M"])]
    okr = parse("[ ] Grow revenue\n[ ] ARR from 1M to 2M\n")
    assert shape(okr) == [("Grow revenue", ["ARR from 1M to 2M"])]


def test_deeply_nested_json_is_a_parse_error():
    with pytest.raises(ParseError, match="nested too deeply"):
        parse("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_json("[" * 100_000 + "]" * 100_000)


def test_parse_json_reports_syntax_errors_with_lines():
    with pytest.raises(ParseError) as info:
        parse_json('{\n\n  "objectives": [1,]\n}')
    assert info.value.line == 3


def test_json_lines_get_a_hint():
    jsonl = '{"objectives": [{"text": "A"}]}\n{"objectives": [{"text": "B"}]}\n'
    with pytest.raises(ParseError, match="line 2: invalid JSON: Extra data .*one draft at a time"):
        parse(jsonl)
