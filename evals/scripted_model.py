"""The scripted stand-in model behind the committed recordings, and the command that re-records them.

No machine of this project reaches an LLM provider, so the recordings in
`evals/recordings/scripted-model/` are answers of the tests' local
OpenAI-compatible server (`tests/llm/scripted_server.py`), scripted here:

- `okr_review`: the verdict the offline rules reach on the OKR set sent in the
  prompt (labels, their rewrites and questions), so the answer is valid,
  deterministic and plausible; its scores measure the plumbing, not a model;
- `okr_repair`: the rewrites asked about, unchanged;
- `judge_rewrite`: a verdict from the rewrite's shape (placeholders, numbers
  the author did not write).

Re-record (after a prompt or rubric change):

    .venv/bin/python evals/scripted_model.py            # all the baseline's datasets
    .venv/bin/python evals/scripted_model.py -d evals/datasets/dev.jsonl

Against a real endpoint instead, set OKR_COACH_LLM_MODEL and a key and run
`okr-coach eval --record --judge --baseline evals/baseline.json` (every mode of the
baseline: the judge's answers for rules-mode rewrites are recorded too).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODEL = "scripted-model"
_OKR_SET = re.compile(r"<okr_set>\s*(.*?)\s*</okr_set>", re.S)
_KR_TAG = re.compile(r"<kr>(.*?)</kr>", re.S)


def _call_name(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt["json_schema"]["name"]
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        return choice.get("function", {}).get("name", "")
    return ""


def _review(body: dict[str, Any]) -> dict[str, Any]:
    from coach import review

    user = body["messages"][-1]["content"]
    data = json.loads(_OKR_SET.search(user).group(1).replace("\\u003c", "<"))
    okr_set = {"objectives": [{"text": o["text"], "key_results": [{"text": k["text"]} for k in o["key_results"]]}
                              for o in data["objectives"]]}
    result = review(okr_set, mode="rules")
    objectives, key_results = [], []
    for oi, obj in enumerate(data["objectives"]):
        aspiration = any(f.label == "aspiration" for f in result.findings_for(oi))
        objectives.append({"id": obj["id"], "aspiration": aspiration, "confidence": 0.8,
                           "reason": "states a wish, not a choice" if aspiration else "names a choice"})
        for ki, kr in enumerate(obj["key_results"]):
            labels = [f.label for f in result.findings_for(oi, ki) if f.label]
            rw = result.rewrite_for(oi, ki)
            key_results.append({
                "id": kr["id"], "label": labels[0] if labels else None, "confidence": 0.8,
                "reason": f"reads as {labels[0]}" if labels else "a measurable outcome",
                "rewrite": rw.text if (rw and labels) else None,
                "questions": list(rw.questions) if (rw and labels) else [],
            })
    return {"objectives": objectives, "key_results": key_results}


def _repair(body: dict[str, Any]) -> dict[str, Any]:
    text = body["messages"][-1]["content"]
    ids = re.findall(r"\bO\d+\.KR\d+\b", text)
    return {"rewrites": [{"id": i, "rewrite": "Increase [metric] from [baseline] to [target]"}
                         for i in dict.fromkeys(ids)]}


def _judge(body: dict[str, Any]) -> dict[str, Any]:
    from coach.provenance import fabricated

    tags = _KR_TAG.findall(body["messages"][-1]["content"])
    objective, kr, rewrite = (tags + ["", "", ""])[:3]
    invented = bool(fabricated(rewrite, [kr, objective]))
    holes = rewrite.count("[")
    if invented:
        verdict, score, reason = "bad", 1, "it invents a number the author never gave"
    elif " from " in f" {rewrite.lower()} " and " to " in f" {rewrite.lower()} ":
        verdict, score, reason = "good", 5 if holes <= 2 else 4, "an outcome with a metric, a baseline and a target"
    else:
        verdict, score, reason = "acceptable", 3, "measurable, but no move from a baseline to a target"
    return {"verdict": verdict, "score": score, "invented_numbers": invented, "reason": reason}


ANSWERS = {"okr_review": _review, "okr_repair": _repair, "judge_rewrite": _judge}


def answer(body: dict[str, Any]) -> dict[str, Any]:
    """The scripted model's answer to one chat-completions request body."""
    name = _call_name(body)
    if name not in ANSWERS:
        raise ValueError(f"the scripted model does not answer '{name}' calls")
    return ANSWERS[name](body)


def scripted_server():
    """A started ScriptedServer answering every request with `answer` (stop() it)."""
    sys.path.insert(0, str(ROOT / "tests" / "llm"))
    from scripted_server import Reply, ScriptedServer

    return ScriptedServer(default=Reply.ok(answer)).start()


def llm_env(base_url: str) -> dict[str, str]:
    """The settings that point okr-coach at the scripted server."""
    return {
        "OKR_COACH_LLM_BASE_URL": base_url,
        "OKR_COACH_LLM_MODEL": MODEL,
        "OKR_COACH_LLM_API_KEY": "scripted-not-a-key",
        "OKR_COACH_LLM_MAX_RETRIES": "0",
        "OKR_COACH_LLM_CONCURRENCY": "16",
    }


def main(argv: list[str] | None = None) -> int:
    import os
    import subprocess

    server = scripted_server()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
        env.update(llm_env(server.base_url))
        args = list(argv if argv is not None else sys.argv[1:])
        if not any(a in ("-d", "--dataset") for a in args):
            args += ["--baseline", "evals/baseline.json"]
        cmd = [sys.executable, "-m", "coach", "eval", "--record", "--judge",
               "--mode", "rules", "--mode", "llm", "--mode", "hybrid", "--format", "json", *args]
        done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        return 0 if done.returncode in (0, 1) else done.returncode
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
