"""A file read into the OKR sets it holds, each with the positions of its items.

- Markdown and text: the parser reads the whole file; when headings of one level each
  hold objectives ("## 2026 Q1", "## 2026 Q2"), each heading is a set of its own. A set
  is reviewed as its lines and the headings above it (a team named in a title), every
  other line before it left empty, so each item keeps its line and column.
- YAML and JSON in the API's shape (`objectives: [{text, key_results}]`), one set per
  YAML document: items get spans from the YAML node they were read from.
- CSV: the parser's own spans.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParseError
from ..models import OkrSet
from ..parse import parse
from ..parse.lines import HEADING, scan
from .positions import LineIndex, Position

STRUCTURED = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
# Keys that name a set in a YAML/JSON document, to label its findings.
_TITLE_KEYS = ("title", "period", "quarter", "name")


@dataclass
class OkrUnit:
    """One OKR set of a file: what the pipeline reviews, and where its items are."""

    path: Path
    draft: str | dict[str, Any] | list[Any] | OkrSet
    index: LineIndex  # offsets of the draft → line and column in the file
    title: str | None = None  # the heading or document key the set stands under
    line: int = 1  # where a finding on the whole set points

    def position(self, span: Any) -> Position:
        if span is None:
            return Position(self.line, 1, self.line, 1)
        return self.index.span(span.start, span.end)


@dataclass
class _Heading:
    line: int
    level: int
    start: int  # offset of its line
    end: int  # offset after its line
    title: str
    holds: list[int] = field(default_factory=list)  # objective lines in its section


def read_units(path: Path, text: str) -> list[OkrUnit]:
    """Split a file's text into the OKR sets to review. Raises ParseError."""
    kind = STRUCTURED.get(path.suffix.lower())
    if kind is not None:
        return _structured_units(path, text, kind)
    return _text_units(path, text)


def _text_units(path: Path, text: str) -> list[OkrUnit]:
    index = LineIndex(text)
    whole = parse(text)
    sections = [] if whole.source_format == "csv" else _sections(text, whole)
    if len(sections) < 2:
        return [OkrUnit(path, whole, index)]  # read once: the pipeline takes the OkrSet as is
    units = []
    for keep, title, line in sections:
        draft = _compact(text, keep)
        units.append(OkrUnit(path, draft, LineIndex(draft), title=title, line=line))
    return units


def _sections(text: str, okr_set: Any) -> list[tuple[list[tuple[int, int]], str | None, int]]:
    """The sets of a Markdown file: for the shallowest heading level whose headings
    (titles, not objectives) hold objectives in two or more sections, one set per such
    heading, plus one for objectives above the first. Each set is (the ranges of text
    to keep, its title, its line)."""
    starts = [*LineIndex(text).starts, len(text) + 1]
    item_lines = {o.span.line for o in okr_set.objectives if o.span} | {
        k.span.line for o in okr_set.objectives for k in o.key_results if k.span
    }
    objective_lines = sorted(o.span.line for o in okr_set.objectives if o.span)
    headings = [
        _Heading(it.line, it.level, starts[it.line - 1], starts[it.line], it.text(text).strip())
        for it in scan(text)
        if it.kind == HEADING
    ]
    for level in sorted({h.level for h in headings}):
        # A section ends at the next heading of its level or above.
        bounds = [h for h in headings if h.level <= level]
        tops = [h for h in bounds if h.level == level]
        if any(h.line in item_lines for h in tops):
            continue  # headings of this level are objectives themselves
        ends = {h.line: _next_line(bounds, h.line, len(starts)) for h in tops}
        for h in tops:
            h.holds = [ln for ln in objective_lines if h.line < ln < ends[h.line]]
        holding = [h for h in tops if h.holds]
        if len(holding) < 2:
            continue
        # starts[-1] is past the end: a section running to the end of the file stops there.
        ranges = [(h.start, min(starts[ends[h.line] - 1], len(text))) for h in holding]
        claimed = {ln for h in holding for ln in h.holds}
        sections = []
        if any(ln not in claimed for ln in objective_lines):
            # Objectives outside every set heading: the rest of the file, as one set.
            gaps, pos = [], 0
            for start, end in ranges:
                gaps.append((pos, start))
                pos = end
            sections.append((gaps + [(pos, len(text))], None, 1))
        for h, rng in zip(holding, ranges, strict=True):
            keep = [(a.start, a.end) for a in _ancestors(headings, h)] + [rng]
            sections.append((keep, h.title, h.line))
        return sections
    return []


