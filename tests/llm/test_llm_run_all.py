"""run_all: bounded concurrency, order, failures; and the client under it."""

from __future__ import annotations

import asyncio
import time

import pytest
from llm_fakes import GOOD, MESSAGES, SetVerdict
from scripted_server import Reply

from coach.llm import run_all


def test_limit_order_and_results():
    running = peak = 0

    async def job(i: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        return i * i

    results = asyncio.run(run_all((job(i) for i in range(20)), 4))
    assert results == [i * i for i in range(20)] and peak == 4


def test_first_failure_cancels_the_rest_and_is_raised():
    started: list[int] = []

    async def job(i: int) -> int:
        started.append(i)
        if i == 1:
            raise ValueError("boom")
        await asyncio.sleep(0.5)
        return i

    async def main():
        t0 = time.perf_counter()
        with pytest.raises(ValueError):
            await run_all([job(i) for i in range(10)], 2)
        return time.perf_counter() - t0

    assert asyncio.run(main()) < 0.4
    assert 9 not in started  # never started, and no "never awaited" warning either


def test_return_exceptions_keeps_each_outcome():
    async def job(i: int) -> int:
        if i % 2:
            raise KeyError(i)
        return i

    results = asyncio.run(run_all([job(i) for i in range(4)], 2, return_exceptions=True))
    assert results[0] == 0 and isinstance(results[1], KeyError) and results[2] == 2


def test_limit_must_be_positive():
    with pytest.raises(ValueError):
        asyncio.run(run_all([], 0))


def test_many_calls_through_one_client_are_bounded(scripted, client_for):
    scripted.latency = 0.2
    scripted.default = Reply.ok(GOOD)
    client = client_for()

    async def main():
        t0 = time.perf_counter()
        results = await run_all(
            [client.complete(MESSAGES, SetVerdict, name="okr_review") for _ in range(6)], 3)
        await client.aclose()
        return results, time.perf_counter() - t0

    results, wall = asyncio.run(main())
    assert len(results) == 6 and all(r.parsed["aspiration"] is False for r in results)
    assert 0.4 <= wall < 1.0  # two waves of three, not six calls in a row
    assert sum(r.usage.total_tokens for r in results) == 6 * results[0].usage.total_tokens
