"""Reports as artefacts: a finished batch's report is rendered once, in every format,
and kept; requests are then served from what was kept, with its ETag.

`ReportStorage` is the one small interface (save a report by writing it, load one back
with its ETag and size); `FileStorage` keeps them in a folder (by default `reports/` in
the data directory; a folder every replica mounts when they run on several machines).
An object store implements the same two methods. A report that is missing (kept on
another machine's disk, a batch finished before this version) is rendered on request
and kept then.

Files are immutable: a report is written under its content's digest and a small pointer
names the current one, replaced atomically, so a reader never sees half a file nor a
file with another file's ETag.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, Protocol

from .report import EXTENSIONS, FORMATS, ReportMeta, write_report
from .summary import BatchSummary

if TYPE_CHECKING:
    from ..config import Settings
    from ..store.batches import BatchInfo, BatchStore

_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}/report\.(html|md|csv|json)")


@dataclass(frozen=True)
class Artifact:
    etag: str  # a quoted strong validator, as sent in the ETag header
    size: int
    open: Callable[[], BinaryIO]


class ReportStorage(Protocol):
    def save(self, key: str, write: Callable[[IO[bytes]], None]) -> Artifact: ...

    def load(self, key: str) -> Artifact | None: ...


def key_of(batch_id: str, fmt: str) -> str:
    """The key of a batch's report in one format: `<batch id>/report.<extension>`."""
    return _checked(f"{batch_id}/report.{EXTENSIONS[fmt]}")


def _checked(key: str) -> str:
    # Keys become paths: nothing but a batch id and a report name, never '..' or '/'.
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a report key: {key[:80]!r}")
    return key


class _Hashing(io.RawIOBase):
    """A writable file that hashes and counts what goes through it."""

    def __init__(self, inner: IO[bytes]):
        self.inner = inner
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # noqa: ANN001
        self.digest.update(b)
        self.size += len(b)
        return self.inner.write(b)


class FileStorage:
    def __init__(self, root: Path):
        self.root = root

    def save(self, key: str, write: Callable[[IO[bytes]], None]) -> Artifact:
        path = self.root / _checked(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report-")
        try:
            with os.fdopen(fd, "wb") as raw:
                hashing = _Hashing(raw)
                with io.BufferedWriter(hashing, 256 * 1024) as buffered:
                    write(buffered)
            tag = hashing.digest.hexdigest()[:32]
            os.replace(tmp, path.with_name(f"{tag}{path.suffix}"))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        pointer = path.with_name(path.name + ".etag")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".etag-")
        with os.fdopen(fd, "w") as f:
            f.write(tag)
        os.replace(tmp, pointer)
        return self._artifact(path.with_name(f"{tag}{path.suffix}"), tag)

    def load(self, key: str) -> Artifact | None:
        path = self.root / _checked(key)
        try:
            tag = path.with_name(path.name + ".etag").read_text().strip()
        except FileNotFoundError:
            return None
        content = path.with_name(f"{tag}{path.suffix}")
        return self._artifact(content, tag) if content.is_file() else None

    @staticmethod
    def _artifact(content: Path, tag: str) -> Artifact:
        return Artifact(
            etag=f'"{tag}"', size=content.stat().st_size, open=lambda: content.open("rb")
        )


def storage_for(settings: Settings) -> ReportStorage:
    from .settings import BatchSettings

    return FileStorage(BatchSettings().reports_dir or settings.data_dir / "reports")


def report_meta(info: BatchInfo) -> ReportMeta:
    """The service's report: the app's header and a way back to the batch page (the file the
    CLI writes has neither)."""
    return ReportMeta(
        title=info.title,
        batch_id=info.id,
        created_at=info.created_at,
        status=info.status,
        options=info.options,
        files=info.inputs,
        back_url=f"/batches/{info.id}",
    )


def render(
    batches: BatchStore,
    info: BatchInfo,
    fmt: str,
    out: IO[bytes],
    summary: BatchSummary | None = None,
) -> BatchSummary:
    """Write the batch's report in `fmt` (UTF-8) to `out`, from the store; returns its
    summary (pass it back for the next format: one pass over the results fewer)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    summary = write_report(
        fmt, report_meta(info), lambda ordered: batches.entries(info.id, ordered), text, summary
    )
    text.flush()
    text.detach()
    return summary


def publish(batches: BatchStore, storage: ReportStorage, batch_id: str) -> dict[str, Artifact]:
    """Render a finished batch's report in every format and keep them. The summary is
    made once, for all four formats (each making its own took three more passes over
    every stored result)."""
    info = batches.get(batch_id)
    made: list[BatchSummary] = []

    def write(out: IO[bytes], fmt: str) -> None:
        made[:] = [render(batches, info, fmt, out, made[0] if made else None)]

    return {fmt: storage.save(key_of(batch_id, fmt), partial(write, fmt=fmt)) for fmt in FORMATS}
