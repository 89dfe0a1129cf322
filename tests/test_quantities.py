import pytest

from coach.quantities import deadline_phrase, scan


def roles(text):
    return [(q.text, q.role) for q in scan(text).quantities]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Increase NPS from 32 to 50", [("32", "baseline"), ("50", "target")]),
        ("Reduce support resolution time by 20%", [("20%", "target")]),
        ("Grow revenue from $1.2M", [("$1.2M", "baseline")]),
        ("Grow revenue from $1.2M to $1.5M", [("$1.2M", "baseline"), ("$1.5M", "target")]),
        ("Usability testing results are 8.7", [("8.7", "target")]),
        ("CSAT 8.7/10", [("8.7/10", "target")]),
        ("Grow ARR 2x", [("2x", "target")]),
        ("Reach €500k in bookings", [("€500k", "target")]),
        ("NPS 32 -> 50", [("32", "baseline"), ("50", "target")]),
        (
            "Reduce p95 latency to 300ms (currently 450ms)",
            [("300ms", "target"), ("450ms", "baseline")],
        ),
        # "current is" says it as "currently is" and "baseline is" do.
        ("200k views per 30 days (current is 125k)", [("200k", "target"), ("125k", "baseline")]),
        (
            "Reach 5,000 WAU, up from 3,200 last quarter",
            [("5,000", "target"), ("3,200", "baseline")],
        ),
        ("Double trial sign-ups", [("Double", "target")]),
        ("Revenue in India doubles", [("doubles", "target")]),
        ("Repeat calls reduced by a third", [("a third", "target")]),
        ("Everyone takes at least one course", [("one", "target")]),
        ("Release €3M of working capital", [("€3M", "target")]),
        ("OEE on stamping line 64% → 75%", [("64%", "baseline"), ("75%", "target")]),
        ("Repeat buyers 12,400 persons → 16,000 persons", [("12,400", "baseline"), ("16,000", "target")]),
        ("Broadband revenue ₹41 Cr → ₹48 Cr", [("₹41", "baseline"), ("₹48", "target")]),
        ("Review average ★4.2 → ★4.5", [("4.2", "baseline"), ("4.5", "target")]),
        ("Cost to raise £1 from 32p to 24p", [("£1", "target"), ("32p", "baseline"), ("24p", "target")]),
        ("Late cancellations, 6% of bookings today", [("6%", "baseline")]),
        ("Zero P1 incidents", [("Zero", "target")]),
        # A compound duration is one value, in either form ("6h40", "7m30s"; not 10m3 or 2h30s).
        ("ED-to-ward time 6h40 → 4h", [("6h40", "baseline"), ("4h", "target")]),
        ("Speed of answer 7m30s → 2m", [("7m30s", "baseline"), ("2m", "target")]),
        ("Handle time 1h 30min", [("1h 30min", "target")]),
        ("Boot time 3m 20 s", [("3m 20 s", "target")]),
        # a value left as a letter or TBD is a placeholder ("N. America" and "Competitor X" are names)
        ("Grow sign-ups by X%", [("X%", "target")]),
        ("Engagement from X to Y", [("X", "baseline"), ("Y", "target")]),
        ("N new users", [("N", "target")]),
        ("Revenue target TBD", [("TBD", "target")]),
        ("N. America revenue", []),
        ("Win rate vs. Competitor X", []),
        # with dots and long units; the start may be an average ("from avg. …")
        ("Build time from avg. 5min. 40sec. to below 3min.", [("5min. 40sec.", "baseline"), ("3min", "target")]),
        ("Triage time from 1 hr 30 mins to 45 mins", [("1 hr 30 mins", "baseline"), ("45 mins", "target")]),
        ("Queue time 2 hours 15 people", [("2 hours", "target"), ("15", "target")]),  # two values
        (
            "Increase from [current NPS] to [target NPS]",
            [("[current NPS]", "baseline"), ("[target NPS]", "target")],
        ),
    ],
)
def test_values_and_their_roles(text, expected):
    assert roles(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Increase NPS by Q3",
        "Launch by June 30",
        "Ship it in 2026",
        "Done by 31/12/2025",
        "Ship the portal by end 2025",
        "Improve D1 retention before the Season 4 launch",  # "Season 4" names the season
        "Ship it by end-Q3",
        "Finish within 6 weeks",
        "Before the end of the quarter",
        "Migrate to Python 3.12 by end of Q2 2025",
        "Achieve ISO 27001 certification",
        "Phase 2 of the rollout",
        "Support 24/7",
        "COVID-19 response plan",
        "5-10 year replacement costs are documented",  # a unit of time naming a thing
        "Survey 18–24 year olds in every region",
    ],
)
def test_deadlines_and_identifiers_are_not_values(text):
    assert scan(text).quantities == ()


def test_deadline_phrase_keeps_the_authors_words():
    assert deadline_phrase("Increase NPS from 32 to 50 by end of Q3") == "by end of Q3"
    assert deadline_phrase("Hit $2M ARR by June 30") == "by June 30"
    assert deadline_phrase("30 contributors trained by end 2025") == "by end 2025"  # no "of"
    assert deadline_phrase("Increase NPS to 50") is None


def test_a_named_span_of_time_is_part_of_the_metric():
    assert roles("Grow 30 day retention from 20% to 30%") == [("20%", "baseline"), ("30%", "target")]
    assert roles("Cut lead time from 10 day to 5 day") == [("10 day", "baseline"), ("5 day", "target")]


def test_ranges_and_wholes_are_not_baselines():
    assert roles("Brand consideration +5 pts among 18–34s")[0] == ("5 pts", "target")
    assert roles("At least 7 of 12 councillors pledge support") == [("7", "target")]


@pytest.mark.parametrize("text", ["Support 10s of millions of repositories", "Serve 100s of teams", "Tools from the 1990s"])
def test_tens_of_and_decades_are_no_seconds(text):
    assert scan(text).quantities == ()


def test_an_issue_reference_is_no_value():
    assert scan("Groups listed on the website (ref: org/project#14)").quantities == ()
    assert [q.text for q in scan("Be #1 in the app store").quantities] == ["1"]


def test_a_breakdown_in_a_note_is_no_baseline():
    # the parts of the target, named, are not where the KR starts ("(12 today)" is)
    assert [q.role for q in scan("Hold 4 meetings (1 member meeting and 3 social events)").quantities] == ["target"] * 3
    assert [q.role for q in scan("Sign 40 customers (12 today)").quantities] == ["target", "baseline"]


def test_was_at_names_where_the_kr_starts():
    assert [q.role for q in scan("Reach 500 users (we were at 300 in May)").quantities] == ["target", "baseline"]
