"""The LLM review under load: 500 OKR sets through `review_many(mode="llm")`.

Starts the tests' scripted OpenAI-compatible server (tests/llm/scripted_server.py)
on loopback in a process of its own, as a real model server would be, with
200 ms of injected latency per request. Reviews 500 distinct generated OKR sets
with the whole pipeline (prompt rendering, one structured call per set, merge,
rewrite guard, repair call when a rewrite still fails the rubric) and at most
32 model calls in flight, then prints wall time and

    efficiency = ideal time / measured time,  ideal = calls / concurrency x latency

where `calls` counts every HTTP call the reviews made (a repair is a second call).
It also counts fabricated numbers left in the returned rewrites (the scripted
model invents baselines; the guard must take every one out).

    .venv/bin/python bench/llm_load.py [--sets 500] [--concurrency 32] [--latency 0.2]

Target: efficiency >= 0.8 with no failed review and no fabricated number; exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from coach import review_many
from coach.errors import CoachError
from coach.llm import LLMSettings
from coach.models import Review
from coach.provenance import fabricated

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.8


def draft(i: int) -> str:
    """A distinct OKR set: a task, a KR with no baseline and a good outcome."""
    return (
        f"Objective: Make onboarding effortless for team {i}\n"
        f"KR: Cut time to first review from {3 + i % 5} days to 1 day by end of Q3\n"
        f"KR: Increase week-4 retention of new teams to {60 + i % 30}%\n"
        f"KR: Publish {10 + i % 7} onboarding guides\n"
    )


@contextlib.contextmanager
def scripted_server(latency: float) -> Iterator[str]:
    """The base URL of the scripted server, in its own process, stopped on exit."""
    script = ROOT / "tests" / "llm" / "scripted_server.py"
    proc = subprocess.Popen(
        [sys.executable, str(script), "--latency", str(latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("listening "):
            raise RuntimeError(f"scripted server did not start: {line!r}")
        yield line.removeprefix("listening ")
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # the server stops at EOF on stdin
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fabricated_numbers(draft_text: str, review: Review) -> int:
    return sum(len(fabricated(rw.text, [draft_text])) for rw in review.rewrites)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()

    drafts = [draft(i) for i in range(args.sets)]
    with scripted_server(args.latency) as base_url:
        settings = LLMSettings(
            base_url=base_url, api_key="bench", model="scripted-model", max_retries=0, timeout_s=30,
            concurrency=args.concurrency,
        )
        review_many(drafts[:1], mode="llm", settings=settings)  # warm-up: imports, templates, rubric
        started = time.perf_counter()
        results = review_many(drafts, mode="llm", settings=settings, concurrency=args.concurrency)
        wall = time.perf_counter() - started

    errors = [r for r in results if isinstance(r, CoachError)]
    reviews = [r for r in results if isinstance(r, Review)]
    fell_back = [r for r in reviews if r.provenance.llm_status.startswith("failed")]
    usages = [r.provenance.usage for r in reviews if r.provenance.usage is not None]
    calls = sum(u.calls for u in usages)
    ideal = calls / args.concurrency * args.latency
    efficiency = ideal / wall if wall else 0.0
    invented = sum(fabricated_numbers(d, r) for d, r in zip(drafts, results, strict=True) if isinstance(r, Review))
    latencies = sorted(u.latency_s for u in usages if u.calls)
    print(f"OKR sets        {args.sets} ({len(reviews) - len(fell_back)} reviewed with the model, "
          f"{len(fell_back)} fell back to rules, {len(errors)} errors) + 1 warm-up")
    print(f"model calls     {calls} ({calls - len(usages)} repair calls)")
    print(f"concurrency     {args.concurrency}, injected latency {args.latency * 1000:.0f} ms, server in its own process")
    print(f"wall time       {wall:.3f} s")
    print(f"ideal time      {ideal:.3f} s  ({calls}/{args.concurrency} x {args.latency:g} s)")
    print(f"efficiency      {efficiency:.3f}  (target >= {TARGET})")
    if latencies:
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"model time/set  p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    tokens = sum(u.prompt_tokens + u.completion_tokens for u in usages)
    print(f"tokens          {tokens:,} (from the responses' usage), estimated cost ${sum(u.cost_usd for u in usages):.4f}")
    print(f"fabricated      {invented} numbers in {sum(len(r.rewrites) for r in reviews)} rewrites")
    for r in (errors + [f.provenance.llm_status for f in fell_back])[:5]:
        print(f"problem: {r}")
    ok = not errors and not fell_back and invented == 0 and efficiency >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
