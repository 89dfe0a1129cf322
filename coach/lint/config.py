"""Settings of `okr-coach check`: `[tool.okr-coach]` in pyproject.toml or a
`.okr-coach.toml`, found by walking up from the files checked; the command line
overrides them.

Paths and globs in a config file are relative to the folder that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError

DEFAULT_INCLUDE = ("**/OKR*.md", "**/okrs/**/*.md", "**/*okr*.{yaml,yml,json,csv}")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__",
                   ".tox", "build", "dist", "site-packages")  # fmt: skip
FAIL_ON = ("error", "warning", "info", "never")
OUTPUT_FORMATS = ("text", "full", "json", "github", "sarif", "junit", "markdown")
MODES = ("rules", "llm", "hybrid")
CONFIG_FILES = (".okr-coach.toml", "pyproject.toml")


@dataclass(frozen=True)
class LintSettings:
    rubric: str = "default"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str = "error"
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    output_format: str = "text"
    mode: str = "rules"  # a linter is deterministic unless asked: no model by default
    root: Path = field(default_factory=Path.cwd)  # what globs are relative to
    source: Path | None = None  # the config file read, if any

    def with_overrides(self, **given: Any) -> LintSettings:
        """Command-line values (those not None) over the file's."""
        return replace(self, **{k: v for k, v in given.items() if v is not None})

    def show(self) -> str:
        lines = [f"# settings from {self.source or 'defaults (no config file found)'}"]
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "per_file_ignores":
                value = {glob: list(codes) for glob, codes in value}
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Path):
                value = str(value)
            lines.append(f"{f.name.replace('_', '-')} = {_toml(value)}")
        return "\n".join(lines)


def _toml(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def find_config(start: Path) -> Path | None:
    """The nearest .okr-coach.toml, or pyproject.toml with [tool.okr-coach], at or above `start`."""
    folder = start if start.is_dir() else start.parent
    for d in (folder, *folder.parents):
        dotfile = d / ".okr-coach.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = d / "pyproject.toml"
        if pyproject.is_file() and _table(pyproject) is not None:
            return pyproject
    return None


def _read(path: Path) -> dict[str, Any]:
    import tomllib  # (only where a config file is found: 3 ms of a check's start-up)

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _table(path: Path) -> dict[str, Any] | None:
    data = _read(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("okr-coach")
        return table if isinstance(table, dict) else None
    return data


def load_settings(path: Path | None) -> LintSettings:
    """Settings from a config file (None: the defaults, relative to the current folder).
    Raises ConfigError naming the file and the key."""
    if path is None:
        return LintSettings()
    path = path.resolve()
    table = _table(path)
    where = f"{path}: [tool.okr-coach]" if path.name == "pyproject.toml" else str(path)
    if table is None:
        raise ConfigError(f"{where}: no [tool.okr-coach] table")
    root = path.parent
    values: dict[str, Any] = {"root": root, "source": path}
    for key, value in table.items():
        values.update(_setting(where, key, value, root))
    return LintSettings(**values)


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: {key}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _choice(where: str, key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{where}: {key}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def _setting(where: str, key: str, value: Any, root: Path) -> dict[str, Any]:
    if key in ("select", "ignore", "include", "exclude"):
        return {key: _strings(where, key, value)}
    if key == "fail-on":
        return {"fail_on": _choice(where, key, value, FAIL_ON)}
    if key == "output-format":
        return {"output_format": _choice(where, key, value, OUTPUT_FORMATS)}
    if key == "mode":
        return {"mode": _choice(where, key, value, MODES)}
    if key == "rubric":
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: rubric: expected a rubric file, folder or bundled name")
        local = root / value
        return {"rubric": str(local) if local.exists() else value}
    if key == "per-file-ignores":
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: per-file-ignores: expected a table of glob = [codes]")
        pairs = tuple(
            (glob, _strings(where, f"per-file-ignores.{glob!r}", codes))
            for glob, codes in value.items()
        )
        return {"per_file_ignores": pairs}
    known = ", ".join(["fail-on", "exclude", "ignore", "include", "mode", "output-format",
                       "per-file-ignores", "rubric", "select"])  # fmt: skip
    raise ConfigError(f"{where}: unknown key {key!r} (known: {known})")
