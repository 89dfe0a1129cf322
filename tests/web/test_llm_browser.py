"""The web form with a model configured, in a real browser: Playwright driving Debian's
chromium against a real server whose model is the tests' scripted OpenAI-compatible server.

Skipped without /usr/bin/chromium (scripts/install-browser.sh installs it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: run scripts/install-browser.sh", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "llm"))

from playwright.sync_api import expect, sync_playwright  # noqa: E402
from scripted_reviewer import INVENTED_BASELINE  # noqa: E402
from scripted_server import Reply, ScriptedServer  # noqa: E402
from test_llm_web import lenient_on_baselines  # noqa: E402

DRAFT = """Objective: Delight our customers
KR: Launch new customer portal
KR: Increase NPS to 50
KR: Reduce first response time from 9 hours to 4 hours
"""


def test_hybrid_review_in_the_browser_shows_who_flagged_what(start_server, tmp_path):
    with ScriptedServer(default=Reply.ok(lenient_on_baselines)) as model, start_server(
        tmp_path / "data",
        OKR_COACH_LLM_BASE_URL=model.base_url,
        OKR_COACH_LLM_MODEL="scripted-model",
        OKR_COACH_LLM_API_KEY="sk-test-not-a-key",
    ) as server, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            headless=True,
            viewport={"width": 390, "height": 844},  # a phone: the badges must wrap, not overflow
        )
        page = context.new_page()
        page.goto(server.base_url + "/")
        expect(page.get_by_role("radio", name="Hybrid rules + LLM judgment")).to_be_checked()
        page.get_by_label("Your draft OKRs").fill(DRAFT)
        page.get_by_role("button", name="Review my OKRs").click()
        page.wait_for_url("**/reviews/*")

        expect(page.locator("#provenance")).to_contain_text("Hybrid review with scripted-model")
        expect(page.locator("#usage")).to_contain_text("1 call")
        task = page.locator("#o1-kr1")
        expect(task.locator(".source")).to_have_text("rules + model 0.85")
        expect(task.locator(".model-reason")).to_contain_text("Model:")
        disagreements = page.get_by_role("region", name="Where the rules and the model disagree")
        expect(disagreements).to_contain_text("rules say no_baseline, model says fine")
        rewrite = page.locator("#o1-kr2 .rewrite-text")
        expect(rewrite).to_have_text("Increase NPS from [baseline] to 50")
        assert INVENTED_BASELINE not in page.locator("#improved").inner_text()
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, "the page scrolls sideways on a phone"
        context.close()
    assert len(model.requests) == 1
