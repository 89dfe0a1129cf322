"""Character offsets to 1-based line and column (columns count Unicode code points)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    line: int
    col: int
    end_line: int
    end_col: int  # exclusive, like SARIF's endColumn


class LineIndex:
    """Where each line of a text starts, to turn an offset into (line, column)."""

    def __init__(self, text: str):
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
        self.starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Position:
        line, col = self.line_col(start)
        end_line, end_col = self.line_col(max(start, end))
        return Position(line, col, end_line, end_col)
