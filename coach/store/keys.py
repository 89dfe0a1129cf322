"""API key secrets: made here, shown once, stored only as a hash.

A secret looks like `okc_` + 32 URL-safe characters (192 random bits). The
first 8 characters after `okc_` are its public prefix: stored in the clear so
a key can be listed, found and revoked; the whole secret is stored only as its
SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

SCHEME = "okc_"
SECRET_CHARS = 32
PREFIX_CHARS = 8
_SECRET_RE = re.compile(rf"^{SCHEME}[A-Za-z0-9_-]{{{SECRET_CHARS}}}$")


def _token(nbytes: int) -> str:
    # Ids and prefixes are typed on command lines: one that began with "-"
    # would read as an option ("keys revoke -x3…" failed with a usage error).
    while (token := secrets.token_urlsafe(nbytes)).startswith("-"):
        pass
    return token


def new_secret() -> str:
    return SCHEME + _token(SECRET_CHARS * 3 // 4)


def prefix_of(secret: str) -> str | None:
    """The public prefix of a well-formed secret, None for anything else."""
    if not _SECRET_RE.match(secret):
        return None
    return secret[len(SCHEME) : len(SCHEME) + PREFIX_CHARS]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret).encode(), stored_hash.encode())


def new_id() -> str:
    """A random, URL-safe, unguessable id of 12 characters (72 bits), never led by "-"."""
    return _token(9)
