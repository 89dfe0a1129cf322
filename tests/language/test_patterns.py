"""Patterns are rubric data: every name the readers use is declared, a bad pattern fails at
load naming the file and key, and a custom rubric can replace one by name."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

from coach.errors import RubricError
from coach.language.key_results import analyze_kr
from coach.language.patterns import REQUIRED_PATTERNS
from coach.resources import rubrics_dir
from coach.rubric import load_rubric

PACKAGE = Path(__file__).resolve().parents[2] / "coach"


def test_the_required_patterns_are_the_ones_the_readers_use():
    used: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r"\.patterns\.([a-z_]+)\b", path.read_text()))
    used -= {"source", "merged", "load"}
    assert used == REQUIRED_PATTERNS, (sorted(used - REQUIRED_PATTERNS), sorted(REQUIRED_PATTERNS - used))


def test_a_pattern_that_does_not_compile_fails_at_load(tmp_path):
    folder = tmp_path / "rubric"
    shutil.copytree(rubrics_dir() / "default", folder)
    patterns = folder / "patterns.yaml"
    patterns.write_text(patterns.read_text().replace("rate: '", "rate: '(?P<broken", 1))
    with pytest.raises(RubricError, match=r"patterns\.yaml: rate: not a valid pattern"):
        load_rubric(folder)


def test_a_missing_pattern_fails_at_load(tmp_path):
    folder = tmp_path / "rubric"
    shutil.copytree(rubrics_dir() / "default", folder)
    patterns = folder / "patterns.yaml"
    patterns.write_text(re.sub(r"(?m)^rate: .*$", "", patterns.read_text()))
    with pytest.raises(RubricError, match=r"patterns\.yaml: missing pattern 'rate'"):
        load_rubric(folder)


def test_a_custom_rubric_replaces_a_pattern_by_name(tmp_path):
    path = tmp_path / "acme.yaml"
    # Acme writes rates as "a head" too ("cost a head"): its own pattern, same name.
    path.write_text(textwrap.dedent(r"""
        patterns:
          rate: '\bper (?!the\b|our\b|their\b|its\b|cent\b)(?:\d[\d,.]*\s?k?|[a-z][a-z-]+)\b|\ba head\b'
    """))
    custom = load_rubric(path)
    assert custom.lexicon.patterns.rate.search("catering cost a head")
    assert not load_rubric(None).lexicon.patterns.rate.search("catering cost a head")
    assert custom.digest != load_rubric(None).digest
    assert analyze_kr("Catering cost a head", custom.lexicon).metric_words


def test_an_unknown_pattern_in_a_custom_rubric_fails(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text("patterns:\n  raet: 'x'\n")
    with pytest.raises(RubricError, match=r"acme\.yaml: patterns\.raet: unknown pattern"):
        load_rubric(path)
