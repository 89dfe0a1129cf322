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
