"""Who may see which page: private mode, sessions, the login page and the trusted user header.

- **Open** (no active API key, no trusted header configured): as on a laptop,
  every page is open and everyone is `anonymous`.
- **Private** (any active key, or `OKR_COACH_TRUSTED_USER_HEADER` set): every
  page and report needs a caller. A browser signs in on `/login` with an API
  key and gets a session cookie (signed, HttpOnly, SameSite=Lax, Secure over
  https) naming that key; the key is checked on every request, so revoking it
  ends its sessions. Behind an SSO proxy, the configured header names the user
  (`user:<name>`); it is honoured only when the setting is made.
- A caller reads only what it made (`coach.store.principals`); the rest is 404.

`AccessMiddleware` decides before any route runs (or any body is read), so a
page added later is private too. Only /healthz, /readyz, /static, /docs (and
the OpenAPI document it reads), /login and /logout are left open (/metrics checks
its own token: `observe.py`); /v1 has its own gate (`security.Gate`: Bearer keys). Without a caller, a browser asking for
a page is sent to `/login?next=<this path>`; anything else (Markdown, CSV and
JSON reports, scripts) gets a 401 problem document.

The session cookie is ``<principal, base64url>.<issued>.<mac>``, an HMAC-SHA256
under a key derived from the install secret (`csrf.install_secret`, 0600).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import StoreError
from ..store import principals
from . import csrf
from .pages import _page, _secret, _text
from .problems import problem
from .security import Caller, Gate

COOKIE = "okr_coach_session"
MAX_AGE = 12 * 3600  # seconds a session lasts: a working day
MAX_USER_NAME = 200
# A challenge for a cookie-based sign-in (draft-broyer-http-cookie-auth): a 401 must name one.
CHALLENGE = f'Cookie realm="okr-coach", form-action="/login", cookie-name="{COOKIE}"'

OPEN_PATHS = frozenset(
    {"/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/login", "/logout", "/metrics"}
)
OPEN_PREFIXES = ("/static/", "/docs/", "/v1/", "/shared/")  # /v1: the API gate decides there;
# /shared/<token>: the token is the permission (coach.web.owners checks it and its maker)
# Reports in a data format: a script's download, answered 401 rather than sent to a form.
_DATA_FORMAT = re.compile(r"/markdown$|/report\.(?!html$)[^/]+$|^/batches/[^/]+/progress$")
# What costs the server: form posts and rendered reports take from the caller's budget.
_REPORT = re.compile(r"^/batches/[^/]+/report")

router = APIRouter(include_in_schema=False)


# -- the session cookie --------------------------------------------------------------


def _session_key(secret: bytes) -> bytes:
    # Its own key, derived from the install secret: a CSRF token can never pass for a session.
    return hmac.new(secret, b"okr-coach session key v1", hashlib.sha256).digest()


def _mac(secret: bytes, payload: str, issued: str) -> str:
    msg = f"okr-coach-session|{payload}|{issued}".encode()
    return hmac.new(_session_key(secret), msg, hashlib.sha256).hexdigest()


def new_session(secret: bytes, principal: str, *, now: float | None = None) -> str:
    payload = base64.urlsafe_b64encode(principal.encode()).decode().rstrip("=")
    issued = str(int(time.time() if now is None else now))
    return f"{payload}.{issued}.{_mac(secret, payload, issued)}"


def read_session(secret: bytes, value: str | None, *, now: float | None = None) -> str | None:
    """The principal a session cookie names, when it was signed here and has not expired."""
    if not value or len(value) > 600:
        return None
    parts = value.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    payload, issued, mac = parts
    if not hmac.compare_digest(mac.encode(), _mac(secret, payload, issued).encode()):
        return None
    age = (time.time() if now is None else now) - int(issued)
    if not -300 <= age <= MAX_AGE:  # a few minutes of clock skew between workers is fine
        return None
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


# -- where to go after signing in ----------------------------------------------------


def local_next(value: str | None) -> str:
    """`value` when it is a path on this site, else "/": never a redirect elsewhere.

    Refused: anything not starting with one "/" ("//evil.example" and "/\\evil"
    are other hosts to a browser), control characters and spaces (a browser
    drops a tab or newline and reads "/\\t/evil" as "//evil"), a scheme or host,
    and the sign-in pages themselves.
    """
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in ("/login", "/logout"):
        return "/"
    return value


def _login_url(root: str, next_path: str) -> str:
    target = local_next(next_path)
    return f"{root}/login" if target == "/" else f"{root}/login?next={quote(target, safe='/')}"


# -- recognising the caller of a page ------------------------------------------------


def _user_from_header(settings, request: Request) -> str | None:  # noqa: ANN001
    header = settings.trusted_user_header
    if not header:
        return None
    value = request.headers.get(header)
    if value is None:
        return None
    name = value.strip()
    if not 0 < len(name) <= MAX_USER_NAME or any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return None
    return name


def private(request: Request) -> bool:
    """Whether pages need a caller: a key is active, or a trusted user header is set.
    May query the store (see `Gate.keys_active`)."""
    app = request.app
    if app.state.settings.trusted_user_header:
        return True
    store = app.state.store
    if store is None:
        raise StoreError("the store is not open")
    return app.state.gate.keys_active(store)


def recognise(request: Request) -> Caller | None:
    """The caller of a page request; None when the service is private and nobody signed in.

    Runs in a worker thread: it may ask the store whether keys exist and whether
    the session's key is still active.
    """
    address = request.client.host if request.client else "unknown"
    user = _user_from_header(request.app.state.settings, request)
    if user is not None:
        return Caller(key_id=None, key_name=None, address=address, user=user, via="header")
    if not private(request):
        return Caller(key_id=None, key_name=None, address=address)
    principal = read_session(_secret(request), request.cookies.get(COOKIE))
    key_id = principals.key_id_of(principal) if principal else None
    if key_id is None:
        return None
    info = request.app.state.store.get_key(key_id)
    if info is None or not info.active:
        return None
    return Caller(key_id=info.id, key_name=info.name, address=address, via="session")


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _path(scope: Scope) -> str:
    """The path as the routes see it (without the mount's root_path)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def is_open(path: str) -> bool:
    return path in OPEN_PATHS or path == "/v1" or path.startswith(OPEN_PREFIXES)


async def rate_limited(request: Request, caller: Caller, *, html: bool) -> Response | None:
    """Spend one request of the caller's budget: None when allowed, else the 429 to send."""
    gate: Gate = request.app.state.gate
    seconds = await gate.wait(caller.bucket)
    if not seconds:
        return None
    message = gate.limit_message(seconds)
    headers = {"Retry-After": str(seconds)}
    if html:
        response = _page(request, "rate_limited.html", {"seconds": seconds}, status=429)
        response.headers.update(headers)
        return response
    return problem(
        429,
        message,
        kind="rate-limited",
        instance=request.url.path,
        headers=headers,
        retry_after=seconds,
    )


class AccessMiddleware:
    """Recognises the caller of every page (`request.state.caller`) or refuses the request."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_open(_path(scope)):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = _path(scope)
        html = _wants_html(request)
        gate: Gate = request.app.state.gate
        try:
            if not gate.keys_known() or COOKIE in request.cookies:
                caller = await run_in_threadpool(recognise, request)
            else:
                # Nothing to ask the store (whether keys exist is cached): stay on the loop.
                caller = recognise(request)
        except StoreError as exc:
            response = (
                _page(request, "unavailable.html", {"message": exc.message}, status=503)
                if html
                else problem(503, exc.message, kind="store-unavailable", instance=path)
            )
            await response(scope, receive, send)
            return
        if caller is None:
            await self._refuse(request, path, html)(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        if request.method not in ("GET", "HEAD") or _REPORT.match(path):
            refused = await rate_limited(request, caller, html=html)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _refuse(request: Request, path: str, html: bool) -> Response:
        root = request.scope.get("root_path", "")
        query = request.url.query
        here = path + ("?" + query if query and request.method in ("GET", "HEAD") else "")
        login = _login_url(root, here)
        if html and not _DATA_FORMAT.search(path):
            return RedirectResponse(login, status_code=303, headers={"Cache-Control": "no-store"})
        return problem(
            401,
            f"this service is private: sign in at {login} with an API key "
            "(or use the JSON API under /v1 with 'Authorization: Bearer <key>')",
            kind="unauthorized",
            instance=path,
            headers={"WWW-Authenticate": CHALLENGE, "Cache-Control": "no-store"},
            login=login,
        )


# -- the login and logout pages ------------------------------------------------------


def _login_page(
    request: Request, *, next_path: str, error: str | None = None, status: int = 200
) -> Response:
    secret = _secret(request)
    cookie = request.cookies.get(csrf.COOKIE)
    token = cookie if csrf.token_is_valid(secret, cookie) else csrf.new_token(secret)
    context = {
        "error": error,
        "next": local_next(next_path),
        "csrf_field": csrf.FIELD,
        "csrf_token": token,
        "trusted_header": request.app.state.settings.trusted_user_header or None,
    }
    return _page(request, "login.html", context, status=status, token=token)


def _redirect(request: Request, next_path: str) -> Response:
    root = request.scope.get("root_path", "")
    return RedirectResponse(
        root + local_next(next_path), status_code=303, headers={"Cache-Control": "no-store"}
    )


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:  # noqa: A002
    try:
        caller = await run_in_threadpool(recognise, request)
    except StoreError as exc:
        return _page(request, "unavailable.html", {"message": exc.message}, status=503)
    if caller is not None:
        # An open service (nothing to sign in to), a proxy's user, or signed in already.
        return _redirect(request, next or "/")
    return _login_page(request, next_path=next or "/")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    next_path = local_next(_text(form.get("next")))
    refused = csrf.check_form(_secret(request), request, form)
    if refused:
        message = refused.replace(" Your text is kept below: submit it again.", " Try again.")
        return _login_page(request, next_path=next_path, error=message, status=403)
    address = request.client.host if request.client else "unknown"
    # Every attempt counts against the address: guessing keys here is as slow as on /v1.
    limited = await rate_limited(request, Caller(None, None, address), html=True)
    if limited is not None:
        return limited
    secret = _text(form.get("key")).strip()
    store = request.app.state.store
    try:
        info = await run_in_threadpool(store.verify_key, secret) if secret and store else None
    except StoreError as exc:
        return _login_page(request, next_path=next_path, error=exc.message, status=503)
    if info is None:
        response = _login_page(
            request,
            next_path=next_path,
            error="That key is not valid (unknown, mistyped or revoked). "
            "Paste the whole key, okc_ and all.",
            status=401,
        )
        response.headers["WWW-Authenticate"] = CHALLENGE
        return response
    response = _redirect(request, next_path)
    response.set_cookie(
        COOKIE,
        new_session(_secret(request), principals.of_key(info.id)),
        max_age=MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/logout")
def logout_page(request: Request) -> Response:
    """A page with one button: signing out is a form post, so no link elsewhere can do it."""
    secret = _secret(request)
    cookie = request.cookies.get(csrf.COOKIE)
    token = cookie if csrf.token_is_valid(secret, cookie) else csrf.new_token(secret)
    signed_in = COOKIE in request.cookies
    context = {"csrf_field": csrf.FIELD, "csrf_token": token, "signed_in_session": signed_in}
    return _page(request, "logout.html", context, token=token)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    refused = csrf.check_form(_secret(request), request, form)
    if refused:
        return logout_page(request)
    response = RedirectResponse(
        request.scope.get("root_path", "") + "/login", status_code=303,
        headers={"Cache-Control": "no-store"},
    )  # fmt: skip
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
    return response
