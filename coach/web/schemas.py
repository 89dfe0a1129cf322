"""Request and response models of the JSON API (what /openapi.json documents).

The review itself is `coach.models.Review`; a stored review adds its id, when it
was made and its links. Every error is a `ProblemDetails` document (RFC 9457).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..models import Review, Severity

# A KR or objective longer than this is a paste gone wrong, not an OKR.
MAX_ITEM_CHARS = 2000
MAX_RULE_IDS = 100
RUBRIC_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document (`application/problem+json`).

    `type` is stable per error kind (``https://okr-coach.dev/problems/<kind>``);
    some kinds add members: `errors` (invalid-request), `line`/`column`/`position`
    (malformed-json), `limit`/`max`/`actual` (limit-exceeded), `rule` (unknown-rule),
    `limit_bytes` (request-too-large), `retry_after` (rate-limited).
    """

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["https://okr-coach.dev/problems/unknown-rule"])
    title: str = Field(examples=["Unknown rule"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["Unknown rule 'KR99'. Known rules: KR01, KR02, ..."])
    instance: str | None = Field(default=None, examples=["/v1/reviews"])


# -- requests ---------------------------------------------------------------


class KeyResultIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(
        description=f"the key result as written (at most {MAX_ITEM_CHARS} characters)"
    )


class ObjectiveIn(BaseModel):
    """One objective in the shape of okr-labels.md (unknown fields such as labels are ignored)."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(description=f"the objective as written (at most {MAX_ITEM_CHARS} characters)")
    key_results: list[KeyResultIn] = Field(default_factory=list)
    team: str | None = Field(default=None, max_length=200)
    owner: str | None = Field(default=None, max_length=200)


class OkrSetIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    objectives: list[ObjectiveIn] = Field(
        description="at most `max_objectives` (default 50) objectives and `max_key_results` "
        "(default 500) key results in all"
    )


class ReviewOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["rules", "llm", "hybrid"] | None = Field(
        default=None,
        description="rules: the rubric only; hybrid: rules plus an LLM when one is configured "
        "(falls back to rules-only and says so); llm: needs a configured model. "
        "Unset: hybrid when the service has a model, else rules",
    )
    suggest_numbers: bool = Field(
        default=False,
        description="let model rewrites propose numbers the draft does not give, marked "
        "`[suggested: N]`; otherwise they become placeholders such as `[baseline]`",
    )
    rubric: str = Field(
        default="default",
        pattern=RUBRIC_NAME,
        description="the name of a bundled rubric (file paths are not accepted)",
    )
    select: list[str] = Field(
        default_factory=list,
        max_length=MAX_RULE_IDS,
        description="only these rule ids (or names); empty: every enabled rule",
    )
    ignore: list[str] = Field(
        default_factory=list, max_length=MAX_RULE_IDS, description="skip these rule ids (or names)"
    )


class ReviewRequest(BaseModel):
    """Exactly one of `text` (a pasted draft in any format the coach reads) or `okr_set`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            # What `_exactly_one` checks, said in the schema: one of the two is given (a
            # null counts as not given), never both, never neither.
            "oneOf": [
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
                {"required": ["okr_set"], "properties": {"okr_set": {"type": "object"}}},
            ],
            "examples": [
                {
                    "text": "Objective: Delight our customers\nKR: Launch new customer portal",
                    "options": {"mode": "rules"},
                },
                {
                    "okr_set": {
                        "objectives": [
                            {
                                "text": "Make self-service the default support channel",
                                "key_results": [
                                    {"text": "Increase self-service adoption from 35% to 55%"}
                                ],
                            }
                        ]
                    },
                    "options": {"ignore": ["KR05"]},
                },
            ]
        },
    )

    text: str | None = Field(
        default=None,
        description="the draft as pasted: labelled lines, Markdown, outlines, JSON or CSV",
    )
    okr_set: OkrSetIn | None = Field(default=None, description="the draft as structured data")
    options: ReviewOptions = Field(default_factory=ReviewOptions)

    @model_validator(mode="after")
    def _exactly_one(self) -> ReviewRequest:
        if (self.text is None) == (self.okr_set is None):
            raise ValueError("send exactly one of 'text' (a pasted draft) or 'okr_set'")
        return self


# -- responses ----------------------------------------------------------------


class ReviewLinks(BaseModel):
    self: str = Field(examples=["/v1/reviews/Xy3kP0aQbR1z"], description="this review in the API")
    html: str = Field(examples=["/reviews/Xy3kP0aQbR1z"], description="its permalink page")


class StoredReviewOut(Review):
    """The Review JSON (README, "The Review JSON") plus where it is kept."""

    id: str = Field(description="the permalink id")
    created_at: datetime
    parent_id: str | None = Field(default=None, description="the review this one re-reviews")
    links: ReviewLinks
    draft: str | None = Field(
        default=None, description="the draft as sent (GET only; a POST caller has it already)"
    )


class RuleSummary(BaseModel):
    id: str
    name: str
    label: str | None
    severity: Severity
    scope: Literal["objective", "key_result", "set"]
    summary: str
    enabled: bool


class RuleList(BaseModel):
    rubric: str
    rubric_version: str
    rules: list[RuleSummary]


class RuleExamplesOut(BaseModel):
    flagged: list[str]
    not_flagged: list[str]


class RuleDetail(RuleSummary):
    message: str
    why: str
    fix: str
    questions: list[str]
    examples: RuleExamplesOut
    params: dict[str, Any]
    aliases: list[str]
    doc: str = Field(description="the rule's documentation, Markdown")
