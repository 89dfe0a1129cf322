"""`okr-coach batch`: review a team's files of OKR drafts and write one report.

Thin: read the inputs (`coach.batch.inputs`), review every set (`coach.batch.engine`)
with a progress bar, write the report in each format asked for. Exit codes: 0 the
report was written, 2 a usage or input error (nothing usable, an unwritable output).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .cli_console import LazyConsole

err = LazyConsole(stderr=True, highlight=False, soft_wrap=True)  # an error stays one line


class ReportFormat(str, Enum):
    html = "html"
    markdown = "markdown"
    csv = "csv"
    json = "json"


class BatchMode(str, Enum):
    rules = "rules"
    llm = "llm"
    hybrid = "hybrid"


def _fail(message: str) -> typer.Exit:
    err.print(f"error: {message}", markup=False)
    return typer.Exit(2)


def batch(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="CSV, XLSX, JSON / JSON Lines files, text or Markdown drafts, or folders of drafts.",
            show_default=False,
        ),
    ],
    out: Annotated[
        list[Path] | None,
        typer.Option(
            "--out",
            "-o",
            help="Report file (repeatable); the format follows the extension "
            "(.html, .md, .csv, .json); '-' for stdout. Default: FILE-report.html here "
            "(with --format and no --out: the report on stdout).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Report format, when --out has no known extension or for stdout (default html).",
        ),
    ] = None,
    mode: Annotated[
        BatchMode | None,
        typer.Option(
            help="rules (offline), llm or hybrid; default: hybrid when an LLM is configured, else rules."
        ),
    ] = None,
    rubric: Annotated[
        str | None,
        typer.Option(help="A bundled rubric's name or a rubric YAML file.", show_default=False),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes for a rules-only batch (default: the CPU count).", show_default=False
        ),
    ] = None,
    title: Annotated[str, typer.Option(help="The report's title.")] = "OKR batch review",
    columns: Annotated[
        str | None,
        typer.Option(
            help="Name the columns of a table whose headers are not recognised: "
            'objective=Goal,key_result="Measure of success"[,team=…,owner=…].',
            show_default=False,
        ),
    ] = None,
) -> None:
    """Review many authors' OKR sets and write one report: team summary, common problems,
    who needs help, near-duplicate KRs, per-owner feedback."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .batch import BatchOptions, BatchSettings, LocalBatch, read_paths
    from .batch.engine import uses_llm
    from .batch.report import format_for
    from .errors import CoachError
    from .parse.columns import parse_column_map
    from .render.common import count
    from .rubric import load_rubric

    targets: list[tuple[str, Path | None]] = []
    for path in out or []:
        if str(path) == "-":
            targets.append(((fmt or ReportFormat.html).value, None))
            continue
        chosen = format_for(path) or (fmt.value if fmt else None)
        if chosen is None:
            raise _fail(f"{path}: cannot tell the format from the extension; add --format")
        targets.append((chosen, path))
    if not targets and fmt is not None:
        targets.append((fmt.value, None))  # `--format csv > team.csv`
    elif not targets:
        # 44 KB of HTML is no use on a terminal: a file beside the user, its path said.
        targets.append(("html", Path(f"{files[0].stem or 'batch'}-report.html")))
    try:
        column_map = parse_column_map(columns or "")
        load_rubric(rubric)  # a bad rubric is one error now, not one per set later
        settings = BatchSettings() if workers is None else BatchSettings(workers=workers)
    except CoachError as exc:
        raise _fail(exc.message) from None
    except ValueError as exc:  # pydantic: --workers out of range
        raise _fail(
            f"--workers: {exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}"
        ) from None
    options = BatchOptions(mode=mode.value if mode else None, rubric=rubric)
    if options.mode == "llm":
        from .llm.settings import LLMSettings

        missing = LLMSettings().missing()
        if missing:
            raise _fail(f"--mode llm needs a configured model; set {', '.join(missing)}")

    try:
        inputs = read_paths(files, settings, column_map)
    except CoachError as exc:  # a file over a limit: the limit and its setting, one line
        raise _fail(exc.message) from None
    for f in inputs.files:
        if not f.used:
            reason = f.skipped[0].reason if f.skipped else "nothing usable"
            err.print(f"not used: {f.file}: {reason}", markup=False)
            if f.columns:
                err.print(
                    "  say which column is which: --columns objective=COLUMN,"
                    "key_result=COLUMN[,team=COLUMN,owner=COLUMN]",
                    markup=False,
                )
    skipped = sum(f.skipped_total for f in inputs.files if f.used)
    if not inputs.sets:
        raise _fail("no OKR set to review in the input (see the reasons above)")
    reviewer = "LLM-assisted" if uses_llm(options) else "rules-only"
    err.print(
        f"{len(inputs.sets):,} OKR sets from {sum(f.used for f in inputs.files)} file(s)"
        + (f"; {count(skipped, 'row or item', 'rows or items')} not used (listed in the report)" if skipped else "")
        + f"; reviewing {reviewer}",
        markup=False,
    )
    run = LocalBatch(inputs, options)
    columns = (
        TextColumn("reviewing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} sets/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err.console, transient=True) as progress:
        task = progress.add_task("batch", total=len(inputs.sets), rate="–")

        def tick(_outcome) -> None:  # noqa: ANN001
            progress.advance(task)
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:,.0f}" if speed else "–")

        run.run(tick, settings)
    summary = None
    for chosen, path in targets:
        if path is None:
            summary = run.write(chosen, sys.stdout, title)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            summary = run.write_file(chosen, path, title)
        except OSError as exc:
            raise _fail(f"{path}: cannot write: {exc.strerror or exc}") from None
        err.print(f"wrote {path} ({chosen})", markup=False)
    done = len(run.outcomes) - run.failed
    err.print(
        f"{done:,} sets reviewed, {run.failed:,} failed, in {run.seconds or 0:.1f} s",
        markup=False,
    )
    if summary is not None:
        for line in _summary_lines(summary):
            err.print(line, markup=False)


def _summary_lines(summary) -> list[str]:  # noqa: ANN001
    """The report's first lines, for the terminal."""
    from .render.common import count

    owners = len(summary.owners)
    lines = [
        f"{count(summary.key_results, 'key result')} from {count(owners, 'author')}: "
        f"{summary.outcome_key_results:,} read as outcomes, "
        f"{count(summary.findings, 'finding')}, {count(summary.rewrites, 'rewrite')} suggested"
    ]
    for p in summary.problems[:3]:
        lines.append(f"  {p.rule_name} ({p.rule_id}): {p.count:,} in {count(p.sets, 'set')}")
    return lines
