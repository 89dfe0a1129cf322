"""Batches on the queue: API latency with and without a batch running in the workers,
and a large batch's time and peak memory per process.

Needs PostgreSQL (the server this machine starts, or OKC_TEST_POSTGRES_URL). Makes a
private schema, starts one `okr-coach serve` and `--workers` `okr-coach worker`
processes on it (rules-only), then, in the same run:

1. drives `POST /v1/reviews` (a 5-objective draft, `--clients` at once) for
   `--seconds` with nothing else running: the baseline p50 / p95;
2. uploads a `--busy-sets` batch (default 10,000) and drives the same load while the
   workers review it: p50 / p95 and their ratio to the baseline;
3. uploads a `size` batch (default 50,000; in files of 20,000 sets, under the per-file
   row limit) and times it from upload to done, sampling the resident memory of every
   process; prints each one's resident memory before the upload and its peak while the
   batch is uploaded, while it is reviewed and while its report is fetched.

    .venv/bin/python bench/batch_queue.py [SIZE] [--busy-sets 10000] [--workers 2] [--seconds 10]

`--embedded` runs steps 1-2 once more with the server's own runner
(OKR_COACH_BATCH_QUEUE=embedded, the way batches ran before the queue) for comparison.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

from coach.batch.sample import sample_csv

PG_URL = os.environ.get(
    "OKC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FILE_SETS = 20_000
DRAFT = """\
Objective: Delight our customers
KR: Launch new customer portal
KR: Increase NPS to 50
KR: Reduce first response time from 9 hours to 4 hours by end of Q3
Objective: Make self-service the default support channel for SMB customers
KR: Increase self-service adoption from 35% to 55%
KR: Reduce tickets per 100 SMB accounts
Objective: Win the mid-market segment in DACH
KR: Grow mid-market ARR from $1.2M to $1.8M
KR: Hire a head of sales for DACH
Objective: Be world class at reliability
KR: Maintain 99.9% API uptime
Objective: Grow the partner channel
KR: Sign 12 new reseller partners
"""


@contextmanager
def private_schema():  # noqa: ANN201
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    schema = f"okc_bench_{secrets.token_hex(4)}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path):  # noqa: ANN201
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "coach", *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
        try:
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Peaks:
    """Peak resident memory of named processes, sampled every 50 ms."""

    def __init__(self, procs: dict[str, int]):
        self.procs = procs
        self.peak = dict.fromkeys(procs, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.procs.items():
                self.peak[name] = max(self.peak[name], rss_mb(pid))
            self._stop.wait(0.05)

    def phase(self) -> dict[str, float]:
        """The peaks since the last phase; starts a new one."""
        peak, self.peak = self.peak, dict.fromkeys(self.procs, 0.0)
        return peak

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def load(base: str, seconds: float, clients: int) -> list[float]:
    """Latencies (ms) of POST /v1/reviews from `clients` loops for `seconds`."""
    out: list[float] = []
    errors: list[str] = []
    end = time.monotonic() + seconds

    def loop() -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            while time.monotonic() < end:
                t = time.perf_counter()
                r = c.post("/v1/reviews", json={"text": DRAFT})
                out.append((time.perf_counter() - t) * 1000)
                if r.status_code != 201:
                    errors.append(f"{r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, first: {errors[0]}")
    return out


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def upload(c: httpx.Client, sets: int, seed: int) -> str:
    files = []
    for i, first in enumerate(range(0, sets, FILE_SETS)):
        n = min(FILE_SETS, sets - first)
        files.append(("file", (f"team-{i}.csv", sample_csv(n, seed=seed + i).encode(), "text/csv")))
    r = c.post("/v1/batches", files=files, data={"mode": "rules", "force": "true"}, timeout=600)
    if r.status_code != 202:
        raise SystemExit(f"upload failed: {r.status_code} {r.text[:500]}")
    return r.json()["id"]


def wait_done(c: httpx.Client, batch_id: str, timeout: float) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        body = c.get(f"/v1/batches/{batch_id}").json()
        if body["status"] == "done":
            return body
        time.sleep(0.25)
    raise SystemExit(f"batch {batch_id} not done after {timeout:.0f} s")


def start_server(stack: ExitStack, env: dict[str, str], tmp: Path, name: str):  # noqa: ANN201
    port = free_port()
    proc = stack.enter_context(process(["serve", "--port", str(port)], env, tmp / f"{name}.log"))
    base = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            if httpx.get(base + "/healthz").status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not start: {(tmp / f'{name}.log').read_text()[-2000:]}")


def latency_phase(base: str, args: argparse.Namespace, label: str) -> tuple[float, float]:
    with httpx.Client(base_url=base, timeout=600) as c:
        idle = load(base, args.seconds, args.clients)
        batch_id = upload(c, args.busy_sets, seed=1)
        started = time.monotonic()
        busy = load(base, args.seconds, args.clients)
        progress = c.get(f"/v1/batches/{batch_id}").json()
        wait_done(c, batch_id, timeout=3600)
        took = time.monotonic() - started
    i50, i95, b50, b95 = pct(idle, 50), pct(idle, 95), pct(busy, 50), pct(busy, 95)
    print(f"{label}: POST /v1/reviews, {args.clients} clients, {args.seconds:.0f} s each")
    print(f"  idle            p50 {i50:6.1f} ms  p95 {i95:6.1f} ms  ({len(idle)} requests)")
    print(f"  {args.busy_sets:,}-set batch  p50 {b50:6.1f} ms  p95 {b95:6.1f} ms  "
          f"({len(busy)} requests; {progress['done']:,} sets done meanwhile)")  # fmt: skip
    print(f"  ratio busy/idle p50 x{b50 / i50:.2f}  p95 x{b95 / i95:.2f}; batch done in {took:.1f} s")
    return i95, b95


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", type=int, nargs="?", default=50_000, help="sets of the large batch")
    ap.add_argument("--busy-sets", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--nice", type=int, default=10, help="the workers' `okr-coach worker --nice`")
    ap.add_argument("--embedded", action="store_true", help="also measure the in-server runner")
    args = ap.parse_args()

    with private_schema() as url, tempfile.TemporaryDirectory() as tmpdir, ExitStack() as stack:
        tmp = Path(tmpdir)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
        # The default cap (OKR_COACH_BATCH_MAX_SETS, 100,000 sets) takes the large batch.
        env.update(OKR_COACH_DATABASE_URL=url, OKR_COACH_DATA_DIR=str(tmp / "data"),
                   OKR_COACH_RATE_LIMIT_PER_MINUTE="0")  # fmt: skip
        server, base = start_server(stack, env, tmp, "api")
        workers = {
            f"worker {i + 1}": stack.enter_context(
                process(["worker", "--nice", str(args.nice)], env, tmp / f"w{i}.log")
            )
            for i in range(args.workers)
        }
        print(f"queue: 1 API process, {args.workers} workers (nice {args.nice}), PostgreSQL, "
              f"rules-only, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        latency_phase(base, args, "with the queue")

        procs = {"api": server.pid} | {name: p.pid for name, p in workers.items()}
        before = {name: rss_mb(pid) for name, pid in procs.items()}
        with httpx.Client(base_url=base, timeout=600) as c, Peaks(procs) as peaks:
            started = time.monotonic()
            batch_id = upload(c, args.size, seed=100)
            uploaded = time.monotonic() - started
            at_upload = peaks.phase()
            info = wait_done(c, batch_id, timeout=7200)
            took = time.monotonic() - started
            while_running = peaks.phase()
            t = time.perf_counter()
            r = c.get(f"/v1/batches/{batch_id}/report", params={"format": "json"})
            first = time.perf_counter() - t
            t = time.perf_counter()
            c.get(f"/v1/batches/{batch_id}/report", params={"format": "json"})
            served = time.perf_counter() - t
            serving = peaks.phase()
        print(f"{args.size:,}-set batch: {took:.1f} s from upload to done (upload {uploaded:.1f} s), "
              f"{info['done']:,} done, {info['failed']} failed, "
              f"{args.size / took:.0f} sets/s")  # fmt: skip
        print(f"  JSON report {len(r.content) / 1e6:.1f} MB: first GET {first * 1000:.0f} ms, "
              f"again {served * 1000:.0f} ms")  # fmt: skip
        print("  RSS (MB)      before   peak: upload  reviewing  report GETs")
        for name in procs:
            print(f"  {name:13} {before[name]:6.0f} {at_upload[name]:13.0f} "
                  f"{while_running[name]:10.0f} {serving[name]:12.0f}")  # fmt: skip

        if args.embedded:
            stack.close()
            with private_schema() as url2, ExitStack() as stack2:
                env2 = env | {"OKR_COACH_DATABASE_URL": url2, "OKR_COACH_BATCH_QUEUE": "embedded"}
                _, base2 = start_server(stack2, env2, tmp, "embedded")
                latency_phase(base2, args, "embedded (the server's own runner, as before)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
