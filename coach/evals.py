"""The eval suite: score the coach's findings and rewrites against labeled examples.

`run_eval(paths)` reviews every example through `coach.review()` and returns an
`EvalReport`; `EvalReport.model_dump_json()` is the stable JSON shape printed by
`okr-coach eval --format json` (README, "Eval JSON").
"""

from __future__ import annotations

import re
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from pydantic import BaseModel, Field

from .datasets import LabeledExample, load_dataset
from .models import KR_LABELS, LABELS
from .pipeline import Mode, review
from .provenance import fabricated
from .rewrite import kr_is_clean
from .rubric import Rubric, load_rubric

NONE = "none"


class LabelScore(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int
    tp: int
    fp: int
    fn: int


class RewriteScore(BaseModel):
    count: int = Field(description="rewrites produced")
    coverage: float = Field(description="share of KRs with a predicted KR label that got a rewrite")
    validity: float = Field(description="share of rewrites the rubric accepts")
    fabricated_numbers: int = Field(
        description="numbers in rewrites not in the author's text; must be 0"
    )
    placeholder_share: float = Field(
        description="placeholders / (placeholders + numbers) in rewrites"
    )
    reference_count: int = Field(description="rewrites compared with a reference rewrite")
    reference_similarity: float | None = Field(
        description="mean similarity (0-1) to reference rewrites"
    )


class Mismatch(BaseModel):
    target: str  # "O1" or "O1.KR2"
    text: str
    expected: str
    predicted: str


class ExampleResult(BaseModel):
    id: str
    dataset: str
    correct: bool
    mismatches: list[Mismatch] = Field(default_factory=list)


class EvalReport(BaseModel):
    mode: str
    rubric_version: str
    datasets: list[str]
    examples: int
    objectives: int
    key_results: int
    macro_f1: float
    micro_f1: float
    per_label: dict[str, LabelScore]
    confusion: dict[str, dict[str, int]] = Field(
        description="gold KR label -> predicted KR label -> count"
    )
    rewrites: RewriteScore
    per_example: list[ExampleResult]
    seconds: float


def _score(tp: int, fp: int, fn: int) -> LabelScore:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return LabelScore(
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        support=tp + fn,
        tp=tp,
        fp=fp,
        fn=fn,
    )


_PLACEHOLDER = re.compile(r"\[[^\]]*\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _normalise_rewrite(text: str) -> str:
    return " ".join(_PLACEHOLDER.sub("[x]", text.lower()).split())


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _normalise_rewrite(a), _normalise_rewrite(b)).ratio()


def run_eval(
    paths: list[str | Path], *, mode: Mode = "rules", rubric: str | Path | Rubric | None = None
) -> EvalReport:
    started = time.perf_counter()
    rb = load_rubric(rubric)
    counts = {label: Counter() for label in LABELS}
    confusion: dict[str, Counter[str]] = {g: Counter() for g in (*KR_LABELS, NONE)}
    rw = Counter()
    similarities: list[float] = []
    results: list[ExampleResult] = []
    n_examples = n_objectives = n_krs = 0
    for path in paths:
        for example in load_dataset(path):
            n_examples += 1
            result = _eval_example(
                example, str(path), mode, rb, counts, confusion, rw, similarities
            )
            n_objectives += len(example.objectives)
            n_krs += sum(len(o.key_results) for o in example.objectives)
            results.append(result)
    per_label = {label: _score(c["tp"], c["fp"], c["fn"]) for label, c in counts.items()}
    total = Counter()
    for c in counts.values():
        total.update(c)
    micro = _score(total["tp"], total["fp"], total["fn"]).f1
    macro = round(sum(s.f1 for s in per_label.values()) / len(per_label), 4)
    slots = rw["placeholders"] + rw["numbers"]
    rewrites = RewriteScore(
        count=rw["count"],
        coverage=round(rw["count"] / rw["flagged"], 4) if rw["flagged"] else 1.0,
        validity=round(rw["valid"] / rw["count"], 4) if rw["count"] else 1.0,
        fabricated_numbers=rw["fabricated"],
        placeholder_share=round(rw["placeholders"] / slots, 4) if slots else 0.0,
        reference_count=len(similarities),
        reference_similarity=round(sum(similarities) / len(similarities), 4)
        if similarities
        else None,
    )
    return EvalReport(
        mode=mode,
        rubric_version=rb.full_version,
        datasets=[str(p) for p in paths],
        examples=n_examples,
        objectives=n_objectives,
        key_results=n_krs,
        macro_f1=macro,
        micro_f1=micro,
        per_label=per_label,
        confusion={g: dict(c) for g, c in confusion.items()},
        rewrites=rewrites,
        per_example=results,
        seconds=round(time.perf_counter() - started, 3),
    )


def _tally(counts: Counter, gold: bool, predicted: bool) -> None:
    if gold and predicted:
        counts["tp"] += 1
    elif predicted:
        counts["fp"] += 1
    elif gold:
        counts["fn"] += 1


def _eval_example(
    example: LabeledExample,
    dataset: str,
    mode: Mode,
    rb: Rubric,
    counts: dict[str, Counter],
    confusion: dict[str, Counter],
    rw: Counter,
    similarities: list[float],
) -> ExampleResult:
    result = review(example.to_okr_set(), mode=mode, rubric=rb)
    predicted: dict[tuple[int, int | None], str] = {}
    for f in result.findings:
        if f.label and f.target.objective is not None:
            predicted.setdefault((f.target.objective, f.target.key_result), f.label)
    mismatches: list[Mismatch] = []
    for oi, obj in enumerate(example.objectives):
        gold = "aspiration" if "aspiration" in obj.labels else NONE
        got = predicted.get((oi, None), NONE)
        _tally(counts["aspiration"], gold == "aspiration", got == "aspiration")
        if gold != got:
            mismatches.append(
                Mismatch(target=f"O{oi + 1}", text=obj.text, expected=gold, predicted=got)
            )
        for ki, kr in enumerate(obj.key_results):
            gold = kr.labels[0] if kr.labels else NONE
            got = predicted.get((oi, ki), NONE)
            confusion[gold][got] += 1
            for label in KR_LABELS:
                _tally(counts[label], gold == label, got == label)
            if gold != got:
                mismatches.append(
                    Mismatch(
                        target=f"O{oi + 1}.KR{ki + 1}", text=kr.text, expected=gold, predicted=got
                    )
                )
            if got != NONE:
                rw["flagged"] += 1
            rewrite = result.rewrite_for(oi, ki)
            if rewrite is None:
                continue
            rw["count"] += 1
            rw["valid"] += kr_is_clean(rewrite.text, rb)
            rw["fabricated"] += len(fabricated(rewrite.text, [kr.text, obj.text]))
            rw["placeholders"] += len(_PLACEHOLDER.findall(rewrite.text))
            rw["numbers"] += len(_NUMBER.findall(_PLACEHOLDER.sub(" ", rewrite.text)))
            if kr.reference_rewrite:
                similarities.append(similarity(rewrite.text, kr.reference_rewrite))
    return ExampleResult(
        id=example.id, dataset=dataset, correct=not mismatches, mismatches=mismatches
    )
