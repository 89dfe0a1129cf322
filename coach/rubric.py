"""Rules as data: load a rubric (the bundled default, or a custom file that extends it).

A custom rubric is one YAML file:

    extends: default          # or a path to another rubric folder/file
    name: acme
    rules:
      KR04: {enabled: false}
      KR01: {severity: warning}
      ST02: {params: {max: 4}}
    words:
      delivery_verbs: [socialise, operationalise]

`words` adds to the lexicon's word classes; `rules` overrides per rule.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import diskcache
from .diskcache import load_rubric_yaml
from .errors import RubricError, UnknownRuleError
from .language.patterns import Patterns
from .lexicon import REQUIRED_CLASSES, Lexicon
from .models import Label, Severity
from .resources import rubrics_dir

# The rubric's own models build their validators when a rubric is first validated, not at
# import: a process that reads the rubric kept on disk (coach.diskcache) never validates one.
_DEFERRED = ConfigDict(defer_build=True)


class RuleExamples(BaseModel):
    model_config = _DEFERRED

    flagged: list[str] = Field(default_factory=list)
    not_flagged: list[str] = Field(default_factory=list)


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: str
    name: str
    scope: Literal["objective", "key_result", "set"]
    severity: Severity
    check: str
    summary: str
    message: str
    why: str
    fix: str
    label: Label | None = None
    questions: list[str] = Field(default_factory=list)
    examples: RuleExamples = Field(default_factory=RuleExamples)
    params: dict[str, Any] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)
    enabled: bool = True


class RuleOverride(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    enabled: bool | None = None
    severity: Severity | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    message: str | None = None


class Scoring(BaseModel):
    model_config = _DEFERRED

    item_weight: dict[Severity, float]
    set_points: dict[Severity, float]


class MergePolicy(BaseModel):
    """Who decides each label in a hybrid review (rubric.yaml, `merge:`)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    min_confidence: float = Field(default=0.6, ge=0, le=1)
    owner: dict[Label, Literal["rules", "llm"]] = Field(
        default_factory=lambda: {
            "aspiration": "llm",
            "task": "llm",
            "no_metric": "rules",
            "no_target": "rules",
            "no_baseline": "rules",
        }
    )

    def owner_of(self, label: str) -> str:
        return self.owner.get(label, "rules")  # type: ignore[call-overload]


class Rubric:
    def __init__(
        self,
        name: str,
        version: str,
        rules: dict[str, Rule],
        lexicon: Lexicon,
        scoring: Scoring,
        kr_label_precedence: list[str],
        digest: str,
        merge: MergePolicy | None = None,
    ):
        self.name = name
        self.version = version
        self.rules = rules
        self.lexicon = lexicon
        self.scoring = scoring
        self.kr_label_precedence = kr_label_precedence
        self.digest = digest
        self.merge = merge or MergePolicy()
        self._aliases = {a.upper(): r.id for r in rules.values() for a in [r.name, *r.aliases]}

    @property
    def full_version(self) -> str:
        return f"{self.name}@{self.version}+{self.digest[:10]}"

    def enabled_rules(self) -> list[Rule]:
        return [r for r in self.rules.values() if r.enabled]

    def rule(self, rule_id: str) -> Rule:
        key = rule_id.strip().upper()
        key = self._aliases.get(key, key)
        if key not in self.rules:
            raise UnknownRuleError(rule_id, sorted(self.rules))
        return self.rules[key]

    def resolve(self, ids: list[str] | None) -> set[str]:
        return {self.rule(i).id for i in ids or []}

    def label_rule(self, label: str) -> Rule | None:
        for r in self.rules.values():
            if r.label == label:
                return r
        return None


def _read_yaml(path: Path) -> Any:
    """The data of one rubric file: libyaml's safe loader (a tenth of the time of the
    pure-Python one), its parse kept on disk by `coach.diskcache` (the next process imports
    no PyYAML). What it holds is validated by the caller on every load, cached or not."""
    return load_rubric_yaml(path, f"rubric file not found: {path}", "rubric ")


# The detectors `coach.checks.CHECKS` implements (a test keeps the two equal): a rule that
# names another check fails when its rubric loads, not in the middle of a review.
CHECK_NAMES = frozenset(
    """aspiration generic_direction project_objective objective_metric task no_metric no_target no_baseline health_metric compound
    unfilled_placeholder duplicate too_many_objectives too_many_key_results too_few_key_results all_tasks""".split()
)


