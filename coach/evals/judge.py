"""The optional LLM-as-judge of rewrites (`okr-coach eval --judge`).

Each rewrite the reviewer suggested is judged in one structured call,
`complete(messages, JudgeVerdict, name="judge_rewrite")`, through the same
chat client as the review, so the judge's answers are recorded, replayed and
costed like any other model response. The criteria are written out in
`prompts/judge.j2`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import BaseModel, Field, field_validator

from .. import resources
from ..datasets import LabeledExample
from ..models import Review

if TYPE_CHECKING:
    from ..llm import ChatClient, ChatResult

TEMPLATE = "judge.j2"
CALL_NAME = "judge_rewrite"


class JudgeVerdict(BaseModel):
    """The judge's verdict on one suggested KR rewrite, on the graders' scale (grades.py):
    good (paste as is), acceptable (a small edit), bad."""

    verdict: Literal["good", "acceptable", "bad"] = Field(description="overall verdict")
    score: Literal[1, 2, 3, 4, 5] = Field(description="1-5, 5 best, consistent with the verdict")
    invented_numbers: bool = Field(description="a number in the rewrite is not in the author's text")
    reason: str = Field(description="one or two sentences naming the criteria met or missed")

    @field_validator("verdict", mode="before")
    @classmethod
    def _old_scale(cls, v: object) -> object:
        # Answers recorded before the scale matched the graders' said "poor" for "bad".
        return "bad" if v == "poor" else v


@dataclass
class Judgement:
    target: str
    verdict: JudgeVerdict
    result: ChatResult

    @property
    def score01(self) -> float:
        return (self.verdict.score - 1) / 4


@lru_cache(maxsize=4)
def _environment(folder: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # plain text for a model
    )


def _template():
    # resources.prompts_dir() is looked up per call, so a test can point it elsewhere.
    return _environment(str(resources.prompts_dir())).get_template(TEMPLATE)


def judge_template_hash() -> str:
    text = (resources.prompts_dir() / TEMPLATE).read_text(encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def judge_messages(
    objective: str, key_result: str, label: str, rewrite: str, reference: str | None
) -> list[dict[str, str]]:
    module = _template().make_module()
    return [
        {"role": "system", "content": str(module.system()).strip()},
        {
            "role": "user",
            "content": str(module.user(objective, key_result, label, rewrite, reference)).strip(),
        },
    ]


async def judge_rewrites(client: ChatClient, example: LabeledExample, review: Review) -> list[Judgement]:
    out: list[Judgement] = []
    for rw in review.rewrites:
        oi, ki = rw.target.objective, rw.target.key_result
        if oi is None or ki is None or oi >= len(example.objectives):
            continue
        obj = example.objectives[oi]
        if ki >= len(obj.key_results):
            continue
        kr = obj.key_results[ki]
        labels = [f.label for f in review.findings_for(oi, ki) if f.label]
        messages = judge_messages(obj.text, kr.text, labels[0] if labels else "flagged", rw.text,
                                  kr.reference_rewrite)
        result = await client.complete(messages, JudgeVerdict, name=CALL_NAME)
        out.append(Judgement(f"O{oi + 1}.KR{ki + 1}", JudgeVerdict.model_validate(result.parsed), result))
    return out
