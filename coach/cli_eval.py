"""`okr-coach eval`: the eval suite's command. Thin: options → run_suite → gate → reports.

Exit codes (README, "Evals"): 0 no regression, 1 quality regression (the
gate failed), 2 error (usage, input, configuration, model call), 3 stale
recording (a prompt or rubric changed since the answers were recorded).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .cli_console import LazyConsole
from .errors import CoachError, StaleRecordingError

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_ERROR = 2
EXIT_STALE = 3

DEFAULT_BASELINE = Path("evals/baseline.json")
DEFAULT_RECORDINGS = Path("evals/recordings")
DEFAULT_GRADES = Path("evals/grades")

err = LazyConsole(stderr=True, soft_wrap=True)  # an error stays one line


class EvalFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    junit = "junit"
    html = "html"


class EvalMode(str, Enum):
    rules = "rules"
    llm = "llm"
    hybrid = "hybrid"


SUFFIX_FORMAT = {
    ".json": EvalFormat.json,
    ".md": EvalFormat.markdown,
    ".xml": EvalFormat.junit,
    ".html": EvalFormat.html,
    ".htm": EvalFormat.html,
}


def _fail(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(code)


def render(suite, fmt: EvalFormat) -> str:
    from .render.eval_html import suite_html
    from .render.eval_json import suite_json
    from .render.eval_junit import suite_junit
    from .render.eval_markdown import suite_markdown

    return {
        EvalFormat.json: suite_json,
        EvalFormat.markdown: suite_markdown,
        EvalFormat.junit: suite_junit,
        EvalFormat.html: suite_html,
    }[fmt](suite)


def evaluate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="More dataset files.", show_default=False)
    ] = None,
    dataset: Annotated[
        list[Path] | None,
        typer.Option("--dataset", "-d", help="Labeled JSONL dataset (repeatable). "
                     "Default with --baseline: the baseline's datasets."),
    ] = None,
    mode: Annotated[
        list[EvalMode] | None,
        typer.Option("--mode", "-m", help="Reviewer mode (repeatable, run side by side). "
                     "Default: rules, or the baseline's modes with --baseline."),
    ] = None,
    rubric: Annotated[
        Path | None, typer.Option("--rubric", help="A custom rubric YAML file.", show_default=False)
    ] = None,
    fmt: Annotated[
        EvalFormat, typer.Option("--format", "-f", help="Format printed on stdout.")
    ] = EvalFormat.table,
    out: Annotated[
        list[Path] | None,
        typer.Option("--out", "-o", help="Also write a report file; the format follows the suffix "
                     "(.json, .md, .xml JUnit, .html). Repeatable."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Gate against this baseline (e.g. evals/baseline.json).",
                     show_default=False),
    ] = None,
    max_drop: Annotated[
        float | None,
        typer.Option("--max-drop", help="Largest allowed drop of a gated metric "
                     "(default: the gate config's, 0.02).", show_default=False),
    ] = None,
    gates: Annotated[
        Path | None,
        typer.Option("--gates", help="Gate config (default: gates.yaml beside the baseline).",
                     show_default=False),
    ] = None,
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Write this run as the baseline (--baseline "
                           "or evals/baseline.json).")
    ] = False,
    judge: Annotated[
        bool, typer.Option("--judge", help="Score rewrites with the LLM-as-judge (prompts/judge.j2).")
    ] = False,
    record: Annotated[
        bool, typer.Option("--record", help="Call the configured model live and rewrite the "
                           "recordings (needs OKR_COACH_LLM_* settings and a key).")
    ] = False,
    live: Annotated[
        bool, typer.Option("--live", help="Call the configured model live; record nothing.")
    ] = False,
    recordings: Annotated[
        Path, typer.Option("--recordings", help="Folder of recorded model answers.")
    ] = DEFAULT_RECORDINGS,
    model: Annotated[
        str | None,
        typer.Option("--model", help="Recorded model to replay (default: the only one recorded).",
                     show_default=False),
    ] = None,
    realworld: Annotated[
        bool,
        typer.Option("--realworld/--no-realworld",
                     help="Also score the real drafts, ../shared/realworld/okrs.jsonl from the "
                     "repository root (OKR_COACH_REALWORLD: another file, or 'off'), reported apart "
                     "and per origin; skipped with a note when the file is absent."),
    ] = True,
    grades: Annotated[
        Path, typer.Option("--grades", help="Folder of grades of rewrites, one <data set>.jsonl "
                           "each (evals/README.md, 'Graded rewrites').")
    ] = DEFAULT_GRADES,
    grade_template: Annotated[
        Path | None,
        typer.Option("--grade-template", help="Write the returned rewrites that have no grade "
                     "(new, or changed since grading) to this JSON Lines file, with empty grades "
                     "for a person to fill.", show_default=False),
    ] = None,
    add_grades: Annotated[
        Path | None,
        typer.Option("--add-grades", help="File the filled lines of a grade template into "
                     "--grades before the run.", show_default=False),
    ] = None,
) -> None:
    """Score findings and rewrites against labeled examples; gate against a baseline."""
    from .evals import run_suite
    from .evals.gate import (
        Baseline,
        dataset_names,
        load_baseline,
        load_gate_config,
        make_baseline,
        run_gate,
        write_baseline,
    )
    from .evals.grades import add_grades as file_grades
    from .render.evals import print_suite
    from .rubric import load_rubric

    if record and live:
        raise _fail("--record already calls the model live; pass one of --record, --live")
    old: Baseline | None = None
    base_path = baseline or (DEFAULT_BASELINE if update_baseline else None)
    try:
        if base_path is not None and (base_path.exists() or not update_baseline):
            old = load_baseline(base_path)
        files = [*(dataset or []), *(paths or [])]
        if not files and old is not None:
            files = old.dataset_paths(base_path)  # type: ignore[arg-type]
        if not files:
            raise _fail("no dataset: pass --dataset PATH [PATH...] (or --baseline)")
        if mode:
            modes = [m.value for m in mode]
        elif old is not None and baseline is not None:
            modes = [m.value for m in EvalMode if m.value in old.modes]  # rules, llm, hybrid
        else:
            modes = ["rules"]
        if add_grades is not None:
            for path, n in file_grades(add_grades, grades).items():
                err.print(f"filed {n} grades in {path}", markup=False, highlight=False)
        rb = load_rubric(rubric)
        needs_model = judge or any(m != "rules" for m in modes)
        responses = _responses(rb, needs_model, record, live, recordings, model)
        suite = run_suite(files, modes, rubric=rb, responses=responses, judge=judge,  # type: ignore[arg-type]
                          realworld=realworld, grades=grades)
        if grade_template is not None:
            _write_grade_template(suite, grade_template)
        if suite.realworld is not None and not suite.realworld.runs:
            err.print(f"note: {suite.realworld.note}", markup=False, highlight=False)
        if responses is not None and record:
            written = responses.finish()
            err.print(f"recorded model answers: {written}", markup=False, highlight=False)
        new_datasets = (
            update_baseline and old is not None and suite.runs
            and dataset_names(suite.runs[0].datasets) != dataset_names(old.datasets)
        )
        if new_datasets:
            # A baseline on other datasets is replaced, not compared: nothing to gate against.
            err.print(f"{base_path}: new datasets, so the run is not gated; the baseline is rewritten",
                      markup=False, highlight=False)
        elif old is not None and base_path is not None:
            gate_path = gates or _beside(base_path, "gates.yaml")
            config = load_gate_config(gate_path)
            suite.gate = run_gate(suite, old, config, baseline_path=str(base_path), max_drop=max_drop)
    except StaleRecordingError as exc:
        if (recordings / "scripted-model").is_dir():
            err.print("hint: the committed recordings are the scripted stand-in's (evals/README.md): "
                      "`make record-evals` re-records them offline", markup=False, highlight=False)
        raise _fail(exc.message, EXIT_STALE) from None
    except CoachError as exc:
        raise _fail(exc.message) from None

    if fmt is EvalFormat.table:
        from rich.console import Console

        print_suite(suite, Console(soft_wrap=True))
    else:
        typer.echo(render(suite, fmt), nl=False)
    for path in out or []:
        kind = SUFFIX_FORMAT.get(path.suffix.lower())
        if kind is None:
            raise _fail(f"--out {path}: use a .json, .md, .xml or .html file name")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(suite, kind), encoding="utf-8")
        except OSError as exc:
            raise _fail(f"cannot write {path}: {exc.strerror}") from None
    if update_baseline:
        assert base_path is not None
        write_baseline(base_path, make_baseline(suite, base_path, old))
        err.print(f"baseline written: {base_path}", markup=False, highlight=False)
        return
    if suite.gate is not None and not suite.gate.passed:
        raise typer.Exit(EXIT_REGRESSION)


def _write_grade_template(suite, path: Path) -> None:
    """The ungraded rewrites of every run, the real drafts' marked as such (their text is
    never filed in evals/grades: `--add-grades` keeps a hash instead when it quotes them)."""
    from .evals.grades import template_lines, write_template
    from .evals.realworld import locate

    private = {p.resolve() for p in [locate()[0]] if p is not None}
    reports = list(suite.runs)
    if suite.realworld is not None:
        reports += suite.realworld.runs
        private |= {Path(suite.realworld.path).resolve()} if suite.realworld.path else set()
    lines = template_lines(reports, private)
    write_template(path, lines)
    err.print(f"{len(lines)} ungraded rewrites written to {path}: fill in each 'grade' (good, "
              "acceptable, bad) and 'reason', then `okr-coach eval --add-grades "
              f"{path}`", markup=False, highlight=False)


def _beside(path: Path, name: str) -> Path | None:
    candidate = path.parent / name
    return candidate if candidate.exists() else None


def _responses(rb, needs_model: bool, record: bool, live: bool, recordings: Path, model: str | None):
    """Where model answers come from: replay by default, --record or --live call the model."""
    from .evals.recordings import (
        LiveSource,
        RecordingSource,
        ReplaySource,
        live_client_factory,
    )

    if not needs_model:
        if record or live:
            raise _fail("--record and --live need --mode llm or hybrid, or --judge")
        return None
    if record or live:
        client, model_name, endpoint, concurrency = live_client_factory()
        if record:
            return RecordingSource(recordings, rb, client, model_name, endpoint=endpoint,
                                   concurrency=concurrency)
        return LiveSource(client, model_name, concurrency)
    return ReplaySource(recordings, rb, model)
