"""OKR.md files: several OKR sets under headings, kept up to date in place.

One quarter per heading; objectives as sub-headings, bullets or "**O1**" labels; key
results as nested bullets, task-list checkboxes or "KR 1.2:" lines; tables with
objective and key-result columns; status notes after the items. Every objective and
key result is kept, the notes are not part of them, and the titles are warned."""

from __future__ import annotations

import pytest
from parse_helpers import assert_spans, shape, warned

from coach.parse import parse

QUARTERS = """\
# Docs team OKRs

## 2025 Q1

### Make the docs the first place people look
- [x] KR 1.1: Every public endpoint has a runnable example (done)
- [ ] KR 1.2: Docs search answers 80% of queries without a follow-up ticket — 60%
- [ ] KR 1.3: Move the API reference into the main site ✅

### Ship the plugin guide
- [ ] Plugin guide published (in progress)
- [ ] Three community plugins listed :white_check_mark:

## 2025 Q2

- **O1** Cut the time to a first contribution
  - [ ] Dev environment starts with one command
  - [ ] First review of a new contributor's PR within 2 days (50%)
- **O2** Grow the contributor base
  - 10 new regular contributors
  - Monthly contributor call held every month ❌
"""


def test_quarters_with_heading_objectives_bullet_objectives_checkboxes_and_notes():
    okr = parse(QUARTERS)
    assert shape(okr) == [
        (
            "Make the docs the first place people look",
            [
                "Every public endpoint has a runnable example",
                "Docs search answers 80% of queries without a follow-up ticket",
                "Move the API reference into the main site",
            ],
        ),
        ("Ship the plugin guide", ["Plugin guide published", "Three community plugins listed"]),
        (
            "Cut the time to a first contribution",
            [
                "Dev environment starts with one command",
                "First review of a new contributor's PR within 2 days",
            ],
        ),
        (
            "Grow the contributor base",
            ["10 new regular contributors", "Monthly contributor call held every month"],
        ),
    ]
    # the document title and the quarter headings are no items, and say so
    assert warned(okr) == [(1, "Docs team OKRs"), (3, "2025 Q1"), (14, "2025 Q2")]
    assert all("title" in w.message for w in okr.warnings)
    assert_spans(QUARTERS, okr)  # the notes are off the spans too


@pytest.mark.parametrize(
    "line, text",
    [
        ("Ship the SDK (done)", "Ship the SDK"),
        ("Ship the SDK [DONE]", "Ship the SDK"),
        ("Ship the SDK ✅", "Ship the SDK"),
        ("Ship the SDK ✔️", "Ship the SDK"),
        ("Ship the SDK :heavy_check_mark:", "Ship the SDK"),
        ("Ship the SDK — on track", "Ship the SDK"),
        ("Ship the SDK - Status: at risk", "Ship the SDK"),
        ("Ship the SDK (in progress) 🚧", "Ship the SDK"),
        ("Cut p95 latency from 900 ms to 300 ms — 60%", "Cut p95 latency from 900 ms to 300 ms"),
        (
            "Cut p95 latency from 900 ms to 300 ms (40% done)",
            "Cut p95 latency from 900 ms to 300 ms",
        ),
        ("Sign 12 design partners – 0.7", "Sign 12 design partners"),
        # no number of its own: the share may be the target, so it stays
        ("Churn rate — 3%", "Churn rate — 3%"),
        ("Raise activation (30%)", "Raise activation (30%)"),
        ("Raise activation to [x]", "Raise activation to [x]"),  # a placeholder, not a box
        ("Ship the 🎉 launch party", "Ship the 🎉 launch party"),
        ("Reach 4.5 stars in Q3 (App Store)", "Reach 4.5 stars in Q3 (App Store)"),
    ],
)
def test_status_notes_after_a_key_result(line, text):
    draft = f"Objective: Earn developers' trust\n- {line}\n"
    okr = parse(draft)
    assert shape(okr) == [("Earn developers' trust", [text])]
    assert okr.warnings == []
    assert_spans(draft, okr)


def test_a_score_column_after_every_item():
    draft = """\
Objective 1: Become the go-to tool for small shops – 0.6
  Key Result 1.1: 500 paying shops – 1.0
  Key Result 1.2: A partner programme in place – 0.4
Objective 2: Build the agency channel – 0.3
  Key Result 2.1: Agency partners onboarded – 0.2
"""
    okr = parse(draft)
    assert shape(okr) == [
        (
            "Become the go-to tool for small shops",
            ["500 paying shops", "A partner programme in place"],
        ),
        ("Build the agency channel", ["Agency partners onboarded"]),
    ]
    assert_spans(draft, okr)


TABLES = """\
# Platform OKRs

## H1 2025

| Objective | Key result | Owner | Status |
| --- | --- | --- | :---: |
| Make billing self-serve | Customers can change plan without support | Ana | done |
| | Refund requests handled in under 2 days | Ana | 40% |
| Make billing self-serve | Invoices in 3 currencies | Ben | - |
| Reduce infrastructure cost | Monthly cloud bill from $42k to $30k | Cy | on track |
| | | | |

## H2 2025

### Speed up releases

| Key result | Baseline | Target | Due |
|---|---|---|---|
| Lead time for changes | 9 days | 2 days | Q4 |
| KR 2: Releases per month | 1 | 4 | — |
| Release checklist automated (done) | | | |
"""


