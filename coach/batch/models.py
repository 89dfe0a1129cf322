"""The data of a batch: the sets read from the input files, what was not used, the outcomes."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, model_validator

# A file's skipped rows are summarised: the first SKIPPED_KEPT with where and why, and a
# count per reason (numbers in a reason read as N), for at most REASONS_KEPT reasons. A
# million unusable rows never become a million entries in an answer or in the store.
SKIPPED_KEPT = 100
REASONS_KEPT = 50
OTHER_REASONS = "other reasons"
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def reason_key(reason: str) -> str:
    """What a reason counts under: 'row has 5 fields ...' and 'row has 7 fields ...' are one."""
    return _NUMBER.sub("N", reason)


class BatchOptions(BaseModel):
    """How every set of a batch is reviewed (the options of `coach.review()`)."""

    mode: Literal["rules", "llm", "hybrid"] | None = None
    rubric: str | None = None


class BatchSet(BaseModel):
    """One OKR set to review: one author's draft, and where in the inputs it came from."""

    seq: int = Field(description="0-based position in the batch")
    owner: str
    team: str | None = None
    source: str = Field(description="file and lines/rows, e.g. 'team.csv lines 2-9'")
    # Pasted text (reviewed as written, spans into it) or the structured JSON shape.
    kind: Literal["text", "json"]
    draft: str
    objectives: int = 0
    key_results: int = 0


class SkippedItem(BaseModel):
    """Something in an input file that was not used, with where and why."""

    where: str = Field(description="'line 12', 'row 7 of sheet Q3', 'sets[3]', 'whole file'")
    reason: str
    text: str = ""


class FileReport(BaseModel):
    """What was read from one input file, and what was not."""

    file: str
    format: str = "unknown"
    encoding: str | None = None
    size_bytes: int = 0
    sets: int = 0
    key_results: int = 0
    used: bool = True
    notes: list[str] = Field(default_factory=list)
    skipped: list[SkippedItem] = Field(
        default_factory=list, description=f"the first {SKIPPED_KEPT} rows or items not used"
    )
    skipped_total: int = Field(default=0, description="rows or items not used, all of them")
    skipped_by_reason: dict[str, int] = Field(
        default_factory=dict, description="how many were not used for each reason"
    )
    columns: list[str] = Field(
        default_factory=list,
        description="a table whose columns could not be told apart: its header cells, to "
        "name the objective and key-result columns (`columns`) and send it again",
    )

    @model_validator(mode="after")
    def _count_listed(self) -> FileReport:
        # Reports made with `skipped=[...]`, or stored before the summary existed.
        if self.skipped_total < len(self.skipped):
            self.skipped_total = len(self.skipped)
            self.skipped_by_reason = {}
            for item in self.skipped:
                self._count(item.reason)
        return self

    def skip(self, item: SkippedItem) -> None:
        """Note one row or item not used: counted always, listed while few."""
        self.skipped_total += 1
        self._count(item.reason)
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append(item)

    def _count(self, reason: str) -> None:
        key = reason_key(reason)
        if key not in self.skipped_by_reason and len(self.skipped_by_reason) >= REASONS_KEPT:
            key = OTHER_REASONS
        self.skipped_by_reason[key] = self.skipped_by_reason.get(key, 0) + 1


class BatchInput(BaseModel):
    sets: list[BatchSet] = Field(default_factory=list)
    files: list[FileReport] = Field(default_factory=list)
    total: int = Field(
        default=0, description="sets read: those in `sets`, or those handed to a sink"
    )

    @model_validator(mode="after")
    def _count_sets(self) -> BatchInput:
        self.total = max(self.total, len(self.sets))
        return self

    @property
    def skipped(self) -> int:
        return sum(f.skipped_total for f in self.files)


class SetOutcome(BaseModel):
    """The result of reviewing one set: the Review JSON, or why it failed."""

    seq: int
    status: Literal["done", "failed"]
    review_json: str | None = None
    error: str | None = None
    attempts: int = 1
