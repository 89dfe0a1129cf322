"""Pasted text and Markdown: what people actually paste."""

from __future__ import annotations

import pytest
from parse_helpers import assert_spans, shape, warned

from coach.errors import ParseError
from coach.parse import parse, parse_text

# --- labelled lines -------------------------------------------------------------------------

LABELLED = """\
Objective 1: Grow revenue in DACH
KR1: Increase ARR from €1.2M to €2M
KR 1.2: Sign 10 new enterprise logos
O2 - Improve retention
Key Result 3 - Reduce churn from 5% to 3%
kr: NPS from 32 to 50
Obj 3. Hire the platform team
key result: 3 SREs hired by end of Q3
"""


def test_labelled_lines():
    okr = parse(LABELLED)
    assert okr.source_format == "text"
    assert shape(okr) == [
        (
            "Grow revenue in DACH",
            ["Increase ARR from €1.2M to €2M", "Sign 10 new enterprise logos"],
        ),
        ("Improve retention", ["Reduce churn from 5% to 3%", "NPS from 32 to 50"]),
        ("Hire the platform team", ["3 SREs hired by end of Q3"]),
    ]
    assert okr.warnings == []
    assert_spans(LABELLED, okr)
    first = okr.objectives[0]
    assert first.span is not None and first.span.line == 1 and first.span.start == 13
    assert [kr.span.line for kr in okr.objectives[1].key_results] == [5, 6]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "line, text",
    [
        ("Objective: Delight our customers", "Delight our customers"),
        ("Objective 1: Delight our customers", "Delight our customers"),
        ("OBJECTIVE 12 - Delight our customers", "Delight our customers"),
        ("O1: Delight our customers", "Delight our customers"),
        ("o1 - Delight our customers", "Delight our customers"),
        ("O1 Delight our customers", "Delight our customers"),
        ("Obj 2. Delight our customers", "Delight our customers"),
        ("Objective #3: Delight our customers", "Delight our customers"),
        ("Objecitve 1: Delight our customers", "Delight our customers"),  # typo
        ("Goal: Delight our customers", "Delight our customers"),
        ("**Objective 1:** Delight our customers", "Delight our customers"),
        ("**Objective 1: Delight our customers**", "Delight our customers"),
        ("- Objective: Delight our customers", "Delight our customers"),
        ("## Objective 2 — Delight our customers", "Delight our customers"),
        ("1. Objective: Delight our customers", "Delight our customers"),
        ("Objective: Delight our customers:", "Delight our customers"),
    ],
)
def test_objective_labels(line, text):
    draft = f"{line}\nKR1: NPS from 32 to 50\n"
    okr = parse(draft)
    assert shape(okr) == [(text, ["NPS from 32 to 50"])]
    assert_spans(draft, okr)


@pytest.mark.parametrize(
    "line",
    [
        "KR1: Increase NPS from 32 to 50",
        "KR 1.2: Increase NPS from 32 to 50",
        "KR: Increase NPS from 32 to 50",
        "kr2 – Increase NPS from 32 to 50",
        "KR-3: Increase NPS from 32 to 50",
        "KR1) Increase NPS from 32 to 50",
        "Key result: Increase NPS from 32 to 50",
        "Key Result 3 - Increase NPS from 32 to 50",
        "key_result: Increase NPS from 32 to 50",
        "- KR1: Increase NPS from 32 to 50",
        "* kr 2: Increase NPS from 32 to 50",
        "  - [ ] KR1: Increase NPS from 32 to 50",
        "📈 KR1: Increase NPS from 32 to 50",
        "Key reslut 2: Increase NPS from 32 to 50",  # typo
    ],
)
def test_key_result_labels(line):
    draft = f"Objective: Delight our customers\n{line}\n"
    okr = parse(draft)
    assert shape(okr) == [("Delight our customers", ["Increase NPS from 32 to 50"])]
    assert_spans(draft, okr)


