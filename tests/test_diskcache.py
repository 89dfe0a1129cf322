"""What a process keeps on disk for the next (coach.diskcache): used only when its key
matches, never trusted when damaged, never a reason to skip a rubric's validation."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from entry_probe import run_entry

from coach import diskcache
from coach import rubric as rubric_module
from coach.errors import RubricError
from coach.resources import rubrics_dir


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "okr-coach"


def _entries(cache: Path, kind: str) -> list[Path]:
    return sorted((cache / kind).glob("*")) if (cache / kind).exists() else []


def _no_parse(monkeypatch):
    def refuse(text):
        raise AssertionError("parsed again")

    monkeypatch.setattr(diskcache, "parse_yaml", refuse)


def test_a_parse_is_kept_and_read_back_without_parsing(cache, tmp_path, monkeypatch):
    data_file = tmp_path / "words.yaml"
    data_file.write_text("verbs: [launch, ship]\nratio: 1.5\nnested: {a: 1, b: null, c: true}\n")
    first = diskcache.load_yaml(data_file)
    assert first == {"verbs": ["launch", "ship"], "ratio": 1.5, "nested": {"a": 1, "b": None, "c": True}}
    assert len(_entries(cache, "yaml")) == 1
    _no_parse(monkeypatch)
    assert diskcache.load_yaml(data_file) == first


def test_a_changed_file_is_parsed_again(cache, tmp_path):
    data_file = tmp_path / "words.yaml"
    data_file.write_text("verbs: [launch]\n")
    assert diskcache.load_yaml(data_file) == {"verbs": ["launch"]}
    data_file.write_text("verbs: [ship]\n")
    assert diskcache.load_yaml(data_file) == {"verbs": ["ship"]}
    assert len(_entries(cache, "yaml")) == 1  # one entry per file, replaced


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: b"not a cache entry at all",
        lambda blob: blob[: len(blob) // 2],  # torn
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 0xFF]),  # a flipped payload byte
        lambda blob: blob[:30] + bytes([blob[30] ^ 0xFF]) + blob[31:],  # a flipped key byte
    ],
)
def test_a_damaged_entry_is_ignored_and_rewritten(cache, tmp_path, damage):
    data_file = tmp_path / "words.yaml"
    data_file.write_text("verbs: [launch, ship]\n")
    diskcache.load_yaml(data_file)
    (entry,) = _entries(cache, "yaml")
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    assert diskcache.load_yaml(data_file) == {"verbs": ["launch", "ship"]}
    assert entry.read_bytes() == good


def test_a_good_digest_over_an_undecodable_payload_is_parsed_again(cache, tmp_path):
    data_file = tmp_path / "words.yaml"
    data_file.write_text("verbs: [launch]\n")
    diskcache.load_yaml(data_file)
    (entry,) = _entries(cache, "yaml")
    head = len(diskcache.MAGIC)
    key = entry.read_bytes()[head : head + 32]
    diskcache.write("yaml", str(data_file.absolute()), key, b"\xff\x00 not marshal")
    assert diskcache.load_yaml(data_file) == {"verbs": ["launch"]}


def test_an_unwritable_cache_is_done_without(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "below"))
    data_file = tmp_path / "words.yaml"
    data_file.write_text("verbs: [launch]\n")
    assert diskcache.load_yaml(data_file) == {"verbs": ["launch"]}
    assert diskcache.load_yaml(data_file) == {"verbs": ["launch"]}


def test_data_marshal_cannot_keep_is_parsed_every_time(cache, tmp_path):
    data_file = tmp_path / "dated.yaml"
    data_file.write_text("since: 2026-01-05\n")
    assert str(diskcache.load_yaml(data_file)["since"]) == "2026-01-05"
    assert _entries(cache, "yaml") == []


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert diskcache.cache_dir() == tmp_path / ".cache" / "okr-coach"


def test_invalid_yaml_is_still_an_error_naming_the_line(cache, tmp_path):
    bad = tmp_path / "rubric.yaml"
    bad.write_text("extends: default\nrules: [unclosed\n")
    with pytest.raises(diskcache.YAMLSyntaxError) as caught:
        diskcache.load_yaml(bad)
    assert caught.value.error.problem_mark.line >= 1
    assert _entries(cache, "yaml") == []


def test_libyaml_reads_every_shipped_data_file_as_the_python_loader_does():
    import yaml

    root = Path(rubric_module.__file__).parent
    files = [*rubrics_dir().rglob("*.yaml"), root / "english.yaml", root / "parse" / "columns.yaml"]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text), path


# -- the rubric kept whole ---------------------------------------------------------------


def _copy_default(tmp_path) -> Path:
    folder = tmp_path / "rubric"
    shutil.copytree(rubrics_dir() / "default", folder)
    return folder


def _load_fresh(folder: Path):
    rubric_module._load_cached.cache_clear()  # the process's own memo, keyed by folder mtime
    return rubric_module.load_rubric(folder)


def _same(a, b) -> None:
    assert a.full_version == b.full_version and a.digest == b.digest
    assert {k: r.model_dump() for k, r in a.rules.items()} == {k: r.model_dump() for k, r in b.rules.items()}
    assert a.lexicon.raw == b.lexicon.raw and a.lexicon.lemma == b.lexicon.lemma
    assert a.lexicon.verb_class == b.lexicon.verb_class and a.lexicon.maps == b.lexicon.maps
    assert a.lexicon.classes == b.lexicon.classes
    assert a.lexicon.patterns.source == b.lexicon.patterns.source
    for name in a.lexicon.patterns.source:
        assert getattr(a.lexicon.patterns, name) == getattr(b.lexicon.patterns, name)
    assert a.scoring == b.scoring and a.merge == b.merge and a.kr_label_precedence == b.kr_label_precedence


def test_a_kept_rubric_is_the_rubric_built_from_its_files(cache, tmp_path, monkeypatch):
    folder = _copy_default(tmp_path)
    built = _load_fresh(folder)
    assert len(_entries(cache, "rubric")) == 1
    monkeypatch.setattr(rubric_module, "_load_folder", lambda f: pytest.fail("built again"))
    kept = _load_fresh(folder)
    assert kept is not built
    _same(kept, built)


def test_another_version_of_the_code_keeps_its_own_entry(cache, tmp_path, monkeypatch):
    folder = _copy_default(tmp_path)
    built = _load_fresh(folder)
    real = diskcache.fingerprint
    monkeypatch.setattr(diskcache, "fingerprint", lambda *parts: real(*parts, "another version"))
    _same(_load_fresh(folder), built)
    assert len(_entries(cache, "rubric")) == 2


def test_patterns_kept_compile_when_first_read():
    patterns = rubric_module.load_rubric().lexicon.patterns
    copy = pickle.loads(pickle.dumps(patterns))
    assert copy.source == patterns.source and "rate" not in vars(copy)
    assert copy.rate == patterns.rate and "rate" in vars(copy)
    with pytest.raises(AttributeError, match="no pattern 'nope'"):
        _ = copy.nope


@pytest.mark.parametrize(
    ("path", "old", "new", "message"),
    [
        ("rules/KR06.yaml", r"(?m)^check: .*$", "check: compund", r"KR06\.yaml: check: unknown check 'compund'"),
        ("lexicon.yaml", r"(?m)^hire_verbs:", "hire_verbz:", r"lexicon\.yaml: missing word class 'hire_verbs'"),
        ("patterns.yaml", r"(?m)^rate:", "rat:", r"patterns\.yaml: missing pattern 'rate'"),
        ("patterns.yaml", r"(?m)^now: .*$", "now: '(unclosed'", r"patterns\.yaml: now: not a valid pattern"),
    ],
)
def test_a_changed_rubric_file_is_validated_again(cache, tmp_path, path, old, new, message):
    folder = _copy_default(tmp_path)
    _load_fresh(folder)  # kept
    changed = folder / path
    text = changed.read_text(encoding="utf-8")
    assert re.search(old, text), old
    changed.write_text(re.sub(old, new, text, count=1), encoding="utf-8")
    with pytest.raises(RubricError, match=message):
        _load_fresh(folder)


def test_a_damaged_kept_rubric_is_built_again(cache, tmp_path):
    folder = _copy_default(tmp_path)
    built = _load_fresh(folder)
    (entry,) = _entries(cache, "rubric")
    ident, key = rubric_module._kept_key(folder.resolve())
    assert diskcache.entry_path("rubric", ident) == entry
    for payload in (b"garbage", pickle.dumps("not a rubric"), pickle.dumps(built)[:100]):
        diskcache.write("rubric", ident, key, payload)
        _same(_load_fresh(folder), built)
    entry.write_bytes(entry.read_bytes()[:-3])  # torn
    _same(_load_fresh(folder), built)


def _run(args, cwd, cache_home):
    import os

    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run([sys.executable, "-m", "coach", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)  # fmt: skip


def test_the_check_refuses_a_rubric_changed_since_it_was_kept(tmp_path):
    folder = _copy_default(tmp_path)
    (tmp_path / "OKR.md").write_text("Objective: Grow revenue\nKR: Launch the new pricing page\n")
    first = _run(["check", "--rubric", str(folder), "OKR.md"], tmp_path, tmp_path / "home")
    assert first.returncode == 1 and "KR01" in first.stdout
    rule = folder / "rules" / "KR06.yaml"
    rule.write_text(re.sub(r"(?m)^check: .*$", "check: compund", rule.read_text()))
    again = _run(["check", "--rubric", str(folder), "OKR.md"], tmp_path, tmp_path / "home")
    assert again.returncode == 2 and again.stdout == ""
    assert again.stderr.count("\n") == 1 and "KR06.yaml: check: unknown check 'compund'" in again.stderr


def test_a_warm_check_imports_no_yaml_parser(tmp_path):
    (tmp_path / "OKR.md").write_text("Objective: Grow revenue\nKR: Launch the new pricing page\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "home")}
    (cold, cold_modules), (warm, warm_modules) = (run_entry(["check", "OKR.md"], tmp_path, env) for _ in range(2))
    assert cold == warm and "KR01" in warm
    assert "yaml" in cold_modules  # cold: parsed, then kept
    assert "yaml" not in warm_modules
