"""Jinja2 environments for the eval reports (Markdown and HTML), with their filters."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


def md_cell(text: object) -> str:
    """Text safe inside a Markdown table cell: no pipes or line breaks."""
    return " ".join(str(text).replace("|", "\\|").split())


def num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def delta(pair: tuple[float | None, float] | None, digits: int = 3) -> str:
    if not pair or pair[0] is None:
        return ""
    d = pair[1] - pair[0]
    return "±0" if abs(d) < 0.5 * 10**-digits else f"{d:+.{digits}f}"  # 10**-0 = 1: counts


@lru_cache(maxsize=2)
def environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md_cell, num=num, delta=delta)
    return env
