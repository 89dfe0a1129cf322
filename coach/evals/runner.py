"""Run the coach over labeled examples and score what it found and rewrote.

`run_eval(paths, mode=...)` reviews every example through `coach.review()` (or
its async twin for the LLM modes) and returns an `EvalReport`; `run_suite`
runs several modes side by side over the same examples.

LLM answers come from a `Responses` source (recordings.py): replayed from
`evals/recordings/`, recorded from a live endpoint, or live. The runner hands
each example its own chat client, so the source knows which example a model
call belongs to.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..datasets import LabeledExample, load_dataset
from ..models import KR_LABELS, LABELS, Review
from ..pipeline import Mode, review
from ..provenance import fabricated
from ..rewrite import kr_is_clean
from ..rubric import Rubric, load_rubric
from . import quality
from .grades import USABLE, GradeRecord, grades_path, item_id, load_grades, text_hash
from .metrics import label_score, placeholders_and_numbers, similarity, tally
from .report import (
    NONE,
    UNSET,
    CallCost,
    Cost,
    EvalReport,
    EvalSuite,
    ExampleResult,
    GradeScore,
    JudgeScore,
    Mismatch,
    RewriteItem,
    RewriteScore,
    SliceScore,
    example_key,
)

if TYPE_CHECKING:
    from .judge import Judgement
    from .recordings import Responses


@dataclass
class Dataset:
    path: str
    examples: list[LabeledExample]


def load_datasets(paths: list[str | Path]) -> list[Dataset]:
    return [Dataset(str(p), load_dataset(p)) for p in paths]


@dataclass
class _Rewrites:
    """Rewrite and ask counts of some examples: the whole run, a data set or a group."""

    counts: Counter = field(default_factory=Counter)
    similarities: list[float] = field(default_factory=list)
    grade_files: set[str] = field(default_factory=set)  # the grades files of its data sets

    def add(self, other: _Rewrites) -> None:
        self.counts.update(other.counts)
        self.similarities += other.similarities
        self.grade_files |= other.grade_files

    def score(self, judge: JudgeScore | None = None) -> RewriteScore:
        c = self.counts
        slots = c["placeholders"] + c["numbers"]
        flagged = c["flagged"]
        graded = c["good"] + c["acceptable"] + c["bad"]
        sims = self.similarities
        return RewriteScore(
            count=c["count"],
            flagged=flagged,
            asks=c["asks"],
            ask_share=round(c["asks"] / flagged, 4) if flagged else 0.0,
            rewrite_share=round(c["rewritten"] / flagged, 4) if flagged else 0.0,
            coverage=round(c["covered"] / flagged, 4) if flagged else 1.0,
            validity=round(c["valid"] / c["count"], 4) if c["count"] else 1.0,
            fabricated_numbers=c["fabricated"],
            role_errors=c["role_errors"],
            garbled_phrases=c["garbled"],
            empty_templates=c["templates"],
            duplicate_rewrites_in_a_set=c["duplicates"],
            placeholder_share=round(c["placeholders"] / slots, 4) if slots else 0.0,
            reference_count=len(sims),
            reference_similarity=round(sum(sims) / len(sims), 4) if sims else None,
            judge=judge,
            grades=GradeScore(
                graded=graded, good=c["good"], acceptable=c["acceptable"], bad=c["bad"],
                usable_share=round((c["good"] + c["acceptable"]) / graded, 4) if graded else None,
                ungraded=c["ungraded"], files=sorted(self.grade_files),
            ) if self.grade_files else None,
        )


@dataclass
class _Tally:
    """Label counts of some examples: the whole run, or one group of it."""

    counts: dict[str, Counter] = field(default_factory=lambda: {lb: Counter() for lb in LABELS})
    examples: int = 0
    objectives: int = 0
    key_results: int = 0
    not_aspiration: int = 0  # objectives whose gold label is not aspiration
    flagged_not_aspiration: int = 0  # ... of which the coach flagged as aspiration
    rewrites: _Rewrites = field(default_factory=_Rewrites)

    def add(self, other: _Tally) -> None:
        for label, c in other.counts.items():
            self.counts[label].update(c)
        self.rewrites.add(other.rewrites)
        self.examples += other.examples
        self.objectives += other.objectives
        self.key_results += other.key_results
        self.not_aspiration += other.not_aspiration
        self.flagged_not_aspiration += other.flagged_not_aspiration

    def per_label(self):
        return {label: label_score(c["tp"], c["fp"], c["fn"]) for label, c in self.counts.items()}

    def macro_micro(self) -> tuple[float, float]:
        per_label = self.per_label()
        total: Counter[str] = Counter()
        for c in self.counts.values():
            total.update(c)
        macro = round(sum(s.f1 for s in per_label.values()) / len(per_label), 4)
        return macro, label_score(total["tp"], total["fp"], total["fn"]).f1

    def false_flag_share(self) -> float | None:
        if not self.not_aspiration:
            return None
        return round(self.flagged_not_aspiration / self.not_aspiration, 4)

    def slice_score(self) -> SliceScore:
        _, micro = self.macro_micro()
        # A small group often has no example of a label: macro-F1 over the labels that
        # occur in it (gold or predicted), not a 0 for each absent one.
        present = [s.f1 for s in self.per_label().values() if s.tp + s.fp + s.fn]
        macro = round(sum(present) / len(present), 4) if present else 0.0
        return SliceScore(examples=self.examples, objectives=self.objectives,
                          key_results=self.key_results, macro_f1=macro, micro_f1=micro,
                          aspiration_false_flag_share=self.false_flag_share(),
                          per_label=self.per_label(), rewrites=self.rewrites.score())


# The groups an example can say it belongs to (fields of LabeledExample), reported apart.
SLICES = ("origin", "source_kind")


@dataclass
class _Reviewed:
    """One example's review and, when asked for, the judge's verdicts on its rewrites."""

    example: LabeledExample
    dataset: str
    review: Review
    judgements: list[Judgement] = field(default_factory=list)


@dataclass
class Grading:
    """Where the grades of rewrites are (evals/grades/), each data set's file read once."""

    folder: Path | None
    _cache: dict[str, tuple[str | None, dict[str, GradeRecord]]] = field(default_factory=dict)

    def for_dataset(self, dataset: str) -> tuple[str | None, dict[str, GradeRecord]]:
        """(the grades file, id -> grade); (None, {}) when the data set has no grades file."""
        if self.folder is None:
            return None, {}
        if dataset not in self._cache:
            path = grades_path(self.folder, dataset)
            self._cache[dataset] = (str(path), load_grades(path)) if path.is_file() else (None, {})
        return self._cache[dataset]


