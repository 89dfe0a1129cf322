"""Escaping for every output a person opens: HTML templates, Markdown, CSV cells.

User text (drafts, owners, team and file names, titles) and model text
(reasons, questions, rewrites) are data in every format, never markup:

- `autoescape(name)` is the `autoescape=` of every Jinja environment of the
  package that renders for people: on for any template, whatever its suffix
  (`report.html.j2`, `.svg`, none at all), off only for templates whose name
  says they are Markdown or plain text; `finalize` escapes every `{{ ... }}`
  of those as Markdown instead (the `md` and `code` filters mark text as
  already escaped, as `Markup` does for HTML).
- `md_text(text)` makes text inert in Markdown: no HTML, links, images,
  emphasis, headings or table cells can come out of it.
- `md_code(text)` puts text in a code span it cannot break out of.
- `csv_cell(value)` neutralises spreadsheet formulas (OWASP: a leading `=`,
  `+`, `-`, `@`, tab or carriage return gets a single quote in front).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import jinja2

# Templates whose output is not HTML: Markdown and plain text. Everything else is escaped.
_PLAIN = re.compile(r"\.(?:md|markdown|txt|text)(?:\.j2|\.jinja2?)?$", re.I)


def autoescape(template_name: str | None) -> bool:
    """Jinja's `autoescape` callable: True unless the template is Markdown or plain text.

    A template rendered from a string (no name) is escaped too.
    """
    return template_name is None or not _PLAIN.search(template_name)


# Markdown's active characters in running text. `&` only where it would start an
# entity (`&lt;`, `&#60;`), so "R&D" stays readable.
_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~])|&(?=#?\w+;)")


_LINE_BREAK = re.compile(r"[\r\n\v\f\u0085\u2028\u2029]+")


class MarkdownSafe(str):
    """Text already made inert for Markdown (by `md_text` or `md_code`): not escaped again."""


def _md_escape(s: str) -> str:
    return _MD_ACTIVE.sub(lambda m: "\\" + (m.group(1) or "&"), s)


def md_text(text: Any) -> MarkdownSafe:
    """`text` as inert Markdown on one line: every character that could start markup is
    backslash-escaped (CommonMark escapes any ASCII punctuation), whitespace collapses."""
    if isinstance(text, MarkdownSafe):
        return text
    return MarkdownSafe(_md_escape(" ".join(str(text).split())))


def md_code(text: Any) -> MarkdownSafe:
    """`text` as a Markdown code span: fenced by more backticks than any run inside it,
    so it cannot close early; HTML inside a code span is shown, never run. Text with a
    `|` is escaped text instead: in a GFM table a pipe splits the cell even inside a span."""
    s = " ".join(str(text).split())
    if "|" in s:
        return md_text(s)
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s else ""
    return MarkdownSafe(f"{fence}{pad}{s}{pad}{fence}")


@jinja2.pass_eval_context
def finalize(eval_ctx: jinja2.nodes.EvalContext, value: Any) -> Any:
    """Jinja's `finalize`: in a template that is not autoescaped (Markdown), every
    `{{ ... }}` is escaped as Markdown on one line, unless a filter already did."""
    if eval_ctx.autoescape or isinstance(value, MarkdownSafe):
        return value
    return MarkdownSafe(_md_escape(_LINE_BREAK.sub(" ", str(value))))


def markdown_filters() -> dict[str, Any]:
    """`md` (inert text) and `code` (a code span) for Markdown templates."""
    return {"md": md_text, "code": md_code}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: one starting like a formula gets a `'` in front.

    A carriage return inside a cell becomes a line feed first: with "\\n" as the line
    terminator the csv module would not quote it, and a reader would see a new row.
    Numbers are written as they are; only text cells can carry a formula.
    """
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]
