"""An eval suite as JUnit XML, for CI dashboards.

Per mode two test suites: `eval.<mode>.metrics` with one case per metric
(failed when the gate failed it; fabricated numbers above 0 always fail), and
`eval.<mode>.examples` with one case per example (failed when it regressed
against the baseline; with no baseline, when it has any mismatch). The real
drafts, when run, add `eval.realworld.<mode>.metrics` (their examples are not
listed: a CI dashboard keeps what it is given).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..evals.gate import REALWORLD
from ..evals.report import EvalReport, EvalSuite, MetricMove, ModeComparison


def suite_junit(suite: EvalSuite) -> str:
    root = ET.Element("testsuites", name="okr-coach eval")
    gate = suite.gate
    comparisons = {c.mode: c for c in gate.comparisons} if gate else {}
    for r in suite.runs:
        failures = [f for f in gate.failures if f.mode == r.mode and not f.metric.startswith(REALWORLD)
                    ] if gate else []
        _metrics_suite(root, r, failures)
        _examples_suite(root, r, comparisons.get(r.mode))
    for r in suite.realworld.runs if suite.realworld is not None else []:
        failures = [f.model_copy(update={"metric": f.metric.removeprefix(REALWORLD)})
                    for f in gate.failures if f.mode == r.mode and f.metric.startswith(REALWORLD)
                    ] if gate else []
        _metrics_suite(root, r, failures, "eval.realworld")
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