def _load_folder(folder: Path) -> tuple[dict[str, Any], dict[str, Rule], dict[str, Any], Patterns]:
    meta = _read_yaml(folder / "rubric.yaml") or {}
    lexicon_path = folder / "lexicon.yaml"
    lexicon = _read_yaml(lexicon_path) or {}
    missing = sorted(REQUIRED_CLASSES - set(lexicon)) if isinstance(lexicon, dict) else ["(not a mapping)"]
    if missing:
        raise RubricError(f"{lexicon_path}: missing word class {missing[0]!r} (the detectors read it)")
    rules: dict[str, Rule] = {}
    for path in sorted((folder / "rules").glob("*.yaml")):
        data = _read_yaml(path)
        try:
            rule = Rule.model_validate(data)
        except ValidationError as exc:
            raise RubricError(f"{path}: {_first_error(exc)}") from exc
        if rule.check not in CHECK_NAMES:
            raise RubricError(
                f"{path}: check: unknown check {rule.check!r}; known: {', '.join(sorted(CHECK_NAMES))}"
            )
        rules[rule.id] = rule
    patterns_path = folder / "patterns.yaml"
    patterns = Patterns.load(_read_yaml(patterns_path) or {}, str(patterns_path))
    return meta, rules, lexicon, patterns


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']}" if loc else err["msg"]


def _digest(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


def _build(
    meta: dict[str, Any], rules: dict[str, Rule], lexicon: dict[str, Any], patterns: Patterns
) -> Rubric:
    try:
        scoring = Scoring.model_validate(meta.get("scoring") or {})
    except ValidationError as exc:
        raise RubricError(f"rubric scoring: {_first_error(exc)}") from exc
    try:
        merge = MergePolicy.model_validate(meta.get("merge") or {})
    except ValidationError as exc:
        raise RubricError(f"rubric merge: {_first_error(exc)}") from exc
    digest = _digest(meta, {k: r.model_dump(mode="json") for k, r in rules.items()}, lexicon, patterns.source)
    return Rubric(
        name=str(meta.get("name", "custom")),
        version=str(meta.get("version", "0")),
        rules=rules,
        lexicon=Lexicon(lexicon, patterns),
        scoring=scoring,
        kr_label_precedence=list(meta.get("kr_label_precedence") or []),
        digest=digest,
        merge=merge,
    )


def _apply_custom(path: Path, data: dict[str, Any]) -> Rubric:
    base = data.get("extends", "default")
    if base == "default":
        meta, rules, lexicon, patterns = _load_folder(rubrics_dir() / "default")
    else:
        base_path = (path.parent / str(base)).resolve()
        parent = load_rubric(base_path)
        meta = {
            "name": parent.name,
            "version": parent.version,
            "scoring": parent.scoring.model_dump(mode="json"),
            "kr_label_precedence": parent.kr_label_precedence,
            "merge": parent.merge.model_dump(mode="json"),
        }
        rules, lexicon = dict(parent.rules), dict(parent.lexicon.raw)
        patterns = parent.lexicon.patterns
    meta = {
        **meta,
        "name": data.get("name", path.stem),
        "version": str(data.get("version", meta.get("version", "0"))),
    }
    overrides = data.get("rules") or {}
    if not isinstance(overrides, dict):
        raise RubricError(f"{path}: 'rules' must map rule ids to overrides")
    rules = {k: r.model_copy(deep=True) for k, r in rules.items()}
    aliases = {a.upper(): r.id for r in rules.values() for a in [r.id, r.name, *r.aliases]}
    for key, raw in overrides.items():
        rule_id = aliases.get(str(key).upper())
        if rule_id is None:
            raise RubricError(
                f"{path}: rules.{key}: unknown rule; known: {', '.join(sorted(rules))}"
            )
        try:
            ov = RuleOverride.model_validate(raw or {})
        except ValidationError as exc:
            raise RubricError(f"{path}: rules.{key}.{_first_error(exc)}") from exc
        rule = rules[rule_id]
        if ov.enabled is not None:
            rule.enabled = ov.enabled
        if ov.severity is not None:
            rule.severity = ov.severity
        if ov.message is not None:
            rule.message = ov.message
        unknown = set(ov.params) - set(rule.params)
        if unknown:
            raise RubricError(
                f"{path}: rules.{key}.params: unknown {sorted(unknown)}; known: {sorted(rule.params)}"
            )
        rule.params.update(ov.params)
    words = data.get("words") or {}
    if not isinstance(words, dict):
        raise RubricError(f"{path}: 'words' must map word classes to lists")
    lexicon = dict(lexicon)
    for cls, extra in words.items():
        if cls not in lexicon or not isinstance(lexicon[cls], list):
            known = sorted(k for k, v in lexicon.items() if isinstance(v, list))
            raise RubricError(f"{path}: words.{cls}: unknown word class; known: {', '.join(known)}")
        if not isinstance(extra, list):
            raise RubricError(f"{path}: words.{cls} must be a list of words")
        lexicon[cls] = list(lexicon[cls]) + [str(w) for w in extra]
    if "scoring" in data:
        meta["scoring"] = data["scoring"]
    if isinstance(data.get("merge"), dict):
        # A custom rubric changes one owner or the threshold and keeps the rest.
        base_merge = dict(meta.get("merge") or {})
        owner = {**(base_merge.get("owner") or {}), **(data["merge"].get("owner") or {})}
        meta["merge"] = {**base_merge, **data["merge"], "owner": owner}
    if "patterns" in data:
        patterns = patterns.merged(data["patterns"], str(path))
    return _build(meta, rules, lexicon, patterns)


# The code that decides what a built rubric holds, and whether a rubric loads at all: a
# rubric kept on disk is used only by the same code (and the same files, see `_kept_key`).
_BUILDERS = ("coach.rubric", "coach.lexicon", "coach.language.patterns", "coach.models", "coach.errors",
             "coach.lazy_re")  # fmt: skip
# What a kept rubric may fail to unpickle with when it is damaged or outdated: it is rebuilt.
_UNPICKLING = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError, ValueError,
               IndexError, KeyError)  # fmt: skip


