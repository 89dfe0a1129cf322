"""What a coach reads first: the batch's totals, its most common problems with a real
example each, who needs the most help, per-team figures and near-duplicate KRs.

Built in one pass over the stored results (`Entry`: a set's owner, team, status and
Review JSON as a dict), keeping only counts and one example per problem, so a batch
of ten thousand sets is summarised without holding its reviews.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, computed_field

from ..models import LABELS
from .duplicates import Item, find_duplicates

NO_TEAM = "(no team)"
KR_LABELS = ("task", "no_metric", "no_target", "no_baseline")


@dataclass
class Entry:
    """One set of a batch as the report sees it."""

    seq: int
    owner: str
    team: str | None
    source: str
    status: str  # done | failed | pending
    error: str | None = None
    review: dict[str, Any] | None = None


class Example(BaseModel):
    owner: str
    team: str | None = None
    text: str
    message: str
    rewrite: str | None = None
    # Needs your input (no rewrite the coach is sure of): the questions to answer instead.
    needs_input: list[str] = Field(default_factory=list)


class ProblemStat(BaseModel):
    rule_id: str
    rule_name: str
    label: str | None = None
    severity: str
    count: int
    sets: int = Field(description="sets with this finding")
    why: str
    fix: str
    example: Example


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


class OwnerStat(BaseModel):
    anchor: str = ""
    owner: str
    team: str | None = None
    sets: int = 0
    failed: int = 0
    objectives: int = 0
    key_results: int = 0
    outcome_key_results: int = 0
    findings: int = 0
    errors: int = 0
    warnings: int = 0
    rewrites: int = 0
    asks: int = Field(default=0, description="KRs that need the owner's input instead of a rewrite")
    score: float | None = Field(default=None, description="mean score of the owner's sets")
    by_label: dict[str, int] = Field(default_factory=dict)
    top_problem: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome_share(self) -> float:
        return _share(self.outcome_key_results, self.key_results)


class TeamStat(BaseModel):
    team: str
    owners: int = 0
    sets: int = 0
    key_results: int = 0
    outcome_key_results: int = 0
    findings: int = 0
    by_label: dict[str, int] = Field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome_share(self) -> float:
        return _share(self.outcome_key_results, self.key_results)


class DuplicateItem(BaseModel):
    owner: str
    team: str | None = None
    text: str


class DuplicateGroup(BaseModel):
    owners: int
    measures: str = Field(description="the words the KRs share")
    items: list[DuplicateItem]


class Usage(BaseModel):
    """LLM usage added up over the batch's reviews (those whose provenance carries it)."""

    reviews: int = 0
    tokens: dict[str, float] = Field(default_factory=dict)
    cost_usd: float = 0.0


class BatchSummary(BaseModel):
    sets: int = 0
    reviewed: int = 0
    failed: int = 0
    pending: int = 0
    objectives: int = 0
    key_results: int = 0
    outcome_key_results: int = 0
    findings: int = 0
    rewrites: int = Field(default=0, description="KRs with a suggested rewrite")
    asks: int = Field(default=0, description="KRs that need the author's input instead (no rewrite the coach is sure of)")
    by_label: dict[str, int] = Field(default_factory=dict)
    by_severity: dict[str, int] = Field(default_factory=dict)
    problems: list[ProblemStat] = Field(default_factory=list)
    owners: list[OwnerStat] = Field(default_factory=list, description="most help needed first")
    teams: list[TeamStat] = Field(default_factory=list)
    duplicates: list[DuplicateGroup] = Field(default_factory=list)
    reviewer: str = "rules-only"
    rubric_versions: list[str] = Field(default_factory=list)
    usage: Usage | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome_share(self) -> float:
        return _share(self.outcome_key_results, self.key_results)


def owner_key(team: str | None, owner: str) -> tuple[str, str]:
    return (team or "", owner)


def _item_text(review: dict[str, Any], target: dict[str, Any]) -> str:
    objectives = review["okr_set"]["objectives"]
    o, k = target.get("objective"), target.get("key_result")
    if o is None:
        return "(the whole set)"
    obj = objectives[o]
    return obj["text"] if k is None else obj["key_results"][k]["text"]


def _for_target(items: list[dict[str, Any]] | None, target: dict[str, Any]) -> dict[str, Any] | None:
    for item in items or []:
        t = item["target"]
        if t.get("objective") == target.get("objective") and t.get("key_result") == target.get(
            "key_result"
        ):
            return item
    return None


def _rewrite_text(review: dict[str, Any], target: dict[str, Any]) -> str | None:
    rw = _for_target(review.get("rewrites"), target)
    return rw["text"] if rw else None


def _ask_questions(review: dict[str, Any], target: dict[str, Any]) -> list[str]:
    # Reviews stored before asks existed have none: .get, not [].
    ask = _for_target(review.get("asks"), target)
    return list(ask.get("questions") or []) if ask else []