def _next_line(bounds: list[_Heading], line: int, last: int) -> int:
    """The line of the next heading after `line` among `bounds`, or past the end."""
    for h in bounds:
        if h.line > line:
            return h.line
    return last


def _ancestors(headings: list[_Heading], h: _Heading) -> list[_Heading]:
    """The headings above `h` that hold it (one per shallower level, nearest first found)."""
    chain: list[_Heading] = []
    level = h.level
    for other in reversed([x for x in headings if x.line < h.line]):
        if other.level < level:
            chain.append(other)
            level = other.level
    return list(reversed(chain))


def _compact(text: str, keep: list[tuple[int, int]]) -> str:
    """The lines of `text` in `keep` (whole lines), every other line before them left
    empty and nothing after them: each item stays on its line and column, and a file of
    many sets costs a set's text (plus its line breaks) per set, not the whole file."""
    out = []
    pos = 0
    for start, end in sorted(keep):
        start = max(start, pos)
        out.append("\n" * text.count("\n", pos, start))
        if end > start:
            out.append(text[start:end])
            pos = end
    return "".join(out)


# ---- YAML and JSON ----------------------------------------------------------------


def _structured_units(path: Path, text: str, kind: str) -> list[OkrUnit]:
    import yaml

    index = LineIndex(text)
    starts = index.starts
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # An alias repeats a node without its text: a few lines could stand for millions of
        # key results. OKR files have no use for them.
        alias = next((e for e in yaml.parse(text, Loader=loader) if isinstance(e, yaml.AliasEvent)), None)
        if alias is not None:
            raise ParseError("YAML aliases (*name) are not read in OKR files: write the items out",
                             line=alias.start_mark.line + 1)  # fmt: skip
        nodes = list(yaml.compose_all(text, Loader=loader))
        docs = list(yaml.load_all(text, Loader=loader))
    except RecursionError:
        raise ParseError(f"the {kind.upper()} is nested too deeply to read") from None
    except yaml.YAMLError as exc:
        if kind == "json":
            return [OkrUnit(path, _json(text), index)]
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ParseError(f"invalid YAML: {problem}", line=mark.line + 1 if mark else None) from None
    if kind == "json":
        plain = _json(text)
        if len(docs) != 1 or docs[0] != plain:
            # Read differently as YAML (1e3, tabs): the JSON reading wins, without positions.
            return [OkrUnit(path, plain, index)]
    units = []
    for node, doc in zip(nodes, docs, strict=True):
        if node is None or doc is None:
            continue
        line = node.start_mark.line + 1
        units.append(
            OkrUnit(path, _with_spans(doc, node, starts, top=True), index, _title(doc), line)
        )
    if not units:
        raise ParseError("the file holds no OKR set")
    return units


def _json(text: str) -> Any:
    from ..parse.structured import load_json

    return load_json(text)


def _title(doc: Any) -> str | None:
    if isinstance(doc, dict):
        for key in _TITLE_KEYS:
            if isinstance(doc.get(key), (str, int)):
                return str(doc[key])
    return None


def _span_of(node: Any, starts: list[int]) -> dict[str, int]:
    s, e = node.start_mark, node.end_mark
    start = starts[s.line] + s.column
    end = starts[e.line] + e.column if e.line < len(starts) else start
    return {"start": start, "end": max(start, end), "line": s.line + 1}


def _with_spans(data: Any, node: Any, starts: list[int], *, top: bool = False,
                items: bool = False) -> Any:  # fmt: skip
    """`data` with a `span` on each objective and key result, from the node it was read
    from. A plain string in a list of objectives or key results becomes `{text, span}`,
    which the parser reads the same way."""
    import yaml

    if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
        out = {}
        by_key = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        for key, value in data.items():
            child = by_key.get(key) if isinstance(key, str) else None
            listed = key in ("objectives", "key_results")
            # Only the OKR shape is walked: other values stay as they were read.
            walk = child is not None and (listed or key == "okr_set")
            out[key] = _with_spans(value, child, starts, items=listed) if walk else value
        if isinstance(data.get("text"), str) and "text" in by_key:
            out["span"] = _span_of(by_key["text"], starts)
        return out
    if isinstance(data, list) and isinstance(node, yaml.SequenceNode):
        return [
            {"text": v, "span": _span_of(n, starts)}
            if (items or top) and isinstance(v, str)
            else _with_spans(v, n, starts) if isinstance(v, dict) else v
            for v, n in zip(data, node.value, strict=True)
        ]
    return data
