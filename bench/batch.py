"""Batch review bench: a rules-only batch of 10,000 OKR sets from a CSV to the HTML report.

Generates the team spreadsheet (`coach.batch.sample`), then runs what `okr-coach batch
team.csv --out report.html` runs (read, review in a pool of processes, write the
report) and prints the time of each step and the peak memory of the whole process
tree (this process, the forkserver and its workers, sampled from /proc).
Targets on this project's 2-core machine: under 30 s and under 1 GB.

Run: `make bench` or `.venv/bin/python bench/batch.py [N_SETS]`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

from coach.batch import BatchSettings, LocalBatch, read_paths
from coach.batch.sample import write_sample_csv

TARGET_S = 30.0
TARGET_MB = 1024.0


def _tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and all its descendants, in MB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(fields.get("PPid", "0").strip())
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total = 0
    for pid in rss:
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += rss[pid]
    return total / 1024


class PeakMemory:
    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_mb(os.getpid()))
            self._stop.wait(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _tree_rss_mb(os.getpid()))


def main(n_sets: int) -> int:
    settings = BatchSettings()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_sample_csv(Path(tmp) / "team.csv", n_sets, seed=42)
        size_mb = csv_path.stat().st_size / 1e6
        out = Path(tmp) / "report.html"
        with PeakMemory() as mem:
            t0 = time.perf_counter()
            inputs = read_paths([csv_path], settings)
            t1 = time.perf_counter()
            batch = LocalBatch(inputs)
            batch.run(settings=settings)
            t2 = time.perf_counter()
            summary = batch.write_file("html", out)
            t3 = time.perf_counter()
        report_mb = out.stat().st_size / 1e6
    total = t3 - t0
    krs = summary.key_results
    print(f"batch bench: {len(inputs.sets):,} OKR sets, {krs:,} KRs, CSV {size_mb:.1f} MB, "
          f"{settings.workers} worker processes on {os.cpu_count()} cores")  # fmt: skip
    print(f"  read CSV          {t1 - t0:6.1f} s")
    print(f"  review (rules)    {t2 - t1:6.1f} s   {len(inputs.sets) / (t2 - t1):,.0f} sets/s, "
          f"{krs / (t2 - t1):,.0f} KRs/s")  # fmt: skip
    print(f"  HTML report       {t3 - t2:6.1f} s   {report_mb:.1f} MB")
    print(f"  total             {total:6.1f} s   (target < {TARGET_S:.0f} s)")
    print(f"  peak memory       {mem.peak:6.0f} MB (all processes; target < {TARGET_MB:.0f} MB)")
    print(f"  reviewed {summary.reviewed:,}, failed {summary.failed:,}")
    ok = total < TARGET_S and mem.peak < TARGET_MB and summary.failed == 0
    print("  targets met" if ok else "  TARGETS NOT MET")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
