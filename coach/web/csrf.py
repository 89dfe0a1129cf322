"""CSRF protection for the web form: a signed double-submit token (stdlib `hmac`).

A token is ``<nonce>.<issued>.<mac>``: 128 random bits, the Unix time it was
issued, and an HMAC-SHA256 of both under a per-install secret. The server sets
it as a cookie and puts the same value in a hidden form field; a form post is
accepted only when

- the field and the cookie are present and equal (a cross-site page can make
  the browser send the cookie, but it cannot read it to copy it into the form),
- the MAC verifies under this install's secret (a cookie planted from a
  sibling domain cannot be forged without the secret), and
- the token is younger than `MAX_AGE`.

Browsers' `Sec-Fetch-Site: cross-site` is refused outright as a second line.

The secret is 32 random bytes kept in ``<data_dir>/csrf-secret`` (mode 0600),
created on first use, so tokens survive restarts and work across workers; several
replicas share one through `OKR_COACH_SECRET_KEY` instead (`Settings.secret_bytes`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

COOKIE = "okr_coach_csrf"
FIELD = "csrf_token"
MAX_AGE = 7 * 24 * 3600  # seconds a token stays valid
SECRET_FILE = "csrf-secret"
_SECRET_BYTES = 32

_lock = threading.Lock()
_secrets: dict[Path, bytes] = {}


def install_secret(data_dir: Path) -> bytes:
    """This install's secret: read from the data dir, created there on first use.

    Created with O_EXCL so that workers starting together agree on one secret.
    When the data dir cannot be written, a per-process secret is used (tokens
    then do not survive a restart) and a warning is logged.
    """
    data_dir = Path(data_dir).expanduser()
    with _lock:
        cached = _secrets.get(data_dir)
        if cached is not None:
            return cached
        path = data_dir / SECRET_FILE
        try:
            secret = _read_or_create(path)
        except OSError as exc:
            log.warning(
                "cannot keep the CSRF secret in %s (%s); using a per-process one", path, exc
            )
            secret = secrets.token_bytes(_SECRET_BYTES)
        _secrets[data_dir] = secret
        return secret


def _read_or_create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    for _attempt in range(3):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            pass
        else:
            if len(data) >= _SECRET_BYTES:
                return data[:_SECRET_BYTES]
            # Someone is writing it right now (or it is truncated): wait, then read again.
            time.sleep(0.05)
            data = path.read_bytes()
            if len(data) >= _SECRET_BYTES:
                return data[:_SECRET_BYTES]
            raise OSError(f"{path} is shorter than {_SECRET_BYTES} bytes; delete it to renew")
        secret = secrets.token_bytes(_SECRET_BYTES)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue  # another worker won the race: read its secret
        with os.fdopen(fd, "wb") as f:
            f.write(secret)
        return secret
    raise OSError(f"cannot create {path}")


def _mac(secret: bytes, nonce: str, issued: str) -> str:
    msg = f"okr-coach-csrf|{nonce}|{issued}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def new_token(secret: bytes, *, now: float | None = None) -> str:
    nonce = secrets.token_urlsafe(16)
    issued = str(int(time.time() if now is None else now))
    return f"{nonce}.{issued}.{_mac(secret, nonce, issued)}"


def token_is_valid(secret: bytes, token: str | None, *, now: float | None = None) -> bool:
    """The token was made with this secret and has not expired."""
    if not token or len(token) > 200:
        return False
    parts = token.split(".")
    if len(parts) != 3:
        return False
    nonce, issued, mac = parts
    if not issued.isdigit():
        return False
    if not hmac.compare_digest(mac.encode(), _mac(secret, nonce, issued).encode()):
        return False
    age = (time.time() if now is None else now) - int(issued)
    return -300 <= age <= MAX_AGE  # a few minutes of clock skew between workers is fine


def check_form(secret: bytes, request: Any, form: Any) -> str | None:
    """`check` for a posted form: the cookie and the fetch-site header from the request, the
    token from the form's field."""
    value = form.get(FIELD)
    return check(
        secret,
        cookie=request.cookies.get(COOKIE),
        field=value if isinstance(value, str) and value else None,
        fetch_site=request.headers.get("sec-fetch-site"),
    )


def check(
    secret: bytes, *, cookie: str | None, field: str | None, fetch_site: str | None
) -> str | None:
    """None when the post may go ahead, else the reason it may not (for the user)."""
    if fetch_site == "cross-site":
        return "This form was sent from another site, so it was refused."
    if not cookie or not field:
        return (
            "Your browser did not send the form's security token (are cookies blocked?). "
            "Your text is kept below: submit it again."
        )
    if not hmac.compare_digest(cookie.encode(), field.encode()) or not token_is_valid(
        secret, field
    ):
        return "The form's security token has expired or does not match. Your text is kept below: submit it again."
    return None
