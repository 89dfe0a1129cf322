"""okr-coach: review draft OKRs.

from coach import review
result = review("Objective: Delight our customers\\nKR: Launch new customer portal")
"""

from ._version import __version__
from .errors import CoachError, ParseError  # noqa: E402
from .models import Finding, OkrSet, Review, Rewrite  # noqa: E402
from .pipeline import areview, areview_many, review, review_many  # noqa: E402

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
