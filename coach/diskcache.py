"""Start-up work kept on disk for the next process (a hook runs on every commit): the parse
of each data file okr-coach reads (the rubric, the language and column words), and the
built default rubric (`coach.rubric`).

An entry is used only when its key matches, and the key covers everything the entry was
made from: the bytes of the files read, and the okr-coach, Python and library versions
(and, for a rubric, the source of the code that builds and validates it). A changed file is
a new key, so it is read, parsed and validated again (and fails its load exactly as
before). Entries sit in `$XDG_CACHE_HOME/okr-coach/` (default `~/.cache/okr-coach/`), one
file per data file or rubric folder, replaced atomically, each with the SHA-256 of its
payload: an entry that is missing, stale, damaged or unreadable is ignored (and rewritten),
and a cache folder that cannot be written is silently done without.

YAML is parsed by libyaml's safe loader (a tenth of the pure-Python loader's time), and a
parse is kept with `marshal` (plain data only: a file holding, say, a YAML date is parsed
every time).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import RubricError

MAGIC = b"okr-coach cache 1\n"


class YAMLSyntaxError(ValueError):
    """The text is not valid YAML; `error` is PyYAML's exception (`problem`, `problem_mark`)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/okr-coach` (`~/.cache/okr-coach`); None with no home to put it in."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "okr-coach"


def entry_path(kind: str, ident: str) -> Path | None:
    """Where the entry of `kind` for `ident` (a file or folder path) is kept."""
    folder = cache_dir()
    if folder is None:
        return None
    name = hashlib.sha256(os.fsencode(ident)).hexdigest()
    return folder / kind / name


def read(kind: str, ident: str, key: bytes) -> bytes | None:
    """The payload kept under `key` (32 bytes), or None: no entry, another key, damaged."""
    entry = entry_path(kind, ident)
    if entry is None:
        return None
    try:
        blob = entry.read_bytes()
    except OSError:
        return None
    head = len(MAGIC)
    if blob[:head] != MAGIC or blob[head : head + 32] != key:
        return None
    digest, payload = blob[head + 32 : head + 64], blob[head + 64 :]
    if hashlib.sha256(payload).digest() != digest:  # torn or damaged: never decoded
        return None
    return payload


def write(kind: str, ident: str, key: bytes, payload: bytes) -> None:
    """Keep `payload` under `key`; quietly nothing when the cache folder is not writable."""
    entry = entry_path(kind, ident)
    if entry is None:
        return
    blob = MAGIC + key + hashlib.sha256(payload).digest() + payload
    tmp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(blob)
        os.replace(tmp, entry)
    except OSError:  # read-only home, full disk, no permission: no cache, same result
        with contextlib.suppress(OSError):
            tmp.unlink()


def fingerprint(*parts: object) -> bytes:
    """What every entry depends on (okr-coach, Python, marshal, the PyYAML installation,
    found without importing it), with `parts` added."""
    return repr((_ENVIRONMENT or _environment(), parts)).encode()


_ENVIRONMENT: tuple[object, ...] | None = None


def _environment() -> tuple[object, ...]:
    global _ENVIRONMENT
    from importlib.util import find_spec

    spec = find_spec("yaml")
    origin = spec.origin if spec and spec.origin else ""
    try:
        stamp = os.stat(origin).st_mtime_ns if origin else 0
    except OSError:
        stamp = 0
    _ENVIRONMENT = (MAGIC, __version__, sys.version, marshal.version, origin, stamp)
    return _ENVIRONMENT


def parse_yaml(text: str) -> Any:
    """`text` parsed by PyYAML's safe loader (libyaml's when PyYAML has it)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(exc) from exc


def load_yaml(path: Path) -> Any:
    """The data of the YAML file at `path`, its parse kept on disk for the next process.

    Raises OSError when the file cannot be read, UnicodeDecodeError when it is not UTF-8,
    YAMLSyntaxError when it is not YAML."""
    raw = path.read_bytes()
    # As path.read_text(encoding="utf-8") reads it: universal newlines.
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    ident = os.path.abspath(path)
    key = hashlib.sha256(fingerprint("yaml") + b"\0" + raw).digest()
    payload = read("yaml", ident, key)
    if payload is not None:
        try:
            return marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            pass
    data = parse_yaml(text)
    try:
        payload = marshal.dumps(data)
        if marshal.loads(payload) == data:  # NaN equals nothing: such data is not kept
            write("yaml", ident, key, payload)
    except ValueError:  # a type marshal does not keep (a YAML date): parsed every time
        pass
    return data


def load_rubric_yaml(path: Path, missing: str, what: str = "") -> Any:
    """`load_yaml` for a file of rubric data: each way it fails is a RubricError that names
    the file (`missing` when there is none; "cannot read {what}{path}" when it is unreadable)."""
    try:
        return load_yaml(path)
    except FileNotFoundError as exc:
        raise RubricError(missing) from exc
    except YAMLSyntaxError as wrapped:
        exc = wrapped.error
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise RubricError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"cannot read {what}{path}: {exc}") from exc
