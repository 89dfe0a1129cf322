"""rubrics/ and prompts/ must ship inside a non-editable install."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_rubrics_and_prompts_and_works_from_them(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        check=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("okr_coach-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "coach/_data/rubrics/default/rubric.yaml" in names
    assert "coach/_data/rubrics/default/lexicon.yaml" in names
    assert "coach/_data/rubrics/default/quantities.yaml" in names  # the number reader's words, read at import
    assert "coach/_data/prompts/README.md" in names
    assert any(n.startswith("coach/_data/rubrics/default/rules/KR01") for n in names)

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    out = subprocess.run(
        [sys.executable, "-c", "import coach.resources as r, coach; print(r.rubrics_dir()); print(coach.review('Objective: Grow\\nKR: Launch portal').summary.score)"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    assert out[0].startswith(str(site / "coach" / "_data")), out
    assert 0 <= int(out[1]) <= 100
