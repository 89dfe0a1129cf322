"""What the model returns for one OKR set: the schema of the one structured call.

Items are named by the ids the prompt shows ("O1", "O1.KR2"), which a model
copies more reliably than nested positions. Every field is required (strict
JSON-schema output needs that); "no label" and "no rewrite" are `null`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

KrLabel = Literal["task", "no_metric", "no_target", "no_baseline"]

_OBJECTIVE_ID = re.compile(r"^O(\d+)$")
_KR_ID = re.compile(r"^O(\d+)\.KR(\d+)$")


class ObjectiveVerdict(BaseModel):
    id: str = Field(description='the objective\'s id as given, e.g. "O1"')
    aspiration: bool = Field(description="true when the objective is an aspiration, not a choice")
    reason: str = Field(description="one sentence: why, in terms of the choice it makes or lacks")
    confidence: float = Field(ge=0, le=1, description="0-1: how sure you are")


class KeyResultVerdict(BaseModel):
    id: str = Field(description='the key result\'s id as given, e.g. "O1.KR2"')
    label: KrLabel | None = Field(description="the one label that applies first, or null")
    reason: str = Field(description="one sentence: why this label, or why none")
    confidence: float = Field(ge=0, le=1, description="0-1: how sure you are")
    rewrite: str | None = Field(
        description="an outcome KR: action, metric, from [baseline] to [target]; null if none needed"
    )
    questions: list[str] = Field(description="what to ask the author for each placeholder")


class SetVerdict(BaseModel):
    """The review of one OKR set: a verdict on every objective and every key result."""

    objectives: list[ObjectiveVerdict]
    key_results: list[KeyResultVerdict]

    def objective(self, index: int) -> ObjectiveVerdict | None:
        """The verdict on the objective at 0-based `index` (the last one wins if repeated)."""
        found = None
        for v in self.objectives:
            m = _OBJECTIVE_ID.match(v.id.strip())
            if m and int(m.group(1)) == index + 1:
                found = v
        return found

    def key_result(self, objective: int, key_result: int) -> KeyResultVerdict | None:
        found = None
        for v in self.key_results:
            m = _KR_ID.match(v.id.strip())
            if m and (int(m.group(1)), int(m.group(2))) == (objective + 1, key_result + 1):
                found = v
        return found


class RewriteRepair(BaseModel):
    id: str = Field(description='the key result\'s id, e.g. "O1.KR2"')
    rewrite: str = Field(description="the corrected rewrite")


class RepairVerdict(BaseModel):
    """Corrected rewrites, one per key result asked about."""

    rewrites: list[RewriteRepair]

    def for_id(self, item_id: str) -> str | None:
        for r in self.rewrites:
            if r.id.strip() == item_id:
                return r.rewrite
        return None


def objective_id(index: int) -> str:
    return f"O{index + 1}"


def kr_id(objective: int, key_result: int) -> str:
    return f"O{objective + 1}.KR{key_result + 1}"
