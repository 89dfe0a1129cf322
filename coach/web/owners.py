"""One owner's page of a batch, its Markdown export, and the links a coach shares.

- `/batches/{id}/owners/{owner}` (the coach: the batch's principal only): the owner's own
  sets, findings, rewrites and questions, no ranking and no other name; *Print* and
  *Markdown* to send it; *Make a share link* / *Revoke*.
- `/shared/{token}`: the same page for whoever has the link, without a key or a session
  (an open path, like /static): the token is the permission. It answers 404, exactly as
  an unknown one, once revoked or once its maker could no longer open the batch.
"""

from __future__ import annotations

import io
from functools import partial
from typing import Any

import anyio
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from ..batch.owner_page import owner_sets, write_owner_markdown
from ..errors import NotFoundError
from ..store import principals
from ..store.batches import BatchInfo, BatchStore
from ..store.shares import ShareLink, ShareStore
from . import csrf
from .pages import _page, _secret
from .security import caller_of

router = APIRouter(include_in_schema=False)


def _store(request: Request) -> Any:
    store = request.app.state.store
    if store is None:
        raise NotFoundError("the store is not open")
    return store


def _owner(request: Request, info: BatchInfo, oid: str) -> tuple[str, str | None, list]:
    owner, team, sets = owner_sets(BatchStore(_store(request)).entries(info.id, True), oid)
    if not sets:
        raise NotFoundError(f"no owner '{oid[:20]}' in this batch")
    return owner, team, sets


def _markdown(owner: str, team: str | None, sets: list) -> Response:
    out = io.StringIO()
    write_owner_markdown(owner, team, sets, out)
    name = "okr-feedback-" + "".join(c if c.isalnum() else "-" for c in owner.lower())[:40]
    return Response(
        out.getvalue(),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.md"',
                 "X-Content-Type-Options": "nosniff"},
    )  # fmt: skip


def _missing(request: Request, batch_id: str) -> Response:
    return _page(request, "batch_not_found.html", {"batch_id": batch_id}, status=404)


async def _own_owner(request: Request, batch_id: str, oid: str):  # noqa: ANN202
    principal = caller_of(request).principal
    get = partial(BatchStore(_store(request)).get, batch_id, principal=principal)
    info = await anyio.to_thread.run_sync(get)
    owner, team, sets = await anyio.to_thread.run_sync(_owner, request, info, oid)
    return info, owner, team, sets


@router.get("/batches/{batch_id}/owners/{oid}.md")
async def owner_markdown(request: Request, batch_id: str, oid: str) -> Response:
    try:
        _, owner, team, sets = await _own_owner(request, batch_id, oid)
    except NotFoundError:
        return _missing(request, batch_id)
    return _markdown(owner, team, sets)


@router.get("/batches/{batch_id}/owners/{oid}")
async def owner_page(request: Request, batch_id: str, oid: str) -> Response:
    try:
        info, owner, team, sets = await _own_owner(request, batch_id, oid)
    except NotFoundError:
        return _missing(request, batch_id)
    principal = caller_of(request).principal
    live = await anyio.to_thread.run_sync(
        ShareStore(_store(request)).live, info.id, oid, principal
    )
    secret = _secret(request)
    cookie = request.cookies.get(csrf.COOKIE)
    token = cookie if csrf.token_is_valid(secret, cookie) else csrf.new_token(secret)
    ctx = {
        "owner": owner, "team": team, "sets": sets, "b": info, "oid": oid, "shared": False,
        "live_links": live, "new_link": None, "csrf_field": csrf.FIELD, "csrf_token": token,
    }  # fmt: skip
    return _page(request, "owner.html", ctx, token=token)


@router.post("/batches/{batch_id}/owners/{oid}/share")
async def share(request: Request, batch_id: str, oid: str) -> Response:
    form = await request.form()
    refused = csrf.check_form(_secret(request), request, form)
    if refused:
        return _page(request, "batch_not_found.html", {"batch_id": batch_id}, status=403)
    try:
        info, owner, team, sets = await _own_owner(request, batch_id, oid)
    except NotFoundError:
        return _missing(request, batch_id)
    principal = caller_of(request).principal
    shares = ShareStore(_store(request))
    if form.get("action") == "revoke":
        await anyio.to_thread.run_sync(shares.revoke, info.id, oid, principal)
        return RedirectResponse(f"/batches/{info.id}/owners/{oid}?revoked=1", status_code=303)
    link = await anyio.to_thread.run_sync(shares.create, info.id, oid, principal)
    live = await anyio.to_thread.run_sync(shares.live, info.id, oid, principal)
    ctx = {
        "owner": owner, "team": team, "sets": sets, "b": info, "oid": oid, "shared": False,
        "live_links": live, "new_link": str(request.base_url).rstrip("/") + f"/shared/{link}",
        "csrf_field": csrf.FIELD, "csrf_token": form.get(csrf.FIELD),
    }  # fmt: skip
    response = _page(request, "owner.html", ctx)
    response.headers["Cache-Control"] = "no-store"  # the link is shown once
    return response


def _can_still_see(request: Request, link: ShareLink) -> bool:
    """The link's maker could open the batch now: a key not revoked; an open service for
    `anonymous`; the proxy header still trusted for a `user:`."""
    store = _store(request)
    key_id = principals.key_id_of(link.principal)
    if key_id is not None:
        key = store.get_key(key_id)
        return key is not None and key.revoked_at is None
    if link.principal == principals.ANONYMOUS:
        return not store.any_active_keys()
    return bool(request.app.state.settings.trusted_user_header)


def _shared(request: Request, token: str) -> tuple[str, str | None, list]:
    store = _store(request)
    link = ShareStore(store).find(token)
    if link is None or not _can_still_see(request, link):
        raise NotFoundError("no such page")
    info = BatchStore(store).get(link.batch_id, principal=link.principal)
    return _owner(request, info, link.owner_id)


@router.get("/shared/{token}.md")
async def shared_markdown(request: Request, token: str) -> Response:
    try:
        owner, team, sets = await anyio.to_thread.run_sync(_shared, request, token)
    except NotFoundError:
        return _page(request, "shared_not_found.html", {}, status=404)
    return _markdown(owner, team, sets)


@router.get("/shared/{token}")
async def shared_page(request: Request, token: str) -> Response:
    try:
        owner, team, sets = await anyio.to_thread.run_sync(_shared, request, token)
    except NotFoundError:
        return _page(request, "shared_not_found.html", {}, status=404)
    ctx = {"owner": owner, "team": team, "sets": sets, "shared": True, "token": token}
    response = _page(request, "owner.html", ctx)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token stays out of Referer
    return response