def test_words_that_only_look_like_labels_stay_text():
    draft = (
        "Objectively improve hiring\n"
        "- Krakow office: open by June\n"
        "- Goals scored by sales team from 3 to 9\n"
        "- Team building offsite held\n"
    )
    okr = parse(draft)
    assert shape(okr) == [
        (
            "Objectively improve hiring",
            [
                "Krakow office: open by June",
                "Goals scored by sales team from 3 to 9",
                "Team building offsite held",
            ],
        )
    ]


def test_labelled_objective_with_text_on_the_next_line():
    draft = """\
Objective:
Delight our customers
Key results:
1. NPS from 30 to 50
2. CSAT 4.2 -> 4.6
"""
    okr = parse(draft)
    assert shape(okr) == [("Delight our customers", ["NPS from 30 to 50", "CSAT 4.2 -> 4.6"])]
    assert okr.warnings == []
    assert_spans(draft, okr)


def test_labelled_objective_followed_by_a_blank_line_and_its_krs():
    draft = "Objective 1: Grow revenue\n\nIncrease ARR from 1M to 2M\nWin 10 logos\n"
    assert shape(parse(draft)) == [("Grow revenue", ["Increase ARR from 1M to 2M", "Win 10 logos"])]


def test_owner_and_team_lines():
    draft = """\
Team: Platform
Owner: Sam

O1: Make deploys boring
Owner: Alex
- Lead time from 2 days to 2 hours

O2: Reduce toil
- Pages per week from 30 to 10
"""
    okr = parse(draft)
    assert shape(okr) == [
        ("Make deploys boring", ["Lead time from 2 days to 2 hours"]),
        ("Reduce toil", ["Pages per week from 30 to 10"]),
    ]
    assert [(o.team, o.owner) for o in okr.objectives] == [
        ("Platform", "Alex"),
        ("Platform", "Sam"),
    ]
    assert okr.warnings == []


# --- Markdown ---------------------------------------------------------------------------------

MARKDOWN = """\
# Q3 OKRs — Team Platform

Hi team, here's my draft. Feedback welcome!

## Objective 1: Make deploys boring
- KR1: Cut deploy lead time from 2 days to 2 hours
- KR2: Reduce failed deploys from 12% to 3%
  (measured weekly)
- Launch the new CI pipeline

## Objective 2: Win the mid-market segment in DACH
Why: our pipeline there is thin.
* Increase qualified leads from 40 to 120 per month
* Sign 10 new mid-market customers

Let me know what you think!
"""


def test_markdown_headings_and_bullets():
    okr = parse(MARKDOWN)
    assert okr.source_format == "markdown"
    assert shape(okr) == [
        (
            "Make deploys boring",
            [
                "Cut deploy lead time from 2 days to 2 hours",
                "Reduce failed deploys from 12% to 3% (measured weekly)",
                "Launch the new CI pipeline",
            ],
        ),
        (
            "Win the mid-market segment in DACH",
            [
                "Increase qualified leads from 40 to 120 per month",
                "Sign 10 new mid-market customers",
            ],
        ),
    ]
    assert all(o.team == "Platform" for o in okr.objectives)  # from "Team Platform" in the title
    assert warned(okr) == [
        (1, "Q3 OKRs — Team Platform"),  # a title: no item, but never dropped silently
        (3, "Hi team, here's my draft. Feedback welcome!"),
        (12, "Why: our pipeline there is thin."),
        (16, "Let me know what you think!"),
    ]
    assert_spans(MARKDOWN, okr)


def test_wrapped_continuation_line_joins_the_bullet():
    okr = parse(MARKDOWN)
    kr = okr.objectives[0].key_results[1]
    assert kr.text == "Reduce failed deploys from 12% to 3% (measured weekly)"
    assert kr.span is not None and kr.span.line == 7
    assert MARKDOWN[kr.span.start : kr.span.end] == (
        "Reduce failed deploys from 12% to 3%\n  (measured weekly)"
    )