def test_tables_of_objectives_and_of_key_results_under_headings():
    okr = parse(TABLES)
    assert shape(okr) == [
        (
            "Make billing self-serve",
            [
                "Customers can change plan without support",
                "Refund requests handled in under 2 days",
                "Invoices in 3 currencies",
            ],
        ),
        ("Reduce infrastructure cost", ["Monthly cloud bill from $42k to $30k"]),
        (
            "Speed up releases",
            [
                "Lead time for changes: baseline 9 days; target 2 days; by Q4",
                "Releases per month: baseline 1; target 4",
                "Release checklist automated",
            ],
        ),
    ]
    assert [o.owner for o in okr.objectives] == ["Ana", "Cy", None]
    assert okr.source_format == "markdown"
    assert warned(okr) == [
        (1, "Platform OKRs"),
        (3, "H1 2025"),
        (11, "| | | | |"),  # an empty row: warned, never dropped silently
        (13, "H2 2025"),
    ]
    first = okr.objectives[0].key_results[0]
    assert first.span is not None and first.span.line == 7
    assert TABLES[first.span.start : first.span.end] == first.text
    lead = okr.objectives[2].key_results[0]
    assert lead.span is not None and lead.span.line == 19
    assert TABLES[lead.span.start : lead.span.end] == "Lead time for changes | 9 days | 2 days | Q4"


def test_a_table_with_a_column_per_period():
    draft = """\
## Grow repeat business

| Metric | H1 | H2 |
|:--|--:|--:|
| Repeat purchase rate | 22% | 26% |
| Orders per customer | 1.4 | |
"""
    okr = parse(draft)
    assert shape(okr) == [
        (
            "Grow repeat business",
            ["Repeat purchase rate: 22% in H1; 26% in H2", "Orders per customer: 1.4 in H1"],
        )
    ]
    assert okr.warnings == []


def test_several_key_results_in_one_cell_and_bold_labels():
    draft = """\
| Objective | Key results |
|-----------|-------------|
| **O1:** Win the mid-market | 40 new mid-market logos<br>Win rate from 18% to 25% |
"""
    okr = parse("Our plan\n\n" + draft)
    assert shape(okr) == [
        ("Win the mid-market", ["40 new mid-market logos", "Win rate from 18% to 25%"])
    ]


def test_a_table_that_is_not_about_okrs_is_read_as_lines():
    draft = """\
## Grow revenue
- ARR from 1M to 2M

| Region | Lead |
|---|---|
| DACH | Ana |
"""
    okr = parse(draft)
    assert shape(okr)[0][0] == "Grow revenue"
    used = {w.line for w in okr.warnings} | {
        kr.span.line for o in okr.objectives for kr in o.key_results if kr.span
    }
    assert {4, 6} <= used  # the header and the row are KRs or warnings, never dropped


def test_a_table_of_key_results_with_no_objective_is_warned_row_by_row():
    draft = """\
Hi all, the numbers below.

| Key result | Target |
|---|---|
| Churn | 3% |
| NPS | 45 |

## Objective: Keep customers
- Churn from 5% to 3%
"""
    okr = parse(draft)
    assert shape(okr) == [("Keep customers", ["Churn from 5% to 3%"])]
    assert [line for line, _ in warned(okr)] == [1, 5, 6]
    assert "no objective comes before it" in okr.warnings[1].message


@pytest.mark.parametrize(
    "draft",
    [
        "OKR 1: Grow the volunteer network\n1.1 Recruit 40 new volunteers\n1.2 Two hubs running\n",
        "OKR 2024B: Grow the volunteer network\nKR1: Recruit 40 new volunteers\nKR2: Two hubs running\n",
        "O: Grow the volunteer network\n> KR 1.1: Recruit 40 new volunteers\n> KR 1.2: Two hubs running\n",
        "(O) Grow the volunteer network\n(KR1) Recruit 40 new volunteers\n(KR2) Two hubs running\n",
        "[O1] Grow the volunteer network\n[KR 1] Recruit 40 new volunteers\n[KR 2] Two hubs running\n",
        "> **Objective:** Grow the volunteer network\n> - Recruit 40 new volunteers\n> - Two hubs running\n",
    ],
    ids=["OKR 1", "OKR 2024B", "O: and quotes", "(O) (KR1)", "[O1] [KR 1]", "quoted bullets"],
)
def test_objective_and_key_result_labels_of_real_documents(draft):
    okr = parse(draft)
    assert shape(okr) == [
        ("Grow the volunteer network", ["Recruit 40 new volunteers", "Two hubs running"])
    ]
    assert okr.warnings == []
    assert_spans(draft, okr)


def test_a_comparison_is_not_a_quote():
    draft = "Objective: Ship faster\n- > 90% of deploys under 10 minutes\n"
    assert shape(parse(draft)) == [("Ship faster", ["> 90% of deploys under 10 minutes"])]


def test_an_okr_heading_with_its_objective_on_the_next_line():
    draft = "## OKR 3\nMake onboarding painless\n- Setup done in one sitting by 70% of new users\n"
    assert shape(parse(draft)) == [
        ("Make onboarding painless", ["Setup done in one sitting by 70% of new users"])
    ]
