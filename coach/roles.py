"""Number roles: a rewrite may place each of the author's numbers only in the role it had.

Provenance (`coach.provenance`) makes sure every number a user sees was written by the
author; this module makes sure it still means what the author meant. The reader gives each
number of a key result a role: where it starts (baseline), where it should end (target), a
change ("by 20%", "2x"), a qualifier that picks what is counted ("tickets older than 30
days", "a 500GB backup") or a deadline. A rewrite is read the same way, and any number whose
role there is not one it had in the draft is a role error: the rewrite is not returned.
"""

from __future__ import annotations

from .language.facts import KrFacts
from .language.phrases import is_relative
from .lexicon import Lexicon
from .provenance import numbers_in

ROLES = ("baseline", "target", "change", "qualifier", "deadline")


def roles_of(facts: KrFacts, lex: Lexicon) -> dict[str, set[str]]:
    """Each number of the key result (normalised digits) and the roles it has there."""
    roles: dict[str, set[str]] = {}
    measures = {(q.start, q.end) for q in facts.measures}

    def add(text: str, role: str) -> None:
        for number in numbers_in(text):
            roles.setdefault(number, set()).add(role)

    for q in facts.quantities:
        if q.kind == "placeholder":
            continue
        if (q.start, q.end) not in measures:
            add(q.text, "qualifier")
        elif q.role == "baseline":
            add(q.text, "baseline")
        elif is_relative(facts.low, q, lex):
            add(q.text, "change")
        else:
            add(q.text, "target")
    for start, end in facts.scan.deadlines:
        add(facts.text[start:end], "deadline")
    return roles


def misplaced(original: KrFacts | list[KrFacts], rewrite: KrFacts, lex: Lexicon) -> list[str]:
    """The rewrite's numbers that sit in a role they did not have in the draft (numbers the
    draft does not have at all are provenance's business, not this check's)."""
    sources = original if isinstance(original, list) else [original]
    had: dict[str, set[str]] = {}
    for facts in sources:
        for number, roles in roles_of(facts, lex).items():
            had.setdefault(number, set()).update(roles)
    return sorted(
        number
        for number, roles in roles_of(rewrite, lex).items()
        if number in had and not roles <= had[number]
    )
