"""Line-level recognition: section titles, remarks, list markers."""

from __future__ import annotations

import pytest

from coach.parse.labels import H_KR, H_OBJ, H_OKR, header_kind, is_prose
from coach.parse.lines import HEADING, PLAIN, scan


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Objectives", H_OBJ),
        ("Our goals for Q3", H_OBJ),
        ("Key results:", H_KR),
        ("KRs", H_KR),
        ("Success metrics", H_KR),
        ("Here are the key results:", H_KR),
        ("OKRs Q3 2025", H_OKR),
        ("Q3 2025", H_OKR),
        ("Team Platform OKRs", H_OKR),
        ("Customer Support OKRs, Q3", H_OKR),
        ("Objectives and Key Results", H_OKR),
        ("Q3 planning – DRAFT v2", H_OKR),
        ("Roll out OKRs across the company", None),
        ("Grow revenue", None),
        ("Maria", None),
        ("Increase NPS from 30 to 50", None),
        ("Platform OKRs", H_OKR),
        ("Has a mechanism to score OKRs.", None),  # a sentence that ends on the word
        ("Every team publishes its quarterly OKRs.", None),
    ],
)
def test_header_kind(title, kind):
    assert header_kind(title) == kind


@pytest.mark.parametrize(
    "line, prose",
    [
        ("Hi team, here's my draft!", True),
        ("Let me know what you think!", True),
        ("Thanks,", True),
        ("PS: ping me on Slack", True),
        ("Does this look right?", True),
        ("Happy customers across DACH", False),
        ("Launch new customer portal!", False),
        ("Increase NPS from 30 to 50.", False),
        ("Best-in-class onboarding", False),
        # a key result the author reviews as a question, with its number, is the key result
        ("Did I read 30 books by the end of the term?", False),
        ("Did we get it right?", True),
    ],
)
def test_is_prose(line, prose):
    assert is_prose(line) is prose


@pytest.mark.parametrize(
    "line, kind",
    [
        ("Grow revenue", PLAIN),
        ("## Grow revenue", HEADING),
        ("- Grow revenue", "bullet:-"),
        ("• Grow revenue", "bullet:•"),
        ("🎯 Grow revenue", "bullet:🎯"),
        ("1. Grow revenue", "1."),
        ("1) Grow revenue", "1)"),
        ("1.2 Grow revenue", "dec2"),
        ("1.2.3. Grow revenue", "dec3"),
        ("a) Grow revenue", "a)"),
        ("(b) Grow revenue", "(a)"),
        ("ii. Grow revenue", "i."),
        ("IV) Grow revenue", "I)"),
        ("1️⃣ Grow revenue", "keycap"),
        ("[ ] Grow revenue", "bullet:["),
        ("1.5x faster checkout", PLAIN),
        ("-5% churn", PLAIN),
        ("**Grow revenue**", PLAIN),
    ],
)
def test_list_markers(line, kind):
    (item,) = scan(line)
    assert item.kind == kind
    assert item.text(line) in ("Grow revenue", "1.5x faster checkout", "-5% churn")


def test_blank_rules_fences_and_emoji_only_lines_are_skipped():
    assert scan("\n---\n```\n***\n🚀🚀\n   \n") == []


# --- speed machinery: exactness ---------------------------------------------------------------


def test_fold_is_exact_for_every_code_point():
    """labels.fold: matching LOWERED on text.lower() is matching CASELESS (re.I) on text.

    Per character c (the three that fold() refuses aside), with l = c.lower():
    one character; re.I matches c to the ASCII letter l only, or to none when l is not
    one; every non-letter the patterns name is matched by itself only and kept by
    lower(); and \\s, \\d, \\w (hence \\b) see c and l alike."""
    import re
    import string
    from dataclasses import fields

    from coach.parse.labels import _FOLD_BREAKERS, LOWERED, Patterns

    named = set()
    for f in fields(Patterns):
        named |= {ch for ch in getattr(LOWERED, f.name).pattern if not ch.isalpha()}
    named.add("\n")
    named_rx = re.compile("[" + re.escape("".join(sorted(named))) + "]", re.I)
    letter_rx = re.compile("[a-z]", re.I)
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        if c in _FOLD_BREAKERS:
            continue
        low = c.lower()
        assert len(low) == 1, hex(cp)
        if letter_rx.fullmatch(c):
            assert [x for x in string.ascii_lowercase if re.fullmatch(x, c, re.I)] == [low]
        else:
            assert not ("a" <= low <= "z"), hex(cp)
        if named_rx.fullmatch(c):
            assert c in named and low == c, hex(cp)
        else:
            assert low not in named, hex(cp)
        assert c.isspace() == low.isspace(), hex(cp)
        assert c.isdecimal() == low.isdecimal(), hex(cp)
        assert c.isalnum() == low.isalnum(), hex(cp)


def test_fold_refuses_what_lower_cannot_mirror():
    from coach.parse.labels import fold

    assert fold("KR1: Grow") == "kr1: grow"
    assert fold("K\u212a") == "kk"  # the Kelvin sign lower-cases to k, as re.I matches it
    for ch in ("\u0130", "\u0131", "\u017f"):  # İ ı ſ
        assert fold(f"Objective {ch}") is None
    assert header_kind("OKRſ Q3") == header_kind("OKRs Q3")  # re.I: ſ matches s


def test_line_cache_gives_the_same_items():
    """A line's classification is cached by its text; cached, uncached (long lines) and
    in-context ("h) i)") paths give the same items."""
    from coach.parse import lines

    text = (
        "# OKRs Q3\n\nObjective 1: Grow revenue\n- KR1: ARR from 1M to 2M\n"
        "h) Cut churn\ni) Hire SREs\n  i) Launch\n" + "- " + "very long " * 150 + "\n"
    )

    def dump(items):
        return [
            (i.line, i.indent, i.cont_col, i.kind, i.label, i.label_span, i.header, i.pieces)
            for i in items
        ]

    lines._cached_shape.cache_clear()
    cold = dump(scan(text))
    assert dump(scan(text)) == cold  # warm
    assert lines._cached_shape.cache_info().hits > 0
    # "i)" right after "h)" is a letter, an indented "i)" starts a roman list
    assert [d[3] for d in cold] == ["heading", "plain", "bullet:-", "a)", "a)", "i)", "bullet:-"]
    assert cold[-1][-1] == [(102, 1601)]  # the long line, classified without the cache
