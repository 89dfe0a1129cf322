"""`okr-coach batch` as a user runs it: a real process, real files, exit codes, no traceback."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "coach", "batch", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def four_reports(
    team_csv: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("reports")
    proc = run_cli(
        str(team_csv), "-o", "r.html", "-o", "r.md", "-o", "r.csv", "-o", "r.json", cwd=out
    )
    return out, proc


def test_200_owner_csv_gives_all_four_formats(four_reports, team_csv: Path):
    out, proc = four_reports
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "200 OKR sets from 1 file(s)" in proc.stderr and "reviewing rules-only" in proc.stderr
    assert "200 sets reviewed, 0 failed" in proc.stderr
    with team_csv.open() as f:
        rows = list(csv.DictReader(f))
    owners = {r["Owner"] for r in rows}
    assert len(owners) == 200

    data = json.loads((out / "r.json").read_text())
    s = data["summary"]
    assert (s["sets"], s["reviewed"], s["failed"]) == (200, 200, 0)
    assert s["key_results"] == len(rows)
    assert s["reviewer"] == "rules-only"
    assert {e["owner"] for e in data["sets"]} == owners
    assert all(e["status"] == "done" and e["review"]["findings"] is not None for e in data["sets"])
    assert s["problems"][0]["example"]["text"] in {r["Key Result"] for r in rows} | {
        r["Objective"] for r in rows
    }
    assert s["duplicates"] and all(g["owners"] >= 2 for g in s["duplicates"])
    assert data["inputs"][0]["sets"] == 200

    with (out / "r.csv").open() as f:
        kr_rows = list(csv.DictReader(f))
    assert len(kr_rows) == len(rows)  # one row per KR
    assert {r["key_result"] for r in kr_rows} == {r["Key Result"] for r in rows}
    tasks = [r for r in kr_rows if "task" in r["labels"].split()]
    assert tasks and all(r["outcome"] == "no" for r in tasks)
    # Every flagged KR has a rewrite or, when the coach would be guessing, needs the owner's
    # input: its questions instead, and never a template in the rewrite column.
    flagged = [r for r in kr_rows if r["labels"]]
    for r in flagged:
        assert r["suggestion"] in ("rewrite", "needs your input"), r
        if r["suggestion"] == "rewrite":
            assert r["rewrite"] and not r["candidates"], r
        else:
            assert not r["rewrite"] and r["questions"], r
    assert all(not r["suggestion"] for r in kr_rows if not r["labels"] and not r["rules"])
    kinds = {r["suggestion"] for r in tasks}
    assert kinds == {"rewrite", "needs your input"}, kinds  # the sample has both kinds of task
    # The summary counts them apart, and together they cover every flagged KR.
    assert s["rewrites"] == sum(r["suggestion"] == "rewrite" for r in kr_rows)
    assert s["asks"] == sum(r["suggestion"] == "needs your input" for r in kr_rows)
    assert s["rewrites"] + s["asks"] == len(flagged) and s["asks"] > 0
    assert all(r["row"].isdigit() for r in kr_rows)

    md = (out / "r.md").read_text()
    for heading in ("## Team summary", "## Most common problems", "## Who needs the most help",
                    "## Near-duplicate key results across owners", "## Per team", "## Per owner"):  # fmt: skip
        assert heading in md
    assert (
        len(
            re.findall(
                r"^### .+ · (Sales|Support|Engineering|Marketing|People|Finance|Operations)$",
                md,
                re.M,
            )
        )
        == 200
    )

    assert f"| {s['rewrites']} | {s['asks']} | 0 |" in md  # team summary: rewrites, needs your input
    assert md.count("*Needs your input:*") >= s["asks"]

    html = (out / "r.html").read_text()
    assert html.count('<section class="owner"') == 200
    assert f'<b>{s["rewrites"]}</b> rewrites' in html and f'<b id="asks">{s["asks"]}</b>' in html
    assert html.count('<p class="ask"><strong>Needs your input:</strong>') == s["asks"]
    assert html.count(", needs your input: ") == 200  # each owner's count
    assert '<svg id="chart-team-findings"' in html and '<svg id="chart-owner-outcomes"' in html
    # Self-contained: nothing fetched from anywhere.
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<script" not in html


def test_report_to_stdout_in_the_chosen_format(team_csv: Path, tmp_path: Path):
    proc = run_cli(
        str(team_csv), "--format", "json", cwd=tmp_path, env={"OKR_COACH_BATCH_WORKERS": "1"}
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["sets"] == 200


def test_bad_input_exits_2_with_one_line_per_problem_and_no_traceback(tmp_path: Path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04junk")
    proc = run_cli("empty.csv", "junk.xlsx", "missing.csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "not used: empty.csv: the file is empty" in proc.stderr
    assert "not used: junk.xlsx: not a readable XLSX workbook" in proc.stderr
    assert "not used: missing.csv: no such file" in proc.stderr
    assert "error: no OKR set to review" in proc.stderr

    proc = run_cli("empty.csv", "-o", "report.pdf", cwd=tmp_path)
    assert proc.returncode == 2 and "cannot tell the format" in proc.stderr

    proc = run_cli("empty.csv", "--rubric", "no-such-rubric", cwd=tmp_path)
    assert (
        proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.startswith("error:")
    )


def test_a_50_mb_file_reports_what_was_used_and_what_was_not(tmp_path: Path):
    good = "".join(
        f"Ops,Owner {i},Cut cost per order,Reduce cost per order from ${i + 9} to $8\n"
        for i in range(30)
    )
    with (tmp_path / "huge.csv").open("w") as f:
        f.write("team,owner,objective,key_result\n" + good)
        f.write("Ops,Zed,Cut cost per order,")
        f.write("pasted by mistake " * (50 * 1024 * 1024 // 18))
        f.write("\nOps,Zed,Cut cost per order,Reduce returns from 4% to 2%\n")
    assert (tmp_path / "huge.csv").stat().st_size > 50 * 1024 * 1024
    proc = run_cli("huge.csv", "-o", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "31 OKR sets" in proc.stderr and "1 row or item not used" in proc.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    (skipped,) = data["inputs"][0]["skipped"]
    assert skipped["where"] == "line 32"
    assert "over the limit of 2,000; not used" in skipped["reason"]
    assert data["summary"]["sets"] == 31


def test_no_out_writes_a_report_file_and_prints_its_path_and_a_summary(tmp_path: Path):
    (tmp_path / "team.csv").write_text(
        "team,owner,objective,key_result\nSales,Ana,Grow revenue,Launch new pricing page\n"
        "CS,Bo,Keep customers,Churn from 5% to 3%\n",
        encoding="utf-8",
    )
    proc = run_cli("team.csv", cwd=tmp_path, env={"OKR_COACH_BATCH_WORKERS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # no HTML on the terminal
    assert "wrote team-report.html (html)" in proc.stderr
    assert "2 key results from 2 authors" in proc.stderr
    assert "task-as-key-result (KR01): 1 in 1 set" in proc.stderr
    assert (tmp_path / "team-report.html").read_text().startswith("<!doctype html>")
    proc = run_cli("team.csv", "--out", "-", cwd=tmp_path, env={"OKR_COACH_BATCH_WORKERS": "1"})
    assert proc.returncode == 0 and proc.stdout.startswith("<!doctype html>")


def test_columns_a_file_needs_are_named_on_the_command_line(tmp_path: Path):
    (tmp_path / "ziele.csv").write_text(
        "Ziel;Messgröße;Wer\nUmsatz steigern;ARR von 1M auf 2M;Ana\n", encoding="utf-8"
    )
    proc = run_cli("ziele.csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert "columns found: Ziel, Messgröße, Wer" in proc.stderr
    assert "--columns objective=COLUMN,key_result=COLUMN" in proc.stderr
    proc = run_cli(
        "ziele.csv", "--columns", 'objective=Ziel,key_result="Messgröße",owner=Wer',
        "--format", "json", cwd=tmp_path, env={"OKR_COACH_BATCH_WORKERS": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert [o["owner"] for o in json.loads(proc.stdout)["summary"]["owners"]] == ["Ana"]
    proc = run_cli("ziele.csv", "--columns", "goal=Ziel", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: columns: unknown column role 'goal'; use objective, key_result, team, owner"
    )
