"""The eval report: pydantic models whose JSON is the stable shape of `okr-coach eval`.

One `EvalReport` per reviewer mode; an `EvalSuite` holds the modes run side
by side and, when a baseline was given, the gate's verdict.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field

NONE = "none"  # the "no label" class: a well-formed KR or a chosen objective
UNSET = "unset"  # the group of examples that do not say their origin / source kind

# Counts of rewrites a coach would never paste: each must be 0 (gates.yaml: ceilings).
MUST_BE_ZERO = (
    "rewrites.fabricated_numbers",
    "rewrites.role_errors",
    "rewrites.garbled_phrases",
    "rewrites.empty_templates",
    "rewrites.duplicate_rewrites_in_a_set",
)
# Metrics where less is better: the gate fails them on a rise, not a drop.
LOWER_IS_BETTER = ("aspiration.false_flag_share", *MUST_BE_ZERO, "rewrites.ungraded")


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
    verdicts: dict[str, int] = Field(default_factory=dict,
                                     description="good / acceptable / bad -> count (the graders' scale)")
    usable_share: float | None = Field(default=None, description="good + acceptable over judged")
    agreement: float | None = Field(default=None, description="share of the rewrites a person "
                                    "graded on which the judge gave the same grade")
    agreement_count: int = Field(default=0, description="rewrites both graded and judged")
    model: str | None = None


class GradeScore(BaseModel):
    """The returned rewrites against the grades in evals/grades/ (a person's, one by one)."""

    graded: int = Field(description="returned rewrites whose text has a grade")
    good: int = 0
    acceptable: int = 0
    bad: int = 0
    usable_share: float | None = Field(
        description="good + acceptable over graded (None: nothing graded)")
    ungraded: int = Field(description="returned rewrites of a graded data set with no grade for "
                          "their text: new, or changed since grading")
    files: list[str] = Field(default_factory=list, description="the grades files read")


class RewriteItem(BaseModel):
    """One returned rewrite: what the eval's checks found, and its grade."""

    target: str  # "O1.KR2"
    text: str
    sha256: str
    label: str | None = Field(default=None, description="the KR label the rewrite answers")
    role_errors: list[str] = Field(default_factory=list,
                                   description="the author's numbers moved into another role, or lost")
    garbled: str | None = Field(default=None, description="the metric phrase that is not a noun "
                                "phrase ('' when none can be read)")
    empty_template: bool = False
    duplicate_of: str | None = Field(default=None, description="the item of the same set it repeats")
    grade: str | None = Field(default=None, description="good / acceptable / bad; None: ungraded")
    reason: str | None = None
    judge: str | None = Field(default=None, description="the LLM judge's verdict, when asked for")

    @property
    def defects(self) -> list[str]:
        out = []
        if self.role_errors:
            out.append(f"role errors ({', '.join(self.role_errors)})")
        if self.garbled is not None:
            out.append(f"garbled phrase ({self.garbled!r})" if self.garbled else "no metric phrase")
        if self.empty_template:
            out.append("empty template")
        if self.duplicate_of:
            out.append(f"duplicate of {self.duplicate_of}")
        return out


class RewriteScore(BaseModel):
    count: int = Field(description="rewrites produced")
    flagged: int = Field(default=0, description="KRs with a predicted KR label")
    asks: int = Field(default=0, description="flagged KRs that got an ask (needs your input)")
    ask_share: float = Field(default=0.0, description="asks / flagged")
    rewrite_share: float = Field(default=0.0, description="flagged KRs that got a rewrite / flagged")
    coverage: float = Field(description="share of KRs with a predicted KR label that got a "
                            "rewrite or an ask; must be 1")
    validity: float = Field(description="share of rewrites the rubric accepts")
    fabricated_numbers: int = Field(
        description="numbers in rewrites not in the author's text; must be 0"
    )
    role_errors: int = Field(default=0, description="rewrites with an author's number moved into "
                             "another role (or a value lost); must be 0")
    garbled_phrases: int = Field(default=0, description="rewrites whose metric phrase is not a noun "
                                 "phrase, or carries punctuation or a clause; must be 0")
    empty_templates: int = Field(default=0, description="rewrites whose metric is a placeholder; "
                                 "must be 0")
    duplicate_rewrites_in_a_set: int = Field(default=0, description="rewrites that repeat another "
                                             "rewrite of the same set; must be 0")
    placeholder_share: float = Field(
        description="placeholders / (placeholders + numbers) in rewrites"
    )
    reference_count: int = Field(description="rewrites compared with a reference rewrite")
    reference_similarity: float | None = Field(
        description="mean similarity (0-1) to reference rewrites"
    )
    judge: JudgeScore | None = Field(default=None, description="LLM-as-judge, when asked for")
    grades: GradeScore | None = Field(default=None, description="against evals/grades/ (None: "
                                      "no grades for these data sets)")

    def flat(self, prefix: str = "rewrites.") -> dict[str, float]:
        """The metric names the gate and the baseline use, and their values."""
        out = {f"{prefix}{name}": float(getattr(self, name)) for name in (
            "coverage", "validity", "fabricated_numbers", "placeholder_share", "asks", "ask_share",
            "rewrite_share", "role_errors", "garbled_phrases", "empty_templates",
            "duplicate_rewrites_in_a_set")}
        if self.reference_similarity is not None:
            out[f"{prefix}reference_similarity"] = self.reference_similarity
        if self.judge is not None and self.judge.mean_score is not None:
            out[f"{prefix}judge_score"] = self.judge.mean_score
        if self.judge is not None and self.judge.usable_share is not None:
            out[f"{prefix}judge_usable_share"] = self.judge.usable_share
        if self.grades is not None:
            out[f"{prefix}ungraded"] = float(self.grades.ungraded)
            if self.grades.usable_share is not None:
                out[f"{prefix}usable_share"] = self.grades.usable_share
        return out


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
    rewrites: RewriteScore | None = Field(default=None, description="the group's rewrites and asks")


class ExampleResult(BaseModel):
    id: str
    dataset: str
    correct: bool
    mismatches: list[Mismatch] = Field(default_factory=list)
    score: int | None = Field(default=None, description="the review's 0-100 score")
    rewrites: int = 0
    asks: int = Field(default=0, description="flagged KRs that got an ask")
    rewrite_items: list[RewriteItem] = Field(default_factory=list,
                                             description="each returned rewrite, checked and graded")
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


# Models whose recorded answers are scripted for CI, not a real model's (evals/scripted_model.py):
# their scores check the pipeline around a model, and their "cost" is no one's bill.
STAND_IN_MODELS = frozenset({"scripted-model"})
STAND_IN_NOTE = (
    "The model answers here (the llm and hybrid columns, and the judge) are the scripted "
    "stand-in model's, replayed from evals/recordings/ as CI does: they test the pipeline "
    "around a model, not a real model's quality, and cost nothing. Run --live with a "
    "configured model for a real one's scores and cost."
)


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
    per_dataset: dict[str, RewriteScore] = Field(
        default_factory=dict, description="data set file stem -> its rewrites and asks")
    cost: Cost = Field(default_factory=Cost)
    per_example: list[ExampleResult]
    seconds: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stand_in(self) -> bool:
        """The model answers are the scripted stand-in's, replayed (no real model, no cost)."""
        return self.responses == "replayed" and self.model in STAND_IN_MODELS

    def metrics(self) -> dict[str, float]:
        """The flat metric names the gate and the baseline use."""
        out: dict[str, float] = {"macro_f1": self.macro_f1, "micro_f1": self.micro_f1}
        if self.aspiration_false_flag_share is not None:
            out["aspiration.false_flag_share"] = self.aspiration_false_flag_share
        for label, s in self.per_label.items():
            out[f"f1.{label}"] = s.f1
            out[f"precision.{label}"] = s.precision
            out[f"recall.{label}"] = s.recall
        out.update(self.rewrites.flat())
        return out

    def rewrite_items(self) -> list[tuple[ExampleResult, RewriteItem]]:
        return [(e, item) for e in self.per_example for item in e.rewrite_items]


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

    @property
    def stand_in_note(self) -> str | None:
        """What a reader must know first when the model answers are the stand-in's."""
        return STAND_IN_NOTE if any(r.stand_in for r in self.runs) else None

    def run(self, mode: str) -> EvalReport:
        for r in self.runs:
            if r.mode == mode:
                return r
        raise KeyError(mode)
