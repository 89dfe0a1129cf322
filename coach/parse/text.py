"""Pasted text and Markdown -> OkrSet.

`lines.scan` classifies each line (markers, labels, spans, value lines, status
notes, Markdown tables), `outline.build_tree` nests them (headings, indentation,
marker changes), and this module walks the tree in document order deciding what
each node is:

1. A label says what a line is: "Objective 2:", "O:", "(O)", "OKR 3:", "KR1.3 -",
   "(KR1)", "We are working on", "Because we believe", "As measured by", "Owner:".
   KR labels attach to the last objective; "Objective:" with no text takes the next
   line as its text.
2. Labels of what follows ("Objectives", "Key results:") are not items; a "Key
   results" label hands what is under it to the current objective. Titles ("OKRs Q3
   2025", "# Team Platform — H2", "## 2025 Q1") are not items either, and each one
   is warned with its line: nothing in the draft disappears without a word.
3. Otherwise the shape decides. Heights are counted through such titles: a node
   whose children have children is a section ("## Q3", "Team Platform"); a node
   whose children are leaves is an objective, its leaves key results, and what
   hangs under a key result is a detail (warned).
4. A metric's name with value lines under it is one key result, never an objective
   or a section (`values`): sheets pasted as text keep their objective,

       Grow repeat business
               Repeat purchase rate
                       22% in H1
                       26% in H2

   is the objective "Grow repeat business" with the key result "Repeat purchase
   rate: 22% in H1; 26% in H2" (name, ": ", its values joined by "; "). Its span runs
   from the name to the last value: the name's line, every value highlighted.
5. A Markdown table is one node whose rows are objectives and key results
   (`mdtable`); a row's period and target cells join its key result the same way.
6. Leaves side by side outside any objective form flat blocks: the first line of
   a block (plain lines: up to a blank line) is an objective, the rest its key
   results. A list item beside objective siblings is an objective without KRs.
7. Greetings, questions and sign-offs are remarks. Anything that cannot be
   placed becomes a ParseWarning with its line; nothing is dropped silently.

Status notes at the end of an item ("(done)", "✅", "— 60%", "– 0.7") are taken
off its text and span like a checkbox (`status`).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..errors import ParseError
from ..lazy_re import lazy_compile
from ..models import KeyResult, Objective, OkrSet, ParseWarning, Span
from . import status
from .labels import (
    ALNUM,
    BELIEF,
    H_KR,
    H_OBJ,
    H_OKR,
    INIT,
    KR,
    KR_LIST_LABELS,
    MEASURE,
    NOTE,
    OBJ,
    OBJECTIVE_LABELS,
    OWNER,
    TEAM,
    read_label,
    strip_noise,
)
from .lines import HEADING, PLAIN, TABLE, Item, TableItem, line_spans, scan
from .outline import build_tree, value_lines
from .values import kr_like

ROOT, SECTION, OBJLIST = "root", "section", "objectives"

_INLINE_SPLIT = re.compile(r";|；")
_NOT_INLINE = lazy_compile(r"(?:the\s+following|these|below)(?:\s+key\s+results?|\s+krs)?\W*$", re.I)

MSG_PROSE = "looks like a comment, not an objective or key result; left out"
MSG_NOTE = "is a note, not an objective or key result; left out"
MSG_KR_FIRST = "looks like a key result, but no objective comes before it; left out"
MSG_SECTION = "sits under a section title but not under any objective; left out"
MSG_UNPLACED = "could not tell whether this is an objective or a key result; left out"
MSG_DETAIL = "is a detail under a key result, not a key result of its own; left out"
MSG_HEADING = "is a heading with nothing under it; left out"
MSG_TITLE = "is a title, not an objective or key result; left out"
MSG_TEAM_TITLE = (
    "is a title (team {team} for what is under it), not an objective or key result; left out"
)
MSG_LABEL_ONLY = (
    "is an objective label with no objective text; its key results are kept under the label"
)
MSG_EMPTY_OBJECTIVE = "is an objective label with no objective text after it; left out"
MSG_ROW = "is a table row with neither an objective nor a key result; left out"
# what join() drops at the end of a piece: whitespace, and the noise of strip_noise
_UNCLEAN_END = frozenset(":;,：；，\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029")
_UNCLEAN_END |= frozenset("\u202f\u205f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}
_NOT_KR_KINDS = frozenset({HEADING, TABLE})  # (the usual key result line is neither)
# how a role column of a table reads before its value
_ROLE_WORD = {"due": "by"}

# A span as a model takes it: {"start", "end", "line"}.
SpanData = dict[str, int]

# One pydantic-core call per key result or objective, its span passed as a dict, rather
# than Span(...) and then KeyResult(...): the same validation and the same model (its
# fields set included), at about 60% of the cost. (model_construct is no help: in
# pydantic 2.x it is slower than validating these small models.)
_new_key_result = KeyResult.__pydantic_validator__.validate_python
_new_objective = Objective.__pydantic_validator__.validate_python
_new_warning = ParseWarning.__pydantic_validator__.validate_python


def parse_text(text: str) -> OkrSet:
    """Read pasted text or Markdown. Raises ParseError when no OKR can be found."""
    spans = line_spans(text)
    scored: list[tuple[Item, int]] = []
    items = scan(text, spans, scored)
    if len(scored) >= 2:
        _score_column(scored)
    roots = build_tree(items, text)
    reader = _Reader(text, [start for start, _ in spans])
    reader.visit(roots, ROOT)
    reader.finish()
    if not reader.objectives:
        if reader.orphan_krs:
            raise ParseError(
                "the draft has key results but no objective: put an objective line "
                "(for example 'Objective: Grow revenue in DACH') above its key results"
            )
        raise ParseError(
            "could not find any objectives or key results in the draft: write each "
            "objective on its own line with its key results below it, as bullets or as "
            "'KR1: ...' lines"
        )
    markdown = any(it.kind == HEADING or it.marked or it.kind == TABLE for it in items)
    warnings = sorted(reader.warnings, key=lambda w: w.line)
    return OkrSet(
        objectives=reader.objectives,
        warnings=warnings,
        source_format="markdown" if markdown else "text",
    )


class _Reader:
    def __init__(self, source: str, line_starts: list[int]):
        self.src = source
        self.line_starts = line_starts
        self.objectives: list[Objective] = []
        self.warnings: list[ParseWarning] = []
        self.cur: Objective | None = None  # the last objective, in document order
        self.cur_node: Item | None = None  # the line that created it
        self.pending: Item | None = None  # "Objective 2:" waiting for its text
        self.tpl: Objective | None = None  # objective of the current three-lens block
        self.tpl_belief = False
        self.defaults: dict[str, str | None] = {"team": None, "owner": None}
        self.orphan_krs = 0

    # --- building blocks -------------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def span(self, start: int, end: int) -> SpanData:
        return {"start": start, "end": end, "line": bisect_right(self.line_starts, start)}

    def join(self, ranges: list[tuple[int, int]]) -> tuple[str, SpanData] | None:
        """Text of (start, end) ranges joined by single spaces, minus trailing ':;,' noise."""
        src = self.src
        if len(ranges) == 1:  # the usual case (one line's text): no list to build
            s, e = ranges[0]
            if s < e and not src[s].isspace() and src[e - 1] not in _UNCLEAN_END:
                # (the usual piece, trimmed by `lines` already: what the lines below give)
                return src[s:e], {"start": s, "end": e, "line": bisect_right(self.line_starts, s)}
            while s < e and src[s].isspace():
                s += 1
            while e > s and src[e - 1].isspace():
                e -= 1
            if s >= e:
                return None
            e = strip_noise(src, s, e)
            return src[s:e], self.span(s, e)
        clean: list[tuple[int, int]] = []
        for s, e in ranges:
            while s < e and src[s].isspace():
                s += 1
            while e > s and src[e - 1].isspace():
                e -= 1
            if s < e:
                clean.append((s, e))
        if not clean:
            return None
        ls, le = clean[-1]
        clean[-1] = (ls, strip_noise(src, ls, le))
        if len(clean) == 1:
            s, e = clean[0]
            return src[s:e], self.span(s, e)
        text = " ".join(src[s:e] for s, e in clean)
        return text, self.span(clean[0][0], clean[-1][1])

    def content(self, it: Item) -> tuple[str, SpanData]:
        ranges = it.pieces or [it.label_span or (0, 0)]
        joined = self.join(ranges)
        if joined is None:  # cannot happen: items always carry some text
            s, e = ranges[0]
            return self.src[s:e], self.span(s, e)
        return joined

    def warn(self, it: Item, message: str) -> None:
        if isinstance(it, TableItem):  # a table left out: each of its rows, with its line
            assert it.table is not None
            for row in it.table.rows:
                text = self.src[row.start : row.end]
                self.warnings.append(
                    _new_warning({"line": row.line, "message": message, "text": text})
                )
            return
        text = it.full(self.src)
        self.warnings.append(_new_warning({"line": it.line, "message": message, "text": text}))

    def warn_tree(self, nodes: list[Item], message: str) -> None:
        stack = list(reversed(nodes))
        while stack:
            n = stack.pop()
            self.warn(n, message)
            stack.extend(reversed(n.children))

    def new_objective(
        self, text: str, span: SpanData, node: Item, initiative: str | None = None
    ) -> Objective:
        self.flush_pending()
        obj: Objective = _new_objective(
            {
                "text": text,
                "span": span,
                "initiative": initiative,
                "team": self.defaults["team"],
                "owner": self.defaults["owner"],
            }
        )
        self.objectives.append(obj)
        self.cur, self.cur_node, self.tpl = obj, node, None
        return obj

    def objective_from(self, it: Item) -> Objective:
        text, span = self.content(it)
        return self.new_objective(text, span, it)

    def add_kr(self, obj: Objective | None, it: Item) -> None:
        """`it` as a key result of `obj`, with the value lines under it (see `measure`)."""
        if obj is None:
            self.orphan_krs += 1
            self.warn(it, MSG_KR_FIRST)
            return
        text, span = self.content(it)
        if it.children:
            values = value_lines(it)
            if values:
                text, span = self.measure(text, span, values)
        obj.key_results.append(_new_key_result({"text": text, "span": span}))

    def measure(self, name: str, span: SpanData, values: list[Item]) -> tuple[str, SpanData]:
        """A metric's name and its value lines as one key result:
        "Repeat purchase rate: 22% in H1; 26% in H2". The span runs from the name to the
        last value, so the name's line is the key result's line and a highlight covers
        every value; each value keeps its words ("in H1", "Target:") beside its number."""
        texts = [self.content(v)[0] for v in values]
        end = self.content(values[-1])[1]["end"]
        return f"{name}: {'; '.join(texts)}", {**span, "end": end}

    def add_inline_krs(
        self, obj: Objective | None, it: Item, ranges: list[tuple[int, int]]
    ) -> None:
        """'As measured by: a; b; c' -> three key results (spans of each part)."""
        if not ranges or _NOT_INLINE.match(self.src, ranges[0][0], ranges[-1][1]):
            return
        parts: list[list[tuple[int, int]]] = [[]]
        for s, e in ranges:
            pos = s
            for m in _INLINE_SPLIT.finditer(self.src, s, e):
                parts[-1].append((pos, m.start()))
                parts.append([])
                pos = m.end()
            parts[-1].append((pos, e))
        for part in parts:
            joined = self.join(part)
            if joined is None:
                continue
            text, span = joined
            if obj is None:
                self.orphan_krs += 1
                self.warnings.append(
                    _new_warning({"line": span["line"], "message": MSG_KR_FIRST, "text": text})
                )
            else:
                obj.key_results.append(_new_key_result({"text": text, "span": span}))

    def flush_pending(self, as_objective: bool = False) -> Objective | None:
        """An 'Objective 2:' label that never got its text."""
        it, self.pending = self.pending, None
        if it is None:
            return None
        if as_objective:
            self.warn(it, MSG_LABEL_ONLY)
            return self.objective_from(it)
        self.warn(it, MSG_EMPTY_OBJECTIVE)
        return None

    def kr_target(self) -> Objective | None:
        if self.pending is not None:
            return self.flush_pending(as_objective=True)
        return self.cur

    def finish(self) -> None:
        self.flush_pending()

    # --- Markdown tables -----------------------------------------------------------------

    def cell_text(self, s: int, e: int) -> tuple[str, SpanData] | None:
        """A cell's text, without a label such as "KR 1.2:" or "**O1**" and without a
        status note ("(done)", as after a line)."""
        lab = read_label(self.src, s, e)
        if lab.label in (OBJ, KR) and lab.body[1] > lab.body[0]:
            s, e = lab.body
        e = s + status.notes(self.src[s:e])[0]
        return self.join([(s, e)])

    def table(self, n: TableItem, obj: Objective | None) -> Objective | None:
        """A table's rows (see `mdtable`): an objective cell starts an objective (or goes
        on with the one above when it repeats it), a key-result cell adds a key result
        to the row's objective or to `obj`, with the row's period and target cells.
        Returns the last objective."""
        from . import mdtable  # (imported where a table is read: see lines.scan)

        assert n.table is not None
        src, cur = self.src, obj
        for row in n.table.rows:
            obj_cell = None
            krs: list[tuple[int, int]] = []
            values: list[str] = []
            end = 0
            meta: dict[str, str] = {}
            for col, cell in zip(n.table.columns, row.cells, strict=False):
                if cell.end <= cell.start or not ALNUM.search(src, cell.start, cell.end):
                    continue  # an empty cell, or a "-" / "—" that says so
                value = src[cell.start : cell.end]
                if col.kind == mdtable.OBJECTIVE:
                    obj_cell = cell
                elif col.kind == mdtable.KEY_RESULTS:
                    krs.extend(mdtable.cell_parts(src, cell))
                elif col.kind == mdtable.PERIOD:
                    values.append(f"{value} in {col.name}")
                    end = cell.end
                elif col.kind == mdtable.ROLE:
                    values.append(f"{_ROLE_WORD.get(col.name, col.name)} {value}")
                    end = cell.end
                elif col.kind in (mdtable.TEAM, mdtable.OWNER):
                    meta[col.kind] = value
            if obj_cell is not None:
                found = self.cell_text(obj_cell.start, obj_cell.end)
                if found is not None:
                    text, span = found
                    if not (
                        cur is not None
                        and self.cur_node is n
                        and cur.text.casefold() == text.casefold()
                    ):  # a repeated objective cell goes on with the same objective
                        cur = self.new_objective(text, span, n)
                    if cur.team is None and "team" in meta:
                        cur.team = meta["team"]
                    if cur.owner is None and "owner" in meta:
                        cur.owner = meta["owner"]
            if not krs:
                if obj_cell is None:
                    self.warnings.append(
                        _new_warning(
                            {"line": row.line, "message": MSG_ROW, "text": src[row.start : row.end]}
                        )
                    )
                continue
            if cur is None:
                self.orphan_krs += len(krs)
                self.warnings.append(
                    _new_warning(
                        {
                            "line": row.line,
                            "message": MSG_KR_FIRST,
                            "text": src[row.start : row.end],
                        }
                    )
                )
                continue
            for s, e in krs:
                found = self.cell_text(s, e)
                if found is None:
                    continue
                text, span = found
                if values and len(krs) == 1:  # "Cloud bill: baseline $42k; target $30k"
                    text, span = f"{text}: {'; '.join(values)}", {**span, "end": end}
                cur.key_results.append(_new_key_result({"text": text, "span": span}))
        return cur

    def top_table(self, n: TableItem, run: Objective | None) -> Objective | None:
        """A table outside any objective; returns what following lines attach to."""
        assert n.table is not None
        if n.table.has_objectives:
            self.table(n, None)
            return None
        if self.pending is not None:  # "## Objective 1" and then a table of its KRs
            run = self.flush_pending(as_objective=True)
        if run is None and self.cur_node is not None and self.cur_node.parent is n.parent:
            run = self.cur
        self.table(n, run)
        return run

    # --- three-lens template --------------------------------------------------------------

    def template_part(self, label: str, text: str, span: SpanData, node: Item) -> None:
        tpl = self.tpl if self.tpl is not None and self.tpl is self.cur else None
        if label == INIT:
            if tpl is not None and tpl.initiative is None and not tpl.key_results:
                tpl.initiative = text
                return
            self.new_objective(text, span, node, initiative=text)
            self.tpl, self.tpl_belief = self.cur, False
        elif label == BELIEF:
            if tpl is not None and not self.tpl_belief and not tpl.key_results:
                tpl.text, tpl.span = text, Span(**span)
                self.tpl_belief = True
                return
            self.new_objective(text, span, node)
            self.tpl, self.tpl_belief = self.cur, True

    def labelled_objective(self, n: Item) -> Objective | None:
        """OBJ / INIT / BELIEF lines (with any inline template parts after them)."""
        if not n.pieces:
            self.flush_pending()
            self.pending = n
            return None
        if n.label == OBJ:
            self.objective_from(n)
        else:
            text, span = self.content(n)
            self.template_part(n.label or INIT, text, span, n)
        for seg in n.extra:
            if seg.label == MEASURE:
                self.add_inline_krs(self.cur, n, [(seg.start, seg.end)])
            else:
                part = self.join([(seg.start, seg.end)])
                if part is not None:
                    self.template_part(seg.label, part[0], part[1], n)
        return self.cur

    def consume_pending(self, n: Item) -> Objective:
        label = self.pending.label if self.pending else OBJ
        self.pending = None
        text, span = self.content(n)
        if label == OBJ:
            return self.new_objective(text, span, n)
        self.template_part(label or INIT, text, span, n)
        assert self.cur is not None
        return self.cur

    def meta(self, n: Item, attach: bool) -> None:
        text, _ = self.content(n)
        field = "team" if n.label == TEAM else "owner"
        if attach and self.cur is not None:
            setattr(self.cur, field, text)
        else:
            self.defaults[field] = text

    # --- the walk --------------------------------------------------------------------------

    def visit(self, nodes: list[Item], ctx: str, obj: Objective | None = None) -> None:
        if not nodes:
            return
        if obj is not None:
            marked = _has_marked(nodes)
            for n in nodes:
                self.in_objective(n, obj, marked)
        else:
            self.top_level(nodes, ctx)

    def kr_list(self, n: Item, obj: Objective | None) -> None:
        """'Key results:' / 'As measured by: a; b' and what is under it."""
        if n.pieces and (n.plural or n.label == MEASURE):
            self.add_inline_krs(obj, n, n.pieces)
        elif n.pieces:
            self.add_kr(obj, n)
        if obj is not None:
            self.visit(n.children, SECTION, obj)
            return
        marked = _has_marked(n.children)
        for c in n.children:  # no objective yet: only a labelled one can start it
            if c.label in OBJECTIVE_LABELS:
                self.visit(c.children, SECTION, self.labelled_objective(c))
                obj = self.cur
            elif obj is not None:
                self.in_objective(c, obj, marked)
            else:
                self.orphan_krs += 1
                self.warn_tree([c], MSG_KR_FIRST)

    def in_objective(self, n: Item, obj: Objective, marked_siblings: bool) -> None:
        lab = n.label
        if (
            lab is None
            and n.header is None
            and not n.prose
            and n.kind not in _NOT_KR_KINDS
            and (n.measure or not (n.kind == PLAIN and (n.children or marked_siblings)))
        ):  # the usual key result line: what the last `else` below does, tested first
            self.add_kr(obj, n)
            self.details(n, obj)
        elif isinstance(n, TableItem):
            self.table(n, obj)
        elif lab in OBJECTIVE_LABELS:
            new = self.labelled_objective(n)
            self.visit(n.children, SECTION, new)
        elif lab == KR:
            self.add_kr(obj, n)
            self.details(n, obj)
        elif lab in KR_LIST_LABELS or n.header == H_KR:
            self.kr_list(n, obj)
        elif lab in (OWNER, TEAM):
            setattr(obj, "team" if lab == TEAM else "owner", self.content(n)[0])
            self.visit(n.children, SECTION, obj)
        elif lab == NOTE:
            if n.pieces:
                self.warn(n, MSG_NOTE)
                self.visit(n.children, SECTION, obj)
            else:  # a "Notes:" title: what is under it are notes
                self.warn_tree(n.children, MSG_NOTE)
        elif n.header is not None:
            if n.header == H_OKR:
                self.warn(n, MSG_TITLE)
            self.visit(n.children, SECTION, obj)
        elif n.prose:
            self.warn(n, MSG_PROSE)
            self.visit(n.children, SECTION, obj)
        elif n.kind == HEADING or (n.kind == PLAIN and (n.children or marked_siblings)):
            # a sub-heading or a description line among bulleted key results
            self.warn(n, MSG_NOTE)
            self.visit(n.children, SECTION, obj)
        else:
            self.add_kr(obj, n)
            self.details(n, obj)

    def details(self, kr: Item, obj: Objective) -> None:
        """Under a key result: labelled lines still count, value lines are part of it
        (`add_kr`), the rest are details of it."""
        for c in kr.children:
            if c.label is not None or c.header == H_KR or c.kind == TABLE:
                self.in_objective(c, obj, True)
            elif not (c.value and not c.children):
                self.warn_tree([c], MSG_DETAIL)

    def section(self, n: Item, ctx: str) -> None:
        """A section title; "Team Platform" / "Growth team OKRs" set the team inside it."""
        if not n.children and n.header is None:
            self.warn(n, MSG_HEADING)
            return
        saved = dict(self.defaults)  # "Owner:" lines inside a section stay inside it
        team = _team_title(n.raw(self.src)) if n.pieces else None
        if team is not None:
            self.defaults["team"] = team
        # a title is no item, but it is a line of the draft: say how it was read
        self.warn(n, MSG_TITLE if team is None else MSG_TEAM_TITLE.format(team=team))
        self.visit(n.children, ctx)
        self.defaults = saved

    def top_level(self, nodes: list[Item], ctx: str) -> None:
        labelled = any(n.label in OBJECTIVE_LABELS for n in nodes)
        objective_kinds = {n.kind for n in nodes if n.height == 1 and n.label is None}
        # heading levels used for sections here: a heading at such a level holding only
        # plain lines ("## Misc" + a remark) is a section too, not an objective
        section_levels = {
            n.level for n in nodes if n.kind == HEADING and n.height >= 2 and n.label is None
        }
        run: Objective | None = None  # the objective that following leaves attach to
        for i, n in enumerate(nodes):
            lab = n.label
            if isinstance(n, TableItem):
                run = self.top_table(n, run)
            elif lab in OBJECTIVE_LABELS:
                obj = self.labelled_objective(n)
                if obj is None:
                    self.visit(n.children, SECTION)
                else:
                    self.visit(n.children, SECTION, obj)
                run = obj
            elif lab == KR:
                target = self.kr_target()
                self.add_kr(target, n)
                if target is None:
                    self.orphan_krs += len(n.children)
                    self.warn_tree(n.children, MSG_KR_FIRST)
                else:
                    self.details(n, target)
                run = target
            elif lab in KR_LIST_LABELS or n.header == H_KR:
                run = self.kr_target()
                self.kr_list(n, run)
            elif lab in (OWNER, TEAM):
                attach = run is not None or (i > 0 and nodes[i - 1] is self.cur_node)
                self.meta(n, attach)
                self.visit(n.children, ctx, self.cur if attach else None)
            elif lab == NOTE:
                if n.pieces:
                    self.warn(n, MSG_NOTE)
                    self.visit(n.children, ctx)
                else:  # a "Notes:" title: what is under it are notes
                    self.warn_tree(n.children, MSG_NOTE)
            elif n.header == H_OKR:
                self.section(n, ctx)
                run = None
            elif n.header == H_OBJ:
                self.visit(n.children, OBJLIST)
                run = None
            elif (
                self.pending is not None
                and not n.prose
                and (
                    n.children
                    or not n.marked
                    or self.pending.label != OBJ
                    or (n.parent is self.pending and len(self.pending.children) == 1)
                )
            ):
                obj = self.consume_pending(n)
                self.visit(n.children, SECTION, obj)
                run = None if n.children else obj
            elif n.prose:
                self.warn(n, MSG_PROSE)
                self.visit(n.children, SECTION)
            elif n.height >= 2 or (
                n.kind == HEADING and n.level in section_levels and not _has_marked(n.children)
            ):
                self.section(n, SECTION)
                run = None
            elif n.height == 1:
                obj = self.objective_from(n)
                self.visit(n.children, SECTION, obj)
                run = None
            else:
                run = self.leaf(nodes, i, n, ctx, run, labelled, objective_kinds)

    def leaf(
        self,
        nodes: list[Item],
        i: int,
        n: Item,
        ctx: str,
        run: Objective | None,
        labelled: bool,
        objective_kinds: set[str],
    ) -> Objective | None:
        """An unlabelled line with nothing (but maybe sub-headers) under it, outside any
        objective. Returns the objective that following lines attach to, if any."""
        if self.pending is not None:  # "## Objective 1" followed directly by bullets
            run = self.flush_pending(as_objective=True)
        if n.measure:  # a metric with its values is a key result, never an objective
            if run is None and self.cur_node is not None and self.cur_node.parent is n.parent:
                run = self.cur  # after a blank line, under the same parent
            self.add_kr(run, n)
            if run is None:
                self.orphan_krs += len(n.children)
                self.warn_tree(n.children, MSG_KR_FIRST)
            else:
                self.details(n, run)
            return run
        nxt = nodes[i + 1] if i + 1 < len(nodes) else None
        follows = nxt is not None and _continues_block(nxt)
        if n.kind == HEADING and ctx != OBJLIST:
            self.warn(n, MSG_HEADING)
            self.visit(n.children, ctx)
            return None
        if ctx == OBJLIST:
            obj = self.objective_from(n)
            self.visit(n.children, SECTION, obj)
            return None
        if run is not None and (n.marked or not n.blank_before):
            self.add_kr(run, n)
            self.details(n, run)
            return run
        if (
            labelled
            and self.cur is not None
            and not self.cur.key_results
            and (follows or kr_like(n.raw(self.src)))
        ):
            obj = self.cur  # "Objective 3: ..." then a blank line, then its KRs
            self.add_kr(obj, n)
            self.details(n, obj)
            return obj
        starts_block = follows or (nxt is not None and (_is_kr_list(nxt) or nxt.label == KR))
        if not n.value and (starts_block or (n.marked and n.kind in objective_kinds)):
            obj = self.objective_from(n)  # (a list item beside objectives: one without KRs)
            self.visit(n.children, SECTION, obj)
            return obj if starts_block else None
        if self.cur is None and kr_like(n.raw(self.src)):
            self.orphan_krs += 1
            self.warn(n, MSG_KR_FIRST)
        else:
            self.warn(n, MSG_SECTION if ctx == SECTION else MSG_UNPLACED)
        self.visit(n.children, ctx)
        return None


_TITLE_NOISE = re.compile(
    r"\bokrs?\b|\((?:[^)]*)\)|\b(?:q[1-4]|h[12]|fy\s?\d{2,4}|\d{4}|draft|for)\b|[:\-–—|/,.]",
    re.I,
)
_TEAM_TITLE = re.compile(
    r"(?:team|squad)\s+(?P<a>\S.{0,39})|(?P<b>\S.{0,39}?)\s+(?:team|squad)", re.I
)


def _score_column(scored: list[tuple[Item, int]]) -> None:
    """A 0–1 score after an item ("– 0.7") is a note when two or more lines end so (a
    column of scores), not a number of the item's own (see `status`)."""
    for it, end in scored:
        if len(it.pieces) == 1:
            it.pieces[0] = (it.pieces[0][0], end)


def _team_title(title: str) -> str | None:
    """'Team Platform' -> 'Platform', 'Growth team - Q3 OKRs' -> 'Growth'."""
    m = _TEAM_TITLE.fullmatch(" ".join(_TITLE_NOISE.sub(" ", title).split()))
    if m is None:
        return None
    return m.group("a") or m.group("b")


def _continues_block(m: Item) -> bool:
    """Can `m` be a key result in a flat block started by the line before it?"""
    return (
        m.height == 0
        and m.kind != HEADING
        and m.label in (None, KR)
        and m.header is None
        and not m.prose
        and (m.marked or not m.blank_before or m.measure)
        and (not isinstance(m, TableItem) or m.table is None or not m.table.has_objectives)
    )


def _is_kr_list(m: Item) -> bool:
    return m.label in KR_LIST_LABELS or m.header == H_KR


def _has_marked(nodes: list[Item]) -> bool:
    for n in nodes:
        if n.marked:
            return True
        if (n.header is not None or n.label in KR_LIST_LABELS) and _has_marked(n.children):
            return True
    return False
