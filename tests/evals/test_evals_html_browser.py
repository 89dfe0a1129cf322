"""The HTML eval report in a real browser (Playwright driving Debian's chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: run scripts/install-browser.sh to install Debian's chromium",
        allow_module_level=True,
    )

from playwright.sync_api import expect, sync_playwright  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_the_html_report_shows_the_verdict_charts_and_regressions(reports, tmp_path):
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto((reports.folder / "eval.html").as_uri())

            expect(page.locator("#verdict")).to_contain_text("Gate failed")
            expect(page.locator("#failures li").first).to_contain_text("macro_f1")
            # One chart per label, each drawn: bars for precision, recall and F1 of both modes.
            charts = page.locator("figure.chart svg")
            expect(charts).to_have_count(5)
            task = page.locator("#chart-task svg")
            expect(task).to_be_visible()
            assert task.locator("rect").count() == 3 * 2
            assert task.locator("line.base").count() == 2  # the baseline's F1 per mode
            box = task.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 150
            # The regressed examples are open, with the item that moved.
            regressed = page.locator("#rules-regressed")
            expect(regressed).to_have_attribute("open", "")
            key, target = reports.regressed[0].split(" ")
            expect(regressed.locator("tr", has_text=key).first).to_contain_text(target)
            expect(page.locator("#cost")).to_contain_text("reviewer")
            page.screenshot(path=str(reports.folder / "eval.png"), full_page=True)
            assert problems == []
            assert [u for u in requests if not u.startswith("file:")] == []
        finally:
            context.close()
