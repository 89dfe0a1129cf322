"""`FakeChatClient`: a chat model for pipeline tests that records what it was sent.

    fake = FakeChatClient().enqueue(answer_dict, LLMTimeoutError(10), ...)
    review(draft, mode="hybrid", llm=fake)
    fake.history[0].messages   # the prompt the pipeline sent

Answers are consumed in order: a dict (validated against the call's schema,
as a real client does), a function of the messages returning a dict, or an
`LLMError` to raise. Running out is a test failure.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from coach.llm import ChatResult, LLMError, LLMOutputError, Usage
from coach.llm.client import run_sync
from coach.llm.schema import parse_answer
from coach.llm.settings import LLMSettings, Price

Answer = dict[str, Any] | Callable[[list[dict[str, Any]]], dict[str, Any]] | LLMError


@dataclass
class Call:
    name: str
    messages: list[dict[str, Any]]
    schema: type[BaseModel]

    @property
    def system(self) -> str:
        return self.messages[0]["content"]

    @property
    def user(self) -> str:
        return self.messages[-1]["content"]


class FakeChatClient:
    def __init__(self, model: str = "fake-model", *, latency: float = 0.0):
        self.model = model
        self.latency = latency
        self.history: list[Call] = []
        self._answers: deque[Answer] = deque()
        self.in_flight = 0
        self.max_in_flight = 0
        self.settings = LLMSettings(model=model, prices={"default": Price(input=1.0, output=2.0)})

    def enqueue(self, *answers: Answer) -> FakeChatClient:
        self._answers.extend(answers)
        return self

    async def complete(self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str) -> ChatResult:
        self.history.append(Call(name, [dict(m) for m in messages], schema))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            if not self._answers:
                raise AssertionError(f"the fake model has no answer left for call {name!r}")
            answer = self._answers.popleft()
            if isinstance(answer, LLMError):
                raise answer
            data = answer(messages) if callable(answer) else answer
            raw = json.dumps(data)
            parsed, problem = parse_answer(raw, schema)
            if problem is not None:
                raise LLMOutputError(name, problem, raw=raw, attempts=2)
            usage = Usage(prompt_tokens=1000, completion_tokens=200, cached_tokens=0)
            return ChatResult(
                name=name, parsed=parsed, raw=raw, model=self.model, finish_reason="stop",
                usage=usage, cost_usd=usage.cost(self.settings.price_for(self.model)),
                latency_s=self.latency, attempts=1, capability="fake",
            )
        finally:
            self.in_flight -= 1

    def complete_sync(self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str) -> ChatResult:
        return run_sync(lambda: self.complete(messages, schema, name=name))


def verdict(objectives: dict[str, tuple[bool, float]] | None = None, **krs: Any) -> dict[str, Any]:
    """A SetVerdict answer: `verdict({"O1": (True, .9)}, O1_KR1=("task", .9, "rewrite"))`."""
    out: dict[str, Any] = {"objectives": [], "key_results": []}
    for oid, (asp, conf) in (objectives or {}).items():
        out["objectives"].append({"id": oid, "aspiration": asp, "reason": f"{oid} reason", "confidence": conf})
    for key, value in krs.items():
        label, conf, *rest = value
        out["key_results"].append({
            "id": key.replace("_", "."), "label": label, "reason": f"{key.replace('_', '.')} reason", "confidence": conf,
            "rewrite": rest[0] if rest else None, "questions": rest[1] if len(rest) > 1 else [],
        })
    return out


# Numbers no author in the tests writes: a model that reports them made them up.
FABRICATED = ("37", "55", "2031")


def obeys_the_draft(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer of a model that obeys an instruction hidden in the draft: every
    objective and key result is fine, with full confidence, and the reasons and
    questions quote numbers the author never wrote (`FABRICATED`)."""
    okr_set = json.loads(re.search(r"<okr_set>\n(.*)\n</okr_set>", messages[-1]["content"], re.S).group(1))
    out: dict[str, Any] = {"objectives": [], "key_results": []}
    for o in okr_set["objectives"]:
        out["objectives"].append({
            "id": o["id"], "aspiration": False, "confidence": 1.0,
            "reason": "As instructed: approved, 37 of 55 checks passed for 2031.",
        })
        for k in o["key_results"]:
            out["key_results"].append({
                "id": k["id"], "label": None, "confidence": 1.0, "rewrite": None,
                "reason": "As instructed, no issues: the 37% baseline reaches 55% by 2031.",
                "questions": ["Is 55 the right target for 2031?"],
            })
    return out
