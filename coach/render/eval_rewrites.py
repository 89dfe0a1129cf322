"""The rewrites section every eval report shares: per data set (per origin for the real
drafts) the rewrites and asks, the checks that must stay at 0, the graded usable share,
and the items behind them, so a person can see which rewrite broke what and grade the new.

The real drafts' items are listed by id only: reports get posted where other people's
sentences do not belong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..evals.report import EvalReport, EvalSuite, RewriteScore


def _num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def usable_cell(s: RewriteScore) -> str:
    g = s.grades
    if g is None:
        return "—"
    if not g.graded:
        return "— (0 graded)"
    return f"{_num(g.usable_share, 2)} ({g.good + g.acceptable}/{g.graded})"


# (header, short header for a terminal ("": left out there, shown in its summary), how to
# read it off a RewriteScore), in the order a reviewer reads them.
COLUMNS: list[tuple[str, str, Callable[[RewriteScore], str]]] = [
    ("flagged KRs", "flagged", lambda s: str(s.flagged)),
    ("rewrites", "rewr", lambda s: str(s.count)),
    ("asks", "asks", lambda s: str(s.asks)),
    ("ask share", "", lambda s: _num(s.ask_share, 2)),
    ("coverage", "cover", lambda s: _num(s.coverage, 2)),
    ("role errors", "role", lambda s: str(s.role_errors)),
    ("garbled phrases", "garbl", lambda s: str(s.garbled_phrases)),
    ("empty templates", "templ", lambda s: str(s.empty_templates)),
    ("duplicates in a set", "dupl", lambda s: str(s.duplicate_rewrites_in_a_set)),
    ("fabricated numbers", "", lambda s: str(s.fabricated_numbers)),
    ("usable (graded)", "usable", usable_cell),
    ("ungraded", "ungr", lambda s: "—" if s.grades is None else str(s.grades.ungraded)),
]
LEGEND = ("asks: flagged KRs that got questions and candidate metrics instead of a rewrite; "
          "coverage: share of flagged KRs with a rewrite or an ask, must be 1; role errors, garbled "
          "phrases, empty templates, duplicates in a set, fabricated numbers: rewrites a coach "
          "would never paste, each must be 0; usable: good + acceptable over the rewrites graded "
          "in evals/grades/; ungraded: returned rewrites of a graded data set with no grade for "
          "their text (okr-coach eval --grade-template out.jsonl lists them).")
TERMINAL_LEGEND = ("rewr: rewrites; cover: rewrite or ask / flagged (must be 1); role, garbl, "
                   "templ, dupl: role errors, garbled phrases, empty templates, duplicates in a "
                   "set (each must be 0); usable: good + acceptable share / rewrites graded; ungr: ungraded "
                   "(--grade-template lists them)")


def hard_failures(s: RewriteScore) -> list[str]:
    """The must-be-0 (must-be-1) checks one group breaks, as words."""
    out = [f"{n} {name}" for n, name in (
        (s.role_errors, "role errors"), (s.garbled_phrases, "garbled phrases"),
        (s.empty_templates, "empty templates"), (s.duplicate_rewrites_in_a_set, "duplicates in a set"),
        (s.fabricated_numbers, "fabricated numbers")) if n]
    if s.coverage < 1:
        out.append(f"coverage {s.coverage:.3f}")
    return out


@dataclass
class Table:
    id: str
    title: str
    rows: list[tuple[str, list[str]]]


def group_rows(r: EvalReport, realworld: bool) -> list[tuple[str, list[str]]]:
    """All, then each data set (each origin, for the real drafts)."""
    rows = [("all", [read(r.rewrites) for _, _, read in COLUMNS])]
    if realworld:
        groups = {f"origin: {g}": s.rewrites for g, s in r.slices.get("origin", {}).items()}
    else:
        groups = dict(r.per_dataset) if len(r.per_dataset) > 1 else {}
    rows += [(name, [read(s) for _, _, read in COLUMNS]) for name, s in groups.items() if s is not None]
    return rows


def tables(suite: EvalSuite) -> list[Table]:
    out = [Table(f"rewrites-{r.mode}", f"{r.mode}: rewrites and asks per data set", group_rows(r, False))
           for r in suite.runs]
    if suite.realworld is not None:
        out += [Table(f"rewrites-realworld-{r.mode}", f"real drafts · {r.mode}: rewrites and asks "
                      "per origin", group_rows(r, True)) for r in suite.realworld.runs]
    return out


@dataclass
class Item:
    key: str  # "test/test-001 O1.KR2"
    text: str  # "" for the real drafts
    what: str  # the defects, or the grade and its reason


@dataclass
class Items:
    title: str
    mode: str
    realworld: bool
    defects: list[Item]
    bad: list[Item]
    ungraded: list[Item]


def items(suite: EvalSuite) -> list[Items]:
    """Per run: the rewrites that break a must-be-0 check, those graded bad, the ungraded."""
    runs = [(r, False) for r in suite.runs]
    if suite.realworld is not None:
        runs += [(r, True) for r in suite.realworld.runs]
    out = []
    for r, private in runs:
        defects, bad, ungraded = [], [], []
        graded_sets = {s for s, score in r.per_dataset.items() if score.grades is not None}
        for e, item in r.rewrite_items():
            key = f"{e.key} {item.target}"
            text = "" if private else item.text
            if item.defects:
                defects.append(Item(key, text, "; ".join(item.defects)))
            if item.grade == "bad":
                bad.append(Item(key, text, item.reason or ""))
            if item.grade is None and e.key.split("/")[0] in graded_sets:
                ungraded.append(Item(key, text, ""))
        title = f"real drafts · {r.mode}" if private else r.mode
        out.append(Items(title, r.mode, private, defects, bad, ungraded))
    return out
