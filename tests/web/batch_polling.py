"""Polling a batch until it is done, shared by the batch API tests."""

from __future__ import annotations

import time

import httpx
import pytest


def wait_done(c: httpx.Client, batch_id: str, deadline_s: float = 60.0) -> dict:
    """The batch's status once it is done; a failed test after `deadline_s`."""
    deadline = time.monotonic() + deadline_s
    body: dict = {}
    while time.monotonic() < deadline:
        r = c.get(f"/v1/batches/{batch_id}")
        if r.status_code == 429:  # a slow machine polls long enough to meet the rate limit
            time.sleep(float(r.headers.get("retry-after", "1")))
            continue
        body = r.json()
        if body["status"] == "done":
            return body
        time.sleep(0.1)
    pytest.fail(f"batch {batch_id} not done after {deadline_s:.0f} s: {body}")