def _kept_key(folder: Path) -> tuple[str, bytes] | None:
    """Where a rubric folder's build is kept, and its key: every file `_load_folder` reads,
    byte for byte, and the code that builds and validates it (which also names the entry,
    so two installed versions alternating keep one each); None when a file cannot be read
    (the load then says which)."""
    from pydantic import VERSION

    try:
        code = hashlib.sha256(diskcache.fingerprint("rubric", VERSION))
        for name in _BUILDERS:
            code.update(Path(sys.modules[name].__file__ or "").read_bytes())
        digest = code.copy()
        files = [folder / "rubric.yaml", folder / "lexicon.yaml", folder / "patterns.yaml",
                 *sorted((folder / "rules").glob("*.yaml"))]  # fmt: skip
        for path in files:
            raw = path.read_bytes()
            digest.update(b"%d:%s\0%d\0" % (len(path.name), path.name.encode(), len(raw)))
            digest.update(raw)
    except (OSError, KeyError):
        return None
    return f"{folder}\0{code.hexdigest()}", digest.digest()


def _load_folder_kept(folder: Path) -> Rubric:
    """A rubric folder, built and validated (`_load_folder`, `_build`), or the build kept on
    disk (`coach.diskcache`) from the same files and code, which loaded and validated then."""
    kept_as = _kept_key(folder)
    if kept_as is not None:
        payload = diskcache.read("rubric", *kept_as)
        if payload is not None:
            try:
                kept = pickle.loads(payload)  # noqa: S301 - our own entry, its key and digest checked
            except _UNPICKLING:
                kept = None
            if isinstance(kept, Rubric):
                return kept
    rubric = _build(*_load_folder(folder))
    if kept_as is not None:
        try:
            payload = pickle.dumps(rubric, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return rubric
        diskcache.write("rubric", *kept_as, payload)
    return rubric


@lru_cache(maxsize=32)
def _load_cached(path: Path, mtime: float) -> Rubric:
    if path.is_dir():
        return _load_folder_kept(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise RubricError(f"{path}: a rubric file is a YAML mapping (extends, rules, words)")
    return _apply_custom(path, data)


_DEFAULT: Rubric | None = None


def load_rubric(source: str | Path | Rubric | None = None) -> Rubric:
    """The default rubric, a bundled rubric by name, or a custom rubric file/folder."""
    if isinstance(source, Rubric):
        return source
    if source is None or str(source) == "default":
        # The bundled default is read once per process (a server reviews with it all day).
        global _DEFAULT
        if _DEFAULT is None:
            path = (rubrics_dir() / "default").resolve()
            _DEFAULT = _load_cached(path, path.stat().st_mtime)
        return _DEFAULT
    else:
        path = Path(source)
        if not path.exists() and (rubrics_dir() / str(source)).exists():
            path = rubrics_dir() / str(source)
        if not path.exists():
            raise RubricError(f"rubric not found: {source}")
    path = path.resolve()
    return _load_cached(path, path.stat().st_mtime)
