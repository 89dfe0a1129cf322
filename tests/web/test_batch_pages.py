"""The batch pages without a browser: the upload form, its CSRF check and errors, the
progress page's self-refresh, the report page's own CSP, the 404 page."""

from __future__ import annotations

import re

from coach.batch.sample import sample_csv


def _token(client) -> str:
    page = client.get("/batches")
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_upload_through_the_form_then_progress_and_report(client):
    token = _token(client)
    r = client.post(
        "/batches",
        data={"csrf_token": token, "title": "Team"},
        files=[("file", ("team.csv", sample_csv(5).encode(), "text/csv"))],
        follow_redirects=False,
    )
    assert r.status_code == 303
    status = client.get(r.headers["location"])
    assert status.status_code == 200 and "Team" in status.text
    # No runner in this app (no lifespan): the batch waits, and the page keeps refreshing.
    assert status.headers["refresh"] == "2"
    assert "0 reviewed · 0 failed · 5 to go" in status.text
    report = client.get(r.headers["location"] + "/report")
    assert report.status_code == 200
    assert "style-src 'unsafe-inline'" in report.headers["content-security-policy"]
    assert "script-src" not in report.headers["content-security-policy"]
    assert "Not reviewed yet." in report.text
    download = client.get(r.headers["location"] + "/report.md")
    assert download.headers["content-disposition"].startswith("attachment;")
    assert client.get(r.headers["location"] + "/report.pdf").status_code == 404


def test_form_errors_re_render_the_form(client):
    token = _token(client)
    r = client.post(
        "/batches", data={"csrf_token": token}, files=[("file", ("e.csv", b"", "text/csv"))]
    )
    assert r.status_code == 422
    assert "no OKR set to review in the upload" in r.text and "the file is empty" in r.text
    r = client.post(
        "/batches", data={"csrf_token": "forged"}, files=[("file", ("a.csv", b"x", "text/csv"))]
    )
    assert r.status_code == 403 and "security token" in r.text
    r = client.post("/batches", data={"csrf_token": token})
    assert r.status_code == 415 and "multipart/form-data" in r.text


def test_unknown_batch_pages_are_404(client):
    r = client.get("/batches/nope")
    assert r.status_code == 404 and "find that batch" in r.text
    assert client.get("/batches/nope/report").status_code == 404
