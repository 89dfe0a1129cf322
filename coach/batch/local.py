"""A batch run in this process, results kept in memory: what the command line uses.

(The server keeps its batches in the store instead: `runner.py`.)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from .engine import run_sets
from .models import BatchInput, BatchOptions, BatchSet, SetOutcome
from .report import ReportMeta, write_report
from .settings import BatchSettings
from .summary import BatchSummary, Entry


def owner_order(s: BatchSet) -> tuple[str, str, str, str, int]:
    """Team, then owner (case-insensitively, exact spellings kept together), then position."""
    team = s.team or ""
    return (team.casefold(), team, s.owner.casefold(), s.owner, s.seq)


class LocalBatch:
    def __init__(self, inputs: BatchInput, options: BatchOptions | None = None):
        self.inputs = inputs
        self.options = options or BatchOptions()
        self.outcomes: dict[int, SetOutcome] = {}
        self.seconds: float | None = None

    def run(
        self,
        on_done: Callable[[SetOutcome], None] | None = None,
        settings: BatchSettings | None = None,
    ) -> None:
        start = time.perf_counter()

        def done(outcome: SetOutcome) -> None:
            self.outcomes[outcome.seq] = outcome
            if on_done is not None:
                on_done(outcome)

        run_sets(self.inputs.sets, self.options, done, settings)
        self.seconds = time.perf_counter() - start

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes.values() if o.status == "failed")

    def entries(self, ordered: bool) -> Iterator[Entry]:
        sets = sorted(self.inputs.sets, key=owner_order) if ordered else self.inputs.sets
        for s in sets:
            o = self.outcomes.get(s.seq)
            yield Entry(
                seq=s.seq,
                owner=s.owner,
                team=s.team,
                source=s.source,
                status="pending" if o is None else o.status,
                error=None if o is None else o.error,
                review=json.loads(o.review_json) if o is not None and o.review_json else None,
            )

    def meta(self, title: str | None = None) -> ReportMeta:
        return ReportMeta(
            title=title or "OKR batch review",
            options=self.options,
            files=self.inputs.files,
            seconds=self.seconds,
            status="done" if len(self.outcomes) == len(self.inputs.sets) else "running",
        )

    def write(self, fmt: str, out: TextIO, title: str | None = None) -> BatchSummary:
        return write_report(fmt, self.meta(title), self.entries, out)

    def write_file(self, fmt: str, path: Path, title: str | None = None) -> BatchSummary:
        with path.open("w", encoding="utf-8", newline="") as out:
            return self.write(fmt, out, title)
