"""The eval report: pydantic models whose JSON is the stable shape of `okr-coach eval`.

One `EvalReport` per reviewer mode; an `EvalSuite` holds the modes run side
by side and, when a baseline was given, the gate's verdict.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

NONE = "none"  # the "no label" class: a well-formed KR or a chosen objective
UNSET = "unset"  # the group of examples that do not say their origin / source kind

# Metrics where less is better: the gate fails them on a rise, not a drop.
LOWER_IS_BETTER = ("aspiration.false_flag_share", "rewrites.fabricated_numbers")


class LabelScore(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int
    tp: int
    fp: int
    fn: int
    # 95% Wilson intervals. F1 = tp / (tp + (fp + fn) / 2), so its interval is
    # Wilson's over that effective count.
    precision_ci: tuple[float, float] = (0.0, 0.0)
    recall_ci: tuple[float, float] = (0.0, 0.0)
    f1_ci: tuple[float, float] = (0.0, 0.0)


class JudgeScore(BaseModel):
    count: int = Field(description="rewrites the judge scored")
    mean_score: float | None = Field(description="mean verdict score, 0-1 (1-5 scaled)")
    verdicts: dict[str, int] = Field(default_factory=dict, description="verdict -> count")
    model: str | None = None


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
    judge: JudgeScore | None = Field(default=None, description="LLM-as-judge, when asked for")


class CallCost(BaseModel):
    """What the model calls of one role (reviewer or judge) cost."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = Field(default=0.0, description="summed over calls, as recorded")
    cache_hits: int = 0

    def add(self, other: CallCost) -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Cost(BaseModel):
    reviewer: CallCost = Field(default_factory=CallCost)
    judge: CallCost = Field(default_factory=CallCost)


class Mismatch(BaseModel):
    target: str  # "O1" or "O1.KR2"
    text: str
    expected: str
    predicted: str


class SliceScore(BaseModel):
    """The scores of one group of examples (one origin, one kind of source)."""

    examples: int
    objectives: int
    key_results: int
    macro_f1: float = Field(description="mean F1 over the labels that occur in the group "
                            "(gold or predicted); the run's own macro-F1 counts all five")
    micro_f1: float
    aspiration_false_flag_share: float | None = Field(
        description="share of non-aspiration objectives flagged as aspiration (None: there are none)"
    )
    per_label: dict[str, LabelScore] = Field(
        description="a label that occurs nowhere in the group has tp = fp = fn = 0"
    )


class ExampleResult(BaseModel):
    id: str
    dataset: str
    correct: bool
    mismatches: list[Mismatch] = Field(default_factory=list)
    score: int | None = Field(default=None, description="the review's 0-100 score")
    rewrites: int = 0
    similarity: float | None = Field(default=None, description="mean similarity to references")
    judge: float | None = Field(default=None, description="mean judge score 0-1")
    llm_status: str | None = None
    origin: str | None = Field(default=None, description="the example's origin, when it says")
    source_kind: str | None = Field(default=None, description="the example's kind of source")

    @property
    def key(self) -> str:
        """Stable across runs: dataset file stem + example id."""
        return example_key(self.dataset, self.id)


def example_key(dataset: str, example_id: str) -> str:
    stem = dataset.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".jsonl")
    return f"{stem}/{example_id}"


