"""One owner's page to send back, its Markdown, and share links, over real HTTP."""

from __future__ import annotations

import re

import httpx
from batch_polling import wait_done

from coach.batch.report import owner_id
from coach.config import Settings
from coach.store import Store

HTML = {"Accept": "text/html"}
TEAM = (
    "team,owner,objective,key_result\n"
    "Sales,Ana Lima,Delight our customers,Launch new customer portal\n"
    "Sales,Ana Lima,,Increase NPS to 50\n"
    "Support,Ben Okafor,Make support the reason customers stay,Hold 4 workshops\n"
)


def _batch(c: httpx.Client, headers: dict[str, str] | None = None) -> str:
    r = c.post("/v1/batches", files=[("file", ("team.csv", TEAM.encode(), "text/csv"))],
               data={"force": "true"}, headers=headers or {})  # fmt: skip
    assert r.status_code == 202, r.text
    wait_done(c, r.json()["id"]) if not headers else None
    return r.json()["id"]


def _csrf(page: httpx.Response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_an_owner_page_shows_only_their_own_sets_and_no_other_name(live_server):
    with live_server.client() as c:
        batch = _batch(c)
        ana = owner_id("Sales", "Ana Lima")
        page = c.get(f"/batches/{batch}/owners/{ana}", headers=HTML)
        assert page.status_code == 200
        assert "OKR feedback for Ana Lima" in page.text
        assert "Launch new customer portal" in page.text and "Increase NPS to 50" in page.text
        for other in ("Ben Okafor", "Hold 4 workshops", "Support", "Who needs the most help"):
            assert other not in page.text
        md = c.get(f"/batches/{batch}/owners/{ana}.md")
        assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
        assert md.text.startswith("# OKR feedback for Ana Lima (Sales)")
        assert "Ben Okafor" not in md.text and "Launch new customer portal" in md.text
        # The team report links each owner to their page.
        report = c.get(f"/batches/{batch}/report")
        assert f'href="/batches/{batch}/owners/{ana}">Ana Lima’s page to send back' in report.text
        assert c.get(f"/batches/{batch}/owners/0000000000000000", headers=HTML).status_code == 404


def test_a_share_link_opens_the_page_without_a_session_until_revoked(live_server):
    with live_server.client() as c:
        batch = _batch(c)
        ana = owner_id("Sales", "Ana Lima")
        page = c.get(f"/batches/{batch}/owners/{ana}", headers=HTML)
        made = c.post(f"/batches/{batch}/owners/{ana}/share",
                      data={"csrf_token": _csrf(page), "action": "create"})  # fmt: skip
        assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
        link = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', made.text).group(1)
        token = link.rsplit("/", 1)[1]
        assert len(token) >= 32  # 192 random bits
        assert "1 link to this page can be opened now" in made.text
        forged = c.post(f"/batches/{batch}/owners/{ana}/share", data={"csrf_token": "x"})
        assert forged.status_code == 403
    with live_server.client() as stranger:  # no cookie, no key
        shared = stranger.get(f"/shared/{token}", headers=HTML)
        assert shared.status_code == 200 and "OKR feedback for Ana Lima" in shared.text
        assert "Ben Okafor" not in shared.text and "Make a share link" not in shared.text
        assert shared.headers["referrer-policy"] == "no-referrer"
        assert stranger.get(f"/shared/{token}.md").text.startswith("# OKR feedback for Ana Lima")
        assert stranger.get(f"/shared/{token[:-2]}xx", headers=HTML).status_code == 404
    with live_server.client() as c:
        page = c.get(f"/batches/{batch}/owners/{ana}", headers=HTML)
        revoked = c.post(f"/batches/{batch}/owners/{ana}/share",
                         data={"csrf_token": _csrf(page), "action": "revoke"},
                         follow_redirects=True)  # fmt: skip
        assert "No link to this page can be opened" in revoked.text
        assert c.get(f"/shared/{token}", headers=HTML).status_code == 404


def test_a_link_dies_with_the_key_that_made_it(tmp_path, start_server):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with Store(Settings(data_dir=data_dir).sqlalchemy_url()) as store:
        key, secret = store.create_key("coach")
    with start_server(data_dir) as server, server.client() as c:
        auth = {"Authorization": f"Bearer {secret}"}
        batch = _batch(c, auth)
        with server.store() as store:
            from coach.store.shares import ShareStore

            token = ShareStore(store).create(batch, owner_id("Sales", "Ana Lima"), f"key:{key.id}")
        assert c.get(f"/shared/{token}", headers=HTML).status_code == 200
        # Another owner's page of the same batch is not reachable through this link.
        assert c.get(f"/batches/{batch}/owners/{owner_id('Support', 'Ben Okafor')}",
                     headers=HTML).status_code in (303, 401)  # fmt: skip
        with server.store() as store:
            store.revoke_key(key.id)
        assert c.get(f"/shared/{token}", headers=HTML).status_code == 404
