"""The CLI's rich consoles, made when first printed to, so that a command that never
prints with rich (`okr-coach check` in a pre-commit hook) never imports it."""

from __future__ import annotations

from typing import Any


class LazyConsole:
    def __init__(self, **options: Any):
        self._options = options
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)
