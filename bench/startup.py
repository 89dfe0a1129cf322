"""Start-up: wall time of `okr-coach check one-file.md`, as a pre-commit hook pays it on
every commit, beside `okr-coach review` of the same file and a bare interpreter.

Each command runs once first (cold: the first run after an install, .pyc files written,
the OS cache filled), then ROUNDS times (default 10), alternating the commands so a
loaded machine weighs on each alike; the median of those (warm) is the figure. The file
is a 3-KR draft; `--against DIR` also times `review` from another copy of the package
(DIR holds `coach/`, e.g. `git archive <commit> | tar -x -C DIR`), the baseline measured
in the same run.

Run: `.venv/bin/python bench/startup.py [ROUNDS] [--against DIR]`. Target: check < 250 ms.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DRAFT = """# Platform OKRs

## Objective: Make deploys boring for every product team
- Reduce median lead time for changes from 3 days to 1 day
- Migrate all services to the new CI runner
- Increase deploy frequency to 20 a day
"""


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run. CPU time (user + system) hardly moves when other
    processes load the machine; wall time is what a person waits."""
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed, _cpu() - cpu


def main() -> None:
    args = sys.argv[1:]
    against = None
    if "--against" in args:
        i = args.index("--against")
        against = Path(args[i + 1]).resolve()
        del args[i : i + 2]
    rounds = int(args[0]) if args else 10
    script = Path(sys.executable).with_name("okr-coach")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "coach"]
    # Bytecode is written as a normal install does (a pip install compiles it; the first
    # run of an editable one writes it), so cold is the first run and warm the rest.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OKR_COACH_", "OPENAI_")) and k != "PYTHONDONTWRITEBYTECODE"}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "OKR.md").write_text(DRAFT, encoding="utf-8")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "okr-coach check OKR.md": [*cli, "check", "OKR.md"],
            "okr-coach review OKR.md": [*cli, "review", "OKR.md"],
            "okr-coach --version": [*cli, "--version"],
        }
        envs = {name: env for name in commands}
        if against is not None:
            name = f"review OKR.md ({against.name})"
            commands[name] = [sys.executable, "-m", "coach", "review", "OKR.md"]
            envs[name] = {**env, "PYTHONPATH": str(against)}
        cold = {name: _run(cmd, work, envs[name])[0] for name, cmd in commands.items()}
        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, cmd in commands.items():
                w, c = _run(cmd, work, envs[name])
                wall[name].append(w)
                cpu[name].append(c)
    check = statistics.median(wall["okr-coach check OKR.md"])
    load = os.getloadavg()[0]
    print(f"start-up; median of {rounds} warm runs (the first run apart as cold); "
          f"{os.cpu_count()} cores, load average {load:.1f}")
    print(f"{'command':36} {'cold ms':>8} {'wall ms':>8} {'min ms':>7} {'cpu ms':>7} {'÷ check':>8}")
    for name in commands:
        med = statistics.median(wall[name])
        print(f"{name:36} {cold[name] * 1000:8.0f} {med * 1000:8.0f} {min(wall[name]) * 1000:7.0f} "
              f"{statistics.median(cpu[name]) * 1000:7.0f} {med / check:8.2f}")
    verdict = "met" if check < 0.250 else "not met"
    print(f"target: check under 250 ms wall: {verdict} ({check * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
