import subprocess
import sys


def test_a_lazy_console_imports_rich_only_when_it_prints():
    probe = (
        "import sys\n"
        "from coach.cli_console import LazyConsole\n"
        "err = LazyConsole(stderr=True, soft_wrap=True)\n"
        "print('rich' in sys.modules)\n"
        "err.print('error: x', markup=False)\n"
        "print('rich' in sys.modules, type(err.console).__name__, err.console.soft_wrap)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "True", "Console", "True"]
    assert done.stderr == "error: x\n"
