"""Principals: who made a review or a batch, kept with it as one string.

- ``key:<id>``: an API key (the JSON API with a Bearer key, or a web session
  signed in with that key);
- ``user:<name>``: a user named by a trusted proxy header (SSO);
- ``anonymous``: a service with no key, where everyone is the same nobody.

A principal sees only what it made: reads filter on this column, and what
another principal made is answered like something that does not exist.
"""

from __future__ import annotations

ANONYMOUS = "anonymous"
KEY = "key:"
USER = "user:"
MAX_PRINCIPAL = 255


def of_key(key_id: str) -> str:
    return KEY + key_id


def of_user(name: str) -> str:
    return USER + name


def key_id_of(principal: str) -> str | None:
    """The API key id of a `key:` principal, None for any other."""
    return principal[len(KEY) :] if principal.startswith(KEY) else None
