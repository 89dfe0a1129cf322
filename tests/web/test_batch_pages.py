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
    # No runner in this app (no lifespan): the batch waits. Its script follows the progress
    # (and shows the end as soon as it comes); without a script the page reloads itself.
    assert "refresh" not in status.headers
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in status.text
    assert "0 reviewed · 0 failed · 5 to go" in status.text
    progress = client.get(r.headers["location"] + "/progress")
    assert progress.json() == {"status": "queued", "total": 5, "done": 0, "failed": 0, "pending": 5}
    assert progress.headers["cache-control"] == "no-store"
    assert client.get("/batches/nope/progress").status_code == 404
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


GERMAN = "Ziel;Messgröße;Wer\nUmsatz steigern;ARR von 1M auf 2M;Ana\nKunden halten;Churn senken;Bo\n"


def test_a_file_with_unknown_columns_gets_a_mapping_step_not_an_error(client):
    token = _token(client)
    r = client.post(
        "/batches",
        data={"csrf_token": token, "title": "Ziele"},
        files=[("file", ("ziele.csv", GERMAN.encode(), "text/csv"))],
    )
    assert r.status_code == 200
    assert "Which column is which?" in r.text and "ziele.csv" in r.text
    options = re.findall(r'<select id="col-objective".*?</select>', r.text, re.S)[0]
    assert re.findall(r'<option value="([^"]+)"', options) == ["Ziel", "Messgröße", "Wer"]
    pending = re.search(r'name="pending" value="([^"]+)"', r.text).group(1)
    # The file is kept: the mapping names the token, not the file.
    r = client.post(
        "/batches",
        data={"csrf_token": token, "pending": pending, "title": "Ziele",
              "col_objective": "Ziel", "col_key_result": "Messgröße", "col_owner": "Wer"},
        files=[("file", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    status = client.get(r.headers["location"])
    assert "Ziele" in status.text and "2 OKR sets" in status.text
    # Used once: the token is gone.
    again = client.post(
        "/batches",
        data={"csrf_token": token, "pending": pending, "col_objective": "Ziel",
              "col_key_result": "Messgröße"},
        files=[("file", ("", b"", "application/octet-stream"))],
    )  # fmt: skip
    assert again.status_code == 410 and "upload it again" in again.text


def test_a_wrong_mapping_asks_again(client):
    token = _token(client)
    r = client.post(
        "/batches",
        data={"csrf_token": token},
        files=[("file", ("ziele.csv", GERMAN.encode(), "text/csv"))],
    )
    pending = re.search(r'name="pending" value="([^"]+)"', r.text).group(1)
    r = client.post(
        "/batches",
        data={"csrf_token": token, "pending": pending, "col_objective": "Ziel",
              "col_key_result": "Nope"},
        files=[("file", ("", b"", "application/octet-stream"))],
    )  # fmt: skip
    assert r.status_code == 200 and "choose again" in r.text
    assert "no column named as given (key_result=Nope" in r.text


def test_the_templates_are_offered_and_read_without_a_skipped_row(client, tmp_path):
    from coach.batch import read_paths

    page = client.get("/batches")
    assert 'href="/static/okr-template.csv"' in page.text
    assert 'href="/static/okr-template.xlsx"' in page.text
    sets = {}
    for ext in ("csv", "xlsx"):
        r = client.get(f"/static/okr-template.{ext}")
        assert r.status_code == 200
        path = tmp_path / f"template.{ext}"
        path.write_bytes(r.content)
        result = read_paths([path])
        assert result.skipped == 0
        sets[ext] = [(s.team, s.owner, s.objectives, s.key_results) for s in result.sets]
    assert sets["csv"] == sets["xlsx"] == [
        ("Sales", "Ana Lima", 1, 2), ("Support", "Ben Okafor", 1, 2)
    ]  # fmt: skip


def test_the_same_file_with_a_new_title_keeps_the_new_title(client):
    token = _token(client)
    data = sample_csv(3).encode()
    first = client.post(
        "/batches",
        data={"csrf_token": token, "title": "Draft title"},
        files=[("file", ("team.csv", data, "text/csv"))],
        follow_redirects=False,
    )
    again = client.post(
        "/batches",
        data={"csrf_token": token, "title": "Q3 OKRs, final"},
        files=[("file", ("team.csv", data, "text/csv"))],
        follow_redirects=False,
    )
    assert again.headers["location"] == first.headers["location"] + "?seen=1"
    page = client.get(again.headers["location"])
    assert "<h1>Q3 OKRs, final</h1>" in page.text
    assert "uploaded before with the same options: this is that batch" in page.text
