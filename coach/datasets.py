"""Labeled-example files (JSON Lines), in the format of okr-labels.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import DatasetError
from .models import KeyResult, Objective, OkrSet

KrLabel = Literal["task", "no_metric", "no_target", "no_baseline"]


class LabeledKeyResult(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str
    labels: list[KrLabel] = Field(default_factory=list)
    reference_rewrite: str | None = None

    @field_validator("labels")
    @classmethod
    def _at_most_one(cls, v: list[str]) -> list[str]:
        if len(v) > 1:
            raise ValueError("a key result carries at most one label")
        return v


class LabeledObjective(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str
    labels: list[Literal["aspiration"]] = Field(default_factory=list)
    key_results: list[LabeledKeyResult]


class LabeledExample(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    source: str | None = None
    # Where the set comes from, for eval results per group (../shared/realworld carries
    # them: origin real / example / template, and a free-text kind of source).
    origin: str | None = None
    source_kind: str | None = None
    objectives: list[LabeledObjective]

    def to_okr_set(self) -> OkrSet:
        return OkrSet(
            objectives=[
                Objective(text=o.text, key_results=[KeyResult(text=k.text) for k in o.key_results])
                for o in self.objectives
            ]
        )


def load_dataset(path: str | Path) -> list[LabeledExample]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise DatasetError(f"dataset not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read dataset {path}: {exc}") from exc
    examples: list[LabeledExample] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            example = LabeledExample.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DatasetError(
                f"{path}:{n}: not valid JSON: {exc.msg} (column {exc.colno})"
            ) from exc
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise DatasetError(f"{path}:{n}: {loc}: {err['msg']}") from exc
        if example.id in seen:
            raise DatasetError(f"{path}:{n}: duplicate id '{example.id}'")
        seen.add(example.id)
        examples.append(example)
    if not examples:
        raise DatasetError(f"{path}: no examples")
    return examples
