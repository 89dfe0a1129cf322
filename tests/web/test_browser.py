"""The web form in a real browser: Playwright driving Debian's chromium against a real server.

`scripts/install-browser.sh` installs chromium (apt) when it is missing; the
test never runs `playwright install`. Without /usr/bin/chromium it is skipped,
saying so.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: run scripts/install-browser.sh to install Debian's chromium",
        allow_module_level=True,
    )

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright  # noqa: E402

from coach.web.pages import example_draft  # noqa: E402

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DRAFT = """Objective 1: Delight our customers
- Launch new customer portal
- Improve customer satisfaction
- Increase NPS to 50

Objective 2: Make self-service the default support channel for SMB customers
- Increase self-service adoption from 35% to 55%
- Hold 4 workshops with the product team
"""
REWRITE = "Increase NPS from [current NPS] to 50"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`uvicorn` serving the app on a free loopback port, with its own data dir."""
    data = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
    env["OKR_COACH_DATA_DIR"] = str(data)
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "coach.web.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail("the server did not start:\n" + (data / "server.log").read_text())
        time.sleep(0.1)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as pw:
        yield pw


def _context(playwright, tmp_path: Path, **options) -> BrowserContext:
    """Debian's chromium with a fresh user data dir."""
    return playwright.chromium.launch_persistent_context(
        str(tmp_path),
        executable_path=str(CHROMIUM),
        args=ARGS,
        headless=True,
        viewport={"width": 1280, "height": 900},
        **options,
    )


@pytest.fixture(scope="module")
def browser(playwright, tmp_path_factory, server):
    context = _context(playwright, tmp_path_factory.mktemp("chromium-profile"))
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    yield context
    context.close()


@pytest.fixture(scope="module")
def browser_without_js(playwright, tmp_path_factory):
    context = _context(
        playwright, tmp_path_factory.mktemp("chromium-nojs"), java_script_enabled=False
    )
    yield context
    context.close()


