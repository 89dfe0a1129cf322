"""scripts/relabel_audit.py and its decisions: every recorded relabel is in the data sets,
and applying one changes labels only."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys

import pytest
from eval_helpers import DATASETS, ROOT

SCRIPT = ROOT / "scripts" / "relabel_audit.py"
DECISIONS = ROOT / "scripts" / "relabel_decisions.tsv"


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("relabel_audit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_every_recorded_decision_is_applied_to_the_data_sets(audit, tmp_path):
    decisions = audit.read_decisions(DECISIONS)
    assert decisions and {d.rule for d in decisions} <= set(audit.RULES)
    labels = {it.key: it.label for it in audit.items()}
    assert {d.key: d.new for d in decisions} == {d.key: labels[d.key] for d in decisions}
    copy = tmp_path / "datasets"
    shutil.copytree(DATASETS, copy)
    assert audit.apply(decisions, copy) == 0  # nothing left to change


def test_apply_changes_the_label_and_nothing_else(audit, tmp_path):
    copy = tmp_path / "datasets"
    shutil.copytree(DATASETS, copy)
    first = json.loads((copy / "dev-d.jsonl").read_text().splitlines()[0])
    key = f"dev-d/{first['id']}/O1"
    old = "aspiration" if first["objectives"][0]["labels"] else "none"
    new = "none" if old == "aspiration" else "aspiration"
    before = (copy / "dev-d.jsonl").read_text()
    assert audit.apply([audit.Decision(key, old, new, "objective-direction")], copy) == 1
    after = (copy / "dev-d.jsonl").read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 1
    a, b = (json.loads(x) for x in changed[0])
    b["objectives"][0]["labels"] = a["objectives"][0]["labels"]
    assert a == b  # only that label moved
    with pytest.raises(SystemExit, match="the decision says it was"):
        audit.apply([audit.Decision(f"dev-d/{first['id']}/O1.KR1", "no_metric", "task",
                                    "kr-learning")], copy)


def test_candidates_are_listed_per_rule(audit, capsys):
    assert audit.main(["--rule", "kr-maintain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## kr-maintain: keeping a level is no_baseline")
