"""An eval suite as JUnit XML, for CI dashboards.

Per mode three test suites: `eval.<mode>.metrics` with one case per metric
(failed when the gate failed it; a must-be-0 count above 0 always fails),
`eval.<mode>.examples` with one case per example (failed when it regressed
against the baseline; with no baseline, when it has any mismatch), and
`eval.<mode>.rewrites` with one case per data set (failed when a rewrite breaks
a must-be-0 check or a flagged KR has neither a rewrite nor an ask; the items
are listed). The real drafts, when run, add `eval.realworld.<mode>.metrics` and
`eval.realworld.<mode>.rewrites`, one case per origin (their examples are not
listed, and their items only by id: a CI dashboard keeps what it is given).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..evals.gate import REALWORLD
from ..evals.report import (
    MUST_BE_ZERO,
    STAND_IN_NOTE,
    EvalReport,
    EvalSuite,
    MetricMove,
    ModeComparison,
)
from .eval_rewrites import hard_failures


def suite_junit(suite: EvalSuite) -> str:
    root = ET.Element("testsuites", name="okr-coach eval")
    gate = suite.gate
    comparisons = {c.mode: c for c in gate.comparisons} if gate else {}
    for r in suite.runs:
        failures = [f for f in gate.failures if f.mode == r.mode and not f.metric.startswith(REALWORLD)
                    ] if gate else []
        _metrics_suite(root, r, failures)
        _examples_suite(root, r, comparisons.get(r.mode))
        _rewrites_suite(root, r)
    for r in suite.realworld.runs if suite.realworld is not None else []:
        failures = [f.model_copy(update={"metric": f.metric.removeprefix(REALWORLD)})
                    for f in gate.failures if f.mode == r.mode and f.metric.startswith(REALWORLD)
                    ] if gate else []
        _metrics_suite(root, r, failures, "eval.realworld")
        _rewrites_suite(root, r, "eval.realworld", realworld=True)
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in root)))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in root)))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(root: ET.Element, name: str, seconds: float) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=name, time=f"{seconds:.3f}")


def _close(suite: ET.Element) -> None:
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("errors", "0")
    suite.set("skipped", "0")


def _metrics_suite(root: ET.Element, r: EvalReport, failures: list[MetricMove],
                   prefix: str = "eval") -> None:
    name = f"{prefix}.{r.mode}.metrics"
    suite = _suite(root, name, r.seconds)
    props = ET.SubElement(suite, "properties")
    for key, value in (("rubric_version", r.rubric_version), ("prompt_version", r.prompt_version),
                       ("model", r.model), ("responses", r.responses), ("examples", r.examples)):
        if value is not None:
            ET.SubElement(props, "property", name=key, value=str(value))
    if r.stand_in:  # said where a CI dashboard shows it: not a real model's results
        ET.SubElement(props, "property", name="stand_in", value="true")
        ET.SubElement(props, "property", name="note", value=STAND_IN_NOTE)
    failed = {f.metric: f for f in failures}
    for metric, value in r.metrics().items():
        case = ET.SubElement(suite, "testcase", classname=name, name=metric, time="0")
        ET.SubElement(case, "system-out").text = f"{metric} = {value:.4f}"
        f = failed.get(metric)
        if f is not None:
            base = "none" if f.baseline is None else f"{f.baseline:.4f}"
            failure = ET.SubElement(
                case, "failure", type="QualityRegression",
                message=f"{metric}: {base} -> {f.current:.4f} ({f.allowed})",
            )
            failure.text = "\n".join(f.examples)
        elif metric == "rewrites.fabricated_numbers" and value > 0:
            ET.SubElement(case, "failure", type="FabricatedNumbers",
                          message=f"{int(value)} numbers in rewrites the author never wrote")
        elif metric in MUST_BE_ZERO and value > 0:
            ET.SubElement(case, "failure", type="RewriteCheck",
                          message=f"{metric} = {int(value)}: must be 0")
    if r.stand_in:
        ET.SubElement(suite, "system-out").text = STAND_IN_NOTE
    _close(suite)


def _rewrites_suite(root: ET.Element, r: EvalReport, prefix: str = "eval",
                    realworld: bool = False) -> None:
    """One case per data set (per origin for the real drafts): failed when a rewrite breaks a
    must-be-0 check or a flagged KR got neither a rewrite nor an ask."""
    name = f"{prefix}.{r.mode}.rewrites"
    suite = _suite(root, name, r.seconds)
    if realworld:
        groups = {f"origin {g}": (s.rewrites, lambda e, g=g: (e.origin or "unset") == g)
                  for g, s in r.slices.get("origin", {}).items() if s.rewrites is not None}
    else:
        groups = {stem: (score, lambda e, stem=stem: e.key.split("/")[0] == stem)
                  for stem, score in r.per_dataset.items()}
    for group, (score, member) in groups.items():
        case = ET.SubElement(suite, "testcase", classname=name, name=group, time="0")
        graded = score.grades
        usable = "" if graded is None else (
            f"; usable {graded.usable_share if graded.usable_share is not None else '—'} of "
            f"{graded.graded} graded, {graded.ungraded} ungraded")
        ET.SubElement(case, "system-out").text = (
            f"{score.count} rewrites, {score.asks} asks for {score.flagged} flagged KRs "
            f"(coverage {score.coverage:.4f}); role errors {score.role_errors}, garbled phrases "
            f"{score.garbled_phrases}, empty templates {score.empty_templates}, duplicates "
            f"{score.duplicate_rewrites_in_a_set}, fabricated numbers {score.fabricated_numbers}{usable}")
        broken = hard_failures(score)
        if broken:
            failure = ET.SubElement(case, "failure", type="RewriteCheck", message="; ".join(broken))
            failure.text = "\n".join(
                f"{e.key} {item.target}: {'; '.join(item.defects)}" + ("" if realworld else f": {item.text}")
                for e, item in r.rewrite_items() if member(e) and item.defects)
    _close(suite)


def _examples_suite(root: ET.Element, r: EvalReport, moves: ModeComparison | None) -> None:
    name = f"eval.{r.mode}.examples"
    suite = _suite(root, name, r.seconds)
    regressed: dict[str, list[str]] = {}
    if moves is not None:
        for m in moves.regressed:
            regressed.setdefault(m.key, []).append(
                f"{m.target}: expected {m.expected}, now {m.after}: {m.text}"
            )
    for e in r.per_example:
        case = ET.SubElement(suite, "testcase", classname=f"{name}.{e.key.split('/')[0]}",
                             name=e.id, time="0")
        lines = [f"{m.target}: expected {m.expected}, got {m.predicted}: {m.text}" for m in e.mismatches]
        if lines:
            ET.SubElement(case, "system-out").text = "\n".join(lines)
        if moves is not None and e.key in regressed:
            failure = ET.SubElement(case, "failure", type="ExampleRegressed",
                                    message=f"{len(regressed[e.key])} items regressed")
            failure.text = "\n".join(regressed[e.key])
        elif moves is None and e.mismatches:
            failure = ET.SubElement(case, "failure", type="Mismatch",
                                    message=f"{len(e.mismatches)} items differ from the labels")
            failure.text = "\n".join(lines)
    _close(suite)
