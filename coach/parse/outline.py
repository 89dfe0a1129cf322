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
from .lines import HEADING, PLAIN, Item

MAX_DEPTH = 48


def _assign_run_parent_kinds(items: list[Item]) -> None:
    """For each run of list items at one indentation, decide its outer marker kind."""
    runs: list[list[Item]] = []
    open_runs: list[tuple[int, list[Item]]] = []  # (indent, items), innermost last
    for it in items:
        if it.kind == HEADING:
            open_runs.clear()
            continue
        if it.kind == PLAIN:
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


def build_tree(items: list[Item]) -> list[Item]:
    """Link items to parents and children; return the top-level items."""
    _assign_run_parent_kinds(items)
    roots: list[Item] = []
    stack: list[Item] = []
    for it in items:
        if it.kind == HEADING:
            while stack and not (stack[-1].kind == HEADING and stack[-1].level < it.level):
                stack.pop()
        elif it.kind == PLAIN:
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
        stack.append(it)
    _compute_heights(items)
    return roots


def _adopts(it: Item) -> bool:
    """Can an unmarked line take the list items after it (same indent) as its children?

    "Owner: Sam", "Why: ..." and "KR1: ..." lines cannot: the list belongs above them.
    """
    if it.label in (OWNER, TEAM, KR) or (it.label == NOTE and it.pieces):
        return False
    # a line that already holds indented children is done: "Grow\n    ARR\n1. Retain"
    return not it.deep


def is_transparent(it: Item) -> bool:
    """A node whose children belong to its parent: KR sub-headers, notes, OKR titles."""
    if it.label in KR_LIST_LABELS or it.header in (H_KR, H_OKR):
        return True
    if it.label == NOTE:
        return bool(it.pieces)  # "Why: ..." with bullets under it; a bare "Notes:" is not
    return False


def _compute_heights(items: list[Item]) -> None:
    """Height = longest chain of content below a node (0 for a leaf), bottom-up."""
    for it in reversed(items):
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
