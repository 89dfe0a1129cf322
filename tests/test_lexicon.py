"""The lexicon's morphology: verb forms read and written."""

import pytest

from coach.lexicon import gerund


@pytest.mark.parametrize(
    ("verb", "form"),
    [
        ("reduce", "reducing"), ("cut", "cutting"), ("launch", "launching"), ("grow", "growing"),
        ("ship", "shipping"), ("fix", "fixing"), ("be", "being"), ("see", "seeing"), ("tie", "tying"),
        # Stress decides whether a two-syllable verb doubles (open → opening, admit → admitting):
        # not guessed.
        ("open", ""), ("admit", ""), ("lower", ""),
    ],
)
def test_gerund(verb, form):
    assert gerund(verb) == form