NESTED = """\
## Q3 OKRs
- Team Platform
  - Make deploys boring
    - Lead time from 2d to 2h
  + Improve on-call
    • Pages from 30 to 10
- Team Growth
  - Grow self-serve
    – Trial-to-paid from 8% to 12%
    ◦ Activation from 20% to 30%

## Misc
Remember the offsite next week
"""


def test_nested_bullets_sections_and_objectives():
    okr = parse(NESTED)
    assert shape(okr) == [
        ("Make deploys boring", ["Lead time from 2d to 2h"]),
        ("Improve on-call", ["Pages from 30 to 10"]),
        ("Grow self-serve", ["Trial-to-paid from 8% to 12%", "Activation from 20% to 30%"]),
    ]
    assert [o.team for o in okr.objectives] == ["Platform", "Platform", "Growth"]
    assert warned(okr) == [
        (1, "Q3 OKRs"),
        (2, "Team Platform"),
        (7, "Team Growth"),
        (12, "Misc"),
        (13, "Remember the offsite next week"),  # under a section, nothing to attach to
    ]
    messages = [w.message for w in okr.warnings]
    assert all(m.startswith("is a title") for m in messages[:4])
    assert "(team Platform for what is under it)" in messages[1]
    assert "section" in messages[4]
    assert_spans(NESTED, okr)


def test_heading_objectives_with_plain_key_result_lines():
    draft = "## Grow pipeline\nMQLs from 200 to 400\nSQL conversion from 10% to 15%\n"
    assert shape(parse(draft)) == [
        ("Grow pipeline", ["MQLs from 200 to 400", "SQL conversion from 10% to 15%"])
    ]


def test_heading_with_a_description_sentence_then_bullets():
    draft = (
        "### Grow pipeline\n"
        "New users churn in week 1, so we focus on activation.\n"
        "- MQLs from 200 to 400\n"
        "- Activation from 20% to 30%\n"
    )
    okr = parse(draft)
    assert shape(okr) == [("Grow pipeline", ["MQLs from 200 to 400", "Activation from 20% to 30%"])]
    assert warned(okr) == [(2, "New users churn in week 1, so we focus on activation.")]


def test_setext_headings_bold_labels_and_checkboxes():
    draft = """\
OKRs Q3 2025
============

**Objective 1:** Grow revenue
- [ ] Increase ARR from 1M
      to 2M by end of Q3
- [x] Win 10 new logos

Team Platform
-------------
* Make deploys boring
    * Deploy lead time from 2d to 2h
* Hire an SRE
"""
    okr = parse(draft)
    assert shape(okr) == [
        ("Grow revenue", ["Increase ARR from 1M to 2M by end of Q3", "Win 10 new logos"]),
        ("Make deploys boring", ["Deploy lead time from 2d to 2h"]),
        ("Hire an SRE", []),
    ]
    assert [o.team for o in okr.objectives] == [None, "Platform", "Platform"]
    assert warned(okr) == [(1, "OKRs Q3 2025"), (9, "Team Platform")]
    assert_spans(draft, okr)


def test_section_titles_are_not_items():
    draft = """\
OKRs Q3 2025

Objectives
- Grow revenue
- Improve retention

Key results:
- Increase ARR from 1M to 2M
"""
    okr = parse(draft)
    assert [o.text for o in okr.objectives] == ["Grow revenue", "Improve retention"]
    assert okr.objectives[1].key_results[0].text == "Increase ARR from 1M to 2M"
    # "Objectives" and "Key results:" are labels of what follows; the title is no label
    assert warned(okr) == [(1, "OKRs Q3 2025")]
    assert "title" in okr.warnings[0].message


def test_key_results_sub_heading_under_a_heading_objective():
    draft = "## Grow revenue\n### Key results\n- ARR from 1M to 2M\n- 10 new logos\n"
    assert shape(parse(draft)) == [("Grow revenue", ["ARR from 1M to 2M", "10 new logos"])]


