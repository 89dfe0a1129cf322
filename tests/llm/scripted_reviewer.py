"""The scripted server's OKR reviewer: a plausible answer to okr-coach's real review prompt.

It reads the OKR set from between the `<okr_set>` tags of the request, judges
it with the rules (so its labels are sensible), and, like a careless model,
writes rewrites that invent a baseline: every `[current ...]` placeholder of
the rules' rewrite becomes the number 25. The pipeline's guard must take those
numbers out. A repair request is answered with generic outcome rewrites.
Deterministic: the same request always gets the same answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from coach import review
from coach.models import KeyResult, Objective, OkrSet

_OKR_SET = re.compile(r"<okr_set>\s*(.*?)\s*</okr_set>", re.S)
_REPAIR_ITEM = re.compile(r"^- (O\d+\.KR\d+): ", re.M)
_CURRENT = re.compile(r"\[current [^\]]*\]")
INVENTED_BASELINE = "25"


def _schema_name(body: dict[str, Any]) -> str | None:
    fmt = (body.get("response_format") or {}).get("json_schema") or {}
    if fmt.get("name"):
        return fmt["name"]
    for tool in body.get("tools") or []:
        return (tool.get("function") or {}).get("name")
    return None


def okr_answer(body: dict[str, Any]) -> dict[str, Any]:
    messages = body.get("messages") or []
    last = str(messages[-1].get("content") or "") if messages else ""
    if _schema_name(body) == "okr_repair" or last.startswith("Some of your rewrites"):
        return {"rewrites": [
            {"id": item, "rewrite": "Increase [outcome metric] from [baseline] to [target]"}
            for item in _REPAIR_ITEM.findall(last)
        ]}
    found = next((m for msg in reversed(messages) if (m := _OKR_SET.search(str(msg.get("content") or "")))), None)
    data = json.loads(found.group(1)) if found else {"objectives": []}
    okr_set = OkrSet(objectives=[
        Objective(text=o["text"], key_results=[KeyResult(text=k["text"]) for k in o["key_results"]])
        for o in data["objectives"]
    ])
    ids = [(o["id"], [k["id"] for k in o["key_results"]]) for o in data["objectives"]]
    result = review(okr_set, mode="rules") if okr_set.objectives else None
    answer: dict[str, Any] = {"objectives": [], "key_results": []}
    for oi, (oid, kr_ids) in enumerate(ids):
        flagged = any(f.label == "aspiration" for f in result.findings_for(oi)) if result else False
        answer["objectives"].append({
            "id": oid, "aspiration": flagged, "confidence": 0.8,
            "reason": "It names no choice of where to focus." if flagged else "It names a focus.",
        })
        for ki, kid in enumerate(kr_ids):
            label = next((f.label for f in result.findings_for(oi, ki) if f.label), None) if result else None
            rw = result.rewrite_for(oi, ki) if result else None
            answer["key_results"].append({
                "id": kid, "label": label, "confidence": 0.85,
                "reason": f"It reads as {label}." if label else "A measurable outcome with a baseline.",
                "rewrite": _CURRENT.sub(INVENTED_BASELINE, rw.text) if rw else None,
                "questions": list(rw.questions) if rw else [],
            })
    return answer
