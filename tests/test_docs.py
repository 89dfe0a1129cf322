"""Every rule's doc is generated from the rubric under the fixed headings."""

import pytest

from coach.docs import HEADINGS, rule_doc
from coach.rubric import load_rubric

RULES = list(load_rubric().rules.values())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_doc_has_every_heading_in_order_with_content(rule):
    doc = rule_doc(rule)
    assert doc.startswith(f"# {rule.id} {rule.name}")
    positions = [doc.index(f"## {h}\n") for h in HEADINGS]
    assert positions == sorted(positions), "headings out of order"
    sections = doc.split("\n## ")[1:]
    assert all(len(s.split("\n", 1)[1].strip()) > 10 for s in sections), "an empty section"
    for example in rule.examples.flagged:
        assert example.strip().splitlines()[0] in doc


def test_disabled_rules_say_so(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("rules:\n  KR05: {enabled: false}\n")
    assert "(disabled in this rubric)" in rule_doc(load_rubric(path).rule("KR05"))
