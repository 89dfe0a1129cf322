"""User and model text stays text in every template and every report format (issue 11, defect 6).

- every Jinja environment of the package escapes whatever is not Markdown or a
  prompt for a model (checked in the source, so a new environment is checked too);
- every template of the package, rendered with a hostile string in every field
  (`HostileUndefined`), has no script, event handler, meta refresh or
  javascript: link, and shows the hostile string as text;
- the batch report (HTML, Markdown, CSV) and the single-review Markdown, built
  from reviews whose draft and model answers are hostile, likewise; CSV cells
  that a spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path
from typing import Any

import jinja2
import pytest
from fake_model import FakeChatClient, verdict
from hostile import ESCAPED, HOSTILE, HostileUndefined, active_markup, hostile_env, markdown_html

import coach
from coach import review
from coach.batch.models import FileReport, SkippedItem
from coach.batch.report import ReportMeta, write_report
from coach.batch.summary import Entry
from coach.render import review_markdown

PACKAGE = Path(coach.__file__).resolve().parent
# Modules whose environment renders prompts: plain text for a model, never shown as HTML.
PROMPT_RENDERERS = {"prompting.py", "evals/judge.py"}


def _environments() -> dict[str, Any]:
    """Each template folder of the package → the environment that renders it."""
    from coach.batch import report
    from coach.render.eval_templates import environment
    from coach.web import pages

    return {
        "web/templates": pages.templates.env,
        "batch/templates": report._env,
        "render/templates": environment(True),
    }


def _is_markdown(name: str) -> bool:
    return ".md" in name


# -- the environments ------------------------------------------------------------------


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def test_every_jinja_environment_escapes_unless_it_renders_markdown_or_a_prompt():
    checked = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and _call_name(node.func) in ("Environment", "SandboxedEnvironment")):
                continue
            checked.append(rel)
            given = {k.arg: k.value for k in node.keywords}
            assert "autoescape" in given, f"{rel}:{node.lineno}: a Jinja environment must say how it escapes"
            value = given["autoescape"]
            if isinstance(value, ast.Constant) and value.value is False:
                assert rel in PROMPT_RENDERERS, f"{rel}:{node.lineno}: autoescape=False outside a prompt renderer"
            else:
                # Either always on, or coach.render.escaping.autoescape (on unless Markdown/text).
                assert (isinstance(value, ast.Constant) and value.value is True) or _call_name(value) == "autoescape", (
                    f"{rel}:{node.lineno}: autoescape={ast.unparse(value)} (use True or escaping.autoescape)"
                )
    assert {"web/pages.py", "batch/report.py", "render/eval_templates.py"} <= set(checked)


def _template_files() -> list[tuple[str, str]]:
    found = []
    for folder in sorted(PACKAGE.rglob("templates")):
        rel = folder.relative_to(PACKAGE).as_posix()
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found.append((rel, path.relative_to(folder).as_posix()))
    return found


def test_the_test_knows_every_template_folder():
    assert {rel for rel, _ in _template_files()} == set(_environments())


@pytest.mark.parametrize(("folder", "name"), _template_files(), ids=lambda v: v)
def test_every_template_shows_a_hostile_string_in_every_field_as_text(folder, name):
    template = hostile_env(_environments()[folder]).get_template(name)
    out = template.render()
    macros = [getattr(template.module, m) for m in dir(template.module) if not m.startswith("_")]
    for macro in macros:  # a macro-only file ("_chart.html.j2") is rendered through its macros
        if isinstance(macro, jinja2.runtime.Macro):
            out += str(macro(*[HostileUndefined(name="hostile") for _ in macro.arguments]))
    html = markdown_html(out) if _is_markdown(name) else out
    assert active_markup(html) == [], f"{folder}/{name}"
    assert ESCAPED in html, f"{folder}/{name}: the hostile text was not shown (escaped) anywhere"


# -- the reports, from hostile reviews ----------------------------------------------------

DRAFT = (
    "Objective: Delight our customers\n"
    "KR: Launch new customer portal\n"
    "KR: Increase NPS to 50\n"
)
# Free-text values of a Review JSON (everything else is an id, a label or a number).
TEXT_KEYS = {"text", "message", "why", "fix", "rule_name", "original", "llm_reason", "model",
             "llm_status", "rubric", "rubric_version", "okr_coach_version", "prompt_version",
             "metric", "rewrite"}


def _hostile(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _hostile(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in ("questions", "placeholders"):
            return [HOSTILE for _ in value] or [HOSTILE]
        return [_hostile(v, key) for v in value]
    if isinstance(value, str) and key in TEXT_KEYS:
        return HOSTILE
    return value


def _hostile_review() -> dict[str, Any]:
    fake = FakeChatClient().enqueue(
        verdict({"O1": (True, 0.9)}, O1_KR1=("task", 0.9, "Increase adoption from [baseline] to [target]"))
    )
    data = json.loads(review(DRAFT, mode="hybrid", llm=fake).model_dump_json())
    # The last KR needs the author's input instead of a rewrite: its questions and candidate
    # metrics (name, why, rewrite) are shown too.
    rw = data["rewrites"].pop()
    data["asks"] = [{"target": rw["target"], "original": rw["original"], "questions": ["?"],
                     "candidates": [{"metric": "m", "why": "w", "rewrite": "r"}] * 2,
                     "addresses": rw["addresses"], "source": "rules"}]
    return _hostile(data)


def _batch(formula: str = "") -> tuple[ReportMeta, list[Entry]]:
    meta = ReportMeta(
        title=HOSTILE,
        batch_id="b-1",
        files=[FileReport(file=HOSTILE, format="csv", notes=[HOSTILE],
                          skipped=[SkippedItem(where=HOSTILE, reason=HOSTILE, text=HOSTILE)])],
    )
    entries = [
        Entry(seq=0, owner=formula + HOSTILE, team=HOSTILE, source=HOSTILE, status="done", review=_hostile_review()),
        Entry(seq=1, owner=HOSTILE, team=HOSTILE, source=HOSTILE, status="failed", error=HOSTILE),
    ]
    return meta, entries


def _report(fmt: str, meta: ReportMeta, entries: list[Entry]) -> str:
    out = io.StringIO()
    write_report(fmt, meta, lambda ordered: entries, out)
    return out.getvalue()


def test_the_html_batch_report_escapes_user_and_model_text():
    html = _report("html", *_batch())
    assert '<p class="ask">' in html  # the ask's questions and candidate metrics, as text
    assert active_markup(html) == []
    assert html.count(ESCAPED) >= 10  # title, owners, teams, texts, messages, the model's rewrite, ...
    assert f"<title>{HOSTILE}" not in html


def test_the_markdown_batch_report_escapes_user_and_model_text_title_included():
    text = _report("markdown", *_batch())
    first = text.splitlines()[0]
    assert first.startswith("# ") and "<script>" not in first
    shown = markdown_html(text)
    assert active_markup(shown) == []
    assert shown.count(ESCAPED) >= 10


def test_the_single_review_markdown_escapes_user_and_model_text():
    from coach.models import Review

    text = review_markdown(Review.model_validate(_hostile_review()))
    assert "**Needs your input**" in text and "*Or measure*" in text
    shown = markdown_html(text)
    assert active_markup(shown) == []
    assert shown.count(ESCAPED) >= 5


FORMULAS = ['=HYPERLINK("https://evil.example","x")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)",
            "\t=1", "\r=1"]


@pytest.mark.parametrize("formula", FORMULAS, ids=repr)
def test_csv_cells_never_start_a_formula(formula):
    meta, entries = _batch(formula)
    review_json = entries[0].review
    review_json["okr_set"]["objectives"][0]["text"] = formula
    review_json["okr_set"]["objectives"][0]["key_results"][0]["text"] = formula
    entries[0].team = formula
    entries[1].error = formula
    rows = list(csv.reader(io.StringIO(_report("csv", meta, entries), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]
    # Neutralised, not lost: the text is all there after the quote (a CR inside a cell is a
    # line feed, which the csv module quotes; a bare CR would start a new row for a reader).
    assert cells.count("'" + formula.replace("\r", "\n")) >= 4
    assert all(len(row) == len(rows[0]) for row in rows)
