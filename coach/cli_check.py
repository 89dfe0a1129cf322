"""`okr-coach check`: lint the OKR files of a repository (see `coach.lint`).

Exit codes: 0 nothing at or above --fail-on, 1 such findings, 2 a usage or input error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .lint.command import FailOn, Mode, OutputFormat, run

__all__ = ["FailOn", "Mode", "OutputFormat", "check"]


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
    code = run(
        typer.echo,
        paths,
        output_format,
        fail_on,
        select,
        ignore,
        rubric,
        include,
        exclude,
        mode,
        config,
        statistics,
        show_settings,
    )
    if code:
        raise typer.Exit(code)