def test_key_results_bullet_under_an_objective_bullet():
    draft = (
        "- O3: Make self-service the default support channel\n"
        "  - Key results:\n"
        "    - Self-service share from 35% to 55%\n"
        "    - Tickets per 1k users from 14 to 9\n"
    )
    assert shape(parse(draft)) == [
        (
            "Make self-service the default support channel",
            ["Self-service share from 35% to 55%", "Tickets per 1k users from 14 to 9"],
        )
    ]


def test_emoji_bullets_and_crlf():
    draft = (
        "🎯 Grow revenue\r\n"
        "📈 Increase ARR from 1M to 2M\r\n"
        "✅ Win 10 new logos\r\n"
        "🎯 Improve retention\r\n"
        "📈 Reduce churn from 5% to 3%\r\n"
    )
    okr = parse(draft)
    assert shape(okr) == [
        ("Grow revenue", ["Increase ARR from 1M to 2M", "Win 10 new logos"]),
        ("Improve retention", ["Reduce churn from 5% to 3%"]),
    ]
    assert okr.source_format == "markdown"
    assert [kr.span.line for kr in okr.objectives[0].key_results] == [2, 3]  # type: ignore[union-attr]
    assert_spans(draft, okr)


def test_indented_emoji_bullets_and_different_emoji_per_kr():
    draft = "🚀 Objective: Launch in France\n   ✅ 500 paying customers\n   🔥 NPS from 20 to 40\n"
    assert shape(parse(draft)) == [
        ("Launch in France", ["500 paying customers", "NPS from 20 to 40"])
    ]


def test_bullets_under_a_plain_line_at_the_same_indent():
    draft = (
        "Grow revenue\n- ARR from 1M to 2M\n- 10 logos\nImprove retention\n- churn from 5% to 3%\n"
    )
    assert shape(parse(draft)) == [
        ("Grow revenue", ["ARR from 1M to 2M", "10 logos"]),
        ("Improve retention", ["churn from 5% to 3%"]),
    ]


def test_marker_change_at_the_same_indent_nests_when_the_outer_marker_repeats():
    draft = (
        "• Grow revenue\n– ARR from 1M to 2M\n– 10 logos\n• Improve retention\n– churn 5% to 3%\n"
    )
    assert shape(parse(draft)) == [
        ("Grow revenue", ["ARR from 1M to 2M", "10 logos"]),
        ("Improve retention", ["churn 5% to 3%"]),
    ]


# --- numbered outlines and indentation ---------------------------------------------------------


def test_numbered_outline():
    draft = """\
1. Grow revenue
   1.1 Increase ARR from 1M to 2M
   1.2. Win 10 new logos
2. Improve retention
   a) Reduce churn from 5% to 3%
   b) NPS from 30 to 45
3) Hire
\ti. Hire 3 engineers
\tii. Hire a PM
"""
    okr = parse(draft)
    assert shape(okr) == [
        ("Grow revenue", ["Increase ARR from 1M to 2M", "Win 10 new logos"]),
        ("Improve retention", ["Reduce churn from 5% to 3%", "NPS from 30 to 45"]),
        ("Hire", ["Hire 3 engineers", "Hire a PM"]),
    ]
    assert okr.source_format == "markdown"
    assert_spans(draft, okr)


def test_numbered_outline_without_indentation():
    draft = (
        "1. Grow revenue\n1.1 ARR from 1M to 2M\n1.2 10 logos\n"
        "2. Retention\n2.1 churn from 5% to 3%\n"
    )
    assert shape(parse(draft)) == [
        ("Grow revenue", ["ARR from 1M to 2M", "10 logos"]),
        ("Retention", ["churn from 5% to 3%"]),
    ]


