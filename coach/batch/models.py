"""The data of a batch: the sets read from the input files, what was not used, the outcomes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


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
    skipped: list[SkippedItem] = Field(default_factory=list)


class BatchInput(BaseModel):
    sets: list[BatchSet] = Field(default_factory=list)
    files: list[FileReport] = Field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(len(f.skipped) for f in self.files)


class SetOutcome(BaseModel):
    """The result of reviewing one set: the Review JSON, or why it failed."""

    seq: int
    status: Literal["done", "failed"]
    review_json: str | None = None
    error: str | None = None
    attempts: int = 1
