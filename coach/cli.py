"""The `okr-coach` command. Thin: parse arguments, call the pipeline, render.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input error.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit, urlunsplit

import typer

from ._version import __version__
from .cli_batch import batch as batch_command
from .cli_check import FailOn, Mode
from .cli_check import check as check_command
from .cli_console import LazyConsole
from .cli_eval import evaluate
from .cli_keys import keys_app
from .errors import CoachError

if TYPE_CHECKING:
    from pydantic import ValidationError

app = typer.Typer(
    name="okr-coach",
    help="Review draft OKRs: aspirations, task KRs, unmeasurable KRs; honest rewrites.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Rich boxes wrap a usage error at 80 columns; in a hook or a CI log (stderr no
    # terminal) it is click's plain text instead, the error on one line.
    rich_markup_mode="rich" if sys.stderr.isatty() else None,
)
err = LazyConsole(stderr=True, soft_wrap=True)  # an error stays one line


def _version(value: bool) -> None:
    if value:
        typer.echo(f"okr-coach {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Review draft OKRs: aspirations, task KRs, unmeasurable KRs; honest rewrites."""


class Format(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


RubricOpt = Annotated[
    Path | None,
    typer.Option("--rubric", help="A custom rubric YAML file (see README).", show_default=False),
]


def _fail(message: str) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(2)


def _first_error(exc: ValidationError) -> str:
    """`OKR_COACH_<FIELD>: <why>` of the first invalid setting (never its value: it may be a secret)."""
    first = exc.errors()[0]
    name = "OKR_COACH_" + "_".join(str(p) for p in first["loc"]).upper()
    return f"{name}: {first['msg']}"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _read_input(file: str) -> bytes:
    if file == "-":
        if sys.stdin.isatty():
            raise _fail("no input: pass a FILE, or pipe a draft into `okr-coach review -`")
        return sys.stdin.buffer.read()
    path = Path(file)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise _fail(f"{file}: no such file") from None
    except IsADirectoryError:
        raise _fail(f"{file}: is a directory, not a draft file") from None
    except OSError as exc:
        raise _fail(f"{file}: cannot read: {exc.strerror}") from None


@app.command()
def review(
    file: Annotated[
        str, typer.Argument(help="Draft file (text, Markdown, JSON or CSV), or - for stdin.")
    ] = "-",
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    rubric: RubricOpt = None,
    mode: Annotated[
        Mode | None,
        typer.Option(
            help="rules (offline), llm or hybrid. Default: hybrid when a model is configured "
            "(OKR_COACH_LLM_*), else rules.",
            show_default=False,
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit 1 when a finding of this severity or worse exists."),
    ] = FailOn.error,
    select: Annotated[
        list[str] | None, typer.Option(help="Only these rule ids (repeatable).")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip these rule ids (repeatable).")
    ] = None,
    suggest_numbers: Annotated[
        bool,
        typer.Option(
            "--suggest-numbers",
            help="Keep numbers the model proposes in rewrites, marked 'suggested: N' (default: placeholders).",
        ),
    ] = False,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache", help="Answer an identical model request from the store's cache."
        ),
    ] = True,
) -> None:
    """Review one draft OKR set."""
    from .models import Severity
    from .pipeline import review as run_review
    from .pipeline import uses_model
    from .render import print_review, review_markdown

    data = _read_input(file)
    chosen = mode.value if mode else None
    store = None
    try:
        if cache and uses_model(chosen):
            from .config import get_settings
            from .store import open_store

            store = open_store(get_settings())
        result = run_review(
            data,
            mode=chosen,
            rubric=rubric,
            select=select,
            ignore=ignore,
            cache=store,
            suggest_numbers=suggest_numbers,
        )
    except CoachError as exc:
        raise _fail(exc.message) from None
    finally:
        if store is not None:
            store.close()
    if fmt is Format.json:
        typer.echo(result.model_dump_json(indent=2))
    elif fmt is Format.markdown:
        typer.echo(review_markdown(result))
    else:
        from rich.console import Console

        # soft_wrap: let the terminal wrap long findings; pipes get whole lines.
        print_review(result, Console(soft_wrap=True))
    if fail_on is not FailOn.never:
        threshold = Severity(fail_on.value).rank
        if any(f.severity.rank >= threshold for f in result.findings):
            raise typer.Exit(1)


