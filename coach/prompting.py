"""The LLM review's messages, rendered from `prompts/` and the rubric, and their version.

The templates are Jinja2 with `StrictUndefined`; the label definitions and
examples come from the rubric's rules, so the prompt and the rules cannot
drift apart. `prompt_version(rubric)` is a hash of the templates, the rubric
data rendered into them and the output schema: every review records it, and
cached or recorded answers are keyed by it.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .llm.schema import TRANSPORT_TEXT_VERSION, strict_json_schema
from .llm.verdict import RepairVerdict, SetVerdict, kr_id, objective_id
from .models import KR_LABELS, OBJECTIVE_LABELS, OkrSet
from .resources import prompts_dir
from .rubric import Rubric

TEMPLATES = ("review_system.j2", "review_user.j2", "repair_user.j2")
REWRITE_EXAMPLE = "Increase self-service adoption from [current adoption] to [target adoption] by end of Q3"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(prompts_dir())),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,  # plain text for a model, not HTML
    )


def _template_stamp() -> tuple[tuple[str, int], ...]:
    folder = prompts_dir()
    return tuple((name, (folder / name).stat().st_mtime_ns) for name in TEMPLATES)


def _label_data(rubric: Rubric, labels: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for label in labels:
        rule = rubric.label_rule(label)
        if rule is None:
            continue
        out.append(
            {
                "name": label,
                "severity": rule.severity.value,
                "summary": rule.summary.rstrip("."),
                # `why` is prose; a rule's {field} placeholders are for findings, not prompts.
                "why": re.sub(r"\{\w+\}", "…", " ".join(rule.why.split())),
                "flagged": list(rule.examples.flagged),
                "not_flagged": list(rule.examples.not_flagged),
            }
        )
    return out


def system_context(rubric: Rubric) -> dict[str, Any]:
    """The rubric data the system prompt is rendered from."""
    return {
        "objective_labels": _label_data(rubric, OBJECTIVE_LABELS),
        "kr_labels": _label_data(rubric, KR_LABELS),
        "precedence": [p for p in rubric.kr_label_precedence if p in KR_LABELS] or list(KR_LABELS),
        "rewrite_example": REWRITE_EXAMPLE,
    }


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@lru_cache(maxsize=64)
def _prepared(digest: str, stamp: tuple[tuple[str, int], ...], rubric: Rubric) -> tuple[str, dict[str, str]]:
    """(system text, manifest) for one rubric and one state of the template files."""
    env = _environment()
    context = system_context(rubric)
    manifest = {
        name: _sha((prompts_dir() / name).read_text(encoding="utf-8")) for name in TEMPLATES
    }
    manifest["rubric labels"] = _sha(json.dumps(context, sort_keys=True, ensure_ascii=False))
    manifest["output schema"] = _sha(
        json.dumps(
            [strict_json_schema(SetVerdict), strict_json_schema(RepairVerdict), TRANSPORT_TEXT_VERSION],
            sort_keys=True,
        )
    )
    return env.get_template("review_system.j2").render(**context).strip(), manifest


def _system_and_manifest(rubric: Rubric) -> tuple[str, dict[str, str]]:
    return _prepared(rubric.digest, _template_stamp(), rubric)


def prompt_manifest(rubric: Rubric) -> dict[str, str]:
    """Each part that shapes the prompt (template files, rubric data, schema) → its hash."""
    return dict(_system_and_manifest(rubric)[1])


def prompt_version(rubric: Rubric) -> str:
    manifest = _system_and_manifest(rubric)[1]
    return "p-" + _sha(json.dumps(manifest, sort_keys=True))


def okr_set_json(okr_set: OkrSet) -> str:
    """The OKR set as the model sees it: ids and whitespace-normalised texts.

    `<` is escaped so no text can close the `<okr_set>` delimiter early.
    """
    data = {
        "objectives": [
            {
                "id": objective_id(oi),
                "text": " ".join(o.text.split()),
                "key_results": [
                    {"id": kr_id(oi, ki), "text": " ".join(k.text.split())}
                    for ki, k in enumerate(o.key_results)
                ],
            }
            for oi, o in enumerate(okr_set.objectives)
        ]
    }
    return json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")


def review_messages(okr_set: OkrSet, rubric: Rubric) -> list[dict[str, str]]:
    system, _ = _system_and_manifest(rubric)
    user = _environment().get_template("review_user.j2").render(
        okr_set_json=okr_set_json(okr_set), objective_count=len(okr_set.objectives)
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user.strip()}]


def repair_messages(
    messages: list[dict[str, str]], answer: str, items: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The review conversation, the model's answer, then the rewrites to repair.

    `items` are `{"id", "rewrite", "problem"}`.
    """
    text = _environment().get_template("repair_user.j2").render(items=items)
    return [*messages, {"role": "assistant", "content": answer}, {"role": "user", "content": text.strip()}]
