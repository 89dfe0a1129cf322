"""Jinja2 environments for the eval reports (Markdown and HTML), with their filters."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from .escaping import MarkdownSafe, autoescape, finalize, markdown_filters, md_text

TEMPLATES = Path(__file__).resolve().parent / "templates"


def md_cell(text: object) -> MarkdownSafe:
    """Text safe inside a Markdown table cell: no pipes, line breaks or markup."""
    return md_text(text)


def num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def delta(pair: tuple[float | None, float] | None, digits: int = 3) -> str:
    if not pair or pair[0] is None:
        return ""
    d = pair[1] - pair[0]
    return "±0" if abs(d) < 0.5 * 10**-digits else f"{d:+.{digits}f}"  # 10**-0 = 1: counts


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        # HTML templates are escaped whatever their suffix; Markdown ones escape each
        # field as Markdown (escaping.finalize).
        autoescape=autoescape,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(markdown_filters())
    env.filters.update(num=num, delta=delta)
    return env


def environment(html: bool = True) -> jinja2.Environment:
    """The eval reports' environment: one for both formats, each escaped by its kind
    (`html` is kept for callers; the template's name decides)."""
    return _environment()
