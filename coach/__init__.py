"""okr-coach: review draft OKRs.

from coach import review
result = review("Objective: Delight our customers\\nKR: Launch new customer portal")

The names below are imported when first used (PEP 562), so that `import coach.cli`
(every command, a pre-commit hook on every commit) does not pay for the whole pipeline.
"""

from __future__ import annotations

from importlib import import_module

from ._version import __version__

# typing.TYPE_CHECKING without importing typing (with what it imports, 12 ms: most of
# `okr-coach --version`); type checkers read this name as theirs.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .errors import CoachError, ParseError
    from .models import Finding, OkrSet, Review, Rewrite
    from .pipeline import areview, areview_many, review, review_many

_WHERE = {
    "CoachError": ".errors",
    "ParseError": ".errors",
    "Finding": ".models",
    "OkrSet": ".models",
    "Review": ".models",
    "Rewrite": ".models",
    "areview": ".pipeline",
    "areview_many": ".pipeline",
    "review": ".pipeline",
    "review_many": ".pipeline",
}

__all__ = [
    "CoachError",
    "Finding",
    "OkrSet",
    "ParseError",
    "Review",
    "Rewrite",
    "areview",
    "areview_many",
    "review",
    "review_many",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'coach' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name], __name__), name)
    globals()[name] = value  # once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
