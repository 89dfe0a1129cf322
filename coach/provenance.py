"""Number provenance: a rewrite may only use numbers the author wrote.

This is enforced in code, not asked of a prompt: any number in a suggested
rewrite that does not occur in the author's draft is replaced by a visible
placeholder before the rewrite leaves the coach.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# A number with the currency, multiplier and unit glued to it, so "$40k" is
# replaced as a whole.
_NUMBER_TOKEN = re.compile(
    r"(?:[$€£¥₹]\s?)?\d+(?:[.,]\d+)*(?:\s?(?:k|m|bn|b|x|%|pp)(?![\w]))?", re.I
)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")


def normalise(number: str) -> str:
    """'1,200' → '1200', '07' → '7', '1.50' → '1.5' so formatting differences don't count."""
    # Only a number with a comma can group thousands (most have none: no regex then).
    grouped = "," in number and re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number)
    n = number.replace(",", "") if grouped else number
    n = n.replace(",", ".")
    if "." in n:
        n = n.rstrip("0").rstrip(".")
    return n.lstrip("0") or "0"


def numbers_in(text: str) -> list[str]:
    return [normalise(m.group(0)) for m in _DIGITS.finditer(text)]


def fabricated(rewrite: str, sources: Iterable[str]) -> list[str]:
    """Numbers in `rewrite` that appear in none of `sources`."""
    known = {n for s in sources for n in numbers_in(s)}
    return [n for n in numbers_in(rewrite) if n not in known]


def enforce(
    rewrite: str,
    sources: Iterable[str],
    placeholder: str | Callable[[str, str], str] = "[value]",
) -> tuple[str, list[str]]:
    """Replace every unsourced number in `rewrite` with a placeholder.

    `placeholder` is the text to write, or a function of (the number as
    written, the text before it) that names it.
    """
    known = {n for s in sources for n in numbers_in(s)}
    replaced: list[str] = []

    def swap(m: re.Match[str]) -> str:
        digits = _DIGITS.search(m.group(0))
        if digits and normalise(digits.group(0)) not in known:
            token = m.group(0).strip()
            replaced.append(token)
            return placeholder if isinstance(placeholder, str) else placeholder(token, m.string[: m.start()])
        return m.group(0)

    return _NUMBER_TOKEN.sub(swap, rewrite), replaced
