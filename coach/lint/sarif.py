"""SARIF 2.1.0 for GitHub code scanning: every rule of the rubric with its docs as help
(`coach.docs.rule_doc`), every finding with its region. Columns count code points."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from .._version import __version__
from ..docs import rule_doc
from .check import UNUSED, UNUSED_FIX, UNUSED_WHY, CheckResult

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rules(result: CheckResult) -> list[dict[str, Any]]:
    rules = []
    for rule in result.rubric.rules.values():
        doc = rule_doc(rule)
        rules.append(
            {
                "id": rule.id,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": " ".join(rule.why.split())},
                "help": {"text": doc, "markdown": doc},
                "defaultConfiguration": {
                    "level": _LEVEL[rule.severity.value],
                    "enabled": rule.enabled,
                },
                "properties": {"tags": ["okr", rule.label or rule.scope]},
            }
        )
    code, name, severity = UNUSED
    rules.append(
        {
            "id": code,
            "name": name,
            "shortDescription": {"text": "A suppression comment that silenced no finding"},
            "fullDescription": {"text": UNUSED_WHY},
            "help": {
                "text": f"{UNUSED_WHY} {UNUSED_FIX}",
                "markdown": f"{UNUSED_WHY}\n\n{UNUSED_FIX}",
            },
            "defaultConfiguration": {"level": _LEVEL[severity.value]},
            "properties": {"tags": ["okr", "suppression"]},
        }
    )
    return rules


def _artifact(path: str) -> dict[str, str]:
    """A path from the current folder (the repository root in CI) is relative to
    %SRCROOT%; a file outside it gets an absolute file: URI."""
    if path.startswith("/"):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def sarif_log(result: CheckResult) -> dict[str, Any]:
    rules = _rules(result)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for p in result.problems:
        region: dict[str, int] = {"startLine": p.line, "startColumn": p.col}
        if (p.end_line, p.end_col) > (p.line, p.col):
            region |= {"endLine": p.end_line, "endColumn": p.end_col}
        entry: dict[str, Any] = {
            "ruleId": p.code,
            "level": _LEVEL[p.severity.value],
            "message": {"text": p.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(p.path),
                        "region": region,
                    }
                }
            ],
        }
        if p.code in index:
            entry["ruleIndex"] = index[p.code]
        results.append(entry)
    notifications = [
        {
            "level": "error",
            "message": {"text": e.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(e.path),
                        "region": {"startLine": e.line},
                    }
                }
            ],
        }
        for e in result.errors
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "okr-coach",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
                "properties": {"rubric": result.rubric.full_version, "mode": result.mode,
                               "llmStatus": result.llm_status},  # fmt: skip
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [
            {"executionSuccessful": not result.errors, "toolExecutionNotifications": notifications}
        ],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
