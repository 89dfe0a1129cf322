"""The batch report in four formats: self-contained HTML, Markdown, CSV (one row per KR)
and JSON, written as a stream so that a batch of ten thousand sets never sits in
memory as one page.

`write_report(fmt, meta, entries, out)`: `entries(ordered)` yields the batch's
`Entry`s; it is called twice, once for the summary and once (ordered by team,
owner and position) for the per-owner sections.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TextIO

import jinja2
from pydantic import BaseModel, Field

from .._version import __version__
from ..render.common import count
from ..render.escaping import autoescape, csv_row, finalize, markdown_filters
from .charts import LABEL_COLORS, LABEL_NAMES, findings_per_team, outcome_share_per_owner
from .models import BatchOptions, FileReport
from .summary import NO_TEAM, BatchSummary, Entry, OwnerStat, owner_key, summarise

Format = Literal["html", "markdown", "csv", "json"]
FORMATS: tuple[str, ...] = ("html", "markdown", "csv", "json")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown",
            ".csv": "csv", ".json": "json"}  # fmt: skip
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "markdown": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
EXTENSIONS = {"html": "html", "markdown": "md", "csv": "csv", "json": "json"}
# The overview lists this many owners, problems and skipped rows; the exports hold all.
RANKING_ROWS = 50
SKIPPED_ROWS = 200
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

Entries = Callable[[bool], Iterable[Entry]]


class ReportMeta(BaseModel):
    """The batch around its results: when, from which files, how, how far along."""

    title: str = "OKR batch review"
    batch_id: str | None = None
    created_at: datetime | None = None
    status: str = "done"
    options: BatchOptions = Field(default_factory=BatchOptions)
    files: list[FileReport] = Field(default_factory=list)
    seconds: float | None = None
    # Served by the app: its header and the way back to the batch's page.
    back_url: str | None = None
    root: str = ""


# -- per-owner views --------------------------------------------------------------------


# The rule for unfinished work (KR08), by its name: a KR with a [placeholder] left is no outcome.
UNFILLED = "unfilled-placeholder"


@dataclass
class KrView:
    number: str
    text: str
    line: int | None
    findings: list[dict[str, Any]]
    rewrite: dict[str, Any] | None
    # Needs your input: no rewrite the coach is sure of; questions and candidate metrics.
    ask: dict[str, Any] | None = None

    @property
    def outcome(self) -> bool:
        return not any(f.get("label") in ("task", "no_metric", "no_target", "no_baseline")
                       or f.get("rule_name") == UNFILLED for f in self.findings)  # fmt: skip

    @property
    def suggestion(self) -> str:
        return "rewrite" if self.rewrite else ("needs your input" if self.ask else "")


@dataclass
class ObjectiveView:
    number: str
    text: str
    findings: list[dict[str, Any]]
    key_results: list[KrView]


@dataclass
class SetView:
    seq: int
    source: str
    status: str
    error: str | None = None
    score: int | None = None
    summary: dict[str, Any] | None = None
    set_findings: list[dict[str, Any]] = field(default_factory=list)
    objectives: list[ObjectiveView] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class OwnerView:
    stat: OwnerStat
    sets: list[SetView]


def _sorted(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f["severity"], 3), f["rule_id"]))


def set_view(e: Entry) -> SetView:
    v = SetView(seq=e.seq, source=e.source, status=e.status, error=e.error)
    r = e.review
    if r is None:
        return v
    v.score = r["summary"]["score"]
    v.summary = r["summary"]
    by_target: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for f in r["findings"]:
        t = f["target"]
        by_target.setdefault((t.get("objective"), t.get("key_result")), []).append(f)
    rewrites = {(rw["target"]["objective"], rw["target"]["key_result"]): rw
                for rw in r.get("rewrites") or []}  # fmt: skip
    asks = {(a["target"]["objective"], a["target"]["key_result"]): a
            for a in r.get("asks") or []}  # fmt: skip
    v.set_findings = _sorted(by_target.get((None, None), []))
    for oi, obj in enumerate(r["okr_set"]["objectives"]):
        krs = []
        for ki, kr in enumerate(obj["key_results"]):
            span = kr.get("span") or {}
            krs.append(
                KrView(
                    number=f"{oi + 1}.{ki + 1}",
                    text=kr["text"],
                    line=span.get("line"),
                    findings=_sorted(by_target.get((oi, ki), [])),
                    rewrite=rewrites.get((oi, ki)),
                    ask=None if (oi, ki) in rewrites else asks.get((oi, ki)),
                )
            )
        v.objectives.append(
            ObjectiveView(str(oi + 1), obj["text"], _sorted(by_target.get((oi, None), [])), krs)
        )
    v.warnings = r["okr_set"].get("warnings") or []
    return v


def owner_views(
    entries: Iterable[Entry], stats: dict[tuple[str, str], OwnerStat]
) -> Iterator[OwnerView]:
    """Entries ordered by team and owner, grouped into one view per owner."""
    for key, group in itertools.groupby(entries, key=lambda e: owner_key(e.team, e.owner)):
        yield OwnerView(stat=stats[key], sets=[set_view(e) for e in group])


def owner_id(team: str | None, owner: str) -> str:
    """A short, stable id of an owner within a batch (their team and name, hashed): their
    page's address never spells out a person."""
    return hashlib.sha256(f"{team or ''}\x00{owner}".encode()).hexdigest()[:16]


_SLUG = re.compile(r"[^a-z0-9]+")


