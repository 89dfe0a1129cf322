"""Rules-only reviews while hybrid reviews wait on a model that hangs.

Starts the tests' scripted OpenAI-compatible server in this process with every
answer held (it answers only when released), and the service in a process of
its own (one review thread, as shipped). It sends `--hanging` hybrid reviews,
waits until each has reached the model, then times `--reviews` rules-only
reviews, one after another, over HTTP, and prints their latency. Then it
releases the model and prints how long the hybrid reviews took in all.

    .venv/bin/python bench/model_pool.py [--hanging 2] [--reviews 20] [--timeout 300]

Target: every rules-only review under 1 s while the model hangs (exits 1 otherwise).
Before the model pool, the first rules-only review waited for the model's timeout.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "llm"))

from live_app import live_app  # noqa: E402
from scripted_reviewer import okr_answer  # noqa: E402
from scripted_server import Reply, ScriptedServer  # noqa: E402

DRAFT = (
    "Objective: Delight our customers\n"
    "KR: Launch new customer portal\n"
    "KR: Increase NPS to 50\n"
    "KR: Reduce first response time from 9 hours to 4 hours by end of Q3\n"
)
TARGET_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hanging", type=int, default=2, help="hybrid reviews left waiting on the model")
    parser.add_argument("--reviews", type=int, default=20, help="rules-only reviews timed meanwhile")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="the model's timeout (OKR_COACH_LLM_TIMEOUT_S and _REVIEW_TIMEOUT_S)")
    args = parser.parse_args()

    with ScriptedServer(default=Reply.held(okr_answer)) as model, tempfile.TemporaryDirectory() as tmp:
        env = {
            "OKR_COACH_LLM_BASE_URL": model.base_url,
            "OKR_COACH_LLM_API_KEY": "sk-bench-not-a-key",
            "OKR_COACH_LLM_MODEL": "scripted-model",
            "OKR_COACH_LLM_MAX_RETRIES": "0",
            "OKR_COACH_LLM_TIMEOUT_S": str(args.timeout),
            "OKR_COACH_LLM_REVIEW_TIMEOUT_S": str(args.timeout),
        }
        with live_app(Path(tmp) / "data", **env) as base, ThreadPoolExecutor(args.hanging) as pool:

            def post(mode: str, n: int = 0) -> httpx.Response:
                text = DRAFT.replace("50", str(50 + n))  # distinct drafts: no cache hit
                with httpx.Client(base_url=base, timeout=600.0) as http:
                    return http.post("/v1/reviews", json={"text": text, "options": {"mode": mode}})

            started = time.perf_counter()
            hybrids = [pool.submit(post, "hybrid", i) for i in range(args.hanging)]
            while len(model.requests) < args.hanging:  # each hybrid review is at the model
                if any(h.done() for h in hybrids):
                    print("a hybrid review ended before the model answered:", [h.result().text for h in hybrids if h.done()])
                    return 1
                time.sleep(0.01)
            latencies = []
            for i in range(args.reviews):
                t0 = time.perf_counter()
                r = post("rules", 1000 + i)
                latencies.append(time.perf_counter() - t0)
                assert r.status_code == 201, r.text
            waiting = sum(not h.done() for h in hybrids)
            model.release()
            answers = [h.result() for h in hybrids]
            total = time.perf_counter() - started

    ok = all(a.status_code == 201 for a in answers)
    print(f"{args.hanging} hybrid reviews held at the model; {args.reviews} rules-only reviews meanwhile")
    print(f"rules-only latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms (target < {TARGET_S * 1000:.0f} ms)")
    print(f"hybrid reviews still waiting when the last rules-only review answered: {waiting} of {args.hanging}")
    print(f"hybrid reviews answered after release: {sum(a.status_code == 201 for a in answers)} "
          f"({answers[0].json()['provenance']['llm_status'] if ok else 'failed'}); {total:.1f} s in all")
    return 0 if ok and waiting == args.hanging and max(latencies) < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
