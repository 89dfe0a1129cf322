"""One owner's page to send back: only their own sets, findings, rewrites and questions.

No ranking, no team figures, no other owner's name: it is what a coach shares with that
person (the team report keeps the ranking, for the coach). An owner is named in URLs by
`owner_id`, a hash of their team and name, so a link never spells out a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

__all__ = ["owner_id", "owner_sets", "write_owner_markdown"]

from .report import SetView, _env, owner_id, set_view
from .summary import Entry


def owner_sets(entries: Iterable[Entry], oid: str) -> tuple[str, str | None, list[SetView]]:
    """(owner, team, their sets) for the owner with this id; ('', None, []) for none."""
    name, team, sets = "", None, []
    for e in entries:
        if owner_id(e.team, e.owner) == oid:
            name, team = e.owner, e.team
            sets.append(set_view(e))
    return name, team, sets


def write_owner_markdown(owner: str, team: str | None, sets: list[SetView], out: TextIO) -> None:
    ctx = {"owner": owner, "team": team, "sets": sets}
    for chunk in _env.get_template("owner.md.j2").generate(**ctx):
        out.write(chunk)
