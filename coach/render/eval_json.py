"""An eval suite as JSON.

One mode prints that mode's `EvalReport` at the top level (the shape the
README documents) with a `gate` key and a `realworld` key (the real drafts'
run, or why it was skipped; null with --no-realworld); several modes print
`{"runs": [<EvalReport>, ...], "realworld": ..., "gate": ...}`.
"""

from __future__ import annotations

import json

from ..evals.report import EvalSuite


def suite_json(suite: EvalSuite) -> str:
    if len(suite.runs) == 1:
        data = suite.runs[0].model_dump(mode="json")
        data["realworld"] = suite.realworld.model_dump(mode="json") if suite.realworld else None
        data["gate"] = suite.gate.model_dump(mode="json") if suite.gate else None
    else:
        data = suite.model_dump(mode="json")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
