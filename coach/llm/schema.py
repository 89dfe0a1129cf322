"""Structured output helpers shared by every client: the strict JSON schema sent
to the endpoint, the wording that carries the schema when the endpoint cannot
enforce it, the JSON taken out of a text answer, and our own validation.

The two texts below are transport wording, not review prompts: they are sent
as part of the request, so `TRANSPORT_TEXT_VERSION` is meant to be folded into
the prompt version of whatever uses these clients.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

SCHEMA_INSTRUCTION = (
    "Answer with a single JSON object and nothing else: no prose before or after it, "
    "no code fence. The object must be valid against this JSON schema:\n{schema}"
)

REASK_INSTRUCTION = (
    "Your previous answer could not be used: {problem}\n"
    "Answer again with the complete corrected JSON object only, valid against the schema."
)

TRANSPORT_TEXT_VERSION = hashlib.sha256(
    (SCHEMA_INSTRUCTION + "\0" + REASK_INSTRUCTION).encode()
).hexdigest()[:12]

_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_name(name: str) -> str:
    """The call's name doubles as the schema / tool name, which providers restrict."""
    if not _NAME_RE.match(name):
        raise ValueError(f"name {name!r} must match {_NAME_RE.pattern} (it names the schema)")
    return name


@functools.lru_cache(maxsize=256)
def strict_json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the form strict structured output accepts.

    Every object lists all its properties as required and has
    `additionalProperties: false`; optional fields stay nullable (`X | None`)
    in the schema, so the model writes `null` rather than leaving them out.
    `$ref`s with sibling keywords are inlined and `default`s dropped, which
    strict mode rejects. Free-form dicts (`dict[str, X]`) are not supported by
    strict mode and are left as they are.

    Cached per class: treat the returned dict as read-only.
    """
    root = copy.deepcopy(schema.model_json_schema())
    defs = root.get("$defs", {})

    def resolve(ref: str) -> dict[str, Any]:
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {ref!r} in schema {schema.__name__}")
        return copy.deepcopy(defs[ref.removeprefix("#/$defs/")])

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and len(node) > 1:
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**resolve(node["$ref"]), **siblings}
        node.pop("default", None)
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            node["additionalProperties"] = False
        for key in ("properties", "$defs"):
            if isinstance(node.get(key), dict):
                node[key] = {name: walk(sub) for name, sub in node[key].items()}
        for key in ("items", "anyOf", "allOf", "oneOf", "prefixItems", "not"):
            if key in node:
                node[key] = walk(node[key])
        return node

    return walk(root)


@functools.lru_cache(maxsize=256)
def schema_instruction(schema: type[BaseModel]) -> str:
    text = json.dumps(strict_json_schema(schema), ensure_ascii=False, sort_keys=True)
    return SCHEMA_INSTRUCTION.replace("{schema}", text)


def with_system_text(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """`messages` with `text` appended to the first system message (or a new one first).

    One leading system message, because several local servers' chat templates
    reject a second system message or one that is not first.
    """
    out = [dict(m) for m in messages]
    for message in out:
        if message.get("role") == "system" and isinstance(message.get("content"), str):
            message["content"] = f"{message['content']}\n\n{text}"
            return out
    return [{"role": "system", "content": text}, *out]


def reask_messages(
    messages: list[dict[str, Any]], raw: str, problem: str
) -> list[dict[str, Any]]:
    """The conversation for the one re-ask: the bad answer as plain text, then the problem."""
    return [
        *messages,
        {"role": "assistant", "content": raw},
        {"role": "user", "content": REASK_INSTRUCTION.replace("{problem}", problem)},
    ]


_FENCE_RE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


def extract_json(text: str) -> Any:
    """The JSON object in a model's text answer (bare, fenced, or inside prose)."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("the answer is empty")
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as exc:
        first_error = exc
    for fenced in _FENCE_RE.findall(stripped):
        try:
            return json.loads(fenced)
        except json.JSONDecodeError:
            continue
    decoder = json.JSONDecoder()
    starts = [i for i, ch in enumerate(stripped) if ch == "{"][:50]
    for start in starts:
        try:
            value, _ = decoder.raw_decode(stripped, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise ValueError(f"the answer is not valid JSON ({first_error.msg} at position {first_error.pos})")


def format_validation_error(error: ValidationError, limit: int = 10) -> str:
    parts = []
    for item in error.errors(include_url=False)[:limit]:
        loc = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{loc}: {item['msg']}")
    more = error.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "the answer does not match the schema: " + "; ".join(parts)


def parse_answer(raw: str, schema: type[BaseModel]) -> tuple[dict[str, Any] | None, str | None]:
    """(validated data, None) or (None, what is wrong in words a model can act on)."""
    try:
        data = extract_json(raw)
    except ValueError as exc:
        return None, str(exc)
    return validate_data(data, schema)


def validate_data(data: Any, schema: type[BaseModel]) -> tuple[dict[str, Any] | None, str | None]:
    if not isinstance(data, dict):
        return None, f"the answer is JSON but not an object (got {type(data).__name__})"
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        return None, format_validation_error(exc)
    return model.model_dump(mode="json"), None


def request_fingerprint(request: dict[str, Any]) -> str:
    """sha256 of a request body: same model, messages and schema, same fingerprint."""
    text = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
