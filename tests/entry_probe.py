"""`okr-coach ARGV` run through `coach.entry` in a fresh interpreter: what it printed, and
every module it had imported by the end (what start-up tests look at)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROBE = (
    "import sys\n"
    "sys.argv = ['okr-coach', *{argv!r}]\n"
    "from coach.entry import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
)


def run_entry(argv: list[str], cwd: Path, env: dict | None = None) -> tuple[str, set[str]]:
    """(stdout, the modules loaded) of one run."""
    proc = subprocess.run([sys.executable, "-c", _PROBE.format(argv=argv)], capture_output=True, text=True,
                          cwd=cwd, timeout=120, env=env)  # fmt: skip
    return proc.stdout, set(proc.stderr.split())