def test_letter_and_roman_outline():
    draft = (
        "(a) Grow revenue\n    (i) ARR from 1M to 2M\n    (ii) Win 10 logos\n"
        "(b) Retention\n    i. churn\n"
    )
    assert shape(parse(draft)) == [
        ("Grow revenue", ["ARR from 1M to 2M", "Win 10 logos"]),
        ("Retention", ["churn"]),
    ]


def test_plain_indentation_with_spaces_and_tabs():
    draft = (
        "Grow revenue\n"
        "    Increase ARR from 1M to 2M\n"
        "    Win 10 new logos\n"
        "Improve retention\n"
        "\tReduce churn from 5% to 3%\n"
    )
    okr = parse(draft)
    assert shape(okr) == [
        ("Grow revenue", ["Increase ARR from 1M to 2M", "Win 10 new logos"]),
        ("Improve retention", ["Reduce churn from 5% to 3%"]),
    ]
    assert okr.source_format == "text"
    assert_spans(draft, okr)


# --- three-lens template -----------------------------------------------------------------------

THREE_LENS = """\
We are working on a self-serve onboarding flow
Because we believe faster onboarding increases activation
As measured by: activation rate from 20% to 35%; time to first value from 3 days to 1 day

We're working on: pricing page redesign
As measured by:
- conversion from 2% to 3%
- bounce rate from 60% to 45%

Because we believe that partners drive growth
As measured by
Partner-sourced revenue from $200k to $500k
"""


def test_three_lens_template():
    okr = parse(THREE_LENS)
    assert shape(okr) == [
        (
            "faster onboarding increases activation",
            ["activation rate from 20% to 35%", "time to first value from 3 days to 1 day"],
        ),
        ("pricing page redesign", ["conversion from 2% to 3%", "bounce rate from 60% to 45%"]),
        ("partners drive growth", ["Partner-sourced revenue from $200k to $500k"]),
    ]
    assert [o.initiative for o in okr.objectives] == [
        "a self-serve onboarding flow",
        "pricing page redesign",  # no "because" line: the initiative is the objective
        None,
    ]
    assert okr.warnings == []
    assert_spans(THREE_LENS, okr)
    krs = okr.objectives[0].key_results
    assert krs[0].span.line == krs[1].span.line == 3  # type: ignore[union-attr]


def test_three_lens_on_one_line_and_in_bold_bullets():
    one_line = (
        "We are working on referrals, because we believe word of mouth is our cheapest "
        "channel, as measured by referral sign-ups from 200 to 500 a month; CAC from $90 to $60"
    )
    okr = parse(one_line)
    assert shape(okr) == [
        (
            "word of mouth is our cheapest channel",
            ["referral sign-ups from 200 to 500 a month", "CAC from $90 to $60"],
        )
    ]
    assert okr.objectives[0].initiative == "referrals"
    assert_spans(one_line, okr)

    bullets = (
        "## Onboarding\n"
        "- **We are working on:** a new onboarding flow\n"
        "- **Because we believe:** activation drives retention\n"
        "- **As measured by:**\n"
        "  - Activation from 20% to 35%\n"
        "  - Day-30 retention from 40% to 50%\n"
    )
    okr = parse(bullets)
    assert shape(okr) == [
        (
            "activation drives retention",
            ["Activation from 20% to 35%", "Day-30 retention from 40% to 50%"],
        )
    ]
    assert okr.objectives[0].initiative == "a new onboarding flow"


# --- flat blocks, prose and warnings -------------------------------------------------------------

FLAT = """\
Hi all, quick draft below.

Grow revenue
Increase ARR from 1M to 2M
Win 10 new logos

Improve retention
Reduce churn from 5% to 3%

Let me know what you think!
"""


def test_flat_blocks_separated_by_blank_lines():
    okr = parse(FLAT)
    assert shape(okr) == [
        ("Grow revenue", ["Increase ARR from 1M to 2M", "Win 10 new logos"]),
        ("Improve retention", ["Reduce churn from 5% to 3%"]),
    ]
    assert warned(okr) == [(1, "Hi all, quick draft below."), (10, "Let me know what you think!")]
    assert all("comment" in w.message for w in okr.warnings)
    assert_spans(FLAT, okr)


