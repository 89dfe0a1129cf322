"""Settings of batch review, from `OKR_COACH_BATCH_*` environment variables."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class BatchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OKR_COACH_BATCH_", extra="ignore")

    max_file_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1, description="the largest input file read"
    )
    max_sets: int = Field(default=20_000, ge=1, description="OKR sets in one batch")
    max_item_chars: int = Field(default=2_000, ge=1, description="per objective or key result")
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
