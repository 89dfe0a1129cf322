"""Batch review: many authors' OKR sets in, one report out.

    from coach.batch import read_paths, LocalBatch
    batch = LocalBatch(read_paths(["team.csv"]))
    batch.run()
    batch.write_file("html", Path("report.html"))

Inputs (`inputs.py`), one reviewer call per set (`engine.py`), the summary a coach
reads first (`summary.py`), the report in four formats (`report.py`), the server's
durable runner over the store (`runner.py`, SQLite), the queue that `okr-coach worker`
processes run (`queue.py`, PostgreSQL) and a queued job's work (`chunk.py`), and
finished reports kept (`artifacts.py`).
"""

from .inputs import InputFile, read_files, read_paths
from .local import LocalBatch
from .models import BatchInput, BatchOptions, BatchSet, FileReport, SetOutcome, SkippedItem
from .report import FORMATS, ReportMeta, write_report
from .settings import BatchSettings
from .summary import BatchSummary, Entry, summarise

__all__ = [
    "FORMATS",
    "BatchInput",
    "BatchOptions",
    "BatchSet",
    "BatchSettings",
    "BatchSummary",
    "Entry",
    "FileReport",
    "InputFile",
    "LocalBatch",
    "ReportMeta",
    "SetOutcome",
    "SkippedItem",
    "read_files",
    "read_paths",
    "summarise",
    "write_report",
]