def test_key_result_before_any_objective_is_a_warning():
    draft = (
        "KR1: Increase NPS from 30 to 50\nObjective: Delight customers\nKR2: Launch the portal\n"
    )
    okr = parse(draft)
    assert shape(okr) == [("Delight customers", ["Launch the portal"])]
    assert warned(okr) == [(1, "KR1: Increase NPS from 30 to 50")]
    assert "no objective comes before it" in okr.warnings[0].message


def test_stray_lines_are_warned_never_dropped():
    draft = """\
Objective: Grow revenue
KR1: ARR from 1M to 2M

Deadline for comments is Friday
PS: ping me on Slack
"""
    okr = parse(draft)
    assert shape(okr) == [("Grow revenue", ["ARR from 1M to 2M"])]
    assert [w.line for w in okr.warnings] == [4, 5]


def test_blank_lines_and_key_results_headers_are_never_warned_titles_are():
    draft = "\n\n# OKRs\n\n\n## Key results\n\nObjective: A\n\n\nKR: b\n\n---\n\n"
    okr = parse(draft)
    assert warned(okr) == [(3, "OKRs")]
    assert shape(okr) == [("A", ["b"])]


def test_realistic_messy_paste_with_typos_tabs_and_crlf():
    draft = (
        "Q3 planning – DRAFT v2\r\n"
        "\r\n"
        "Objectiv 1:  Delight our custmers\r\n"
        "\t- Improve CSAT from 7.8 to 8.5\r\n"
        "\t- Launch new customer portal  \r\n"
        "\t-   Reduce avg. resolution time by 20%\r\n"
        "\r\n"
        "Objective 2: Be the best in our industry!!\r\n"
        "\t• Increase NPS\r\n"
        "\r\n"
        "thoughts??\r\n"
    )
    okr = parse(draft)
    assert shape(okr) == [
        (
            "Delight our custmers",
            [
                "Improve CSAT from 7.8 to 8.5",
                "Launch new customer portal",
                "Reduce avg. resolution time by 20%",
            ],
        ),
        ("Be the best in our industry!!", ["Increase NPS"]),
    ]
    assert warned(okr) == [(1, "Q3 planning – DRAFT v2"), (11, "thoughts??")]
    assert_spans(draft, okr)


def test_text_with_no_okrs_is_an_error():
    with pytest.raises(ParseError, match="could not find any objectives or key results"):
        parse("Hello there! Are you around?\nThanks, Sam")


def test_key_results_without_any_objective_is_an_error():
    with pytest.raises(ParseError, match="key results but no objective"):
        parse("KR1: Increase NPS from 30 to 50\nKR2: Reduce churn from 5% to 3%\n")


def test_parse_text_can_be_called_directly():
    okr = parse_text('{"not": "json, just text"}\nKR: b')
    assert okr.objectives[0].key_results[0].text == "b"


def test_trailing_noise_is_stripped_conservatively():
    draft = "Grow revenue:\n- ARR from 1M to 2M;\n- NPS from 30 to 50.\n- Launch portal!\n"
    assert shape(parse(draft)) == [
        ("Grow revenue", ["ARR from 1M to 2M", "NPS from 30 to 50.", "Launch portal!"])
    ]


def test_a_bullet_list_after_an_objective_line_at_the_same_indent_after_a_blank_line():
    draft = "Grow revenue\n\n- ARR from 1M to 2M\n- 10 logos\n"
    assert shape(parse(draft)) == [("Grow revenue", ["ARR from 1M to 2M", "10 logos"])]


