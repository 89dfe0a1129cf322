"""Uploads kept for the mapping step: only for who uploaded them, for an hour."""

from __future__ import annotations

import os
import time

import pytest

from coach.batch import InputFile
from coach.errors import NotFoundError
from coach.web import pending


def test_kept_for_its_owner_only_then_dropped(tmp_path):
    token = pending.save(tmp_path, "key:a", [InputFile("x.csv", b"Ziel;Messung\n")])
    assert len(token) >= 24
    files = pending.load(tmp_path, "key:a", token)
    assert [(f.name, f.read()) for f in files] == [("x.csv", b"Ziel;Messung\n")]
    pending.close(files)
    with pytest.raises(NotFoundError):
        pending.load(tmp_path, "key:b", token)  # another principal: as if it did not exist
    with pytest.raises(NotFoundError):
        pending.load(tmp_path, "key:a", "../../etc")
    pending.drop(tmp_path, token)
    with pytest.raises(NotFoundError):
        pending.load(tmp_path, "key:a", token)


def test_an_hour_old_upload_is_gone(tmp_path, monkeypatch):
    token = pending.save(tmp_path, "anonymous", [InputFile("x.csv", b"a")])
    later = time.time() + pending.TTL_S + 1
    monkeypatch.setattr(pending.time, "time", lambda: later)
    with pytest.raises(NotFoundError):
        pending.load(tmp_path, "anonymous", token)
    folder = tmp_path / "pending-uploads" / token
    os.utime(folder, (later - pending.TTL_S - 10, later - pending.TTL_S - 10))
    pending.save(tmp_path, "anonymous", [InputFile("y.csv", b"b")])  # clears the old one
    assert not folder.exists()
