"""What `okr-coach check` does, apart from Typer: its choices, its body, and the reading
of a plain command line that lets `coach.entry` run it without building the Typer app.

`coach.cli_check.check` is the Typer command (help, completion, every usage error) and
calls `run`; `coach.entry` calls `parse_args` and `run` directly when the command line is
one that parser reads exactly as Typer would (anything else goes to Typer). A test keeps
the two readings equal.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any


class OutputFormat(str, Enum):
    text = "text"
    full = "full"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class Mode(str, Enum):
    rules = "rules"
    llm = "llm"
    hybrid = "hybrid"


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return tuple(values) if values else None


def run(
    echo: Callable[..., Any],
    paths: list[Path] | None = None,
    output_format: OutputFormat | None = None,
    fail_on: FailOn | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    rubric: str | None = None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    mode: Mode | None = None,
    config: Path | None = None,
    statistics: bool = False,
    show_settings: bool = False,
) -> int:
    """Check the files; print with `echo(message, err=False)`; return the exit code."""
    from ..errors import CoachError
    from .check import check as run_check
    from .config import find_config, load_settings
    from .formats import RENDERERS, error_line, statistics_json, statistics_text

    targets = paths or [Path(".")]
    try:
        found = config or find_config(Path(targets[0]).resolve())
        settings = load_settings(found).with_overrides(
            output_format=output_format.value if output_format else None,
            fail_on=fail_on.value if fail_on else None,
            select=_tuple(select),
            ignore=_tuple(ignore),
            rubric=rubric,
            include=_tuple(include),
            exclude=_tuple(exclude),
            mode=mode.value if mode else None,
        )
        if show_settings:
            echo(settings.show())
            return 0
        result = run_check(targets, settings, keep_reviews=settings.output_format == "full")
    except CoachError as exc:
        echo(f"error: {exc.message}", err=True)  # one line, never a traceback
        return 2
    fmt = settings.output_format
    if statistics:
        echo(statistics_json(result) if fmt == "json" else statistics_text(result))
    else:
        echo(RENDERERS[fmt](result))
    if fmt in ("text", "full") or statistics:
        for e in result.errors:
            echo(error_line(e), err=True)
    if result.errors:
        return 2
    if result.failing(settings.fail_on):
        return 1
    return 0


# -- the command line, read without Typer ----------------------------------------------

# Each option of `coach.cli_check.check`: its parameter, and how it takes values
# (a flag; one value, given once; one value per use, repeatable) and what it converts to.
_FLAG, _ONE, _MANY = "flag", "one", "many"
OPTIONS: dict[str, tuple[str, str, Callable[[str], Any]]] = {
    "--output-format": ("output_format", _ONE, OutputFormat),
    "--fail-on": ("fail_on", _ONE, FailOn),
    "--select": ("select", _MANY, str),
    "--ignore": ("ignore", _MANY, str),
    "--rubric": ("rubric", _ONE, str),
    "--include": ("include", _MANY, str),
    "--exclude": ("exclude", _MANY, str),
    "--mode": ("mode", _ONE, Mode),
    "--config": ("config", _ONE, Path),
    "--statistics": ("statistics", _FLAG, bool),
    "--show-settings": ("show_settings", _FLAG, bool),
}


def parse_args(args: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of `run` for the arguments after `check`, read as click reads
    them; None for anything less plain (help, an unknown or repeated option, a value that
    is no choice, an empty or dash-led value...), which Typer then reads and reports."""
    kwargs: dict[str, Any] = {}
    paths: list[Path] = []
    rest = list(args)
    while rest:
        token = rest.pop(0)
        if token == "--":
            if any(not t for t in rest):
                return None
            paths.extend(Path(t) for t in rest)
            break
        if not token:
            return None
        if not token.startswith("-") or token == "-":
            paths.append(Path(token))
            continue
        name, eq, value = token.partition("=")
        spec = OPTIONS.get(name)
        if spec is None:
            return None
        key, kind, convert = spec
        if kind == _FLAG:
            if eq or key in kwargs:
                return None
            kwargs[key] = True
            continue
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        if not value or value.startswith("-"):
            return None
        try:
            converted = convert(value)
        except ValueError:
            return None
        if kind == _MANY:
            kwargs.setdefault(key, []).append(converted)
        elif key in kwargs:
            return None
        else:
            kwargs[key] = converted
    if paths:
        kwargs["paths"] = paths
    return kwargs
