"""The data every part of okr-coach speaks: an OKR set in, a Review out.

`Review.model_dump_json()` is the JSON API's response shape (see README,
"The Review JSON").
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Each model builds its validator when it is first used, not at import: a rules-only check
# never makes most of them one by one (building all at import was a sixth of its start-up).
_DEFERRED = ConfigDict(defer_build=True)

Label = Literal["aspiration", "task", "no_metric", "no_target", "no_baseline"]
KR_LABELS: tuple[str, ...] = ("task", "no_metric", "no_target", "no_baseline")
OBJECTIVE_LABELS: tuple[str, ...] = ("aspiration",)
LABELS: tuple[str, ...] = OBJECTIVE_LABELS + KR_LABELS


class Severity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Severity.info: 0, Severity.warning: 1, Severity.error: 2}


class Span(BaseModel):
    """Character offsets [start, end) of an item in the original text, and its 1-based line."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    start: int
    end: int
    line: int


class KeyResult(BaseModel):
    model_config = _DEFERRED

    text: str
    span: Span | None = None


class Objective(BaseModel):
    model_config = _DEFERRED

    text: str
    key_results: list[KeyResult] = Field(default_factory=list)
    span: Span | None = None
    team: str | None = None
    owner: str | None = None
    # The "We are working on ..." line of a three-lens draft, when there is one.
    initiative: str | None = None


class ParseWarning(BaseModel):
    model_config = _DEFERRED

    line: int
    message: str
    text: str = ""


class OkrSet(BaseModel):
    model_config = _DEFERRED

    objectives: list[Objective]
    warnings: list[ParseWarning] = Field(default_factory=list)
    # "text", "markdown", "json", "csv", "structured": how the draft was read.
    source_format: str = "structured"


class Target(BaseModel):
    """Where a finding points: an objective, one of its KRs, or the whole set."""

    model_config = _DEFERRED

    objective: int | None = None
    key_result: int | None = None


class Finding(BaseModel):
    model_config = _DEFERRED

    rule_id: str
    rule_name: str
    severity: Severity
    label: Label | None = None
    target: Target
    message: str
    why: str
    fix: str
    span: Span | None = None
    questions: list[str] = Field(default_factory=list)
    source: Literal["rules", "llm", "both"] = "rules"
    # The model's own words and confidence, when it took part in the finding.
    llm_reason: str | None = None
    confidence: float | None = None


class Rewrite(BaseModel):
    """A suggested rewrite of one KR. Numbers come only from the author's draft."""

    model_config = _DEFERRED

    target: Target
    original: str
    text: str
    placeholders: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list, description="rule ids it resolves")
    source: Literal["rules", "llm"] = "rules"
    # Numbers the model proposed that the author never wrote, kept only when the
    # caller asked for suggestions, and then written as `[suggested: N]`.
    suggested: list[str] = Field(default_factory=list)


class CandidateMetric(BaseModel):
    """A metric the KR could measure instead, with why it was suggested."""

    model_config = _DEFERRED

    metric: str
    why: str
    rewrite: str = Field(description="the KR written with this metric; [placeholders] for values")


class Ask(BaseModel):
    """Needs your input: no rewrite the coach is sure of, so the questions to answer (and the
    candidate metrics to pick from) that finish the key result. Counted apart from rewrites."""

    model_config = _DEFERRED

    target: Target
    original: str
    questions: list[str]
    candidates: list[CandidateMetric] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list, description="rule ids it would resolve")
    source: Literal["rules", "llm"] = "rules"


class ObjectiveSuggestion(BaseModel):
    """Sharper phrasings of an objective flagged as a slogan or a plain direction, built from
    the author's words and what the objective's own key results move or do."""

    model_config = _DEFERRED

    target: Target
    original: str
    options: list[str] = Field(default_factory=list, description="up to three phrasings; may be empty")
    questions: list[str] = Field(default_factory=list, description="what decides between them")
    addresses: list[str] = Field(default_factory=list, description="rule ids it would resolve")
    source: Literal["rules", "llm"] = "rules"


class Disagreement(BaseModel):
    """An item the two reviewers judged differently, and which judgement the merge kept."""

    model_config = _DEFERRED

    target: Target
    rules: str | None = Field(description="the rules' label, or null for none")
    llm: str | None = Field(description="the model's label, or null for none")
    kept: str | None = Field(description="the label in the review, or null for none")
    llm_reason: str = ""
    confidence: float | None = None
    why: str = Field(description="which policy decided it")


class Summary(BaseModel):
    model_config = _DEFERRED

    score: int = Field(ge=0, le=100, description="0-100, see README 'Score'")
    objectives: int
    key_results: int
    outcome_key_results: int = Field(description="KRs with no task/measurability finding")
    findings: int
    by_severity: dict[str, int]
    by_label: dict[str, int]
    by_rule: dict[str, int]


class LLMUsage(BaseModel):
    """What the model calls of one review (or a batch) cost, as the provider reported it."""

    model_config = _DEFERRED

    calls: int = Field(default=0, description="HTTP calls made, retries and re-asks included")
    cache_hits: int = Field(default=0, description="answers served from the response cache")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # Prompt tokens served from the provider's prompt cache (part of prompt_tokens).
    cached_tokens: int = 0
    cost_usd: float = Field(default=0.0, description="estimate from the price table")
    latency_s: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: LLMUsage) -> LLMUsage:
        return LLMUsage(**{k: getattr(self, k) + getattr(other, k) for k in LLMUsage.model_fields})


class Provenance(BaseModel):
    model_config = _DEFERRED

    okr_coach_version: str
    mode: Literal["rules", "llm", "hybrid"]
    rubric: str
    rubric_version: str
    prompt_version: str | None = None
    model: str | None = None
    llm_status: str = "not used: rules-only"
    usage: LLMUsage | None = None


class Review(BaseModel):
    model_config = _DEFERRED

    okr_set: OkrSet
    findings: list[Finding]
    rewrites: list[Rewrite]
    summary: Summary
    # Flagged KRs with no rewrite the coach is sure of: what to answer instead.
    asks: list[Ask] = Field(default_factory=list)
    # Objectives flagged as slogans or plain directions: phrasings that make the choice.
    objective_suggestions: list[ObjectiveSuggestion] = Field(default_factory=list)
    provenance: Provenance
    # Items the rules and the model judged differently (hybrid mode): never dropped silently.
    disagreements: list[Disagreement] = Field(default_factory=list)
    # What the reader must know before trusting the findings (a draft not in English).
    notices: list[str] = Field(default_factory=list)

    def findings_for(self, objective: int, key_result: int | None = None) -> list[Finding]:
        return [
            f
            for f in self.findings
            if f.target.objective == objective and f.target.key_result == key_result
        ]

    def rewrite_for(self, objective: int, key_result: int) -> Rewrite | None:
        for r in self.rewrites:
            if r.target.objective == objective and r.target.key_result == key_result:
                return r
        return None

    def objective_suggestion_for(self, objective: int) -> ObjectiveSuggestion | None:
        return next((s for s in self.objective_suggestions if s.target.objective == objective), None)

    def ask_for(self, objective: int, key_result: int) -> Ask | None:
        for a in self.asks:
            if a.target.objective == objective and a.target.key_result == key_result:
                return a
        return None
