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


def test_a_strong_verb_has_no_regular_past():
    """'see' (saw, seen) and 'be' have no '-d' past: 'seed' and 'bed' are other words."""
    from coach.rubric import load_rubric

    lex = load_rubric(None).lexicon
    assert lex.lemma_of("seed") == "seed" and lex.lemma_of("bed") == "bed"
    assert lex.lemma_of("saw") == "see" and lex.lemma_of("seen") == "see"
    assert lex.lemma_of("shared") == "share" and lex.lemma_of("used") != "us"
