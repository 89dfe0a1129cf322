"""`lazy_compile`: a module's regular expression, compiled when it is first used.

Compiling is pure-Python work in `re` (parsing, code generation): 0.1–1 ms for each long
pattern, paid at import by every process — a pre-commit hook on every commit — whether or
not its run ever needs the pattern (a draft with no status notes, no tables and no
numbered lines never matches those). `NAME = lazy_compile(source, flags)` in place of
`re.compile(source, flags)` leaves every use of NAME as it was (`NAME.search(text)`,
`.match`, `.fullmatch`, `.finditer`, `.findall`, `.sub`, `.subn`, `.split`) and compiles at
the first call. From then on each of those names is the compiled pattern's own bound
method, kept on the instance (found before `__getattr__` is asked), so a call costs what a
call on the `re.Pattern` does.

For patterns most runs do not need; one every run uses gains nothing from waiting.
Not a `re.Pattern`: give `re.sub` and the like the pattern's methods, not the object.
"""

from __future__ import annotations

import re
from typing import Any

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """`re.compile(pattern, flags)` when first used (see the module)."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self._flags = flags

    def compiled(self) -> re.Pattern[str]:
        found = re.compile(self.pattern, self._flags)  # (re's own cache: compiled once)
        for name in _METHODS:
            setattr(self, name, getattr(found, name))
        return found

    @property
    def flags(self) -> int:
        return self.compiled().flags

    def __repr__(self) -> str:
        return f"lazy_compile({self.pattern!r}, {self._flags})"

    def __reduce__(self) -> tuple[object, tuple[str, int]]:
        # Pickled (inside the rubric kept by coach.diskcache) as its source: still lazy.
        return LazyPattern, (self.pattern, self._flags)

    def __getattr__(self, name: str) -> Any:
        # Only until the first use: `compiled` puts the pattern's own methods on the instance.
        if name in _METHODS:
            self.compiled()
            return self.__dict__[name]
        raise AttributeError(name)


def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled at its first use (typed as the pattern it
    stands for: it has the methods the code calls)."""
    return LazyPattern(pattern, flags)  # type: ignore[return-value]
