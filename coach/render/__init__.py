"""Render a Review for people: terminal text, Markdown; JSON is `Review.model_dump_json()`."""

from .markdown import review_markdown
from .text import print_review

__all__ = ["print_review", "review_markdown"]
