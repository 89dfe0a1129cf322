"""API keys: the secret is shown once and stored only as a hash."""

from __future__ import annotations

import re

import pytest

from coach.errors import NotFoundError


def test_create_verify_list(store):
    assert store.list_keys() == [] and not store.any_active_keys()
    info, secret = store.create_key("ci bot")
    assert re.fullmatch(r"okc_[A-Za-z0-9_-]{32}", secret)
    assert info.prefix == secret[4:12] and info.name == "ci bot"
    assert info.active and info.revoked_at is None and info.created_at.tzinfo is not None
    assert store.any_active_keys()
    assert store.verify_key(secret) == info
    assert store.list_keys() == [info]


def test_verify_rejects_anything_else(store):
    _, secret = store.create_key("bot")
    near = secret[:-1] + ("A" if secret[-1] != "A" else "B")  # same prefix, wrong secret
    for wrong in (near, "", "okc_", secret[:12], secret + "x", "Bearer " + secret, secret.upper()):
        assert store.verify_key(wrong) is None, wrong


def test_revoke_by_id_prefix_or_secret(store):
    a, a_secret = store.create_key("a")
    b, b_secret = store.create_key("b")
    c, c_secret = store.create_key("c")
    assert not store.revoke_key(a.id).active
    assert store.revoke_key(f"okc_{b.prefix}").id == b.id
    assert store.revoke_key(c_secret).id == c.id
    for secret in (a_secret, b_secret, c_secret):
        assert store.verify_key(secret) is None
    assert not store.any_active_keys()
    # Revoking twice keeps the first time.
    assert store.revoke_key(a.prefix).revoked_at == store.revoke_key(a.id).revoked_at
    listed = {k.id: k for k in store.list_keys()}
    assert set(listed) == {a.id, b.id, c.id} and not any(k.active for k in listed.values())


def test_revoking_one_key_leaves_the_others(store):
    a, _ = store.create_key("a")
    b, b_secret = store.create_key("b")
    store.revoke_key(a.id)
    assert store.any_active_keys()
    assert store.verify_key(b_secret) == b
    assert [k.active for k in store.list_keys()] == [False, True]


def test_revoke_unknown_is_not_found(store):
    _, secret = store.create_key("a")
    wrong_secret = secret[:12] + "A" * 24
    for ref in ("nope", "", "okc_zzzzzzzz", wrong_secret):
        with pytest.raises(NotFoundError):
            store.revoke_key(ref)
    assert store.any_active_keys()


def test_names_are_checked(store):
    from coach.errors import CoachError

    for bad in ("", "   ", "x" * 201):
        with pytest.raises(CoachError):
            store.create_key(bad)
    assert store.create_key("  two   words ")[0].name == "two words"


def test_plaintext_secret_is_stored_nowhere(store, dump_database):
    secrets_ = [store.create_key(f"key {i}")[1] for i in range(3)]
    store.revoke_key(secrets_[0][4:12])
    dump = dump_database(store)
    for secret in secrets_:
        assert secret[4:12] in dump  # the dump does see the keys' rows ...
        assert secret not in dump and secret[4:] not in dump  # ... but never a secret
        assert secret[12:] not in dump


def test_ids_and_prefixes_never_begin_with_a_dash(monkeypatch):
    # A leading "-" reads as an option on a command line ("keys revoke -x3…").
    from coach.store import keys as keymod

    drawn = iter(["-leads-with-a-dash-000000000000", "ok-id-000000", "-x", "okc-prefix-0000000000000000000000"])
    monkeypatch.setattr(keymod.secrets, "token_urlsafe", lambda nbytes: next(drawn))
    assert keymod.new_id() == "ok-id-000000"
    assert keymod.new_secret() == "okc_okc-prefix-0000000000000000000000"