def summarise(entries: Iterable[Entry]) -> BatchSummary:
    out = BatchSummary()
    owners: dict[tuple[str, str], OwnerStat] = {}
    owner_scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    owner_rules: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    teams: dict[str, TeamStat] = {}
    team_owners: dict[str, set[str]] = defaultdict(set)
    rule_counts: Counter[str] = Counter()
    rule_sets: Counter[str] = Counter()
    rule_info: dict[str, dict[str, Any]] = {}
    examples: dict[str, Example] = {}
    by_label: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    reviewers: Counter[str] = Counter()
    rubrics: set[str] = set()
    dup_items: list[Item] = []
    usage = Usage()
    for e in entries:
        out.sets += 1
        key = owner_key(e.team, e.owner)
        st = owners.get(key)
        if st is None:
            st = owners[key] = OwnerStat(owner=e.owner, team=e.team)
        team_name = e.team or NO_TEAM
        ts = teams.get(team_name)
        if ts is None:
            ts = teams[team_name] = TeamStat(team=team_name)
        team_owners[team_name].add(e.owner)
        st.sets += 1
        ts.sets += 1
        if e.status == "failed":
            out.failed += 1
            st.failed += 1
            continue
        if e.review is None:
            out.pending += 1
            continue
        out.reviewed += 1
        r = e.review
        s = r["summary"]
        prov = r.get("provenance") or {}
        reviewers[prov.get("model") or "rules-only"] += 1
        if prov.get("rubric_version"):
            rubrics.add(prov["rubric_version"])
        _add_usage(usage, prov.get("usage"))
        out.objectives += s["objectives"]
        out.key_results += s["key_results"]
        out.outcome_key_results += s["outcome_key_results"]
        out.findings += s["findings"]
        st.objectives += s["objectives"]
        st.key_results += s["key_results"]
        st.outcome_key_results += s["outcome_key_results"]
        st.findings += s["findings"]
        owner_scores[key].append(s["score"])
        ts.key_results += s["key_results"]
        ts.outcome_key_results += s["outcome_key_results"]
        ts.findings += s["findings"]
        n_rewrites, n_asks = len(r.get("rewrites") or []), len(r.get("asks") or [])
        out.rewrites += n_rewrites
        out.asks += n_asks
        st.rewrites += n_rewrites
        st.asks += n_asks
        seen_rules: set[str] = set()
        for f in r["findings"]:
            rid = f["rule_id"]
            rule_counts[rid] += 1
            owner_rules[key][rid] += 1
            seen_rules.add(rid)
            by_severity[f["severity"]] += 1
            if f["severity"] == "error":
                st.errors += 1
            elif f["severity"] == "warning":
                st.warnings += 1
            if f.get("label"):
                by_label[f["label"]] += 1
                st.by_label[f["label"]] = st.by_label.get(f["label"], 0) + 1
                ts.by_label[f["label"]] = ts.by_label.get(f["label"], 0) + 1
            if rid not in rule_info:
                rule_info[rid] = f
            if rid not in examples:
                rewrite = _rewrite_text(r, f["target"])
                examples[rid] = Example(
                    owner=e.owner,
                    team=e.team,
                    text=_item_text(r, f["target"]),
                    message=f["message"],
                    rewrite=rewrite,
                    needs_input=[] if rewrite else _ask_questions(r, f["target"]),
                )
        for rid in seen_rules:
            rule_sets[rid] += 1
        for obj in r["okr_set"]["objectives"]:
            for kr in obj["key_results"]:
                dup_items.append(Item(owner=e.owner, team=e.team, text=kr["text"]))
    out.by_label = {label: by_label[label] for label in LABELS if by_label[label]}
    out.by_severity = {k: by_severity[k] for k in ("error", "warning", "info") if by_severity[k]}
    out.problems = [
        ProblemStat(
            rule_id=rid,
            rule_name=rule_info[rid]["rule_name"],
            label=rule_info[rid].get("label"),
            severity=rule_info[rid]["severity"],
            count=n,
            sets=rule_sets[rid],
            why=rule_info[rid]["why"],
            fix=rule_info[rid]["fix"],
            example=examples[rid],
        )
        for rid, n in rule_counts.most_common()
    ]
    for key, st in owners.items():
        scores = owner_scores.get(key)
        st.score = round(sum(scores) / len(scores), 1) if scores else None
        top = owner_rules[key].most_common(1)
        st.top_problem = rule_info[top[0][0]]["rule_name"] if top else None
    ranked = sorted(
        owners.values(),
        key=lambda o: (o.score if o.score is not None else 101, -o.errors, o.owner),
    )
    out.owners = ranked
    for name, ts in teams.items():
        ts.owners = len(team_owners[name])
    out.teams = sorted(teams.values(), key=lambda t: t.team.casefold())
    out.duplicates = [
        DuplicateGroup(
            owners=g.owners,
            measures=" ".join(g.words),
            items=[DuplicateItem(owner=i.owner, team=i.team, text=i.text) for i in g.items],
        )
        for g in find_duplicates(dup_items)
    ]
    models = [m for m in reviewers if m != "rules-only"]
    out.reviewer = "rules-only" if not models else "LLM-assisted: " + ", ".join(sorted(models))
    out.rubric_versions = sorted(rubrics)
    out.usage = usage if usage.reviews else None
    return out


def _add_usage(total: Usage, usage: Any) -> None:
    if not isinstance(usage, dict):
        return
    total.reviews += 1
    for k, v in usage.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if k == "cost_usd":
            total.cost_usd = round(total.cost_usd + v, 6)
        else:
            total.tokens[k] = total.tokens.get(k, 0) + v
