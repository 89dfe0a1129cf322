"""Streaming what a writer writes: in order, in bounded chunks, an early error raised to
the caller, a reader that stops stops the writer."""

from __future__ import annotations

import threading
import time

import pytest

from coach.web.streams import CHUNK, DEPTH, stream


def test_chunks_arrive_in_order_and_bounded():
    data = bytes(range(256)) * 4096  # 1 MB

    chunks = list(stream(lambda out: [out.write(data[i : i + 1000]) for i in range(0, len(data), 1000)]))
    assert b"".join(chunks) == data
    assert max(len(c) for c in chunks) <= CHUNK


def test_an_error_before_the_first_chunk_is_raised_to_the_caller():
    def fails(out):  # noqa: ANN001
        raise LookupError("no such batch")

    with pytest.raises(LookupError, match="no such batch"):
        stream(fails)


def test_a_reader_that_stops_stops_the_writer():
    written = []
    ended = threading.Event()

    def endless(out):  # noqa: ANN001
        try:
            while True:
                out.write(b"x" * CHUNK)
                written.append(1)
        finally:
            ended.set()

    chunks = stream(endless)
    next(chunks)
    chunks.close()
    assert ended.wait(5), "the writer should stop once the reader has gone"
    # It never ran far ahead of the reader: memory stays bounded.
    time.sleep(0.1)
    assert len(written) <= DEPTH + 3
