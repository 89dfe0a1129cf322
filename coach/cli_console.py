"""The CLI's rich consoles, made when first printed to, so that a command that never
prints with rich (`okr-coach check` in a pre-commit hook) never imports it."""

from __future__ import annotations

from typing import Any


class LazyConsole:
    def __init__(self, **options: Any):
        self._options = options
        self._console: Any = None

    @property
    def console(self) -> Any:
        """The rich Console itself, for what needs one (a Progress, `with console:`)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)