class EvalReport(BaseModel):
    mode: str
    rubric_version: str
    prompt_version: str | None = None
    model: str | None = None
    responses: str | None = Field(
        default=None, description="where LLM answers came from: replayed, recorded or live"
    )
    llm_status: dict[str, int] = Field(
        default_factory=dict, description="provenance.llm_status -> examples"
    )
    datasets: list[str]
    examples: int
    objectives: int
    key_results: int
    macro_f1: float
    micro_f1: float
    aspiration_false_flag_share: float | None = Field(
        default=None,
        description="share of the objectives not labeled aspiration that the coach flagged as "
        "aspiration (None: every objective is labeled aspiration)",
    )
    per_label: dict[str, LabelScore]
    confusion: dict[str, dict[str, int]] = Field(
        description="gold KR label -> predicted KR label -> count"
    )
    slices: dict[str, dict[str, SliceScore]] = Field(
        default_factory=dict,
        description="scores per group when the examples say where they come from: "
        "'origin' and 'source_kind' -> group -> scores",
    )
    rewrites: RewriteScore
    cost: Cost = Field(default_factory=Cost)
    per_example: list[ExampleResult]
    seconds: float

    def metrics(self) -> dict[str, float]:
        """The flat metric names the gate and the baseline use."""
        out: dict[str, float] = {"macro_f1": self.macro_f1, "micro_f1": self.micro_f1}
        if self.aspiration_false_flag_share is not None:
            out["aspiration.false_flag_share"] = self.aspiration_false_flag_share
        for label, s in self.per_label.items():
            out[f"f1.{label}"] = s.f1
            out[f"precision.{label}"] = s.precision
            out[f"recall.{label}"] = s.recall
        r = self.rewrites
        out["rewrites.coverage"] = r.coverage
        out["rewrites.validity"] = r.validity
        out["rewrites.fabricated_numbers"] = float(r.fabricated_numbers)
        out["rewrites.placeholder_share"] = r.placeholder_share
        if r.reference_similarity is not None:
            out["rewrites.reference_similarity"] = r.reference_similarity
        if r.judge is not None and r.judge.mean_score is not None:
            out["rewrites.judge_score"] = r.judge.mean_score
        return out


class MetricMove(BaseModel):
    """One gated metric that fell too far or below its floor."""

    mode: str
    metric: str
    baseline: float | None
    current: float
    allowed: str = Field(description="the rule it broke, e.g. 'drop <= 0.02' or 'floor 0.85'")
    examples: list[str] = Field(default_factory=list, description="regressed examples behind it")


class ExampleMove(BaseModel):
    key: str
    target: str
    text: str
    expected: str
    before: str = Field(description="predicted in the baseline")
    after: str = Field(description="predicted now")


class ModeComparison(BaseModel):
    mode: str
    gated: bool = Field(default=True, description="false: no baseline of this mode, or another model")
    metrics: dict[str, tuple[float | None, float]] = Field(
        description="metric -> (baseline, current)"
    )
    regressed: list[ExampleMove] = Field(default_factory=list, description="right before, wrong now")
    improved: list[ExampleMove] = Field(default_factory=list, description="wrong before, right now")
    changed: list[ExampleMove] = Field(
        default_factory=list, description="wrong before and now, with another prediction"
    )


class GateResult(BaseModel):
    baseline: str
    max_drop: float
    passed: bool
    failures: list[MetricMove] = Field(default_factory=list)
    comparisons: list[ModeComparison] = Field(default_factory=list)
    realworld: list[ModeComparison] = Field(
        default_factory=list, description="the real-drafts runs against the baseline's, per mode"
    )
    notes: list[str] = Field(default_factory=list)


class RealworldRun(BaseModel):
    """The real drafts (../shared/realworld/okrs.jsonl), run beside the data sets when present.

    Kept apart from `runs` so the data sets' scores (and their baseline) mean the
    same whether or not a machine has the folder.
    """

    path: str | None = Field(description="the file read, or looked for")
    sha256: str | None = Field(default=None, description="of the file read: the baseline is "
                               "compared only with the same file")
    note: str = Field(description="what was run, or why it was skipped")
    runs: list[EvalReport] = Field(default_factory=list, description="one per mode run on it")

    def run(self, mode: str) -> EvalReport | None:
        return next((r for r in self.runs if r.mode == mode), None)


class EvalSuite(BaseModel):
    runs: list[EvalReport]
    realworld: RealworldRun | None = Field(
        default=None, description="the real drafts; None when not asked for (--no-realworld)"
    )
    gate: GateResult | None = None

    def run(self, mode: str) -> EvalReport:
        for r in self.runs:
            if r.mode == mode:
                return r
        raise KeyError(mode)
