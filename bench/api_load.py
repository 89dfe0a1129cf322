"""Load test of `POST /v1/reviews` over loopback with a real load generator (wrk).

Starts the service (uvicorn, `--workers 2`, a temporary data directory,
rules-only), drives `POST /v1/reviews` with a typical 5-objective draft at 32
concurrent connections for 20 s, prints requests/s, p50/p99 latency and the
error count, and stops the server. Needs `wrk` (Debian package `wrk`).

    .venv/bin/python bench/api_load.py [--duration 20] [--connections 32] [--workers 2]

Targets on a 2-core machine: >= 800 requests/s, p99 <= 50 ms, zero errors.
Exits 1 when a request failed (any error or non-201 answer), 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

DRAFT = """\
# Platform team OKRs, Q3

## Objective 1: Delight our customers
- Launch new customer portal
- Improve customer satisfaction
- Increase NPS to 50
- Reduce first response time from 9 hours to 4 hours by end of Q3

## Objective 2: Make self-service the default support channel for SMB customers
- Increase self-service adoption from 35% to 55%
- Reduce tickets per 100 SMB accounts
- Hold 4 workshops with the product team

## Objective 3: Win the mid-market segment in DACH
- Grow mid-market ARR from $1.2M to $1.8M
- Increase win rate against our main competitor from 22% to 30%
- Hire a head of sales for DACH

## Objective 4: Be world class at reliability
- Maintain 99.9% API uptime
- Reduce p95 latency of the checkout API from 900 ms to 400 ms
- Implement the new on-call rotation

## Objective 5: Make onboarding effortless for new teams
- Cut time to first review from 3 days to 1 day
- Increase week-4 retention of new teams
- Publish 10 onboarding guides
"""

TARGET_RPS = 800
TARGET_P99_MS = 50.0

LUA = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {body}

local non201 = 0
response = function(status, headers, body)
  if status ~= 201 then non201 = non201 + 1 end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua_string(text: str) -> str:
    """A Lua long string holding `text` exactly."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    eq = "=" * level
    return f"[{eq}[{text}]{eq}]"


def start_server(data_dir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OKR_COACH_DATA_DIR": str(data_dir),
        # One client address sends everything here: lift the per-address limit
        # out of the way (the limiter still runs on every request).
        "OKR_COACH_RATE_LIMIT_PER_MINUTE": str(10**9),
    }
    env.pop("OKR_COACH_DATABASE_URL", None)
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "coach.web.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(cmd, env=env, start_new_session=True)


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(base + "/readyz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not become ready in time")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the group of this one server: master and workers
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_wrk(url: str, script: Path, *, threads: int, connections: int, duration: int) -> dict:
    cmd = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
        "-s", str(script), url,
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    last = [line for line in out.splitlines() if line.startswith("{")]
    if not last:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    return json.loads(last[-1])


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--duration", type=int, default=20, help="seconds of load (default 20)")
    ap.add_argument(
        "--connections", type=int, default=32, help="concurrent connections (default 32)"
    )
    ap.add_argument("--workers", type=int, default=2, help="uvicorn workers (default 2)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument(
        "--warmup", type=int, default=3, help="seconds of unreported warm-up (default 3)"
    )
    args = ap.parse_args()

    if shutil.which("wrk") is None:
        print("bench/api_load.py needs wrk: apt-get install -y wrk", file=sys.stderr)
        return 2

    body = json.dumps({"text": DRAFT, "options": {"mode": "rules"}})
    with tempfile.TemporaryDirectory(prefix="okr-coach-bench-") as tmp:
        tmp_path = Path(tmp)
        script = tmp_path / "post_review.lua"
        script.write_text(LUA.format(body=lua_string(body)), encoding="utf-8")
        # Create the schema once, before two workers race to migrate it.
        from coach.store import Store

        Store(f"sqlite:///{tmp_path / 'okr-coach.db'}").close()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(tmp_path, port, args.workers)
        try:
            wait_ready(base, proc)
            check = httpx.post(
                base + "/v1/reviews", content=body, headers={"Content-Type": "application/json"}
            )
            if check.status_code != 201:
                print(
                    f"a single POST failed: {check.status_code} {check.text[:300]}", file=sys.stderr
                )
                return 1
            n_findings = check.json()["summary"]["findings"]
            if args.warmup:
                run_wrk(base + "/v1/reviews", script, threads=args.threads,
                        connections=args.connections, duration=args.warmup)  # fmt: skip
            r = run_wrk(base + "/v1/reviews", script, threads=args.threads,
                        connections=args.connections, duration=args.duration)  # fmt: skip
            stored = check_store(base, check.json()["id"])
        finally:
            stop_server(proc)

    seconds = r["duration_us"] / 1e6
    rps = r["requests"] / seconds
    p50, p90, p99 = r["p50_us"] / 1000, r["p90_us"] / 1000, r["p99_us"] / 1000
    socket_errors = r["connect"] + r["read"] + r["write"] + r["timeout"]
    errors = socket_errors + r["status"]
    print(
        f"POST /v1/reviews: 5 objectives, 16 KRs, {len(body):,} byte body, {n_findings} findings, rules-only"
    )
    print(f"server: uvicorn --workers {args.workers}, SQLite (WAL) in a temporary data dir; "
          f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s on {os.cpu_count()} CPUs")  # fmt: skip
    print(f"requests     {r['requests']:>10,} in {seconds:.1f} s")
    print(
        f"requests/s   {rps:>10,.0f}   target >= {TARGET_RPS}  {'ok' if rps >= TARGET_RPS else 'MISSED'}"
    )
    print(f"latency p50  {p50:>10.1f} ms")
    print(f"latency p90  {p90:>10.1f} ms")
    print(f"latency p99  {p99:>10.1f} ms   target <= {TARGET_P99_MS:.0f}  "
          f"{'ok' if p99 <= TARGET_P99_MS else 'MISSED'}")  # fmt: skip
    print(f"latency max  {r['max_us'] / 1000:>10.1f} ms")
    print(f"errors       {errors:>10,}   (non-2xx {r['status']}, socket {socket_errors}); target 0  "
          f"{'ok' if errors == 0 else 'MISSED'}")  # fmt: skip
    print(f"stored reviews after the run: {stored}")
    return 1 if errors else 0


def check_store(base: str, first_id: str) -> str:
    """The review stored before the load is still there, intact."""
    r = httpx.get(f"{base}/v1/reviews/{first_id}")
    return (
        "first review intact"
        if r.status_code == 200 and r.json()["id"] == first_id
        else f"LOST ({r.status_code})"
    )


if __name__ == "__main__":
    sys.exit(main())
