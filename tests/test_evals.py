import json
from pathlib import Path

import pytest

from coach.datasets import load_dataset
from coach.errors import DatasetError
from coach.evals import run_eval

DATASETS = sorted((Path(__file__).resolve().parent.parent / "evals" / "datasets").glob("*.jsonl"))
SPLITS = {p.stem: p for p in DATASETS}


def test_the_labeled_data_meets_its_brief():
    examples = [e for p in DATASETS for e in load_dataset(p)]
    objectives = [o for e in examples for o in e.objectives]
    krs = [k for o in objectives for k in o.key_results]
    assert len(examples) >= 100 and len(krs) >= 400
    counts = {
        label: sum(label in k.labels for k in krs)
        for label in ("task", "no_metric", "no_target", "no_baseline")
    }
    counts["aspiration"] = sum("aspiration" in o.labels for o in objectives)
    assert min(counts.values()) >= 40, counts
    assert 0.15 <= sum(not k.labels for k in krs) / len(krs) <= 0.35
    flagged = [k for k in krs if k.labels]
    assert sum(bool(k.reference_rewrite) for k in flagged) >= len(flagged) / 3
    assert {"dev", "test"} <= set(SPLITS)


@pytest.mark.parametrize("path", DATASETS, ids=lambda p: p.stem)
def test_rewrites_are_valid_and_never_fabricate(path):
    report = run_eval([path])
    assert report.rewrites.fabricated_numbers == 0
    assert report.rewrites.validity >= 0.95
    # Every flagged KR gets a rewrite or, when the coach would be guessing, an ask.
    assert report.rewrites.coverage == 1.0


def test_held_out_test_split_quality_floor():
    """The acceptance bar of the offline coach on the split it was not tuned on."""
    report = run_eval([SPLITS["test"]])
    assert report.macro_f1 >= 0.85, report.per_label
    assert min(s.f1 for s in report.per_label.values()) >= 0.75, report.per_label


def test_report_json_has_the_documented_shape():
    data = json.loads(run_eval([SPLITS["dev"]]).model_dump_json())
    assert {"macro_f1", "micro_f1", "per_label", "rewrites", "confusion", "per_example"} <= set(
        data
    )
    for label in ("aspiration", "task", "no_metric", "no_target", "no_baseline"):
        assert {"precision", "recall", "f1", "support"} <= set(data["per_label"][label])
    assert {"count", "validity", "fabricated_numbers", "placeholder_share"} <= set(data["rewrites"])


def test_a_perfect_reviewer_scores_one(tmp_path):
    line = {
        "id": "x",
        "objectives": [
            {
                "text": "Delight our customers",
                "labels": ["aspiration"],
                "key_results": [
                    {"text": "Launch new customer portal", "labels": ["task"]},
                    {"text": "Increase NPS from 32 to 50", "labels": []},
                    {"text": "Increase NPS to 50", "labels": ["no_baseline"]},
                ],
            }
        ],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line) + "\n")
    report = run_eval([path])
    assert report.per_label["task"].f1 == 1.0 and report.per_label["aspiration"].f1 == 1.0
    assert report.per_example[0].correct


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"id": "a", "objectives": [}\n', ":1: not valid JSON"),
        ('{"id": "a"}\n', "objectives"),
        (
            '{"id": "a", "objectives": [{"text": "x", "key_results": [{"text": "y", "labels": ["bogus"]}]}]}\n',
            "labels",
        ),
        ("", "no examples"),
    ],
)
def test_bad_dataset_files(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)
