"""Settings of batch review, from `OKR_COACH_BATCH_*` environment variables.

The limits on what one file may hold (rows, columns, cells, merged ranges, an XLSX part's
unpacked size and compression ratio) are checked before a parser or spreadsheet library
gets the bytes; an input over one is refused whole, naming the limit and its setting
(`coach.errors.LimitExceededError`). Defaults keep one read of the largest allowed file
well under 1 GB of memory (measured at peak: 150,000 CSV rows +350 MB; a workbook of
149,000 rows x 6 columns +374 MB, of 76,000 x 13 +298 MB; at 149,000 x 13 cells, over
the default, +579 MB).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class BatchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OKR_COACH_BATCH_", extra="ignore")

    max_file_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1, description="the largest input file read"
    )
    max_sets: int = Field(default=100_000, ge=1, description="OKR sets in one batch")
    max_item_chars: int = Field(default=2_000, ge=1, description="per objective or key result")
    max_rows: int = Field(
        default=150_000, ge=1, description="rows of a CSV file or a sheet (its last row number)"
    )
    max_columns: int = Field(default=100, ge=1, description="columns of a CSV row or a sheet")
    max_cells: int = Field(
        default=1_000_000,
        ge=1,
        description="cells of a sheet (rows x columns from A1), or values of a JSON file",
    )
    max_merged_ranges: int = Field(default=10_000, ge=0, description="merged ranges per sheet")
    max_xlsx_unpacked_bytes: int = Field(
        default=256 * 1024 * 1024, ge=1, description="the XML parts of a workbook, inflated"
    )
    max_xlsx_ratio: int = Field(
        default=100, ge=1, description="unpacked / packed size of any workbook part over 1 MB"
    )
    # Uploads read (decoded, parsed) at once by the server; more wait their turn. Reading is
    # CPU-bound under one GIL, so one at a time loses nothing and bounds the memory.
    upload_readers: int = Field(default=1, ge=1, le=16)
    # How long an upload waits for its turn before a 503 with Retry-After.
    upload_wait_s: float = Field(default=120.0, gt=0)
    # Restarts of a crashed runner thread (each after a pause that doubles) before the
    # runner is left down and /readyz answers 503.
    runner_max_restarts: int = Field(default=5, ge=0)
    # Processes of the command line's rules-only pool (the server reviews in its own
    # process, one set at a time, so it stays a single process to kill and restart).
    workers: int = Field(default_factory=_default_workers, ge=1, le=64)
    # A set whose review fails with a transient error is tried this many times in all.
    max_attempts: int = Field(default=3, ge=1, le=20)
    # The server's claim on a chunk of sets; a claim left by a process that died
    # is taken over after this many seconds.
    claim_ttl_s: float = Field(default=60.0, gt=0)
    # Sets claimed, reviewed and written together by the server's runner.
    chunk: int = Field(default=16, ge=1, le=1000)
    # Who runs batches: `auto` is the queue (`okr-coach worker`) when the store is
    # PostgreSQL and the server's own runner thread on SQLite; `embedded` is always the
    # server's runner; `queue` insists on the queue (an error on SQLite).
    queue: Literal["auto", "embedded", "queue"] = "auto"
    # Sets per queued job: the unit several workers share a batch by, and the most work
    # a killed worker's replacement does again (rules only: results with a model are
    # stored one set at a time).
    job_sets: int = Field(default=50, ge=1, le=1000)
    # A worker silent (no heartbeat) for this long is taken for dead and its job handed
    # to another; heartbeats go out five times as often.
    stalled_s: float = Field(default=5.0, ge=0.5, le=600)
    # Where finished batches' reports are kept (default: `reports/` in the data directory).
    reports_dir: Path | None = None


def setting_name(field: str) -> str | None:
    """The environment variable of a setting ('max_rows' -> 'OKR_COACH_BATCH_MAX_ROWS')."""
    return f"OKR_COACH_BATCH_{field.upper()}" if field in BatchSettings.model_fields else None
