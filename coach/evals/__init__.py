"""The eval suite: score the coach's findings and rewrites against labeled examples.

- `runner`: `run_eval` (one mode) and `run_suite` (modes side by side);
- `metrics`: per-label scores with Wilson intervals, rewrite similarity;
- `report`: the pydantic report, whose JSON is `okr-coach eval --format json`;
- `gate`: the committed baseline and the regression gate;
- `recordings`: replayed / recorded / live model answers, keyed by prompt
  version, model and example;
- `judge`: the optional LLM-as-judge of rewrites.
"""

from .metrics import similarity
from .report import NONE, EvalReport, EvalSuite, ExampleResult, LabelScore, RewriteScore
from .runner import run_eval, run_suite

__all__ = [
    "NONE",
    "EvalReport",
    "EvalSuite",
    "ExampleResult",
    "LabelScore",
    "RewriteScore",
    "run_eval",
    "run_suite",
    "similarity",
]
