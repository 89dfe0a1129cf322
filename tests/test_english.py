"""Drafts not in English get a notice (the rules read English); English drafts none."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach import review
from coach.english import draft_language, load_words
from coach.errors import ConfigError
from coach.render.markdown import review_markdown

GERMAN = "Ziel: Kunden begeistern\n- NPS von 30 auf 50 steigern\n- Neues Kundenportal für alle Kunden launchen\n"


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (["Kunden begeistern", "NPS von 30 auf 50 steigern", "Neues Portal für alle Kunden"], "German"),
        (["Ravir nos clients", "Augmenter le NPS de 30 à 50", "Lancer un portail pour les clients"], "French"),
        (["Deleitar a los clientes", "Aumentar el NPS de 30 a 50 para todos los clientes"], "Spanish"),
        (["Делать клиентов счастливыми", "Увеличить NPS с 30 до 50"], "not English"),
        (["Delight our customers", "Increase NPS from 30 to 50", "Launch the new portal for all"], None),
        (["Grow ARR", "NPS 50"], None),  # too short to tell
    ],
)  # fmt: skip
def test_the_language_a_draft_reads_as(texts, language):
    assert draft_language(texts) == language


def test_a_german_draft_gets_a_notice_in_every_rendering():
    r = review(GERMAN)
    assert len(r.notices) == 1 and r.notices[0].startswith("This draft looks German.")
    assert "The rules read English" in r.notices[0]
    assert "> **Note:** This draft looks German." in review_markdown(r)


def test_an_english_draft_gets_none(tmp_path: Path):
    assert review(Path("examples/draft.md").read_text(encoding="utf-8")).notices == []


def test_the_words_are_validated_when_loaded(tmp_path: Path):
    bad = tmp_path / "english.yaml"
    bad.write_text("min_words: 8\nmin_share: 0.1\nratio: 2\nmin_non_latin: 0.5\n"
                   "english: [the, a, an, and, or, of, to, from, in, on]\nlanguages: {x: [y]}\n")
    with pytest.raises(ConfigError, match=r"english.yaml: english.9: Input should be a valid string"):
        load_words(bad)  # an unquoted `on` is YAML's true
