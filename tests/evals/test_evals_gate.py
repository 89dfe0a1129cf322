"""The baseline gate: what fails it, what it names, and its exit codes."""

from __future__ import annotations

import json

from eval_helpers import BASELINE, DATASETS, cli

from coach.cli_eval import EXIT_ERROR, EXIT_OK, EXIT_REGRESSION
from coach.evals.gate import load_baseline


def test_the_committed_baseline_covers_every_data_set_and_mode():
    """Whether the rules still hold it is `pytest evals/` (evals/test_quality.py): a
    rule or label change moves it until the baseline is regenerated on purpose."""
    baseline = load_baseline(BASELINE)
    assert sorted(p.name for p in baseline.dataset_paths(BASELINE)) == sorted(
        p.name for p in DATASETS.glob("*.jsonl"))
    assert all(p.is_file() for p in baseline.dataset_paths(BASELINE))
    assert set(baseline.modes) == {"rules", "llm", "hybrid"}


def test_a_run_holds_a_baseline_made_of_it(tmp_path):
    """The gate's round trip over every committed data set: make a baseline, gate against it."""
    path = tmp_path / "baseline.json"
    files = [f"--dataset={p}" for p in sorted(DATASETS.glob("*.jsonl"))]
    made = cli("eval", *files, "--mode", "rules", "--baseline", str(path), "--update-baseline")
    assert made.exit_code == EXIT_OK, made.output
    result = cli("eval", "--baseline", str(path), "--mode", "rules", "--max-drop", "0.0")
    assert result.exit_code == EXIT_OK, result.output
    assert "gate passed" in result.output and "0 items regressed" in result.output


def test_disabling_a_rule_fails_the_gate_naming_the_label_and_the_examples(tmp_path):
    rubric = tmp_path / "no-missing-target.yaml"
    rubric.write_text("extends: default\nname: no-missing-target\nrules:\n  KR03: {enabled: false}\n")
    result = cli("eval", "--baseline", str(BASELINE), "--mode", "rules", "--rubric", str(rubric),
                 "--format", "json")
    assert result.exit_code == EXIT_REGRESSION
    gate = json.loads(result.stdout)["gate"]
    assert not gate["passed"]
    failed = {f["metric"]: f for f in gate["failures"]}
    assert failed["f1.no_target"]["current"] == 0.0 and failed["f1.no_target"]["baseline"] > 0.8
    # The examples named are the no_target items the baseline got right and this run misses.
    regressed = {f"{m['key']} {m['target']}": m for m in gate["comparisons"][0]["regressed"]}
    named = failed["f1.no_target"]["examples"]
    assert len(named) > 100
    assert all(regressed[n]["expected"] == "no_target" or regressed[n]["after"] == "no_target"
               for n in named)
    assert all(m["before"] == m["expected"] for m in regressed.values())

    # The terminal report says the same in words, with example keys.
    table = cli("eval", "--baseline", str(BASELINE), "--mode", "rules", "--rubric", str(rubric))
    assert table.exit_code == EXIT_REGRESSION
    assert "gate FAILED" in table.output and "rules f1.no_target:" in table.output
    assert named[0] in table.output


def _tmp_baseline(tmp_path, dataset: str = "dev-d.jsonl"):
    from eval_helpers import DATASETS

    path = tmp_path / "baseline.json"
    made = cli("eval", "-d", str(DATASETS / dataset), "--baseline", str(path), "--update-baseline",
               "--format", "json")
    assert made.exit_code == EXIT_OK, made.output
    return path


def test_max_drop_is_the_allowed_fall(tmp_path):
    path = _tmp_baseline(tmp_path)
    data = json.loads(path.read_text())
    data["modes"]["rules"]["metrics"]["macro_f1"] += 0.01  # pretend the baseline was better
    path.write_text(json.dumps(data))
    assert cli("eval", "--baseline", str(path), "--max-drop", "0.02").exit_code == EXIT_OK
    tight = cli("eval", "--baseline", str(path), "--max-drop", "0.005")
    assert tight.exit_code == EXIT_REGRESSION
    assert "rules macro_f1:" in tight.output and "drop <= 0.005" in tight.output


def test_absolute_floor_from_the_gate_config(tmp_path):
    path = _tmp_baseline(tmp_path)
    (tmp_path / "gates.yaml").write_text("floors:\n  rules:\n    macro_f1: 0.99\n")
    result = cli("eval", "--baseline", str(path))
    assert result.exit_code == EXIT_REGRESSION
    assert "floor 0.99" in result.output


def test_a_baseline_of_other_datasets_is_an_error_not_a_pass(tmp_path):
    from eval_helpers import DATASETS

    path = _tmp_baseline(tmp_path)
    result = cli("eval", "--baseline", str(path), "-d", str(DATASETS / "dev-c.jsonl"))
    assert result.exit_code == EXIT_ERROR
    assert "was made on dev-d.jsonl" in result.output


def test_missing_baseline_is_an_error(tmp_path):
    result = cli("eval", "--baseline", str(tmp_path / "nope.json"))
    assert result.exit_code == EXIT_ERROR
    assert "baseline not found" in result.output


def test_update_baseline_onto_new_datasets_rewrites_it_instead_of_refusing(tmp_path):
    from eval_helpers import DATASETS

    path = _tmp_baseline(tmp_path)
    refused = cli("eval", "-d", str(DATASETS / "dev-c.jsonl"), "--baseline", str(path))
    assert refused.exit_code == EXIT_ERROR and "--update-baseline" in refused.output
    moved = cli("eval", "-d", str(DATASETS / "dev-c.jsonl"), "--baseline", str(path), "--update-baseline")
    assert moved.exit_code == EXIT_OK, moved.output
    assert "new datasets, so the run is not gated" in moved.output
    data = json.loads(path.read_text())
    assert [d.rsplit("/", 1)[-1] for d in data["datasets"]] == ["dev-c.jsonl"]
    assert cli("eval", "--baseline", str(path)).exit_code == EXIT_OK


def test_update_baseline_records_the_run_and_the_mismatches(tmp_path):
    path = _tmp_baseline(tmp_path)
    data = json.loads(path.read_text())
    assert len(data["datasets"]) == 1 and data["datasets"][0].endswith("dev-d.jsonl")
    rules = data["modes"]["rules"]
    assert rules["examples"] == 40 and 0 < rules["metrics"]["macro_f1"] <= 1
    for items in rules["mismatches"].values():
        for miss in items.values():
            assert miss["expected"] != miss["predicted"]
