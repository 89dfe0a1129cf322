"""What sharing state through Redis costs: rate-limit hits, model-budget tokens, a request.

In one run, on this machine's Redis (127.0.0.1:6379, a random key prefix, deleted
afterwards), against the in-memory versions as the baseline:

1. `RateLimits.hit` (moving window): the first hit apart (cold: connects and loads
   the script), then 5,000 warm hits over 500 callers; µs per hit, ratio to memory.
2. `ModelBudget.acquire` (token bucket + pause): the same, with a bucket too large
   to ever wait.
3. `GET /v1/rules` through the whole app in-process (httpx ASGI transport, every
   middleware: request id, proxy headers, metrics, access, limits), 2,000 requests
   with the limit off, in memory and in Redis; ms per request, ratio to "off".

    .venv/bin/python bench/shared_state.py [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis

from coach.config import Settings
from coach.llm.budget import ModelBudget
from coach.web.app import create_app
from coach.web.ratelimit import RateLimits


async def _hits(limits: RateLimits, n: int, callers: int) -> tuple[float, float]:
    started = time.perf_counter()
    await limits.hit("key:cold")
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(n):
        await limits.hit(f"key:{i % callers}")
    return cold, (time.perf_counter() - started) / n


async def _tokens(budget: ModelBudget, n: int) -> tuple[float, float]:
    started = time.perf_counter()
    await budget.acquire()
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(n):
        await budget.acquire()
    return cold, (time.perf_counter() - started) / n


async def _requests(settings: Settings, n: int) -> float:
    app = create_app(settings)
    from coach.store import open_store

    app.state.store = store = open_store(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(50):  # warm: the rubric, the store, the Redis connection
                await client.get("/v1/rules")
            started = time.perf_counter()
            for _ in range(n):
                r = await client.get("/v1/rules")
                assert r.status_code == 200, r.text
            return (time.perf_counter() - started) / n
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    client = redis.Redis.from_url(args.redis, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        print(f"skipped: Redis unreachable at {args.redis}: {exc}")
        return 0
    prefix = f"okc-bench-{secrets.token_hex(4)}"
    try:
        print("rate-limit hit (moving window, 600/min, 500 callers, 5,000 hits)")
        mem_cold, mem = asyncio.run(_hits(RateLimits(600), 5000, 500))
        red_cold, red = asyncio.run(
            _hits(RateLimits(600, redis_url=args.redis, prefix=prefix), 5000, 500)
        )
        print(f"  memory: cold {mem_cold * 1e6:8.0f} µs   warm {mem * 1e6:6.1f} µs/hit")
        print(
            f"  redis:  cold {red_cold * 1e6:8.0f} µs   warm {red * 1e6:6.1f} µs/hit   ({red / mem:.1f}x memory)"
        )

        print("model-budget token (bucket of 10^6/min, 5,000 tokens)")
        mem_cold, mem = asyncio.run(_tokens(ModelBudget(1_000_000), 5000))
        red_cold, red = asyncio.run(
            _tokens(ModelBudget(1_000_000, redis_url=args.redis, prefix=prefix), 5000)
        )
        print(f"  memory: cold {mem_cold * 1e6:8.0f} µs   warm {mem * 1e6:6.1f} µs/token")
        print(
            f"  redis:  cold {red_cold * 1e6:8.0f} µs   warm {red * 1e6:6.1f} µs/token   ({red / mem:.1f}x memory)"
        )

        print("GET /v1/rules through the app in-process (2,000 requests, warm)")
        with tempfile.TemporaryDirectory() as tmp:
            base = {"data_dir": Path(tmp), "redis_prefix": prefix}
            off = asyncio.run(_requests(Settings(**base, rate_limit_per_minute=0), 2000))
            memory = asyncio.run(_requests(Settings(**base, rate_limit_per_minute=10**9), 2000))
            shared = asyncio.run(
                _requests(Settings(**base, rate_limit_per_minute=10**9, redis_url=args.redis), 2000)
            )
        print(f"  limit off:       {off * 1e3:6.3f} ms/request")
        print(f"  limit in memory: {memory * 1e3:6.3f} ms/request   ({memory / off:.2f}x off)")
        print(f"  limit in Redis:  {shared * 1e3:6.3f} ms/request   ({shared / off:.2f}x off)")
    finally:
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
