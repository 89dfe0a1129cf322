"""The web form through the test client: form, CSRF, submit → permalink, escaping, re-review, errors."""

from __future__ import annotations

import html
import re
import stat
import time

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

import coach
from coach.config import Settings
from coach.errors import StoreError
from coach.web import csrf
from coach.web.app import create_app
from coach.web.pages import compare, example_draft, improved_text

DRAFT = """# Customer Support OKRs, Q3

Here is our first draft, feedback welcome!

## Objective 1: Delight our customers
- Launch new customer portal
- Improve customer satisfaction
- Increase NPS to 50
- Reduce first response time from 9 hours to 4 hours by end of Q3
"""

XSS_SCRIPT = "<script>alert('okr')</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
XSS_DRAFT = f"""Objective: Delight our customers {XSS_SCRIPT}
- Launch new customer portal {XSS_ATTR}
- Increase NPS from 10 to 50 {XSS_SCRIPT}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-data"))
    app = create_app(settings)
    with TestClient(app):  # runs the lifespan: opens the store in the tmp data dir
        yield app


@pytest.fixture
def web(app):
    """A fresh browser-like client (its own cookie jar) on the shared app."""
    return TestClient(app)


def esc(text: str) -> str:
    """Text as the templates escape it."""
    return str(escape(text))


def token_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def textarea_of(page: str) -> str:
    match = re.search(r'<textarea id="draft"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "the page has the draft textarea"
    return html.unescape(match.group(1))


def submit(web: TestClient, draft: str, **fields: str):
    token = token_of(web.get("/").text)
    data = {"draft": draft, "csrf_token": token, "rubric": "default", "mode": "rules", **fields}
    return web.post("/reviews", data=data, follow_redirects=False)


def reviewed(web: TestClient, draft: str, **fields: str) -> tuple[str, str]:
    """Submit a draft, follow the 303; the permalink and the result page."""
    response = submit(web, draft, **fields)
    assert response.status_code == 303, response.text[:500]
    location = response.headers["location"]
    assert re.fullmatch(r"/reviews/[A-Za-z0-9_-]+", location)
    page = web.get(location)
    assert page.status_code == 200
    return location, page.text


def assert_secure_html(response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


# -- the form ---------------------------------------------------------------


def test_form_renders_with_labels_token_and_options(web):
    response = web.get("/")
    assert response.status_code == 200
    assert_secure_html(response)
    page = response.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<label for="draft">' in page and 'id="draft" name="draft"' in page
    assert '<label for="rubric">' in page and '<option value="default" selected>' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page
    # Modes: rules on, LLM modes shown but disabled while no LLM is configured.
    assert re.search(r'value="rules" checked', page)
    assert re.search(r'value="hybrid" disabled', page) and re.search(r'value="llm" disabled', page)
    assert "No LLM configured: rules-only." in page
    # The double-submit token: in the form and in a cookie, the same value.
    token = token_of(page)
    assert web.cookies.get(csrf.COOKIE) == token
    assert "httponly" in response.headers["set-cookie"].lower()
    assert "samesite=lax" in response.headers["set-cookie"].lower()
    # No inline script: JS and CSS come from /static.
    assert "<script>" not in page and "<style" not in page and " style=" not in page
    assert '<script src="/static/app.js' in page


def test_static_assets_are_served(web):
    for path, kind in (("/static/app.js", "javascript"), ("/static/app.css", "css")):
        response = web.get(path)
        assert response.status_code == 200 and kind in response.headers["content-type"]


def test_try_an_example_works_without_javascript(web):
    assert example_draft().startswith("# Customer Support OKRs")
    page = web.get("/").text
    assert 'href="/?example=1"' in page and textarea_of(page) == ""
    assert textarea_of(web.get("/?example=1").text) == example_draft()


# -- CSRF -------------------------------------------------------------------


def test_post_without_token_is_refused_and_keeps_the_text(web):
    response = web.post("/reviews", data={"draft": DRAFT}, follow_redirects=False)
    assert response.status_code == 403
    assert_secure_html(response)
    assert textarea_of(response.text) == DRAFT
    assert "security token" in response.text
    # The re-rendered form carries a fresh, valid token to submit again with.
    token = token_of(response.text)
    again = web.post("/reviews", data={"draft": DRAFT, "csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303


@pytest.mark.parametrize("tamper", ["mac", "mismatch", "no-cookie", "expired", "cross-site"])
def test_post_with_a_bad_token_is_refused_and_keeps_the_text(web, app, tamper):
    token = token_of(web.get("/").text)
    field = token
    headers = {}
    secret = csrf.install_secret(app.state.settings.data_dir)
    if tamper == "mac":
        field = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
        web.cookies.set(csrf.COOKIE, field)
    elif tamper == "mismatch":
        field = csrf.new_token(secret)  # valid, but not the cookie's
    elif tamper == "no-cookie":
        web.cookies.clear()
    elif tamper == "expired":
        field = csrf.new_token(secret, now=time.time() - csrf.MAX_AGE - 60)
        web.cookies.set(csrf.COOKIE, field)
    elif tamper == "cross-site":
        headers["Sec-Fetch-Site"] = "cross-site"
    response = web.post(
        "/reviews",
        data={"draft": DRAFT, "csrf_token": field},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert textarea_of(response.text) == DRAFT
    assert "Not reviewed yet" in response.text


def test_csrf_secret_is_per_install_and_kept_in_the_data_dir(tmp_path):
    secret = csrf.install_secret(tmp_path)
    path = tmp_path / csrf.SECRET_FILE
    assert path.read_bytes() == secret and len(secret) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    csrf._secrets.clear()  # as after a restart
    assert csrf.install_secret(tmp_path) == secret
    token = csrf.new_token(secret)
    assert csrf.token_is_valid(secret, token)
    assert not csrf.token_is_valid(csrf.install_secret(tmp_path / "other"), token)
    assert not csrf.token_is_valid(secret, "garbage") and not csrf.token_is_valid(secret, None)


# -- submit → permalink → result page -----------------------------------------


def test_submit_redirects_to_a_permalink_with_findings_and_rewrites(web, app):
    location, page = reviewed(web, DRAFT)
    result = coach.review(DRAFT)
    # The score for the set, its findings inline, "why" expandable, the rewrites with copy buttons.
    assert f'<span class="score-value" id="score">{result.summary.score}</span>' in page
    for f in result.findings:
        assert esc(f.message) in page
        assert esc(f.why) in page
    assert page.count("<summary>Why this matters</summary>") == len(result.findings)
    for rw in result.rewrites:
        text = re.sub(r"<[^>]+>", "", page)
        assert esc(rw.text) in text
        for q in rw.questions:
            assert esc(q) in page
    assert page.count('class="button button-small copy"') == len(result.rewrites) + 1
    assert "Copy the improved OKRs" in page
    assert esc(improved_text(result)) in page
    # Severity as text, not colour alone.
    assert "Error</span>" in page and "Warning</span>" in page
    # Flagged items are highlighted in the draft as written, linked to their findings.
    assert '<a class="hl sev-error" href="#o1-kr1" id="draft-o1-kr1"' in page
    assert ">Launch new customer portal</a>" in page
    assert 'id="o1-kr1"' in page
    # Parse warnings with line numbers; provenance.
    assert '<a href="#line-3">Line 3</a>' in page
    assert "Rules-only review" in page and result.provenance.rubric_version in page
    # The permalink is stable: the stored review, reachable again.
    stored = app.state.store.get_review(location.rsplit("/", 1)[1])
    assert stored.draft == DRAFT and stored.review.summary.score == result.summary.score
    assert web.get(location).text.count("Why this matters") == page.count("Why this matters")


def test_line_breaks_from_a_browser_are_normalised(web, app):
    location, page = reviewed(web, DRAFT.replace("\n", "\r\n"))
    stored = app.state.store.get_review(location.rsplit("/", 1)[1])
    assert "\r" not in stored.draft
    assert ">Launch new customer portal</a>" in page  # spans still line up with the text


def test_the_markdown_of_a_review(web):
    location, _ = reviewed(web, DRAFT)
    response = web.get(location + "/markdown")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert response.text.startswith("# OKR review")


# -- escaping -----------------------------------------------------------------


def test_user_text_is_escaped_everywhere(web):
    location, page = reviewed(web, XSS_DRAFT)
    for raw in ("<script>alert", "<img src=x", "onerror=alert(1)>"):
        assert raw not in page, raw
    assert "&lt;script&gt;alert(" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # Same on the edit form (textarea) and the improved set.
    edit = web.get(location + "/edit").text
    assert "<script>alert" not in edit and "<img src=x" not in edit
    assert textarea_of(edit) == XSS_DRAFT
    # ... on a re-rendered form with an error, and on the 404 page.
    refused = web.post("/reviews", data={"draft": XSS_DRAFT}, follow_redirects=False)
    assert refused.status_code == 403 and "<img src=x" not in refused.text
    missing = web.get("/reviews/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert missing.status_code == 404 and "<img src=x" not in missing.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in missing.text


# -- edit and review again --------------------------------------------------------


def test_edit_and_review_again_shows_what_improved(web, app):
    location, first = reviewed(web, DRAFT)
    parent_id = location.rsplit("/", 1)[1]
    assert f'href="/reviews/{parent_id}/edit">Edit and review again</a>' in first

    edit = web.get(location + "/edit")
    assert edit.status_code == 200
    assert f'name="parent_id" value="{parent_id}"' in edit.text
    assert textarea_of(edit.text) == DRAFT

    better = DRAFT.replace(
        "- Launch new customer portal", "- Increase self-service adoption from 35% to 55%"
    ).replace("- Increase NPS to 50", "- Increase NPS from 30 to 50")
    data = {"draft": better, "csrf_token": token_of(edit.text), "parent_id": parent_id}
    response = web.post("/reviews", data=data, follow_redirects=False)
    assert response.status_code == 303
    child_id = response.headers["location"].rsplit("/", 1)[1]
    assert app.state.store.get_review(child_id).parent_id == parent_id

    page = web.get(response.headers["location"]).text
    before, after = coach.review(DRAFT).summary.score, coach.review(better).summary.score
    assert after > before
    assert "Compared with" in page
    assert re.search(rf"Score <strong>{before}</strong>.*<strong>{after}</strong>", page, re.S)
    assert f"(+{after - before} points)" in page
    fixed = page.split('<ul class="changes fixed">')[1].split("</ul>")[0]
    assert "task as key result" in fixed and "Launch new customer portal" in fixed
    assert "missing baseline" in fixed and "Increase NPS to 50" in fixed


def test_edit_with_the_improved_okrs_prefilled(web):
    location, _ = reviewed(web, DRAFT)
    edit = web.get(location + "/edit?improved=1").text
    assert textarea_of(edit) == improved_text(coach.review(DRAFT))


def test_compare_counts_a_reworded_finding_as_still_open():
    before = coach.review(
        "Objective: Grow revenue in SMB\n- Launch new customer portal\n- Increase NPS to 50"
    )
    after = coach.review(
        "Objective: Grow revenue in SMB\n- Launch the customer portal\n- Increase NPS from 30 to 50"
    )
    result = compare(before, after)
    assert [c.finding.rule_id for c in result.fixed] == ["KR04"]
    assert result.new == [] and result.still_open >= 1


def test_the_improved_okrs_read_back_as_the_same_set():
    result = coach.review(DRAFT)
    again = coach.review(improved_text(result))
    assert [len(o.key_results) for o in again.okr_set.objectives] == [
        len(o.key_results) for o in result.okr_set.objectives
    ]
    assert again.okr_set.warnings == []


# -- errors keep the text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "fields", "status", "message"),
    [
        ("   \n  ", {}, 422, "The draft is empty"),
        ("hello world, nothing here to review", {}, 422, "could not find any objectives"),
        (DRAFT, {"rubric": "../../etc/passwd"}, 422, "Unknown rubric"),
        (DRAFT, {"mode": "llm"}, 422, "none is configured"),
        (DRAFT, {"mode": "turbo"}, 422, "Unknown review mode"),
    ],
)
def test_form_errors_re_render_the_form_with_the_text(web, draft, fields, status, message):
    response = submit(web, draft, **fields)
    assert response.status_code == status
    assert_secure_html(response)
    assert message in response.text
    assert textarea_of(response.text) == draft
    assert 'aria-invalid="true"' in response.text and 'role="alert"' in response.text
    assert "Traceback" not in response.text


def test_an_over_size_draft_gets_413_with_the_text_intact(web):
    big = DRAFT + "".join(f"- Increase metric {i} from {i} to {i + 1}\n" for i in range(2500))
    assert 64 * 1024 < len(big.encode()) < 256 * 1024 // 2
    response = submit(web, big)
    assert response.status_code == 413
    assert "the form takes up to 64 KB" in response.text
    assert textarea_of(response.text) == big


def test_a_store_outage_keeps_the_text(app, web, monkeypatch):
    def down(*args, **kwargs):
        raise StoreError("the store at sqlite:///x is unavailable: disk I/O error")

    monkeypatch.setattr(app.state.store, "save_review", down)
    response = submit(web, DRAFT)
    assert response.status_code == 503
    assert "unavailable" in response.text and textarea_of(response.text) == DRAFT


def test_a_review_from_structured_input_has_no_draft_to_show(web, app):
    result = coach.review(
        {
            "objectives": [
                {"text": "Grow SMB revenue", "key_results": [{"text": "Launch new portal"}]}
            ]
        }
    )
    stored = app.state.store.save_review(result, draft=None)
    page = web.get(f"/reviews/{stored.id}")
    assert page.status_code == 200
    assert "there is no pasted text to show" in page.text
    assert "Launch new portal" in page.text
    edit = web.get(f"/reviews/{stored.id}/edit").text
    assert textarea_of(edit) == "Objective 1: Grow SMB revenue\n- Launch new portal\n"


def test_unknown_permalink_is_a_friendly_404(web):
    for path in (
        "/reviews/does-not-exist",
        "/reviews/does-not-exist/edit",
        "/reviews/" + "x" * 300,
    ):
        response = web.get(path)
        assert response.status_code == 404
        assert_secure_html(response)
        assert "We can’t find that review" in response.text
        assert 'href="/"' in response.text
