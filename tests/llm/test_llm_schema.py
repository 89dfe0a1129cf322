"""Structured-output helpers: strict schema, JSON extraction, validation wording."""

from __future__ import annotations

import pytest
from llm_fakes import GOOD, SetVerdict
from pydantic import BaseModel, Field

from coach.llm.schema import (
    check_name,
    extract_json,
    parse_answer,
    reask_messages,
    strict_json_schema,
    with_system_text,
)


class Inner(BaseModel):
    note: str | None = None


class Outer(BaseModel):
    count: int = 3
    inner: Inner = Field(description="an inner object")
    items: list[Inner] = []


def _objects(node):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


def test_strict_schema_requires_everything_and_closes_objects():
    schema = strict_json_schema(Outer)
    objects = list(_objects(schema))
    assert len(objects) >= 3  # root, the inlined $ref with a description, the $def
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    assert "default" not in str(schema)
    # a $ref with sibling keywords is inlined, a bare $ref is kept
    assert schema["properties"]["inner"]["description"] == "an inner object"
    assert schema["properties"]["inner"]["type"] == "object"
    assert schema["properties"]["items"]["items"] == {"$ref": "#/$defs/Inner"}
    # the original pydantic schema is untouched
    assert "additionalProperties" not in Outer.model_json_schema()


@pytest.mark.parametrize(
    "text",
    ['{"a": 1}', '  ```json\n{"a": 1}\n```  ', 'Here it is: {"a": 1} Hope it helps {x}',
     '```\n{"a": 1}\n```'],
)
def test_extract_json(text):
    assert extract_json(text) == {"a": 1}


@pytest.mark.parametrize("text", ["", "no json here", '{"a": '])
def test_extract_json_failures(text):
    with pytest.raises(ValueError):
        extract_json(text)


def test_parse_answer_reports_problems_a_model_can_act_on():
    data, problem = parse_answer('{"aspiration": true}', SetVerdict)
    assert data is None and "reason: Field required" in problem and "key_results: Field required" in problem
    data, problem = parse_answer("[1, 2]", SetVerdict)
    assert data is None and "not an object" in problem
    data, problem = parse_answer('{"aspiration": ', SetVerdict)
    assert data is None and "not valid JSON" in problem
    data, problem = parse_answer(str(GOOD).replace("'", '"').replace("None", "null").replace("False", "false"),
                                 SetVerdict)
    assert problem is None and data["reason"] == GOOD["reason"]


def test_system_text_goes_into_one_leading_system_message():
    messages = [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]
    out = with_system_text(messages, "T")
    assert out == [{"role": "system", "content": "S\n\nT"}, {"role": "user", "content": "U"}]
    assert messages[0]["content"] == "S"  # not mutated
    assert with_system_text([{"role": "user", "content": "U"}], "T")[0] == {"role": "system", "content": "T"}


def test_reask_appends_the_answer_and_the_problem():
    out = reask_messages([{"role": "user", "content": "U"}], "bad", "the answer is empty")
    assert out[1] == {"role": "assistant", "content": "bad"}
    assert out[2]["role"] == "user" and "the answer is empty" in out[2]["content"]


def test_names_are_checked():
    assert check_name("okr_review-2") == "okr_review-2"
    for bad in ("", "has space", "x" * 65):
        with pytest.raises(ValueError):
            check_name(bad)
