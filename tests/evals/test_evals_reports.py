"""Every report format, produced from one failing gated run and parsed back."""

from __future__ import annotations

import json
from html import unescape
from html.parser import HTMLParser

from junitparser import Failure, JUnitXml


def test_terminal_table_names_the_regression(reports):
    assert "gate FAILED" in reports.table
    assert "rules macro_f1:" in reports.table and "llm macro_f1:" in reports.table
    assert reports.regressed[0] in reports.table


def test_json_report_has_both_modes_and_the_gate(reports):
    data = json.loads((reports.folder / "eval.json").read_text())
    assert [r["mode"] for r in data["runs"]] == ["rules", "llm"]
    for run in data["runs"]:
        assert {"macro_f1", "micro_f1", "per_label", "confusion", "rewrites", "cost", "per_example"} <= set(run)
        assert len(run["per_label"]["task"]["f1_ci"]) == 2
    llm = data["runs"][1]
    assert llm["responses"] == "replayed" and llm["cost"]["reviewer"]["calls"] == 40
    assert data["gate"]["passed"] is False
    moved = {f"{m['key']} {m['target']}" for m in data["gate"]["comparisons"][0]["regressed"]}
    assert moved == set(reports.regressed)
    # The real drafts (an invented file here): rules only, per origin, not gated yet.
    realworld = data["realworld"]
    assert [r["mode"] for r in realworld["runs"]] == ["rules"]
    assert "llm not run on them" in realworld["note"]
    assert set(realworld["runs"][0]["slices"]["origin"]) == {"real", "example", "unset"}
    assert not any(f["metric"].startswith("realworld.") for f in data["gate"]["failures"])


def test_markdown_comment_leads_with_the_verdict_and_lists_the_regressed(reports):
    text = (reports.folder / "eval.md").read_text()
    assert text.startswith("## okr-coach eval ❌ quality regression")
    assert "| metric | rules | Δ | llm | Δ |" in text
    # Every row of the metric table has the header's number of cells.
    data_sets = text.split("### Real drafts")[0]
    table = [line for line in data_sets.splitlines() if line.startswith("| ") and "Δ" not in line]
    header_cells = 1 + 2 * 2
    metric_rows = [line for line in table if line.split("|")[1].strip() in ("macro F1", "F1 task")]
    assert metric_rows and all(len(line.strip("|").split("|")) == header_cells for line in metric_rows)
    assert "<details open><summary>Regressed (" in text
    key, target = reports.regressed[0].split(" ")
    assert f"| `{key}` | {target} |" in text
    assert "### Cost" in text and "| llm | reviewer | 40 |" in text
    assert "### Real drafts" in text and "| origin: real | 2 | 4 |" in text
    assert "| metric | rules |\n" in text  # the real drafts: not in the baseline, so no Δ
    assert "| aspiration flagged on non-aspiration objectives (share) |" in text


def test_junit_xml_parses_with_a_real_junit_parser(reports):
    xml = JUnitXml.fromfile(str(reports.folder / "junit.xml"))
    suites = {s.name: s for s in xml}
    assert set(suites) == {"eval.rules.metrics", "eval.rules.examples", "eval.rules.rewrites",
                           "eval.llm.metrics", "eval.llm.examples", "eval.llm.rewrites",
                           "eval.realworld.rules.metrics", "eval.realworld.rules.rewrites"}
    rewrites = {c.name: c for c in suites["eval.rules.rewrites"]}
    assert set(rewrites) == {"dev-d"}  # one case per data set
    assert "flagged KRs" in rewrites["dev-d"].system_out
    assert {c.name for c in suites["eval.realworld.rules.rewrites"]} == {
        "origin real", "origin example", "origin unset"}
    metrics = {c.name: c for c in suites["eval.rules.metrics"]}
    failed = [r for r in metrics["macro_f1"].result if isinstance(r, Failure)]
    assert failed and "drop <= 0.02" in failed[0].message
    assert metrics["f1.task"].is_passed
    examples = suites["eval.rules.examples"]
    assert examples.tests == 40
    failing = {c.name for c in examples if not c.is_passed}
    assert failing == {r.split(" ")[0].split("/")[1] for r in reports.regressed}
    assert xml.failures == sum(s.failures for s in xml) > 0


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.external: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)
        if tag not in ("meta", "line", "rect", "br", "link", "img", "input"):
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in ("line", "rect"):
            return
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()


def test_html_report_is_self_contained_and_well_nested(reports):
    page = _Page()
    page.feed((reports.folder / "eval.html").read_text())
    assert page.external == [] and "script" not in page.tags
    assert page.tags.count("svg") == 5  # one chart per label
    assert page.open == []


def test_every_format_says_the_model_answers_are_the_scripted_stand_in_and_no_dollars(reports):
    """Failed before: the replayed stand-in read like a real model's results at $1.49."""
    note = "the scripted stand-in model's, replayed from evals/recordings/"
    assert "note: The model answers here" in reports.table and "scripted stand-in" in reports.table
    assert "— (stand-in)" in reports.table and "$ · latency" in reports.table
    text = (reports.folder / "eval.md").read_text()
    assert note in text and "model `scripted-model` (scripted stand-in)" in text
    cost_rows = [line for line in text.splitlines() if line.startswith(("| llm | reviewer", "| rules | judge"))]
    assert cost_rows and all(line.split("|")[7].strip() == "— (stand-in)" for line in cost_rows)
    html = unescape((reports.folder / "eval.html").read_text())
    assert 'id="stand-in"' in html and note in html and "replayed: scripted stand-in" in html
    data = json.loads((reports.folder / "eval.json").read_text())
    assert [r["stand_in"] for r in data["runs"]] == [False, True]  # rules: no model (no --judge)
    xml = JUnitXml.fromfile(str(reports.folder / "junit.xml"))
    llm = next(s for s in xml if s.name == "eval.llm.metrics")
    props = {p.name: p.value for p in llm.properties()}
    assert props["stand_in"] == "true" and note in props["note"]