def run_eval(
    paths: list[str | Path] | list[Dataset],
    *,
    mode: Mode = "rules",
    rubric: str | Path | Rubric | None = None,
    responses: Responses | None = None,
    judge: bool = False,
    grades: Path | Grading | None = None,
) -> EvalReport:
    """Evaluate one reviewer mode. The LLM modes and the judge need `responses`.

    `grades`: the folder of grades files (evals/grades/): each returned rewrite is looked
    up there by item and text, and the report says how many are usable, and which are ungraded.
    """
    started = time.perf_counter()
    grading = grades if isinstance(grades, Grading) else Grading(Path(grades) if grades else None)
    rb = load_rubric(rubric)
    datasets = _as_datasets(paths)
    if mode == "rules" and not judge:
        # The offline path stays synchronous: no event loop for 1,000s of CPU-bound reviews.
        reviewed = [
            _Reviewed(e, d.path, review(e.to_okr_set(), mode="rules", rubric=rb))
            for d in datasets
            for e in d.examples
        ]
    else:
        if responses is None:
            from ..errors import ConfigError

            raise ConfigError(
                f"mode '{mode}'{' with the judge' if judge else ''} needs model answers: "
                "replay recordings, --record or --live"
            )
        reviewed = asyncio.run(_review_all(datasets, mode, rb, responses, judge))
    report = score(reviewed, mode, rb, [d.path for d in datasets], judge=judge, grading=grading)
    if responses is not None and (mode != "rules" or judge):
        report.responses = responses.kind
        report.model = report.model or responses.model
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def run_suite(
    paths: list[str | Path],
    modes: list[Mode],
    *,
    rubric: str | Path | Rubric | None = None,
    responses: Responses | None = None,
    judge: bool = False,
    realworld: bool = False,
    grades: Path | None = None,
) -> EvalSuite:
    """Every mode over the same examples (datasets are read once).

    `realworld`: also run the real drafts when they are present (realworld.py),
    reported apart from the data sets; a note says when they are not.
    `grades`: the folder of grades files (evals/grades/), for the data sets and the real drafts.
    """
    rb = load_rubric(rubric)
    datasets = load_datasets(paths)
    grading = Grading(Path(grades) if grades else None)
    runs = [
        run_eval(datasets, mode=m, rubric=rb, responses=responses, judge=judge, grades=grading)
        for m in modes
    ]
    suite = EvalSuite(runs=runs)
    if realworld:
        from .realworld import run_realworld

        suite.realworld = run_realworld(list(modes), rubric=rb, responses=responses, judge=judge,
                                        skip=list(paths), load=load_datasets, run=run_eval,
                                        grades=grading)
    return suite


