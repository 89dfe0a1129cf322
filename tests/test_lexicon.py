"""The lexicon's morphology: verb forms read and written."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.lexicon import gerund, grams


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


def test_lexicon_grams_find_what_all_grams_find():
    """`Lexicon.grams` builds only the sequences that may be a class's phrase: every class
    finds in them exactly what it finds in all of a text's sequences (`grams`)."""
    from coach.rubric import load_rubric

    lex = load_rubric(None).lexicon
    # Words of the lexicon's phrases (so phrases do occur), with a few of other shapes.
    vocab = sorted({w for wc in lex.classes.values() for e in wc.phrases for w in e.split()})
    vocab += ["sign-ups", "q3", "24/7", "follow-up", "x", "-"]

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.sampled_from(vocab), max_size=12))
    def check(words):
        full, some = grams(words), lex.grams(words)
        assert some <= full and set(words) <= some
        for name, wc in lex.classes.items():
            assert wc.entries & full == wc.entries & some, name

    check()