def test_marked_leaf_among_objectives_is_an_objective_without_krs():
    draft = "1. Grow revenue\n   - ARR from 1M to 2M\n2. Retention\n   - churn\n3. Hiring\n"
    assert shape(parse(draft)) == [
        ("Grow revenue", ["ARR from 1M to 2M"]),
        ("Retention", ["churn"]),
        ("Hiring", []),
    ]


# --- pastes from common tools ------------------------------------------------------------------


def test_notion_export_with_emoji_headings_and_bold_kr_labels():
    draft = """\
# Q3 OKRs

## 🎯 Objective 1: Delight customers

- **KR 1.1:** Increase NPS from 32 to 50
- **KR 1.2:** Reduce churn from 5% to 3%

## 🎯 Objective 2: Scale support
- **KR 2.1:** CSAT from 4.2 to 4.6

### Notes:
- revisit in August
"""
    okr = parse(draft)
    assert shape(okr) == [
        ("Delight customers", ["Increase NPS from 32 to 50", "Reduce churn from 5% to 3%"]),
        ("Scale support", ["CSAT from 4.2 to 4.6"]),
    ]
    # the "Notes:" label itself is not warned, the notes under it and the title are
    assert warned(okr) == [(1, "Q3 OKRs"), (12, "revisit in August")]
    assert_spans(draft, okr)


def test_google_docs_paste_with_tab_after_bullets_and_a_detail_under_a_kr():
    draft = (
        "Objective 1: Improve customer onboarding\n"
        "●\tKR1: Reduce time-to-first-value from 14 days to 7 days\n"
        "●\tKR2: Increase activation from 30% to 45%\n"
        "\t○\tmeasured on new sign-ups only\n"
        "Objective 2: Build a world-class support team\n"
        "●\tHire 3 support engineers\n"
    )
    okr = parse(draft)
    assert shape(okr) == [
        (
            "Improve customer onboarding",
            [
                "Reduce time-to-first-value from 14 days to 7 days",
                "Increase activation from 30% to 45%",
            ],
        ),
        ("Build a world-class support team", ["Hire 3 support engineers"]),
    ]
    assert warned(okr) == [(4, "measured on new sign-ups only")]
    assert "detail under a key result" in okr.warnings[0].message
    assert_spans(draft, okr)


def test_slack_paste_with_single_star_emphasis():
    draft = (
        "*Objective:* Grow revenue\n"
        "• *KR1:* ARR from 1M to 2M\n"
        "• *KR2:* 10 new logos\n"
        "*Objective:* Keep customers\n"
        "• *KR1:* churn 5% → 3%\n"
    )
    okr = parse(draft)
    assert shape(okr) == [
        ("Grow revenue", ["ARR from 1M to 2M", "10 new logos"]),
        ("Keep customers", ["churn 5% → 3%"]),
    ]
    assert_spans(draft, okr)


def test_email_with_greeting_intro_and_signature():
    draft = """\
Hi team,

Here are my proposed OKRs for Q3:

1) Improve onboarding
 - reduce TTFV from 14 to 7 days
 - increase activation from 30% to 45%

2) Scale support
 - CSAT 4.2 -> 4.6
 - first response time < 2h

Thanks,
Maria
"""
    okr = parse(draft)
    assert shape(okr) == [
        (
            "Improve onboarding",
            ["reduce TTFV from 14 to 7 days", "increase activation from 30% to 45%"],
        ),
        ("Scale support", ["CSAT 4.2 -> 4.6", "first response time < 2h"]),
    ]
    assert warned(okr) == [
        (1, "Hi team,"),
        (3, "Here are my proposed OKRs for Q3:"),
        (13, "Thanks,"),
        (14, "Maria"),
    ]
    assert "title" in okr.warnings[1].message
    assert "could not tell" in okr.warnings[3].message
    assert_spans(draft, okr)


