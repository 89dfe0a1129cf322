"""Recorded model answers: replay, staleness after a prompt change, re-recording
against the tests' local scripted server."""

from __future__ import annotations

import json

from eval_helpers import DATASETS, cli

from coach.cli_eval import EXIT_OK, EXIT_STALE
from coach.evals.recordings import Header, model_dir

STALE = "changed: re-record with `okr-coach eval --record` and a key"


def _llm_baseline(tmp_path, recordings) -> str:
    """A baseline of dev-d in llm and hybrid mode, replayed from the committed recordings."""
    path = str(tmp_path / "baseline.json")
    made = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), "--mode", "llm", "--mode", "hybrid",
               "--recordings", str(recordings), "--baseline", path, "--update-baseline")
    assert made.exit_code == EXIT_OK, made.output
    return path


def _one_word(folder, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_changed_prompt_word_fails_as_stale_until_re_recorded(
    tmp_path, prompts_copy, recordings_copy, scripted_model
):
    baseline = _llm_baseline(tmp_path, recordings_copy)
    assert cli("eval", "--baseline", baseline, "--recordings", str(recordings_copy)).exit_code == EXIT_OK

    _one_word(prompts_copy, "review_system.j2", "experienced OKR coach", "seasoned OKR coach")
    stale = cli("eval", "--baseline", baseline, "--recordings", str(recordings_copy))
    assert stale.exit_code == EXIT_STALE
    assert f"prompt review_system.j2 {STALE}" in stale.output

    # Re-record against the local scripted server (the settings point at it), then replay.
    before = {p.name for p in model_dir(recordings_copy, "scripted-model").glob("*.jsonl")}
    recorded = cli("eval", "--baseline", baseline, "--recordings", str(recordings_copy), "--record")
    assert recorded.exit_code == EXIT_OK, recorded.output
    assert len(scripted_model.requests) == 80  # one live review call per dev-d example and mode
    files = list(model_dir(recordings_copy, "scripted-model").glob("*.jsonl"))
    assert len(files) == 1 and files[0].name not in before  # the stale version is gone
    header = Header.model_validate_json(files[0].read_text().splitlines()[0])
    assert header.model == "scripted-model" and header.endpoint == "a local endpoint on loopback"

    replayed = cli("eval", "--baseline", baseline, "--recordings", str(recordings_copy), "-f", "json")
    assert replayed.exit_code == EXIT_OK, replayed.output
    runs = json.loads(replayed.stdout)["runs"]
    assert [r["responses"] for r in runs] == ["replayed", "replayed"]
    assert all(r["cost"]["reviewer"]["calls"] == 40 for r in runs)


def test_a_changed_judge_prompt_names_the_judge(tmp_path, prompts_copy, recordings_copy):
    _one_word(prompts_copy, "judge.j2", "strict reviewer", "careful reviewer")
    stale = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), "--mode", "rules", "--judge",
                "--recordings", str(recordings_copy))
    assert stale.exit_code == EXIT_STALE
    assert f"prompt judge.j2 {STALE}" in stale.output


def test_an_edited_example_has_no_recorded_answer(tmp_path, recordings_copy):
    lines = (DATASETS / "dev-d.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    first["objectives"][0]["key_results"][0]["text"] += " this quarter"
    edited = tmp_path / "dev-d.jsonl"
    edited.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    stale = cli("eval", "-d", str(edited), "--mode", "llm", "--recordings", str(recordings_copy))
    assert stale.exit_code == EXIT_STALE
    assert f"example dev-d/{first['id']}" in stale.output and "request differs" in stale.output


def test_no_recordings_at_all(tmp_path):
    stale = cli("eval", "-d", str(DATASETS / "dev-d.jsonl"), "--mode", "hybrid",
                "--recordings", str(tmp_path / "empty"))
    assert stale.exit_code == EXIT_STALE
    assert "--record" in stale.output


def test_replayed_answers_reach_the_review(recordings_copy):
    """Replay is the real LLM path: the recorded verdicts are merged and costed."""
    from coach.evals import run_eval
    from coach.evals.recordings import ReplaySource
    from coach.rubric import load_rubric

    rb = load_rubric()
    report = run_eval([DATASETS / "dev-d.jsonl"], mode="llm", rubric=rb,
                      responses=ReplaySource(recordings_copy, rb), judge=True)
    assert report.prompt_version and report.model == "scripted-model"
    assert set(report.llm_status) <= {"used"} or all(s.startswith("used") for s in report.llm_status)
    assert report.cost.reviewer.calls == 40 and report.cost.reviewer.prompt_tokens > 0
    assert report.cost.judge.calls == report.rewrites.judge.count == report.rewrites.count
    assert 0 < report.rewrites.judge.mean_score <= 1
