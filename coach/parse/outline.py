"""Arrange scanned items into a tree: headings, indentation and list-marker changes.

Rules, in order of strength:

- A heading holds everything below it up to the next heading of the same or a
  higher level.
- Under a heading, a deeper-indented line is a child of the line above it.
- At the same indentation, list items under an unmarked line are its children
  ("Grow revenue" followed by "- KR" bullets).
- At the same indentation, a change of list marker nests only when the first
  marker of the list comes back later (1. / - / - / 2. / -): then the first
  marker is the outer level. Otherwise the items are siblings, so KRs written
  with different emoji stay one list.

The tree depth is capped so that hostile input cannot exhaust the stack.
"""

from __future__ import annotations

from .labels import BELIEF, H_KR, H_OKR, INIT, KR, KR_LIST_LABELS, NOTE, OBJ, OWNER, TEAM
from .lines import HEADING, PLAIN, TABLE, Item
from .values import kr_like

MAX_DEPTH = 48


def _assign_run_parent_kinds(items: list[Item]) -> None:
    """For each run of list items at one indentation, decide its outer marker kind."""
    runs: list[list[Item]] = []
    open_runs: list[tuple[int, list[Item]]] = []  # (indent, items), innermost last
    for it in items:
        if it.kind == HEADING:
            open_runs.clear()
            continue
        if it.kind == PLAIN or it.kind == TABLE:
            while open_runs and open_runs[-1][0] >= it.indent:
                open_runs.pop()
            continue
        while open_runs and open_runs[-1][0] > it.indent:
            open_runs.pop()
        if open_runs and open_runs[-1][0] == it.indent:
            open_runs[-1][1].append(it)
        else:
            run = [it]
            runs.append(run)
            open_runs.append((it.indent, run))
    for run in runs:
        first = run[0].kind
        parent_kind = None
        seen_other = False
        for it in run[1:]:
            if it.kind != first:
                seen_other = True
            elif seen_other:
                parent_kind = first
                break
        if parent_kind is not None:
            for it in run:
                it.run_parent_kind = parent_kind


def build_tree(items: list[Item], source: str | None = None) -> list[Item]:
    """Link items to parents and children; return the top-level items.

    `source`: the text the items were scanned from, to tell a metric's details from key
    results (without it, a line with anything but values under it is no measure)."""
    _assign_run_parent_kinds(items)
    roots: list[Item] = []
    stack: list[Item] = []
    for it in items:
        if it.kind == HEADING:
            while stack and not (stack[-1].kind == HEADING and stack[-1].level < it.level):
                stack.pop()
        elif it.kind == PLAIN or it.kind == TABLE:
            while stack and stack[-1].kind != HEADING and stack[-1].indent >= it.indent:
                stack.pop()
        else:
            while stack and stack[-1].kind != HEADING and stack[-1].indent > it.indent:
                stack.pop()
            while stack and stack[-1].kind != HEADING and stack[-1].indent == it.indent:
                top = stack[-1]
                if top.kind == PLAIN:
                    if _adopts(top):
                        break  # list items under an unmarked line
                elif top.kind == it.run_parent_kind and it.kind != top.kind:
                    break  # nest under the outer marker
                stack.pop()
        if len(stack) >= MAX_DEPTH:
            stack.pop()
        parent = stack[-1] if stack else None
        it.parent = parent
        if parent is None:
            roots.append(it)
        else:
            parent.children.append(it)
            if it.indent > parent.indent:
                parent.deep = True
            if it.value:
                parent.measure = True  # for now: a value line under it (_compute_heights)
        if it.kind != TABLE:  # a table holds its rows: nothing nests under it
            stack.append(it)
    _compute_heights(items, source)
    return roots


def _adopts(it: Item) -> bool:
    """Can an unmarked line take the list items after it (same indent) as its children?

    "Owner: Sam", "Why: ..." and "KR1: ..." lines cannot: the list belongs above them.
    """
    if it.label in (OWNER, TEAM, KR) or (it.label == NOTE and it.pieces) or it.value:
        return False  # (a value line belongs to the name above it)
    # a line that already holds indented children is done: "Grow\n    ARR\n1. Retain"
    return not it.deep


def is_transparent(it: Item) -> bool:
    """A node whose children belong to its parent: KR sub-headers, notes, OKR titles."""
    if it.label in KR_LIST_LABELS or it.header in (H_KR, H_OKR):
        return True
    if it.label == NOTE:
        return bool(it.pieces)  # "Why: ..." with bullets under it; a bare "Notes:" is not
    return False


def value_lines(it: Item) -> list[Item]:
    """The value lines right under `it` ("22% in H1" under "Repeat purchase rate")."""
    return [c for c in it.children if c.value and not c.children]


def _is_measure(it: Item, source: str | None) -> bool:
    """A metric's name with its values under it, which together make one key result:

        Repeat purchase rate
            22% in H1
            26% in H2

    The name is an unlabelled line (not a heading or a title); everything under it is
    a leaf, at least one a value line, and no other one reads like a key result of its
    own ("measured on web orders only" is a detail of it; "ARR from 1M to 2M" beside
    "70%" would make the line above an objective with two key results)."""
    if it.kind == HEADING or it.label is not None or it.header is not None or it.prose:
        return False
    values = 0
    for c in it.children:
        if c.children or c.kind == TABLE:
            return False
        if c.value:
            values += 1
        elif (
            c.label is not None
            or c.header is not None
            or (not c.prose and (source is None or kr_like(c.text(source))))
        ):
            return False
    return values > 0


def _compute_heights(items: list[Item], source: str | None) -> None:
    """Height = longest chain of content below a node (0 for a leaf), bottom-up.

    A measure (a metric's name with its values) is a key result: height 0."""
    for it in reversed(items):
        if not it.children:
            continue  # a leaf: height 0 (1 for a table of objectives, set by `scan`)
        if it.measure:  # it has a value line under it (`build_tree`): is it a measure?
            if _is_measure(it, source):
                it.height = 0
                continue
            it.measure = False
        h = 0
        for c in it.children:
            if c.label == KR:
                contrib = 1
            elif c.label in (OBJ, INIT, BELIEF):
                contrib = 2
            elif (c.label == NOTE and not c.pieces) or (c.prose and not c.children):
                contrib = 0
            elif is_transparent(c) or is_description(c):
                contrib = c.height
            elif c.header is not None:  # "Objectives" title: what is under it are objectives
                contrib = 1 + c.height if c.children else 0
            else:
                contrib = 1 + c.height
            if contrib > h:
                h = contrib
        it.height = h


def is_description(it: Item) -> bool:
    """A sentence right under a heading, with list items under it: a description."""
    return (
        it.kind == PLAIN
        and it.label is None
        and it.header is None
        and it.parent is not None
        and it.parent.kind == HEADING
        and bool(it.children)
        and it.description
    )
