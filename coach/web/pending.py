"""Uploads waiting for the coach to say which column is which (the upload page's mapping step).

A file whose columns could not be told apart is kept on disk, under an unguessable token,
for the one who uploaded it, for an hour: the mapping form names the token, not the file,
so nobody uploads twice. `<data_dir>/pending-uploads/<token>/` holds the files and
`meta.json` (who, when, the names); each new save clears those past their hour, and a
used or refused token is removed at once.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path

from ..batch import InputFile
from ..errors import NotFoundError

TTL_S = 3600
_DIR = "pending-uploads"


def _root(data_dir: Path) -> Path:
    return Path(data_dir).expanduser() / _DIR


def _valid(token: str) -> bool:
    return 16 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


def save(data_dir: Path, principal: str, files: list[InputFile]) -> str:
    """Keep the files for `principal`; the token that names them."""
    root = _root(data_dir)
    _expire(root)
    token = secrets.token_urlsafe(18)  # 144 random bits
    folder = root / token
    folder.mkdir(parents=True, mode=0o700)
    for i, f in enumerate(files):
        with (folder / f"{i}.bin").open("wb") as out:
            shutil.copyfileobj(f.stream(), out, 1 << 20)
    meta = {"principal": principal, "created": time.time(), "names": [f.name for f in files]}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def load(data_dir: Path, principal: str, token: str) -> list[InputFile]:
    """The files kept under `token` for `principal` (files opened for reading; close them
    with `close`). Another principal's token, an expired or unknown one: NotFoundError."""
    folder = _root(data_dir) / token
    gone = NotFoundError("that upload is no longer kept (an hour at most): upload it again")
    if not _valid(token) or not folder.is_dir():
        raise gone
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise gone from None
    if meta.get("principal") != principal or time.time() - meta.get("created", 0) > TTL_S:
        raise gone
    return [
        InputFile(name=name, file=(folder / f"{i}.bin").open("rb"))
        for i, name in enumerate(meta["names"])
    ]


def close(files: list[InputFile]) -> None:
    for f in files:
        if f.file is not None:
            f.file.close()


def drop(data_dir: Path, token: str) -> None:
    if _valid(token):
        shutil.rmtree(_root(data_dir) / token, ignore_errors=True)


def _expire(root: Path) -> None:
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        try:
            if now - folder.stat().st_mtime > TTL_S:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
