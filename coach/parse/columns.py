"""Which column of a table holds what: header cells -> objective / key result / team / owner.

The words are data (`columns.yaml`, validated when loaded); how they are matched is
described there. Fuzzy matching uses the standard library's `difflib` ratio: a header
row has a handful of cells, so a faster matcher would buy nothing and add a dependency.

A coach can also name the columns outright (`ColumnMap`, from `--columns
objective=Goal,key_result="Measure of success"` or the API's `columns` field): a named
column wins over any guess.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from ..diskcache import YAMLSyntaxError, load_yaml
from ..errors import ConfigError

Role = Literal["objective", "key_result", "team", "owner"]
ROLES: tuple[Role, ...] = ("objective", "key_result", "team", "owner")
_WORD = re.compile(r"[^\W_]+")
_PAREN = re.compile(r"\(([^()]*)\)")
_NUMBERED = re.compile(r"(.*?)(\d{1,2})")
# A header cell is words and light punctuation, starting with a word: "## objective" or
# "Notes: objective" is a line of a draft, not a column name.
_HEADER = re.compile(r"[^\W_][\w\s\-.()/#?&']*")
_LEAD = re.compile(r"^[\s_\-.]+")
_PLAIN = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")  # words only: what fuzzy matching reads
_FILE = Path(__file__).with_name("columns.yaml")


class _RoleNames(BaseModel, extra="forbid"):
    names: list[str] = Field(min_length=1)
    fallback: list[str] = Field(default_factory=list)


class ColumnWords(BaseModel, extra="forbid"):
    """The contents of columns.yaml."""

    fuzzy_ratio: float = Field(gt=0.5, le=1.0)
    fuzzy_min_chars: int = Field(ge=3, le=20)
    fillers: list[str] = Field(default_factory=list)
    generic: list[str] = Field(default_factory=list)
    columns: dict[Role, _RoleNames]

    @field_validator("columns")
    @classmethod
    def _every_role(cls, value: dict[Role, _RoleNames]) -> dict[Role, _RoleNames]:
        missing = [r for r in ROLES if r not in value]
        if missing:
            raise ValueError(f"no names for {', '.join(missing)}")
        seen: dict[str, str] = {}
        for role, names in value.items():
            for name in (*names.names, *names.fallback):
                key = "".join(_WORD.findall(name.lower()))
                if not key:
                    raise ValueError(f"{role}: the name {name!r} has no letters")
                if seen.setdefault(key, role) != role:
                    raise ValueError(f"{name!r} names both {seen[key]} and {role}")
        return value


def load_words(path: Path = _FILE) -> ColumnWords:
    """Read and validate a column-words file; ConfigError names the file and the problem."""
    try:
        data = load_yaml(path)
        return ColumnWords.model_validate(data)
    except (OSError, YAMLSyntaxError) as exc:
        raise ConfigError(f"{path.name}: cannot read the column names: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path.name}: {where}: {first['msg']}") from None


class _Matcher:
    """The words of one file, compiled to look-up tables."""

    def __init__(self, words: ColumnWords):
        self.words = words
        self.fillers = frozenset(words.fillers)
        self.generic = frozenset(words.generic)
        self.primary: dict[str, Role] = {}
        self.fallback: dict[str, Role] = {}
        for role, names in words.columns.items():
            for name in names.names:
                self.primary[self._key(name)] = role
            for name in names.fallback:
                self.fallback[self._key(name)] = role
        self.fuzzy_names = [k for k in self.primary if len(k) >= words.fuzzy_min_chars]
        # Words that may come before a column's name ("Key result owner", "Your team"):
        # any other word makes the cell no header ("Because objective" is prose).
        self.known = (
            frozenset(
                w
                for names in words.columns.values()
                for name in (*names.names, *names.fallback)
                for w in _WORD.findall(name.lower())
            )
            | self.fillers
            | self.generic
        )

    def _key(self, text: str) -> str:
        return "".join(w for w in _WORD.findall(text.lower()) if w not in self.fillers)

    def role(self, cell: str) -> tuple[Role, bool] | None:
        """(role, is a fallback name) of a header cell, or None."""
        text = _LEAD.sub("", cell.strip().strip("\"'\ufeff").lower(), count=1)
        text = text.removesuffix("?").rstrip()
        if not _HEADER.fullmatch(text):
            return None
        outside = _PAREN.sub(" ", text)
        found = self._words_role(outside)
        if found is None:
            for inner in _PAREN.findall(text):
                found = self._words_role(inner)
                if found is not None:
                    break
        return found

    def _words_role(self, text: str) -> tuple[Role, bool] | None:
        words = [w for w in _WORD.findall(text) if w not in self.fillers]
        if not words:
            return None
        stripped = list(words)
        while len(stripped) > 1 and stripped[-1] in self.generic:
            stripped.pop()
        for candidate in (stripped, words) if stripped != words else (words,):
            found = self._suffix_role(candidate)
            if found is not None:
                return found
        key = "".join(stripped)
        if _PLAIN.fullmatch(text.strip()) and len(key) >= self.words.fuzzy_min_chars:
            close = difflib.get_close_matches(key, self.fuzzy_names, 1, self.words.fuzzy_ratio)
            if close:
                return self.primary[close[0]], False
        return None

    def _suffix_role(self, words: list[str]) -> tuple[Role, bool] | None:
        for start in range(len(words)):
            if start and words[start - 1] not in self.known:
                return None
            key = "".join(words[start:])
            num = _NUMBERED.fullmatch(key)
            if num is not None and self.primary.get(num.group(1)) == "key_result":
                return "key_result", False
            if key in self.primary:
                return self.primary[key], False
            if key in self.fallback:
                return self.fallback[key], True
        return None


@cache
def _matcher() -> _Matcher:
    return _Matcher(load_words())


def column_role(cell: str) -> tuple[Role, bool] | None:
    """What a header cell names: (role, whether only by a fallback name), or None."""
    return _matcher().role(cell)


def same_header(a: str, b: str) -> bool:
    """A coach's column name against a header cell: case and spacing do not matter."""
    return (
        " ".join(a.split()).casefold() == " ".join(b.strip().strip("\"'\ufeff").split()).casefold()
    )


