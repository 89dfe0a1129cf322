"""A report written by a function (`write(out)`) sent as it is written: the writer runs
in a thread and hands over chunks through a short queue, so memory stays flat however
large the report, and the first bytes leave before the last are written.

An error before the first chunk is raised to the caller (it becomes a problem document);
a client that goes away stops the writer at its next chunk.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator
from typing import IO

CHUNK = 64 * 1024
DEPTH = 8  # chunks in flight: at most DEPTH * CHUNK bytes held per response
_END = object()


class _Gone(Exception):
    """The reader stopped (the client went away)."""


class _Pipe(io.RawIOBase):
    def __init__(self, q: queue.Queue[object], stop: threading.Event):
        self.q = q
        self.stop = stop

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # noqa: ANN001
        while True:
            if self.stop.is_set():
                raise _Gone
            try:
                self.q.put(bytes(b), timeout=0.5)
                return len(b)
            except queue.Full:
                continue


def stream(write: Callable[[IO[bytes]], None]) -> Iterator[bytes]:
    """Start `write` in a thread; the chunks it writes, in order. Blocks until the first
    chunk (or the error that came before it) is there."""
    q: queue.Queue[object] = queue.Queue(DEPTH)
    stop = threading.Event()

    def run() -> None:
        try:
            with io.BufferedWriter(_Pipe(q, stop), CHUNK) as out:
                write(out)
        except _Gone:
            return
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, raised there
            _put(exc)
            return
        _put(_END)

    def _put(item: object) -> None:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    threading.Thread(target=run, name="okr-coach-report", daemon=True).start()
    first = q.get()
    if isinstance(first, BaseException):
        raise first
    return _rest(first, q, stop)


def _rest(first: object, q: queue.Queue[object], stop: threading.Event) -> Iterator[bytes]:
    try:
        item = first
        while item is not _END:
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, bytes)
            yield item
            item = q.get()
    finally:
        stop.set()