def test_bold_objective_lines_with_key_results_headers():
    draft = """\
**Improve onboarding**
Key Results:
- Reduce TTFV from 14 to 7 days
- Activation from 30% to 45%

**Scale support**
Key Results:
- CSAT 4.2 -> 4.6
"""
    okr = parse(draft)
    assert shape(okr) == [
        ("Improve onboarding", ["Reduce TTFV from 14 to 7 days", "Activation from 30% to 45%"]),
        ("Scale support", ["CSAT 4.2 -> 4.6"]),
    ]
    assert okr.warnings == []
    assert_spans(draft, okr)


def test_arrow_bullets_caps_and_bare_key_results_headers():
    draft = """\
OBJECTIVE: GROW REVENUE
→ ARR from 1M to 2M
→ 10 new logos
Objective 1 – Improve onboarding
Key results
1. Reduce TTFV from 14 to 7 days
2. Activation from 30% to 45%
"""
    okr = parse(draft)
    assert shape(okr) == [
        ("GROW REVENUE", ["ARR from 1M to 2M", "10 new logos"]),
        ("Improve onboarding", ["Reduce TTFV from 14 to 7 days", "Activation from 30% to 45%"]),
    ]
    assert okr.warnings == []


def test_every_kind_of_warning_with_its_line():
    draft = """\
KR0: Increase NPS from 30 to 50
Hi team, draft below!

## Objective 1: Grow revenue
Why: the board asked for it
- ARR from 1M to 2M
  - mostly from upsell

## Backlog
## Misc
Remember the offsite next week

## Team Sales
- Win DACH
  - 10 new logos
Also this

Maria

Objective 3:
"""
    okr = parse(draft)
    assert shape(okr) == [("Grow revenue", ["ARR from 1M to 2M"]), ("Win DACH", ["10 new logos"])]
    messages = {w.line: w.message for w in okr.warnings}
    assert [w.line for w in okr.warnings] == [1, 2, 5, 7, 9, 10, 11, 13, 16, 18, 20]
    assert "no objective comes before it" in messages[1]
    assert "comment" in messages[2]
    assert "note" in messages[5]
    assert "detail under a key result" in messages[7]
    assert "heading with nothing under it" in messages[9]
    assert "is a title" in messages[10]
    assert "section title" in messages[11]
    assert "is a title (team Sales" in messages[13]
    assert "section title" in messages[16]
    assert "section title" in messages[18]  # "Maria" is still under "## Team Sales"
    assert "objective label with no objective text" in messages[20]
    assert all(w.message.endswith("left out") for w in okr.warnings)


def test_objective_line_then_a_blank_line_then_labelled_krs():
    draft = "Grow revenue\n\nKR: ARR from 1M to 2M\nKR: 10 logos\n"
    assert shape(parse(draft)) == [("Grow revenue", ["ARR from 1M to 2M", "10 logos"])]


def test_hard_wrapped_lines_from_a_pdf_join_their_item():
    draft = (
        "Objective 1: Improve the onboarding experience for new enterprise\n"
        "customers in EMEA\n"
        "KR1: Reduce time to first value for new customers from 14 days to 7\n"
        "days by the end of Q3\n"
        "KR2: NPS from 30 to 45\n"
    )
    okr = parse(draft)
    assert shape(okr) == [
        (
            "Improve the onboarding experience for new enterprise customers in EMEA",
            [
                "Reduce time to first value for new customers from 14 days to 7 days by the end "
                "of Q3",
                "NPS from 30 to 45",
            ],
        )
    ]
    kr = okr.objectives[0].key_results[0]
    assert kr.span is not None and kr.span.line == 3
    assert draft[kr.span.start : kr.span.end].endswith("days by the end of Q3")
    assert_spans(draft, okr)


def test_short_lines_in_lower_case_are_not_joined():
    draft = "Grow revenue\n- ARR from 1M to 2M\nincrease logos from 10 to 20\n"
    okr = parse(draft)
    assert okr.objectives[0].key_results[0].text == "ARR from 1M to 2M"
    assert len(okr.warnings) == 1
