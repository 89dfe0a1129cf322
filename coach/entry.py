"""The `okr-coach` console script (and `python -m coach`).

`okr-coach check ...` is what a pre-commit hook runs on every commit, so a plain `check`
command line runs the check at once, without importing Typer or building the app (Typer
converts each option through pydantic: most of a hook's start-up); `okr-coach --version`
alone prints the version the same way. Everything else —
other commands, `--help`, shell completion, any option or value the plain reading is not
sure of — goes to the Typer app (`coach.cli.app`) exactly as before, which then also
prints the usage errors.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (typing.TYPE_CHECKING, without importing typing: see coach/__init__)
if TYPE_CHECKING:
    from typing import Any


def main() -> None:
    args = sys.argv[1:]
    if args == ["--version"] and _plain_terminal():
        # What the Typer app's eager --version option prints, without building the app
        # (importing Typer and the commands was nine tenths of its time).
        from ._version import __version__

        echo(f"okr-coach {__version__}")
        sys.exit(0)
    if args[:1] == ["check"] and _plain_terminal():
        from .lint.command import parse_args

        kwargs = parse_args(args[1:])
        if kwargs is not None:
            sys.exit(_run_check(kwargs))
    from .cli import app

    app()


def _plain_terminal() -> bool:
    """Standard streams click would write to as they are (not an ASCII-only stream, which
    click re-wraps), and no shell completion asked for (`_OKR_COACH_COMPLETE` and the like)."""
    if any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ):
        return False
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if stream is None or not encoding:
            return False
        try:
            import codecs

            if codecs.lookup(encoding).name == "ascii":
                return False
        except LookupError:
            return False
    return True


def echo(message: str, err: bool = False) -> None:
    """click.echo of one line of text, as `typer.echo` writes it: ANSI codes dropped when
    the stream is no terminal, flushed."""
    stream = sys.stderr if err else sys.stdout
    out = f"{message}\n"
    if "\x1b" in out and not _isatty(stream):
        import re

        out = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", out)
    stream.write(out)
    stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:  # noqa: BLE001 - click's isatty: a stream that cannot tell is no terminal
        return False


class _Pacified:
    """click's PacifyFlushWrapper: a stream whose reader went away flushes quietly."""

    def __init__(self, wrapped: Any):
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as e:
            import errno

            if e.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.wrapped, attr)


def _run_check(kwargs: dict[str, Any]) -> int:
    """`run` with what Typer's standalone mode does around a command: ^C is exit 130, a
    closed pipe exit 1."""
    from .lint.command import run

    try:
        return run(echo, **kwargs)
    except KeyboardInterrupt:
        return 130
    except OSError as e:
        import errno

        if e.errno != errno.EPIPE:
            raise
        sys.stdout = _Pacified(sys.stdout)  # type: ignore[assignment]
        sys.stderr = _Pacified(sys.stderr)  # type: ignore[assignment]
        return 1