def _as_datasets(paths: list[str | Path] | list[Dataset]) -> list[Dataset]:
    if all(isinstance(p, Dataset) for p in paths):
        return list(paths)  # type: ignore[arg-type]
    return load_datasets(paths)  # type: ignore[arg-type]


async def _review_all(
    datasets: list[Dataset], mode: Mode, rb: Rubric, responses: Responses, judge: bool
) -> list[_Reviewed]:
    from ..llm import run_all

    async def one(dataset: str, example: LabeledExample) -> _Reviewed:
        client = responses.client_for(example_key(dataset, example.id))
        if mode == "rules":
            result = review(example.to_okr_set(), mode="rules", rubric=rb)
        else:
            from ..pipeline import areview  # type: ignore[attr-defined]

            result = await areview(example.to_okr_set(), mode=mode, rubric=rb, llm=client)
        item = _Reviewed(example, dataset, result)
        if judge:
            from .judge import judge_rewrites

            item.judgements = await judge_rewrites(client, example, result)
        return item

    jobs = [one(d.path, e) for d in datasets for e in d.examples]
    try:
        return await run_all(jobs, responses.concurrency)  # type: ignore[return-value]
    finally:
        close = getattr(responses, "aclose", None)
        if close is not None:
            await close()


def score(
    reviewed: list[_Reviewed], mode: str, rb: Rubric, datasets: list[str], *, judge: bool,
    grading: Grading | None = None,
) -> EvalReport:
    grading = grading or Grading(None)
    whole = _Tally()
    slices: dict[str, dict[str, _Tally]] = {name: {} for name in SLICES}
    per_dataset: dict[str, _Rewrites] = {}
    confusion: dict[str, Counter[str]] = {g: Counter() for g in (*KR_LABELS, NONE)}
    judge_scores: list[float] = []
    verdicts: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    judge_model: str | None = None
    cost = Cost()
    statuses: Counter[str] = Counter()
    results: list[ExampleResult] = []
    prompt_version = model = None
    for item in reviewed:
        example, result = item.example, item.review
        prov = result.provenance
        prompt_version = prompt_version or getattr(prov, "prompt_version", None)
        model = model or getattr(prov, "model", None)
        statuses[prov.llm_status] += 1
        usage = getattr(prov, "usage", None)
        if usage is not None:
            cost.reviewer.add(_call_cost(usage))
        tally_one = _Tally(examples=1, objectives=len(example.objectives),
                           key_results=sum(len(o.key_results) for o in example.objectives))
        res = _score_example(item, rb, tally_one, confusion, grading)
        whole.add(tally_one)
        for name in SLICES:
            group = getattr(example, name) or UNSET
            slices[name].setdefault(group, _Tally()).add(tally_one)
        per_dataset.setdefault(_stem(item.dataset), _Rewrites()).add(tally_one.rewrites)
        sims = tally_one.rewrites.similarities
        res.similarity = round(sum(sims) / len(sims), 4) if sims else None
        res.llm_status = prov.llm_status
        if item.judgements:
            scores = [j.score01 for j in item.judgements]
            judge_scores.extend(scores)
            res.judge = round(sum(scores) / len(scores), 4)
            by_target = {r.target: r for r in res.rewrite_items}
            for j in item.judgements:
                verdicts[j.verdict.verdict] += 1
                judge_model = judge_model or j.result.model
                cost.judge.add(_result_cost(j.result))
                graded = by_target.get(j.target)
                if graded is not None:
                    graded.judge = j.verdict.verdict
                    if graded.grade is not None:
                        agreed["both"] += 1
                        agreed["same"] += graded.grade == j.verdict.verdict
        results.append(res)
    macro_f1, micro_f1 = whole.macro_micro()
    judged = sum(verdicts.values())
    rewrites = whole.rewrites.score(
        JudgeScore(
            count=len(judge_scores),
            mean_score=round(sum(judge_scores) / len(judge_scores), 4) if judge_scores else None,
            verdicts=dict(verdicts),
            usable_share=round(sum(verdicts[v] for v in USABLE) / judged, 4) if judged else None,
            agreement=round(agreed["same"] / agreed["both"], 4) if agreed["both"] else None,
            agreement_count=agreed["both"],
            model=judge_model,
        )
        if judge
        else None
    )
    return EvalReport(
        mode=mode,
        rubric_version=rb.full_version,
        prompt_version=prompt_version,
        model=model,
        llm_status=dict(statuses),
        datasets=datasets,
        examples=len(reviewed),
        objectives=whole.objectives,
        key_results=whole.key_results,
        macro_f1=macro_f1,
        micro_f1=micro_f1,
        aspiration_false_flag_share=whole.false_flag_share(),
        per_label=whole.per_label(),
        confusion={g: dict(c) for g, c in confusion.items()},
        # Groups only when some example says where it comes from (the real drafts do).
        slices={
            name: {g: t.slice_score() for g, t in sorted(groups.items())}
            for name, groups in slices.items()
            if set(groups) != {UNSET}
        },
        rewrites=rewrites,
        per_dataset={stem: t.score() for stem, t in per_dataset.items()},
        cost=cost,
        per_example=results,
        seconds=0.0,
    )