@app.command()
def rules(rubric: RubricOpt = None) -> None:
    """List the rules of a rubric."""
    from rich.console import Console
    from rich.table import Table

    from .rubric import load_rubric

    try:
        rb = load_rubric(rubric)
    except CoachError as exc:
        raise _fail(exc.message) from None
    table = Table(title=f"rubric {rb.full_version}")
    for col in ("id", "name", "label", "severity", "summary"):
        table.add_column(col)
    for r in rb.rules.values():
        style = None if r.enabled else "dim strike"
        table.add_row(r.id, r.name, r.label or "", r.severity.value, r.summary, style=style)
    Console().print(table)


@app.command()
def explain(
    rule_id: Annotated[
        str, typer.Argument(metavar="ID", help="Rule id (KR01) or name (task-as-key-result).")
    ],
    rubric: RubricOpt = None,
) -> None:
    """Print a rule's documentation."""
    from .docs import rule_doc
    from .rubric import load_rubric

    try:
        doc = rule_doc(load_rubric(rubric).rule(rule_id))
    except CoachError as exc:
        raise _fail(exc.message) from None
    typer.echo(doc)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the web form and the JSON API (rules-only unless an LLM is configured)."""
    import uvicorn
    from pydantic import ValidationError

    from .config import get_settings
    from .llm.settings import describe_llm
    from .logs import log_config
    from .metrics import MULTIPROC_ENV
    from .store import open_store
    from .store.engine import display_url, parse_url

    try:
        settings = get_settings()
    except ValidationError as exc:
        raise _fail(f"invalid settings: {_first_error(exc)}") from None
    in_use = _port_in_use(host, port)
    if in_use:
        raise _fail(
            f"{host}:{port} is {in_use}; start on another port: okr-coach serve --port {port + 1}"
            + (f" (or PORT={port + 1} make run)" if port == 8000 else "")
        )
    try:
        open_store(settings).close()  # create the data dir and migrate once, before workers start
    except CoachError as exc:
        raise _fail(exc.message) from None
    from .batch.queue import use_queue

    try:
        batches = "batches: queued for `okr-coach worker`" if use_queue(settings) else "batches: run here"
    except CoachError as exc:
        raise _fail(exc.message) from None
    shared = (
        f"limits shared in Redis {_without_password(settings.redis_url)}"
        if settings.redis_url
        else "limits per process (no OKR_COACH_REDIS_URL)"
    )
    store_url = display_url(parse_url(settings.sqlalchemy_url()))
    err.print(
        f"okr-coach on http://{host}:{port} · store {store_url} · {shared} · {batches} · {describe_llm()}",
        markup=False,
        highlight=False,
    )
    metrics_dir = None
    if workers > 1 and not os.environ.get(MULTIPROC_ENV):
        # Each worker writes its metrics to files here; /metrics adds them all up.
        metrics_dir = os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="okr-coach-metrics-")
    try:
        uvicorn.run(
            "coach.web.app:create_app",
            log_config=log_config(access_log=settings.access_log),
            access_log=False,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _port_in_use(host: str, port: int) -> str | None:
    """Why the server could not listen there ('already in use', …), found before it
    starts: uvicorn would say it in a log line and a stack of errors."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"not an address this machine has ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "already in use (another okr-coach, or another program)"
            if exc.errno == errno.EACCES:
                return "a port this user may not open"
            return f"not available ({exc.strerror or exc})"
    return None


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs at once in this process (1: one per core, run more workers).")
    ] = 1,
    nice: Annotated[
        int,
        typer.Option(
            min=0, max=19,
            help="Lower this process's CPU priority by this much (0: unchanged), so that on a "
            "machine shared with `okr-coach serve` the API's requests go first.",
        ),
    ] = 10,
) -> None:
    """Run queued batches (PostgreSQL): as many workers, on as many machines, as you like."""
    import asyncio
    import os

    from .batch.artifacts import storage_for
    from .batch.queue import use_queue, work
    from .config import get_settings
    from .llm.settings import describe_llm
    from .store import open_store

    settings = get_settings()
    try:
        if not use_queue(settings):
            raise _fail(
                "the worker needs the queue: set OKR_COACH_DATABASE_URL to a PostgreSQL "
                "database (with SQLite, or OKR_COACH_BATCH_QUEUE=embedded, `okr-coach serve` "
                "runs batches itself)"
            )
        store = open_store(settings)
    except CoachError as exc:
        raise _fail(exc.message) from None
    if nice:
        os.nice(nice)
    err.print(
        f"okr-coach worker · store {store.display_url} · {describe_llm()}",
        markup=False,
        highlight=False,
    )
    try:
        asyncio.run(work(store, storage_for(settings), concurrency=concurrency))
    finally:
        store.close()


app.command("eval")(evaluate)
app.add_typer(keys_app, name="keys", help="Create, list and revoke API keys for the JSON API.")
app.command("batch")(batch_command)
app.command("check")(check_command)