def _anchors(summary: BatchSummary) -> dict[tuple[str, str], OwnerStat]:
    """Give every owner a stable, unique anchor: owner-<slug>[-n]."""
    stats: dict[tuple[str, str], OwnerStat] = {}
    used: set[str] = set()
    for st in sorted(summary.owners, key=lambda o: ((o.team or "").casefold(), o.owner.casefold())):
        base = "owner-" + (_SLUG.sub("-", f"{st.owner} {st.team or ''}".lower()).strip("-") or "x")
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        st.anchor = anchor
        stats[owner_key(st.team, st.owner)] = st
    return stats


# -- rendering ----------------------------------------------------------------------------

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    # HTML-escaped whatever the suffix ("report.html.j2"); the Markdown report escapes
    # every field as Markdown instead (escaping.finalize).
    autoescape=autoescape,
    finalize=finalize,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _pct(value: float) -> str:
    return f"{value:.0%}"


_env.filters.update(markdown_filters())
_env.filters["pct"] = _pct
_env.filters["counted"] = count  # 1 key result, 2 key results
_env.globals.update(
    LABEL_COLORS=LABEL_COLORS, LABEL_NAMES=LABEL_NAMES, NO_TEAM=NO_TEAM, owner_id=owner_id
)


def format_for(path: str | Path, default: str | None = None) -> str | None:
    return SUFFIXES.get(Path(path).suffix.lower(), default)


def write_report(
    fmt: str,
    meta: ReportMeta,
    entries: Entries,
    out: TextIO,
    summary: BatchSummary | None = None,
) -> BatchSummary:
    """Write the report; returns the summary it was built on (`summary`: one made from
    the same entries already, when several formats are written)."""
    if summary is None:
        summary = summarise(entries(False))
    stats = _anchors(summary)
    if fmt == "csv":
        _write_csv(entries(True), out)
    elif fmt == "json":
        _write_json(meta, summary, entries(True), out)
    else:
        name = "report.html.j2" if fmt == "html" else "report.md.j2"
        ctx = {
            "meta": meta,
            "s": summary,
            "owners": owner_views(entries(True), stats),
            "charts": [findings_per_team(summary), outcome_share_per_owner(summary)],
            "ranking_rows": RANKING_ROWS,
            "skipped_rows": SKIPPED_ROWS,
            "version": __version__,
        }
        for chunk in _env.get_template(name).generate(**ctx):
            out.write(chunk)
    return summary


CSV_COLUMNS = [
    "team", "owner", "source", "set_status", "set_score", "objective_no", "objective",
    "kr_no", "key_result", "row", "outcome", "labels", "rules", "severity", "findings",
    "suggestion", "rewrite", "questions", "candidates", "error",
]  # fmt: skip


def _write_csv(entries: Iterable[Entry], out: TextIO) -> None:
    # Every cell through csv_row: text a spreadsheet would run as a formula is neutralised.
    w = _SafeWriter(csv.writer(out, lineterminator="\n"))
    w.writerow(CSV_COLUMNS)
    for e in entries:
        v = set_view(e)
        base = [e.team or "", e.owner, e.source, e.status, "" if v.score is None else v.score]
        if not v.objectives:
            w.writerow(base + [""] * (len(CSV_COLUMNS) - len(base) - 1) + [e.error or ""])
            continue
        for obj in v.objectives:
            obj_msgs = [f"{f['rule_id']} {f['message']}" for f in obj.findings]
            for kr in obj.key_results or [None]:
                fs = kr.findings if kr else []
                msgs = [f"{f['rule_id']} {f['message']}" for f in fs]
                if kr is None or kr is obj.key_results[0]:
                    msgs = obj_msgs + msgs  # objective findings ride on its first row
                rw = kr.rewrite if kr else None
                ask = kr.ask if kr else None
                # A rewrite, or what the owner must answer instead: never a template as a rewrite.
                asked = (rw.get("questions") if rw else ask.get("questions") if ask else None) or []
                w.writerow(
                    base
                    + [
                        obj.number,
                        obj.text,
                        kr.number if kr else "",
                        kr.text if kr else "",
                        (kr.line or "") if kr else "",
                        ("yes" if kr.outcome else "no") if kr else "",
                        " ".join(sorted({f["label"] for f in fs if f.get("label")})),
                        " ".join(f["rule_id"] for f in fs),
                        fs[0]["severity"] if fs else "",
                        " | ".join(msgs),
                        kr.suggestion if kr else "",
                        rw["text"] if rw else "",
                        " | ".join(asked),
                        " | ".join(f"{c['metric']}: {c['rewrite']}" for c in (ask.get("candidates") or [])) if ask else "",
                        "",
                    ]
                )


class _SafeWriter:
    def __init__(self, writer: Any):
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(csv_row(row))


def _write_json(
    meta: ReportMeta, summary: BatchSummary, entries: Iterable[Entry], out: TextIO
) -> None:
    """`{"batch", "inputs", "summary", "sets": [...]}`, the sets streamed one by one."""
    head = {
        "batch": meta.model_dump(mode="json", exclude={"files"}),
        "inputs": [f.model_dump(mode="json") for f in meta.files],
        "summary": summary.model_dump(mode="json"),
    }
    # Written as it is encoded (json.dumps joins every piece first: with 50,000 owners in
    # the summary, hundreds of MB), all but its closing "\n}" (the sets follow).
    held = ""
    for piece in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(head):
        held += piece
        if len(held) > 65536:
            out.write(held[:-2])
            held = held[-2:]
    out.write(held[:-2] + ',\n "sets": [')
    for i, e in enumerate(entries):
        item = {
            "seq": e.seq,
            "owner": e.owner,
            "team": e.team,
            "source": e.source,
            "status": e.status,
            "error": e.error,
            "review": e.review,
        }
        out.write(("\n  " if i == 0 else ",\n  ") + json.dumps(item, ensure_ascii=False))
    out.write("\n ]\n}\n")
