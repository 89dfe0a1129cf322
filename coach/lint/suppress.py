"""Inline suppressions: `<!-- okr-coach: ignore KR04 -->` in Markdown and text,
`# okr-coach: ignore KR04` in YAML.

A comment after an item silences that line; a comment alone on its line silences the
line below. `ignore` with no codes silences every rule there. A suppression (or one of
its codes) that silenced nothing is reported as unused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HTML = re.compile(r"<!--\s*okr-coach\s*:\s*ignore\b(?P<codes>[^>]*?)\s*-->", re.I)
_HASH = re.compile(r"#\s*okr-coach\s*:\s*ignore\b(?P<codes>[^\n#]*)$", re.I | re.M)
_CODE_SEP = re.compile(r"[\s,]+")


@dataclass
class Suppression:
    line: int  # where the comment is
    col: int
    target: int  # the line it silences
    codes: tuple[str, ...]  # upper-cased ids or names; empty: every rule
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, name: str) -> str | None:
        """The code of this comment that silences (code, name), or None."""
        if not self.codes:
            return "*"
        for c in self.codes:
            if c in (code.upper(), name.upper()):
                return c
        return None

    def unused(self) -> list[str]:
        if not self.codes:
            return [] if self.used else ["*"]
        return [c for c in self.codes if c not in self.used]


def find(text: str, yaml_like: bool) -> tuple[str, list[Suppression]]:
    """The suppressions of a file, and its text with Markdown suppression comments
    blanked (same offsets), so they never become part of an item's text."""
    pattern = _HASH if yaml_like else _HTML
    found: list[Suppression] = []
    pieces: list[str] = []
    pos = 0
    line, line_start = 1, 0
    for m in pattern.finditer(text):
        line += text.count("\n", line_start, m.start())
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        rest = (
            text[line_start : m.start()] + text[m.end() : line_end if line_end >= 0 else len(text)]
        )
        alone = not rest.strip() or (yaml_like and not text[line_start : m.start()].strip())
        codes = tuple(c.upper() for c in _CODE_SEP.split(m.group("codes").strip(" :")) if c)
        found.append(
            Suppression(line, m.start() - line_start + 1, line + 1 if alone else line, codes)
        )
        line_start = m.start()
        if not yaml_like:
            pieces.append(text[pos : m.start()])
            pieces.append(" " * (m.end() - m.start()))
            pos = m.end()
    if yaml_like or not found:
        return text, found
    pieces.append(text[pos:])
    return "".join(pieces), found


def silence(suppressions: list[Suppression], line: int, code: str, name: str) -> bool:
    """True when a suppression covers this finding (and mark it used)."""
    hit = False
    for s in suppressions:
        if s.target == line:
            c = s.covers(code, name)
            if c is not None:
                s.used.add(c)
                hit = True
    return hit
