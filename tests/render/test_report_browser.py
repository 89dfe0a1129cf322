"""A downloaded batch report opened in a real browser from `file://` (issue 11, defect 6).

Served, the report has a Content-Security-Policy; saved to disk (`okr-coach
batch ... --out r.html`, or the Download button) it has none, so the HTML itself
must carry no script, no event handler and no meta refresh, whatever the
input said. The report is written by the CLI in its own process from a CSV
whose every cell is hostile, then opened in Debian's chromium with JavaScript on.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hostile import HOSTILE, MARK

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: run scripts/install-browser.sh to install Debian's chromium",
        allow_module_level=True,
    )

from playwright.sync_api import sync_playwright  # noqa: E402

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing leaves the machine, whatever the page asks
]


def _write_report(tmp_path: Path) -> Path:
    source = tmp_path / "team.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["team", "owner", "objective", "key_result"])
        w.writerow([HOSTILE, HOSTILE, "Delight our customers " + HOSTILE, "Launch new customer portal " + HOSTILE])
        w.writerow([HOSTILE, HOSTILE, "", "Increase NPS to 50 " + HOSTILE])
    out = tmp_path / "r.html"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
    env["OKR_COACH_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "coach", "batch", str(source), "--out", str(out), "--title", HOSTILE,
         "--mode", "rules", "--workers", "1"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_a_downloaded_report_runs_no_script_and_does_not_navigate(tmp_path):
    report = _write_report(tmp_path)
    url = report.as_uri()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        try:
            page = context.new_page()
            navigations: list[str] = []
            page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
            page.goto(url, wait_until="load")  # inline scripts and image errors have all run by "load"
            # Nothing that could run or navigate is in the document at all ...
            found = page.evaluate(
                """() => ({
                    scripts: document.scripts.length,
                    handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
                    refresh: document.querySelectorAll('meta[http-equiv]').length,
                    images: document.images.length,
                    js_links: [...document.links].filter(a => a.protocol === 'javascript:').length,
                })"""
            )
            assert found == {"scripts": 0, "handlers": 0, "refresh": 0, "images": 0, "js_links": 0}
            # ... nothing ran ...
            assert page.evaluate(f"window.__{MARK}") is None
            # ... the page did not move ...
            assert page.url == url and navigations == [url]
            # ... and the hostile text is there, as text.
            assert page.title().startswith('"><script>window.__pwned=1</script>')
            assert page.get_by_text("<script>window.__pwned=1</script>", exact=False).count() > 0
        finally:
            context.close()
