"""Batch review in a real browser (Playwright driving Debian's chromium): upload the
200-owner spreadsheet on the page, watch it finish, open the report: its charts render,
every owner has a section, it prints, and the downloads work."""

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

from coach.batch.sample import write_sample_csv  # noqa: E402

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def team_csv(tmp_path: Path) -> Path:
    return write_sample_csv(tmp_path / "team-okrs.csv", 200)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-batch")),
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        yield context
        context.close()


def test_upload_watch_and_read_the_report(browser, live_server, team_csv: Path, tmp_path: Path):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    page.goto(live_server.base_url + "/")
    page.get_by_role("link", name="Batch review").click()
    expect(page.get_by_role("heading", name="Review a team’s OKRs at once")).to_be_visible()
    page.get_by_label("Files").set_input_files(str(team_csv))
    page.get_by_label("Report title").fill("Q3 OKRs, all teams")
    page.get_by_role("button", name="Review the batch").click()
    page.wait_for_url("**/batches/*")
    # The page refreshes itself until the batch is done (no script needed).
    expect(page.get_by_role("heading", name="Done")).to_be_visible(timeout=60_000)
    expect(page.locator("#batch-counts")).to_have_text("200 reviewed · 0 failed · 0 to go")

    with page.expect_download() as dl:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "report.csv"
    dl.value.save_as(saved)
    assert saved.read_text().startswith("team,owner,source,set_status")

    page.get_by_role("link", name="Open the report").click()
    page.wait_for_url("**/report")
    expect(page.get_by_role("heading", name="Q3 OKRs, all teams", level=1)).to_be_visible()
    expect(page.locator("#reviewer")).to_have_text("rules-only")

    # Both charts render: visible, laid out at full width, one bar per team / owner.
    for chart_id, bars in (("chart-team-findings", 7), ("chart-owner-outcomes", 40)):
        svg = page.locator(f"svg#{chart_id}")
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 500 and box["height"] > 100, (chart_id, box)
        assert svg.locator("g.bar").count() == bars
        first_rect = svg.locator("g.bar rect").first.bounding_box()
        assert first_rect is not None and first_rect["width"] > 0
    # Every owner has a section; the ranking links to them.
    assert page.locator("section.owner").count() == 200
    first = page.locator("#ranking tbody tr").first.get_by_role("link")
    name = first.inner_text()
    first.click()
    target = page.locator("section.owner:target")
    expect(target).to_be_in_viewport()
    expect(target.locator("h3")).to_contain_text(name)
    page.screenshot(path=str(tmp_path / "report.png"))

    # On paper the charts are still there, in colour.
    page.emulate_media(media="print")
    expect(page.locator("svg#chart-team-findings")).to_be_visible()
    pdf = page.pdf(path=str(tmp_path / "report.pdf"))
    assert pdf[:4] == b"%PDF" and len(pdf) > 50_000
    page.close()
    assert problems == []


def test_a_google_forms_export_and_a_file_that_needs_its_columns_named(
    browser, live_server, tmp_path: Path
):
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    forms = tmp_path / "Q3 OKRs (Responses).csv"
    forms.write_text(
        "Timestamp,Your name,Your team,Objective (O),Key Result (KR)\n"
        "2025/01/02 10:00:00,Ana,Sales,Grow revenue,ARR from 1M to 2M\n"
        "2025/01/02 10:05:00,Bo,CS,Keep our customers,Churn from 5% to 3%\n",
        encoding="utf-8",
    )
    page.goto(live_server.base_url + "/batches")
    page.get_by_label("Files").set_input_files(str(forms))
    page.get_by_role("button", name="Review the batch").click()
    page.wait_for_url("**/batches/*")
    expect(page.get_by_role("heading", name="Done")).to_be_visible(timeout=30_000)
    expect(page.locator("#batch-counts")).to_have_text("2 reviewed · 0 failed · 0 to go")

    german = tmp_path / "ziele.csv"
    german.write_text(
        "Ziel;Messgröße;Wer\nUmsatz steigern;ARR von 1M auf 2M;Ana\nKunden halten;Churn senken;Bo\n",
        encoding="utf-8",
    )
    page.goto(live_server.base_url + "/batches")
    page.get_by_label("Files").set_input_files(str(german))
    page.get_by_label("Report title").fill("Ziele Q3")
    page.get_by_role("button", name="Review the batch").click()
    expect(page.get_by_role("heading", name="Which column is which?")).to_be_visible()
    page.screenshot(path=str(tmp_path / "mapping.png"), full_page=True)
    page.get_by_label("Objective").select_option("Ziel")
    page.get_by_label("Key result").select_option("Messgröße")
    page.get_by_label("Owner (one set per owner)").select_option("Wer")
    page.get_by_role("button", name="Review with these columns").click()
    page.wait_for_url("**/batches/*")
    expect(page.get_by_role("heading", name="Ziele Q3")).to_be_visible()
    expect(page.get_by_role("heading", name="Done")).to_be_visible(timeout=30_000)
    expect(page.locator("#batch-counts")).to_have_text("2 reviewed · 0 failed · 0 to go")
    page.close()
    assert problems == []


