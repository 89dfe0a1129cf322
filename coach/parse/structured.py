"""Dicts, lists and JSON -> OkrSet.

Accepted shapes (unknown fields are ignored, so labeled examples parse too):

- `{"objectives": [...]}`, the API / okr-labels shape;
- `{"okr_set": {"objectives": [...]}}`, e.g. a Review sent back;
- `[...]`, a bare list of objectives;
- `{"text": ..., "key_results": [...]}`, a single objective.

An objective is `{"text", "key_results", "team"?, "owner"?, "initiative"?}` or a
plain string; a key result is `{"text"}` or a plain string. Every shape error
names the path of the problem, e.g. `objectives[2].key_results[0]: text is missing`.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ParseError
from ..models import KeyResult, Objective, OkrSet, ParseWarning, Span

JSON_TOO_DEEP = "the JSON is nested too deeply to read"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _at(path: str, message: str) -> ParseError:
    return ParseError(f"{path}: {message}" if path else message)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def json_error(e: json.JSONDecodeError) -> ParseError:
    hint = ""
    if e.msg == "Extra data":
        hint = "; send one draft at a time (a JSON Lines file holds one draft per line)"
    return ParseError(f"invalid JSON: {e.msg} (column {e.colno}){hint}", line=e.lineno)


def load_json(text: str) -> Any:
    """json.loads with errors as ParseError carrying the line number."""
    try:
        return json.loads(text[1:] if text.startswith("\ufeff") else text)
    except json.JSONDecodeError as e:
        raise json_error(e) from None
    except RecursionError:
        raise ParseError(JSON_TOO_DEEP) from None


def parse_json(text: str) -> OkrSet:
    return parse_structured(load_json(text), source_format="json")


def parse_structured(data: Any, source_format: str = "structured") -> OkrSet:
    """Validate a dict/list draft and build the OkrSet."""
    path = ""
    warnings: list[ParseWarning] = []
    if isinstance(data, dict) and "okr_set" in data and "objectives" not in data:
        inner = data["okr_set"]
        if not isinstance(inner, dict):
            raise _at("okr_set", f"expected an object with an objectives list, got {_kind(inner)}")
        data, path = inner, "okr_set"
    if isinstance(data, dict):
        if "objectives" in data:
            items = data["objectives"]
            path = _join(path, "objectives")
            warnings = _warnings(data.get("warnings"))
        elif "text" in data or "key_results" in data:
            return _result([_objective(data, "")], [], source_format)
        else:
            keys = ", ".join(map(str, list(data)[:8])) or "none"
            raise _at(
                path,
                'expected an object with an "objectives" list (or "okr_set"), or a list '
                f"of objectives; found keys: {keys}",
            )
    elif isinstance(data, list):
        items = data
    else:
        raise _at(path, f"expected an object or a list of objectives, got {_kind(data)}")
    if not isinstance(items, list):
        raise _at(path, f"expected a list of objectives, got {_kind(items)}")
    objectives = [_objective(item, f"{path}[{i}]") for i, item in enumerate(items)]
    return _result(objectives, warnings, source_format)


def _result(objectives: list[Objective], warnings: list[ParseWarning], fmt: str) -> OkrSet:
    if not objectives:
        raise ParseError("the draft has no objectives: the objectives list is empty")
    return OkrSet(objectives=objectives, warnings=warnings, source_format=fmt)


def _text(item: dict[str, Any], path: str) -> str:
    value = item.get("text")
    if value is None:
        raise _at(path, "text is missing")
    if not isinstance(value, str):
        raise _at(_join(path, "text"), f"expected a string, got {_kind(value)}")
    value = value.strip()
    if not value:
        raise _at(_join(path, "text"), "is empty")
    return value


def _optional_str(item: dict[str, Any], key: str, path: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _at(_join(path, key), f"expected a string, got {_kind(value)}")
    return value.strip() or None


def _span(value: Any) -> Span | None:
    if isinstance(value, Span):
        return value
    if isinstance(value, dict):
        s, e, line = value.get("start"), value.get("end"), value.get("line")
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (s, e, line)):
            return Span(start=s, end=e, line=line)
    return None


def _warnings(value: Any) -> list[ParseWarning]:
    """Warnings of an OkrSet sent back whole; anything malformed is ignored."""
    out: list[ParseWarning] = []
    if isinstance(value, list):
        for w in value:
            if (
                isinstance(w, dict)
                and isinstance(w.get("line"), int)
                and isinstance(w.get("message"), str)
            ):
                text = w.get("text")
                out.append(
                    ParseWarning(
                        line=w["line"],
                        message=w["message"],
                        text=text if isinstance(text, str) else "",
                    )
                )
    return out


def _objective(item: Any, path: str) -> Objective:
    if isinstance(item, str):
        if not item.strip():
            raise _at(path, "is empty")
        return Objective(text=item.strip())
    if not isinstance(item, dict):
        raise _at(
            path,
            f'expected an objective (an object with "text" and "key_results"), got {_kind(item)}',
        )
    text = _text(item, path)
    raw_krs = item.get("key_results")
    if raw_krs is None:
        raw_krs = []
    krs_path = _join(path, "key_results")
    if not isinstance(raw_krs, list):
        raise _at(krs_path, f"expected a list of key results, got {_kind(raw_krs)}")
    krs = [_key_result(kr, f"{krs_path}[{i}]") for i, kr in enumerate(raw_krs)]
    return Objective(
        text=text,
        key_results=krs,
        span=_span(item.get("span")),
        team=_optional_str(item, "team", path),
        owner=_optional_str(item, "owner", path),
        initiative=_optional_str(item, "initiative", path),
    )


def _key_result(item: Any, path: str) -> KeyResult:
    if isinstance(item, str):
        if not item.strip():
            raise _at(path, "is empty")
        return KeyResult(text=item.strip())
    if not isinstance(item, dict):
        raise _at(path, f'expected a key result (an object with "text"), got {_kind(item)}')
    return KeyResult(text=_text(item, path), span=_span(item.get("span")))
