"""`okr-coach keys`: create, list and revoke the API keys of the JSON API and the web pages.

A key's secret is printed once, at creation, and never stored: only its hash
and a short public prefix are. While any key is active, the service is
private: `/v1` requires one (`Authorization: Bearer okc_...`), every web page
needs a browser signed in with one (`/login`), and each key sees only the
reviews and batches made with it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from .cli_console import LazyConsole
from .errors import CoachError

keys_app = typer.Typer(
    help="Create, list and revoke API keys (the JSON API and signing in to the web pages).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = LazyConsole(stderr=True, soft_wrap=True)  # an error stays one line


def _fail(message: str) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _store():
    from .config import get_settings
    from .store import open_store

    return open_store(get_settings())


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


@keys_app.command("create")
def create(name: Annotated[str, typer.Argument(help="What the key is for, e.g. ci-bot.")]) -> None:
    """Create a key and print its secret (shown this once only)."""
    try:
        with _store() as store:
            first = not store.any_active_keys()
            info, secret = store.create_key(name)
    except CoachError as exc:
        raise _fail(exc.message) from None
    # The secret alone on stdout, so `KEY=$(okr-coach keys create bot)` works.
    typer.echo(secret)
    lines = [
        f"Created API key {info.id} ({info.name!r}, prefix okc_{info.prefix}).",
        "Store this secret now: it is shown only once and cannot be recovered.",
        "Send it as `Authorization: Bearer <secret>`, or paste it on the sign-in page (/login).",
    ]
    if first:
        lines.append(
            "This is the only active key: the service is private from now on. Every web page "
            "needs signing in, and each key sees only what was made with it (what was made "
            "before stays kept, shown to no key)."
        )
    err.print(
        "\n".join(lines),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@keys_app.command("list")
def list_keys() -> None:
    """List keys: id, name, prefix, created, status. Secrets are never shown."""
    from rich.console import Console
    from rich.table import Table

    try:
        with _store() as store:
            keys = store.list_keys()
    except CoachError as exc:
        raise _fail(exc.message) from None
    if not keys:
        typer.echo("No API keys. Create one with `okr-coach keys create NAME`.")
        return
    table = Table(title="API keys")
    table.add_column("id", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("prefix", no_wrap=True)
    table.add_column("created", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for k in keys:
        status = "active" if k.active else f"revoked {k.revoked_at:%Y-%m-%d}"
        table.add_row(
            k.id,
            k.name,
            f"okc_{k.prefix}",
            _when(k.created_at),
            status,
            style=None if k.active else "dim",
        )
    Console().print(table)


@keys_app.command("revoke")
def revoke(
    key: Annotated[
        str,
        typer.Argument(metavar="ID_OR_PREFIX", help="The key's id or prefix (see `keys list`)."),
    ],
) -> None:
    """Revoke a key: requests sending it are refused from now on."""
    started = datetime.now(UTC)
    try:
        with _store() as store:
            info = store.revoke_key(key)
    except CoachError as exc:
        raise _fail(exc.message) from None
    if info.revoked_at is None or info.revoked_at >= started:
        typer.echo(f"Revoked API key {info.id} ({info.name!r}, prefix okc_{info.prefix}).")
    else:
        typer.echo(f"API key {info.id} ({info.name!r}) was already revoked.")
