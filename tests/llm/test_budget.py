"""The fleet's model budget: a token bucket and a shared pause, in memory or in Redis."""

from __future__ import annotations

import asyncio
import time

import pytest
from llm_fakes import GOOD, MESSAGES, SetVerdict, scripted_settings
from scripted_server import Reply

from coach.llm import OpenAICompatibleClient
from coach.llm.budget import ModelBudget, _Memory
from coach.llm.errors import LLMRateLimitError


class _Stop(Exception):
    pass


class FirstSleep:
    """Stands in for asyncio.sleep: records the first delay asked for, then stops the caller."""

    def __init__(self):
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        raise _Stop


def test_the_bucket_refills_evenly_and_a_pause_holds_everyone():
    now = [0.0]
    bucket = _Memory(3, clock=lambda: now[0])  # a token every 20 s, a burst of 3
    assert [bucket.take() for _ in range(3)] == [0.0] * 3
    assert bucket.take() == pytest.approx(20.0)
    now[0] += 20
    assert bucket.take() == 0.0
    bucket.pause(5)
    assert bucket.take() == pytest.approx(5.0)
    bucket.pause(1)  # a shorter pause never shortens a longer one
    now[0] += 5
    assert bucket.take() == pytest.approx(15.0)  # the pause is over; a quarter token came back


def test_no_bucket_means_only_the_pause():
    bucket = _Memory(0)
    assert {bucket.take() for _ in range(1000)} == {0.0}


def _acquire(budget: ModelBudget) -> None:
    with pytest.raises(_Stop):
        asyncio.run(budget.acquire())


def test_through_redis_every_process_shares_the_bucket_and_the_pause(redis_url, redis_prefix):
    sleep_a, sleep_b = FirstSleep(), FirstSleep()
    a = ModelBudget(4, redis_url=redis_url, prefix=redis_prefix, sleep=sleep_a)
    b = ModelBudget(4, redis_url=redis_url, prefix=redis_prefix, sleep=sleep_b)
    for budget in (a, b, a, b):
        assert asyncio.run(budget.acquire()) == 0.0
    _acquire(a)  # the four were spent between them: a token every 15 s
    assert 13 <= sleep_a.delays[0] <= 16.5
    # A 429 seen by one pauses the other.
    asyncio.run(a.back_off(42))
    _acquire(b)
    assert 41 <= sleep_b.delays[0] <= 42 * 1.1
    assert a.where == "redis"


def test_when_redis_does_not_answer_the_budget_counts_in_memory(caplog):
    sleep = FirstSleep()
    budget = ModelBudget(2, redis_url="redis://127.0.0.1:1/0", sleep=sleep)
    assert asyncio.run(budget.acquire()) == 0.0
    assert asyncio.run(budget.acquire()) == 0.0
    _acquire(budget)
    assert 29 <= sleep.delays[0] <= 33
    assert "Redis unreachable" in caplog.text


def test_with_a_budget_sustained_429s_are_waited_out_not_failed(scripted):
    # Five 429s in a row: without a budget a client with 2 retries fails on the third.
    scripted.enqueue(*[Reply.rate_limited(retry_after_ms=60)] * 5, Reply.ok(GOOD))
    budget = ModelBudget(0)
    client = OpenAICompatibleClient(scripted_settings(scripted, max_retries=2), budget=budget)
    started = time.perf_counter()
    result = client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert result.attempts == 6 and len(scripted.requests) == 6
    assert time.perf_counter() - started >= 5 * 0.06  # each pause was honoured
    assert budget.waited_s >= 5 * 0.06


def test_with_a_budget_a_call_gives_up_when_its_patience_runs_out(scripted):
    scripted.enqueue(*[Reply.rate_limited(retry_after_ms=50)] * 10)
    settings = scripted_settings(scripted, max_retries=0, rate_limit_patience_s=0.12)
    client = OpenAICompatibleClient(settings, budget=ModelBudget(0))
    with pytest.raises(LLMRateLimitError):
        client.complete_sync(MESSAGES, SetVerdict, name="okr_review")
    assert 2 <= len(scripted.requests) < 10


def test_with_a_budget_too_long_a_retry_after_still_fails_at_once(scripted):
    scripted.enqueue(Reply.rate_limited(retry_after=600))
    settings = scripted_settings(scripted, max_retry_after_s=30)
    with pytest.raises(LLMRateLimitError) as info:
        OpenAICompatibleClient(settings, budget=ModelBudget(0)).complete_sync(
            MESSAGES, SetVerdict, name="okr_review"
        )
    assert info.value.retry_after == 600 and len(scripted.requests) == 1
