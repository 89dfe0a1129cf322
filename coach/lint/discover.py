"""Which files `okr-coach check` reads.

Folders are walked for files matching the `include` globs; a file named on the command
line is read whatever its name (a pre-commit hook names the changed files). `exclude`
drops both: a pattern without a slash matches any file or folder of that name, one with
a slash matches the path from the settings' root. Globs (wcmatch: `**`, `{a,b}`) match
case-insensitively, so `OKRs.yaml` and `team-okrs.yaml` are both found.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path

from ..errors import ConfigError
from .config import LintSettings


def relative(path: Path, root: Path, outside: Path | None = None) -> str:
    """`path` from `root` with forward slashes; from `outside` (else absolute) when it
    is not under `root`."""
    resolved = path.resolve()
    for base in (root, outside):
        if base is not None and resolved.is_relative_to(base.resolve()):
            return resolved.relative_to(base.resolve()).as_posix()
    return resolved.as_posix()


def matches(rel: str, patterns: tuple[str, ...]) -> bool:
    """Does the path `rel` (from the root) match any glob? Slash-free patterns match a name."""
    name = rel.rsplit("/", 1)[-1]
    for p in patterns:
        if "/" not in p and "{" not in p:
            # A name pattern (the default excludes): fnmatch says the same as wcmatch here,
            # and a hook checking one named file never imports wcmatch.
            if fnmatchcase(name.lower(), p.lower()):
                return True
            continue
        from wcmatch import glob

        target = rel if "/" in p else name
        if glob.globmatch(target, p.strip("/") if "/" in p else p, flags=_flags()):
            return True
    return False


def _flags() -> int:
    from wcmatch import glob

    return glob.GLOBSTAR | glob.BRACE | glob.IGNORECASE | glob.DOTGLOB


def _excluded(rel: str, settings: LintSettings) -> bool:
    parts = rel.split("/")
    # A file is excluded when it or any folder on its way is.
    return any(matches("/".join(parts[: i + 1]), settings.exclude) for i in range(len(parts)))


def discover(paths: list[Path], settings: LintSettings) -> list[Path]:
    """The files to check, in a stable order, each once. Raises ConfigError for a
    path that does not exist."""
    found: dict[Path, None] = {}
    for path in paths:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or folder")
        if path.is_file():
            if not _excluded(relative(path, settings.root, path.parent), settings):
                found[path] = None
            continue
        for folder, dirs, files in os.walk(path):
            here = Path(folder)
            dirs[:] = sorted(
                d for d in dirs if not _excluded(relative(here / d, settings.root, path), settings)
            )
            for name in sorted(files):
                file = here / name
                rel = relative(file, settings.root, path)
                if matches(rel, settings.include) and not _excluded(rel, settings):
                    found[file] = None
    return list(found)