def _stem(dataset: str) -> str:
    return example_key(dataset, "").removesuffix("/")


def _call_cost(usage: Any) -> CallCost:
    """The pipeline's usage object (duck-typed: it lives in the LLM layer)."""
    return CallCost(
        calls=getattr(usage, "calls", 0) or 0,
        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
        cached_tokens=getattr(usage, "cached_tokens", 0) or 0,
        cost_usd=getattr(usage, "cost_usd", 0.0) or 0.0,
        latency_s=getattr(usage, "latency_s", 0.0) or 0.0,
        cache_hits=getattr(usage, "cache_hits", 0) or 0,
    )


def _result_cost(result: Any) -> CallCost:
    u = result.usage
    return CallCost(
        calls=result.attempts,
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        cached_tokens=u.cached_tokens,
        cost_usd=result.cost_usd or 0.0,
        latency_s=result.latency_s,
    )


def _score_example(
    item: _Reviewed,
    rb: Rubric,
    counts: _Tally,
    confusion: dict[str, Counter],
    grading: Grading,
) -> ExampleResult:
    example, result = item.example, item.review
    rw = counts.rewrites
    grades_file, grades = grading.for_dataset(item.dataset)
    if grades_file is not None:
        rw.grade_files.add(grades_file)
    predicted: dict[tuple[int, int | None], str] = {}
    for f in result.findings:
        if f.label and f.target.objective is not None:
            predicted.setdefault((f.target.objective, f.target.key_result), f.label)
    mismatches: list[Mismatch] = []
    items: list[RewriteItem] = []
    seen: dict[str, str] = {}  # normalised rewrite text -> the item that had it first
    n_asks = 0
    for oi, obj in enumerate(example.objectives):
        gold = "aspiration" if "aspiration" in obj.labels else NONE
        got = predicted.get((oi, None), NONE)
        tally(counts.counts["aspiration"], gold == "aspiration", got == "aspiration")
        if gold != "aspiration":
            counts.not_aspiration += 1
            counts.flagged_not_aspiration += got == "aspiration"
        if gold != got:
            mismatches.append(
                Mismatch(target=f"O{oi + 1}", text=obj.text, expected=gold, predicted=got)
            )
        for ki, kr in enumerate(obj.key_results):
            gold = kr.labels[0] if kr.labels else NONE
            got = predicted.get((oi, ki), NONE)
            confusion[gold][got] += 1
            for label in KR_LABELS:
                tally(counts.counts[label], gold == label, got == label)
            if gold != got:
                mismatches.append(
                    Mismatch(
                        target=f"O{oi + 1}.KR{ki + 1}", text=kr.text, expected=gold, predicted=got
                    )
                )
            rewrite = result.rewrite_for(oi, ki)
            asked = result.ask_for(oi, ki) is not None
            n_asks += asked
            if got != NONE:
                rw.counts["flagged"] += 1
                rw.counts["asks"] += asked
                rw.counts["rewritten"] += rewrite is not None
                rw.counts["covered"] += rewrite is not None or asked
            if rewrite is None:
                continue
            items.append(_rewrite_item(rewrite.text, kr.text, obj.text, got, f"O{oi + 1}.KR{ki + 1}",
                                       item_id(example.id, oi, ki), rb, rw, seen,
                                       grades if grades_file else None))
            if kr.reference_rewrite:
                rw.similarities.append(similarity(rewrite.text, kr.reference_rewrite))
    return ExampleResult(
        id=example.id,
        dataset=item.dataset,
        correct=not mismatches,
        mismatches=mismatches,
        score=result.summary.score,
        rewrites=len(items),
        asks=n_asks,
        rewrite_items=items,
        origin=example.origin,
        source_kind=example.source_kind,
    )


