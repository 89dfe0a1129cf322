"""`okr-coach check`: lint the OKR files of a repository (see `coach.lint`).

Exit codes: 0 nothing at or above --fail-on, 1 such findings, 2 a usage or input error.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


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


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files and folders to check (default: the current folder).", show_default=False
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--output-format",
            help="text, full, json, github, sarif, junit or markdown.",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding of this severity or worse exists [default: error].",
            show_default=False,
        ),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option(help="Only these rule ids (repeatable).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip these rule ids (repeatable).")
    ] = None,
    rubric: Annotated[
        str | None, typer.Option(help="A custom rubric file or folder.", show_default=False)
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(
            help="Globs of OKR files to find in folders (repeatable; replaces the config's)."
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="Globs or names to skip (repeatable; replaces the config's)."),
    ] = None,
    mode: Annotated[
        Mode | None,
        typer.Option(
            help="rules (default: offline, deterministic), hybrid or llm.", show_default=False
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="A pyproject.toml or .okr-coach.toml to use instead of the one found.",
            show_default=False,
        ),
    ] = None,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Print counts per rule instead.")
    ] = False,
    show_settings: Annotated[
        bool, typer.Option("--show-settings", help="Print the settings in force and exit.")
    ] = False,
) -> None:
    """Lint OKR files: every finding at file:line:col (OKR.md, okrs/*.md, *okr*.yaml/json/csv)."""
    from .errors import CoachError
    from .lint.check import check as run_check
    from .lint.config import find_config, load_settings
    from .lint.formats import RENDERERS, error_line, statistics_json, statistics_text

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
            typer.echo(settings.show())
            return
        result = run_check(targets, settings, keep_reviews=settings.output_format == "full")
    except CoachError as exc:
        typer.echo(f"error: {exc.message}", err=True)  # one line, never a traceback
        raise typer.Exit(2) from None
    fmt = settings.output_format
    if statistics:
        typer.echo(statistics_json(result) if fmt == "json" else statistics_text(result))
    else:
        typer.echo(RENDERERS[fmt](result))
    if fmt in ("text", "full") or statistics:
        for e in result.errors:
            typer.echo(error_line(e), err=True)
    if result.errors:
        raise typer.Exit(2)
    if result.failing(settings.fail_on):
        raise typer.Exit(1)
