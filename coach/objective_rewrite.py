"""Sharper objectives for an aspiration or a plain direction, from the set's own words.

"Delight our customers" with KRs on NPS and customer satisfaction gets "Make NPS the one
thing we move this cycle", "Delight our customers, through NPS and customer
satisfaction, and nothing else this cycle", …, and the questions that decide between
them. The phrasings are templates (`objective_rewrite.yaml`, validated when loaded)
filled with the objective as written and the metrics its own key results name
(`coach.language.phrases.metric_phrase`, the reading the rewrites use); a number the
author did not write is never offered. Findings and KR rewrites are not touched.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from .checks import SetContext
from .errors import ConfigError
from .language.phrases import metric_phrase
from .models import Finding, ObjectiveSuggestion, Target

_FILE = Path(__file__).with_name("objective_rewrite.yaml")
_SLOTS = {"objective", "metric", "metric2"}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


class Phrasings(BaseModel, extra="forbid"):
    rules: list[str] = Field(min_length=1)
    max_options: int = Field(ge=1, le=5)
    options: list[str] = Field(min_length=1)
    questions: list[str] = Field(min_length=1)

    @field_validator("options", "questions")
    @classmethod
    def _known_slots(cls, value: list[str]) -> list[str]:
        for text in value:
            slots = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            unknown = slots - _SLOTS
            if unknown:
                raise ValueError(f"{text!r} names {', '.join(sorted(unknown))}; use {sorted(_SLOTS)}")
        return value


@cache
def load_phrasings(path: Path = _FILE) -> Phrasings:
    try:
        return Phrasings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path.name}: cannot read the phrasings: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            f"{path.name}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        ) from None


def _fill(template: str, slots: dict[str, str]) -> str | None:
    needed = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if any(not slots.get(n) for n in needed):
        return None
    text = template.format(**slots)
    return text[0].upper() + text[1:]


def _metrics(ctx: SetContext, oi: int) -> list[str]:
    seen: dict[str, str] = {}
    for facts, label in zip(ctx.key_results[oi], ctx.kr_labels[oi], strict=True):
        if label == "task":  # a deliverable ("new customer portal") is no metric to win on
            continue
        m = metric_phrase(facts, ctx.rubric.lexicon).strip()
        if m and "[" not in m and m.casefold() not in seen:
            seen[m.casefold()] = m
    return list(seen.values())[:2]


def objective_suggestions(
    ctx: SetContext, findings: list[Finding], phrasings: Phrasings | None = None
) -> list[ObjectiveSuggestion]:
    p = phrasings or load_phrasings()
    flagged = sorted(
        {
            f.target.objective
            for f in findings
            if f.rule_name in p.rules and f.target.objective is not None
            and f.target.key_result is None
        }
    )  # fmt: skip
    out: list[ObjectiveSuggestion] = []
    for oi in flagged:
        obj = ctx.okr_set.objectives[oi]
        words = " ".join(
            [obj.text, *(k.text for k in obj.key_results)]
        )  # numbers the author wrote, anywhere in this objective
        own_numbers = set(_NUMBER.findall(words))
        metrics = _metrics(ctx, oi)
        slots = {
            "objective": obj.text.strip().rstrip(".!"),
            "metric": metrics[0] if metrics else "",
            "metric2": metrics[1] if len(metrics) > 1 else "",
        }
        options = []
        for template in p.options:
            text = _fill(template, slots)
            if text and set(_NUMBER.findall(text)) <= own_numbers and text not in options:
                options.append(text)
            if len(options) == p.max_options:
                break
        questions = [q for q in (_fill(t, slots) for t in p.questions) if q]
        if options:
            out.append(
                ObjectiveSuggestion(
                    target=Target(objective=oi), original=obj.text, options=options,
                    questions=questions,
                )
            )  # fmt: skip
    return out
