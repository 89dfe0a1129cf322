"""Hostile text and the checks that it stayed text, shared by the escaping tests.

`HOSTILE` carries every way a string could become markup in a report: a
script, an event handler, a meta refresh that navigates away, a javascript:
link, Markdown link/image/heading syntax and a spreadsheet formula.
`HostileUndefined` makes a template print `HOSTILE` for every variable and
every attribute it reads, so rendering a template with no context at all puts
the hostile string in every field it has.
"""

from __future__ import annotations

import dis
import sys
from html.parser import HTMLParser
from typing import Any

import jinja2
from markdown_it import MarkdownIt

MARK = "pwned"
HOSTILE = (
    f'"><script>window.__{MARK}=1</script>'
    f'<img src=x onerror="window.__{MARK}=2">'
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    '<a href="javascript:alert(1)">x</a>'
    "![i](https://evil.example/i.png) [link](https://evil.example/) # heading | cell |"
)
# What the escaped script looks like in HTML: the proof that a field was rendered, as text.
ESCAPED = "&lt;script&gt;window.__" + MARK


class HostileUndefined(jinja2.Undefined):
    """Every missing variable, attribute, item or call result is hostile text.

    Iterating yields two of them (as many as a `for a, b, c in x` unpacks), numbers
    and comparisons are zero and false, so any template renders to the end.
    """

    __slots__ = ()

    def _new(self, *args: Any, **kwargs: Any) -> HostileUndefined:
        return HostileUndefined(name="hostile")

    __getitem__ = __call__ = _new  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:  # dunders stay missing, as Jinja expects
        if name[:2] == "__":
            raise AttributeError(name)
        return HostileUndefined(name="hostile")

    def __str__(self) -> str:
        return HOSTILE

    def __format__(self, spec: str) -> str:
        return HOSTILE

    def __iter__(self):  # noqa: ANN204
        # `for a, b, c in x` unpacks each item into as many names as the loop has:
        # read that count from the instruction that asked (UNPACK_SEQUENCE n).
        frame = sys._getframe(1)
        n = 2
        for ins in dis.get_instructions(frame.f_code):
            if ins.offset == frame.f_lasti:
                if ins.opname == "UNPACK_SEQUENCE":
                    n = ins.arg
                break
        return iter([HostileUndefined(name="hostile") for _ in range(n)])

    def __reversed__(self):  # noqa: ANN204
        return iter(self)

    def __len__(self) -> int:
        return 2

    def __bool__(self) -> bool:
        return True

    def __float__(self) -> float:
        return 0.0

    def __int__(self) -> int:
        return 0

    def __index__(self) -> int:
        return 2

    def __round__(self, ndigits: int | None = None) -> float:
        return 0.0

    def _zero(self, *other: Any) -> int:
        return 0

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _zero
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __neg__ = __pos__ = _zero

    def _false(self, other: Any) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = _false

    def __ne__(self, other: Any) -> bool:
        return True

    def __hash__(self) -> int:
        return id(self)


def render_hostile(env: jinja2.Environment, name: str) -> str:
    """`name` rendered by `env` (its filters, globals and escaping) with every field hostile."""
    return hostile_env(env).get_template(name).render()


def hostile_env(env: jinja2.Environment) -> jinja2.Environment:
    """`env` with every undefined name hostile (its own cache: templates compile anew)."""
    return env.overlay(undefined=HostileUndefined, cache_size=0)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def active_markup(html: str) -> list[str]:
    """Every element or attribute in `html` that could run code or navigate.

    A template's own `<script src=...>` and its Content-Security-Policy meta are
    allowed, and so is a refresh of the page itself (`content="2"`); inline scripts,
    event handlers, images and frames, meta refreshes to a URL and javascript:/data: or
    outside URLs are not.
    """
    parser = _Elements()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attrs in parser.found:
        if tag == "script" and not attrs.get("src"):
            problems.append("<script> inline")
        if tag in ("img", "iframe", "object", "embed", "base", "frame"):
            problems.append(f"<{tag} {attrs}>")
        equiv = (attrs.get("http-equiv") or "").lower()
        # A refresh of the page itself (a number of seconds, no URL) navigates nowhere.
        same_page = equiv == "refresh" and (attrs.get("content") or "").strip().isdigit()
        if tag == "meta" and equiv not in ("", "content-security-policy") and not same_page:
            problems.append(f"<meta http-equiv={attrs['http-equiv']!r}>")
        for key, value in attrs.items():
            if key.startswith("on"):
                problems.append(f"<{tag} {key}=...>")
            if key in ("href", "src", "action", "formaction", "content") and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "https://evil.example", "0;url=")
            ):
                problems.append(f"<{tag} {key}={value!r}>")
    return problems


_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


def markdown_html(text: str) -> str:
    """Markdown as a viewer shows it (CommonMark with raw HTML on, GFM tables)."""
    return _MARKDOWN.render(text)