def _rewrite_item(text: str, kr: str, objective: str, label: str, target: str, ident: str,
                  rb: Rubric, rw: _Rewrites, seen: dict[str, str],
                  grades: dict[str, GradeRecord] | None) -> RewriteItem:
    """One returned rewrite: checked as a coach would, looked up in the grades, counted."""
    c = rw.counts
    c["count"] += 1
    c["valid"] += kr_is_clean(text, rb)
    c["fabricated"] += len(fabricated(text, [kr, objective]))
    holes, numbers = placeholders_and_numbers(text)
    c["placeholders"] += holes
    c["numbers"] += numbers
    # A KR flagged for a missing baseline or target keeps its metric, so its values too.
    found = quality.check(kr, text, rb.lexicon, same_metric=label in ("no_baseline", "no_target"))
    key = quality.normalise(text)
    duplicate_of = seen.setdefault(key, target)
    item = RewriteItem(
        target=target, text=text, sha256=text_hash(text), label=None if label == NONE else label,
        role_errors=found.role_errors, garbled=found.garbled, empty_template=found.empty_template,
        duplicate_of=None if duplicate_of == target else duplicate_of,
    )
    c["role_errors"] += bool(item.role_errors)
    c["garbled"] += item.garbled is not None
    c["templates"] += item.empty_template
    c["duplicates"] += item.duplicate_of is not None
    if grades is not None:
        record = grades.get(ident)
        if record is not None and record.sha256 == item.sha256:
            item.grade, item.reason = record.grade, record.reason
            c[record.grade] += 1
        else:
            c["ungraded"] += 1
    return item