class ColumnMap(BaseModel):
    """Columns named by the coach: role -> the header cell as it reads in the file."""

    objective: str | None = None
    key_result: str | None = None
    team: str | None = None
    owner: str | None = None

    def named(self) -> dict[Role, str]:
        return {r: v for r in ROLES if (v := getattr(self, r))}

    def __bool__(self) -> bool:
        return bool(self.named())


def parse_column_map(spec: str) -> ColumnMap:
    """`objective=Goal,key_result="Measure of success"` (or a JSON object) -> ColumnMap.
    ConfigError for an unknown role, a pair without '=', or an empty column name."""
    spec = spec.strip()
    if not spec:
        return ColumnMap()
    pairs: list[tuple[str, str]] = []
    if spec.startswith("{"):
        try:
            value = json.loads(spec)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"columns: invalid JSON ({exc.msg})") from None
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError('columns: give an object of names, e.g. {"objective": "Goal"}')
        pairs = [(str(k), v) for k, v in value.items()]
    else:
        for item in next(csv.reader([spec], skipinitialspace=True)):
            role, eq, name = item.partition("=")
            if not eq:
                raise ConfigError(f"columns: '{item}' is not role=column (e.g. objective=Goal)")
            pairs.append((role, name.strip().strip('"')))
    out: dict[str, str] = {}
    for role, name in pairs:
        role = role.strip().lower().replace("-", "_").replace(" ", "_")
        if role == "kr":
            role = "key_result"
        if role not in ROLES:
            raise ConfigError(f"columns: unknown column role '{role}'; use {', '.join(ROLES)}")
        if not name.strip():
            raise ConfigError(f"columns: no column name for {role}")
        if role in out:
            raise ConfigError(f"columns: {role} is named twice")
        out[role] = name.strip()[:200]
    return ColumnMap(**out)