def _watch(page: Page) -> list[str]:
    """Collect the page's JS errors and CSP violations: there must be none."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    return problems


def test_paste_submit_copy_and_open_the_permalink(browser, server, tmp_path):
    page = browser.new_page()
    problems = _watch(page)
    page.goto(server + "/")
    expect(page.get_by_role("heading", name="Review your OKRs")).to_be_visible()

    # Paste a draft (as a keyboard user would: label → textarea), keep rules mode, submit.
    page.get_by_label("Your draft OKRs").fill(DRAFT)
    expect(page.locator("#mode-hint")).to_contain_text("rules-only")
    expect(page.get_by_role("radio")).to_have_count(0)  # no greyed-out choices
    page.get_by_role("button", name="Review my OKRs").click()
    page.wait_for_url("**/reviews/*")
    permalink = page.url

    # The findings, inline, with "why this matters" behind a disclosure.
    kr = page.locator("#o1-kr1")
    expect(kr.get_by_text("Launch new customer portal", exact=True)).to_be_visible()
    expect(kr.locator(".finding-message")).to_contain_text("is a task")
    why = kr.locator("details.why").first
    expect(why.locator("p").first).to_be_hidden()
    why.locator("summary").click()
    expect(why.locator("p").first).to_be_visible()
    score = page.locator("#score").inner_text()
    assert score.isdigit()
    # The flagged item is highlighted in the draft view and links to its findings.
    page.locator("#draft-o1-kr1").click()
    assert page.url.endswith("#o1-kr1")

    # Copy a rewrite: clipboard holds it, the live region says so.
    nps = page.locator("#o1-kr3")
    expect(nps.locator(".rewrite-text")).to_have_text(REWRITE)
    copy = nps.locator("button.copy")
    expect(copy).to_have_accessible_name("Copy")
    copy.focus()
    page.keyboard.press("Enter")  # keyboard-usable
    expect(page.locator("#live")).to_have_text("Copied the rewrite of KR 1.3 to the clipboard.")
    expect(copy).to_contain_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == REWRITE

    # Copy the improved OKRs: the whole set, rewrites in place.
    page.get_by_role("button", name="Copy the improved OKRs").click()
    improved = page.evaluate("navigator.clipboard.readText()")
    assert improved.startswith("Objective 1: Delight our customers\n")
    assert f"- {REWRITE}\n" in improved
    assert "- Increase self-service adoption from 35% to 55%\n" in improved

    shot = tmp_path / "result-desktop.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot: {shot}")

    # The permalink, opened in a new page, shows the same review.
    other = browser.new_page()
    other.goto(permalink)
    expect(other.locator("#score")).to_have_text(score)
    expect(other.locator("#o1-kr3 .rewrite-text")).to_have_text(REWRITE)
    assert other.locator(".finding").count() == page.locator(".finding").count()
    other.close()

    # At a phone's width: nothing wider than the screen, the rewrite and its button reachable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(permalink)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#o1-kr3").get_by_role("button", name="Copy")).to_be_visible()
    shot = tmp_path / "result-phone.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    page.close()
    assert problems == []


def test_fill_the_placeholders_of_a_rewrite_and_pick_a_candidate_metric(browser, server, tmp_path):
    """The author fills in the coach's placeholders on the page and copies the finished KR:
    the rewrite follows the boxes as one types, the improved OKRs with it; a KR that needs
    the author's input offers candidate metrics, one click each, filled in the same way."""
    page = browser.new_page()
    problems = _watch(page)
    page.goto(server + "/")
    page.get_by_label("Your draft OKRs").fill(DRAFT)
    page.get_by_role("button", name="Review my OKRs").click()
    page.wait_for_url("**/reviews/*")

    # A rewrite: one box per placeholder, empty; typing fills the text in place.
    nps = page.locator("#o1-kr3")
    box = nps.get_by_label("current NPS")
    expect(box).to_have_value("")
    expect(nps.locator(".fill-status")).to_have_text("1 to fill in.")
    expect(nps.get_by_role("button", name="Fill in")).to_be_hidden()  # no round trip with JS
    box.fill("31")
    finished = "Increase NPS from 31 to 50"
    expect(nps.locator(".rewrite-text")).to_have_text(finished)
    expect(nps.locator(".fill-status")).to_have_text("All filled in: copy your key result.")
    expect(page.locator("#improved-o1-kr3")).to_have_text(finished)
    nps.get_by_role("button", name="Copy").click()
    expect(page.locator("#live")).to_have_text("Copied the rewrite of KR 1.3 to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == finished
    # Text, never markup: a value with tags shows as typed.
    box.fill("<b>31</b>")
    expect(nps.locator(".rewrite-text")).to_have_text("Increase NPS from <b>31</b> to 50")
    assert nps.locator(".rewrite-text b").count() == 0
    box.fill("")
    expect(nps.locator(".fill-status")).to_have_text("1 to fill in.")
    expect(page.locator("#improved-o1-kr3")).to_have_text("Increase NPS from [current NPS] to 50")
    box.fill("31")

    # Needs your input: no rewrite, the questions, and candidate metrics to pick from.
    portal = page.locator("#o1-kr1")
    expect(portal.locator(".ask-title")).to_have_text("Needs your input")
    expect(portal.locator(".rewrite-title", has_text="Suggested rewrite")).to_have_count(0)
    expect(page.locator("#improved-o1-kr1")).to_have_text(
        "Launch new customer portal (needs your input: see the questions)"
    )
    first, second = portal.locator("details.candidate").all()[:2]
    first.locator("summary").click()
    expect(first.get_by_label("current self-service adoption")).to_be_visible()
    # Picking another candidate closes the first.
    second.locator("summary").click()
    expect(second.get_by_label("current ticket deflection rate")).to_be_visible()
    expect(first.get_by_label("current self-service adoption")).to_be_hidden()
    second.get_by_label("current ticket deflection rate").fill("12%")
    second.get_by_label("target ticket deflection rate").fill("30%")
    picked = "Increase ticket deflection rate from 12% to 30%"
    expect(second.locator(".rewrite-text")).to_have_text(picked)
    expect(page.locator("#improved-o1-kr1")).to_have_text(picked)
    second.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == picked

    # The improved OKRs carry what was filled in, each KR once.
    page.get_by_role("button", name="Copy the improved OKRs").click()
    improved = page.evaluate("navigator.clipboard.readText()")
    assert f"- {finished}\n" in improved and f"- {picked}\n" in improved
    assert "Launch new customer portal" not in improved
    assert "- Improve customer satisfaction (needs your input: see the questions)\n" in improved
    lines = [line for line in improved.splitlines() if line.startswith("- ")]
    assert len(lines) == len(set(lines)) == 5
    page.screenshot(path=str(tmp_path / "fill.png"), full_page=True)
    page.close()
    assert problems == []


def test_try_an_example_then_edit_and_review_again(browser, server):
    page = browser.new_page()
    problems = _watch(page)
    page.goto(server + "/")
    page.get_by_role("button", name="Try an example").click()  # fills the box in place
    assert page.url == server + "/"
    box = page.get_by_label("Your draft OKRs")
    expect(box).to_have_value(example_draft())
    expect(page.locator("#live")).to_contain_text("example draft")
    page.get_by_role("button", name="Review my OKRs").click()
    page.wait_for_url("**/reviews/*")
    before = int(page.locator("#score").inner_text())

    page.get_by_role("link", name="Edit and review again").first.click()
    expect(page.get_by_role("heading", name="Edit and review again")).to_be_visible()
    text = box.input_value().replace(
        "- Launch new customer portal", "- Increase CSAT from 72% to 85%"
    )
    box.fill(text)
    page.get_by_role("button", name="Review again").click()
    page.wait_for_url("**/reviews/*")
    after = int(page.locator("#score").inner_text())
    assert after > before
    compare = page.locator("section.compare")
    expect(compare).to_contain_text(f"(+{after - before} points)")
    expect(compare.locator("ul.fixed")).to_contain_text("Launch new customer portal")

    # An empty submit is caught in the page, the message announced, nothing sent.
    page.goto(server + "/")
    page.get_by_role("button", name="Review my OKRs").click()
    expect(page.get_by_role("alert")).to_contain_text("The draft is empty")
    assert page.url == server + "/"
    page.close()
    assert problems == []


def test_the_form_works_with_javascript_off(browser_without_js, server, tmp_path):
    page = browser_without_js.new_page()
    page.goto(server + "/")
    page.get_by_role("link", name="Try an example").click()  # a plain link: /?example=1
    assert page.url.endswith("/?example=1")
    expect(page.get_by_label("Your draft OKRs")).to_contain_text("Delight our customers")
    page.get_by_role("button", name="Review my OKRs").click()
    page.wait_for_url("**/reviews/*")
    expect(page.locator("#o1-kr1 .finding-message")).to_contain_text("is a task")
    # No copy buttons without JS; the rewrite is plain text to select.
    assert page.locator("button.copy").count() > 0
    expect(page.locator("button.copy").first).to_be_hidden()
    expect(page.locator("#improved")).to_contain_text("Objective 1: Delight our customers")
    # <details> needs no script.
    why = page.locator("#o1-kr1 details.why").first
    why.locator("summary").click()
    expect(why.locator("p").first).to_be_visible()

    # Fill in a rewrite's placeholder: the form posts, the page comes back filled in.
    nps = page.locator("#o1-kr3")
    nps.get_by_label("current NPS").fill("31")
    nps.get_by_role("button", name="Fill in").click()
    page.wait_for_url("**/fill*")
    nps = page.locator("#o1-kr3")
    expect(nps.locator(".rewrite-text")).to_have_text("Increase NPS from 31 to 50")
    expect(nps.get_by_label("current NPS")).to_have_value("31")
    expect(page.locator("#improved")).to_contain_text("- Increase NPS from 31 to 50\n")
    # Pick a candidate metric of a KR that needs input (a disclosure) and fill it in.
    portal = page.locator("#o1-kr1")
    pick = portal.locator("details.candidate").first
    pick.locator("summary").click()
    pick.get_by_label("current self-service adoption").fill("35%")
    pick.get_by_label("target self-service adoption").fill("55%")
    pick.get_by_role("button", name="Fill in").click()
    page.wait_for_url("**/fill*")
    picked = page.locator("#o1-kr1 details.candidate[open]")
    expect(picked.locator(".rewrite-text")).to_have_text("Increase self-service adoption from 35% to 55%")
    expect(page.locator("#improved")).to_contain_text("- Increase self-service adoption from 35% to 55%\n")

    # Errors re-render the form with the text kept.
    page.goto(server + "/")
    page.get_by_label("Your draft OKRs").fill("just some words, no OKRs at all")
    page.get_by_role("button", name="Review my OKRs").click()
    expect(page.get_by_role("alert")).to_contain_text("could not find any objectives")
    expect(page.get_by_label("Your draft OKRs")).to_have_value("just some words, no OKRs at all")
    page.screenshot(path=str(tmp_path / "form-error-nojs.png"), full_page=True)
    page.close()


def test_an_okr_with_markup_stays_inert(browser, server):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/")
    draft = (
        "Objective: Delight our customers <script>alert('x')</script>\n"
        '- Launch new customer portal "><img src=x onerror=alert(1)>\n'
    )
    page.get_by_label("Your draft OKRs").fill(draft)
    page.get_by_role("button", name="Review my OKRs").click()
    page.wait_for_url("**/reviews/*")
    expect(page.locator("#o1 .objective-text")).to_contain_text("<script>alert('x')</script>")
    assert page.locator("main img").count() == 0
    assert page.locator("main script").count() == 0
    page.wait_for_timeout(200)
    assert dialogs == []
    page.close()


def test_the_api_docs_render_with_the_network_blocked(browser, server, tmp_path):
    """Failed before: Swagger UI came from a CDN, and without internet /docs was blank."""
    page = browser.new_page()
    problems = _watch(page)
    outside: list[str] = []

    def only_this_server(route) -> None:  # noqa: ANN001
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(server + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("okr-coach")
    expect(page.locator("#operations-api-createReview")).to_be_visible()
    page.screenshot(path=str(tmp_path / "docs.png"))
    page.close()
    assert outside == [] and problems == []


def test_the_phone_header_does_not_wrap(browser, server):
    """Failed before: at 390 px 'okr-coach' and 'New review' broke over two lines each."""
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/")
    items = page.evaluate(
        """() => [...document.querySelectorAll('.brand, .site-header nav a')].map(e => {
            const r = e.getBoundingClientRect();
            return {text: e.textContent.trim(), lines: Math.round(r.height / parseFloat(getComputedStyle(e).lineHeight)), top: Math.round(r.top)};
        })"""
    )
    assert [i["lines"] for i in items] == [1] * len(items), items
    assert len({i["top"] for i in items[1:]}) == 1, items  # the links share one row
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