def test_the_team_report_on_a_phone(browser, live_server, team_csv: Path):
    """Failed before: at 390 px the report was 1,004 px wide, with no way back to the app."""
    c = live_server.client()
    r = c.post("/v1/batches", files=[("file", ("team.csv", team_csv.read_bytes(), "text/csv"))])
    assert r.status_code in (200, 202), r.text
    batch = r.json()["id"]
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.base_url}/batches/{batch}")
    expect(page.get_by_role("heading", name="Done")).to_be_visible(timeout=60_000)
    page.goto(f"{live_server.base_url}/batches/{batch}/report")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Tables are stacked cards: each cell says its column.
    first = page.locator("#ranking-table tbody tr").first
    expect(first.locator('td[data-label="owner"]')).to_be_visible()
    assert first.evaluate("e => getComputedStyle(e).display") == "block"
    # No build id or rubric hash, no label said twice; the app's header and a way back.
    text = page.locator("body").inner_text()
    assert batch not in text and "default@" not in text and "(aspiration)" not in text
    page.get_by_role("link", name="← Back to the batch").click()
    page.wait_for_url(f"**/batches/{batch}")
    page.close()


def test_an_owner_page_to_send_back_has_no_other_name(browser, live_server, tmp_path: Path):
    team = tmp_path / "team.csv"
    team.write_text(
        "team,owner,objective,key_result\n"
        "Sales,Ana Lima,Delight our customers,Launch new customer portal\n"
        "Sales,Ana Lima,,Increase NPS to 50\n"
        "Support,Ben Okafor,Make support the reason customers stay,Hold 4 workshops\n"
        "Support,Chloé Martin,Cut handling time,Average handling time from 9 to 6 minutes\n",
        encoding="utf-8",
    )
    page = browser.new_page()
    page.goto(live_server.base_url + "/batches")
    page.get_by_label("Files").set_input_files(str(team))
    page.get_by_role("button", name="Review the batch").click()
    expect(page.get_by_role("heading", name="Done")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Open the report").click()
    page.get_by_role("link", name="Ana Lima’s page to send back").click()
    expect(page.get_by_role("heading", name="OKR feedback for Ana Lima")).to_be_visible()
    text = page.locator("body").inner_text()
    assert "Launch new customer portal" in text
    for other in ("Ben Okafor", "Chloé Martin", "Hold 4 workshops", "Who needs the most help"):
        assert other not in text
    page.get_by_role("button", name="Make a share link").click()
    link = page.locator("#share-link").input_value()
    page.screenshot(path=str(tmp_path / "owner.png"), full_page=True)
    # The link, in a browser with no session: the same page, nothing else.
    other = browser.browser.new_context() if browser.browser else None
    viewer = other.new_page() if other else browser.new_page()
    viewer.goto(link)
    expect(viewer.get_by_role("heading", name="OKR feedback for Ana Lima")).to_be_visible()
    assert "Ben Okafor" not in viewer.locator("body").inner_text()
    expect(viewer.get_by_role("button", name="Make a share link")).to_have_count(0)
    viewer.close()
    page.close()
