"""Rewrites a coach would paste: the metric is a noun phrase from the KR (or, for a task,
what the objective measures), the author's numbers keep their roles, and when the coach
would be guessing it asks instead."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach import review
from coach.language.key_results import analyze_kr
from coach.language.labels import kr_label
from coach.language.noun_phrases import is_noun_phrase
from coach.language.phrases import metric_phrase
from coach.models import Target
from coach.provenance import fabricated
from coach.rewrite import build_rewrite, kr_is_clean, suggest
from coach.roles import misplaced


def suggestion(rubric, text, objective="Grow self-service"):
    facts = analyze_kr(text, rubric.lexicon)
    label = kr_label(facts, rubric)
    assert label, f"{text!r} should carry a label"
    return suggest(facts, label, rubric, [text, objective], ["X"], objective)


def rewrite(rubric, text, objective="Grow self-service"):
    found = suggestion(rubric, text, objective).rewrite
    assert found is not None, f"{text!r} should get a rewrite"
    return found


def test_no_baseline_keeps_the_target_and_asks_for_the_baseline(rubric):
    rw = rewrite(rubric, "Increase NPS to 50 by Q3")
    assert rw.text == "Increase NPS from [current NPS] to 50 by Q3"
    assert rw.placeholders == ["[current NPS]"]
    assert any("current NPS" in q for q in rw.questions)


def test_no_target_keeps_the_baseline(rubric):
    assert rewrite(rubric, "Grow revenue from $1.2M").text == "Grow revenue from $1.2M to [target revenue]"


def test_relative_targets_stay_relative(rubric):
    rw = rewrite(rubric, "Reduce support resolution time by 20%")
    assert rw.text.startswith("Reduce support resolution time by 20%, from [current")
    # a value right after the name an order changes is by how much, not where to
    assert rewrite(rubric, "Grow podcast listeners 40% this year").text.startswith("Grow podcast listeners by 40%, from [current")
    assert rewrite(rubric, "Refund requests reduced 25%").text.startswith("Reduce refund requests by 25%, from [current")
    assert rewrite(rubric, "Grow podcast listeners to 40,000").text == "Grow podcast listeners from [current podcast listeners] to 40,000"


def test_an_acronym_with_its_value_beside_it_is_a_measure_and_keeps_its_unit(rubric):
    assert rewrite(rubric, "Lower my LDL to 100").text == "Lower LDL from [current LDL] to 100"
    assert rewrite(rubric, "SO2 below 20 µg/m³ in every district").text == (
        "Reduce SO2 from [current SO2] to below 20 µg/m³ in every district"
    )


def test_a_cadence_before_people_counted_is_clear(rubric):
    # "12 monthly sessions" is unclear (12 in all, or a month?); monthly visitors are counted per month
    assert rewrite(rubric, "Reach 40k monthly readers of the handbook").text == (
        "Increase monthly readers of the handbook from [current monthly readers] to 40k"
    )


def test_a_share_of_things_dealt_with_in_a_window_is_named_whole(rubric):
    assert rewrite(rubric, "85% of warranty claims settled within 10 days").text == (
        "Increase share of warranty claims settled within 10 days from [current share of warranty claims] to 85%"
    )
    # complaints are fewer the better, complaints resolved more
    assert rewrite(rubric, "Complaints resolved within 3 working days").text.startswith("Increase complaints resolved")


def test_a_rate_keeps_its_whole_base(rubric):
    assert rewrite(rubric, "Pressure ulcers below 1.5 per 1,000 patient days").text.endswith("to below 1.5 per 1,000 patient days")


def test_a_placeholder_with_a_currency_sign_is_no_part_of_the_name(rubric):
    assert rewrite(rubric, "Reach $X partner-sourced bookings by Q4").text == (
        "Increase partner-sourced bookings from [current partner-sourced bookings] to [target partner-sourced bookings] by Q4"
    )



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Logo churn below 3% a month", "Reduce logo churn from [current logo churn] to below 3% a month"),
        ("Diesel cost of 38p per mile", "Reduce diesel cost from [current diesel cost] to 38p per mile"),
        ("Pick accuracy of 99% in the new warehouses", "Increase pick accuracy from [current pick accuracy] to 99% in the new warehouses"),
        ("Upgrade rate of at least 12% for every region by Q3", "Increase upgrade rate from [current upgrade rate] to at least 12% for every region by Q3"),
    ],
)
def test_a_target_keeps_its_rate_and_where_it_holds(rubric, text, expected):
    # "to below 3%" alone, or "to 99%" of every warehouse, would be another number
    assert rewrite(rubric, text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Refund requests 25% fewer than last year", "Reduce refund requests by 25%, from [current refund requests] to [target refund requests]"),
        ("Trial conversion 3 points higher than in 2025", "Increase trial conversion by 3 points, from [current trial conversion] to [target trial conversion]"),
        ("Support contacts 10% lower", "Reduce support contacts by 10%, from [current support contacts] to [target support contacts]"),
    ],
)
def test_a_value_then_a_comparative_is_a_change_in_its_direction(rubric, text, expected):
    # not "… to 25%" (a change read as a level) nor "… in 2025" (the year compared with, no deadline)
    assert rewrite(rubric, text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cut first-month churn by a third", "Cut first-month churn by a third, from [current first-month churn]"),
        # The change is read as a reduction, and "cut" is no part of the metric's name.
        ("Lapses in first year cut in half", "Reduce lapses in first year by half, from [current lapses]"),
        ("Agency spend down by a third", "Reduce agency spend by a third, from [current agency spend]"),
        ("Inventory turns double", "Double inventory turns, from [current inventory turns]"),
        ("Inventory days on hand down to 45", "Reduce inventory days on hand from [current inventory days] to 45"),
        ("Ten new clients in the segment", "Increase new clients in the segment from [current new clients] to ten"),
        ("Food cost below 30% of revenue", "Reduce food cost as a share of revenue from [current food cost] to below 30%"),
        ("Refund requests under 0.5% of transactions", "Reduce refund requests as a share of transactions from"),
        ("Revenue forecast error within ±3% at mid-quarter", "Reduce revenue forecast error at mid-quarter from [current revenue forecast error] to within ±3%"),
        ("Maintain customer acquisition cost at Y", "Keep customer acquisition cost at [target customer acquisition cost] (currently"),
        ("Keep churn low", "Keep churn at [target churn]"),
        ("Grow sign-ups by X%", "Grow sign-ups from [current sign-ups] to [target sign-ups]"),
    ],
)
def test_changes_and_numbers_in_words_read_as_a_coach_would(rubric, text, expected):
    assert rewrite(rubric, text, "Grow the business").text.startswith(expected)


@pytest.mark.parametrize(
    "text",
    [
        "Reduce the number of Year 3 students in the bottom two NAPLAN bands",  # two picks the bands
        "EBITDA margin positive for two consecutive months",  # two counts months
        "Three quarters of first-time managers finish the leadership programme",  # a share in words
    ],
)
def test_a_number_word_that_counts_something_else_gets_an_ask(rubric, text):
    assert suggestion(rubric, text, "Grow the business").rewrite is None

def test_no_metric_asks_and_offers_named_measures(rubric):
    """A measure for a quality is a guess about what the author means: offered, not written."""
    found = suggestion(rubric, "Improve customer satisfaction")
    assert found.rewrite is None
    assert [c.metric for c in found.ask.candidates] == ["CSAT", "NPS"]
    assert "Improve customer satisfaction" in found.ask.questions[0]


def test_maintaining_a_level_keeps_it_and_asks_where_it_is(rubric):
    rw = rewrite(rubric, "Maintain p99 latency under 300ms")
    assert rw.text == "Keep p99 latency under 300ms (currently [current p99 latency])"


def test_a_task_moves_its_objective_the_way_the_objective_says(rubric):
    rw = rewrite(rubric, "Open a second triage bay by 1 October", "Reduce emergency department waiting times for walk-in patients")
    assert rw.text.startswith("Reduce emergency department waiting times")
    for objective in ["Stop losing customers at the switching stage", "Make the student portal the single place students go"]:
        assert suggestion(rubric, "Launch the new onboarding flow", objective).rewrite is None, objective


def test_levels_with_a_sign_or_a_comparator_are_not_changes(rubric):
    lex = rubric.lexicon
    for kr, bad in [("eNPS of +30", "Increase eNPS by 30, from [current eNPS] to [target eNPS]"),
                    ("Direct debit take-up 75%", "Increase direct debit take-up by 75%, from [a] to [b]")]:
        assert misplaced(analyze_kr(kr, lex), analyze_kr(bad, lex), lex) != [], kr


# The defects the issue lists, each read right now.
def test_metric_phrases_are_noun_phrases_with_their_qualifiers(rubric):
    cases = {
        "Less than 24 hours to restore a 500GB backup": "time to restore a 500GB backup",
        "Memory usage reduced by 30% for large projects": "memory usage for large projects",
        "Startup time is under 200ms on a cold cache": "startup time on a cold cache",
        "2% or lower defect rate": "defect rate",
        "Ensure 90% of invoices are paid on time": "share of invoices paid on time",
        "5 million monthly readers": "monthly readers",
        "80% of managers complete the training": "share of managers who complete the training",
        "Invoices overdue > 60 days": "invoices overdue > 60 days",
        "Cut the number of open tickets older than 21 days": "number of open tickets older than 21 days",
        "Win rate vs. Competitor X in DACH deals": "win rate vs. Competitor X in DACH deals",
        "Controls with automated evidence collection: 80%": "controls with automated evidence collection",
        "Churn among migrated 3G customers": "churn among migrated 3G customers",
        "Median download speed on trains": "median download speed on trains",  # "trains": a noun here
        "Reduce waste to landfill": "waste to landfill",  # where it goes, not a value to reach
        "Increase traffic to docs.example.org by 10%": "traffic to docs.example.org",  # an address is a place
        "Grow the number of women members holding board or committee roles": (
            "number of women members holding board or committee roles"  # one qualifier, both roles
        ),
        "Backlog older than 48h: zero": "backlog older than 48h",
        "Corrections after publication": "corrections after publication",  # which ones, not a deadline
        "10,000 weekly active users of the VS Code extension": "weekly active users of the VS Code extension",
        "Repeat visits by local members": "repeat visits by local members",  # "by" whom, not "by Q3"
        "P1 incidents caused by config changes: zero": "P1 incidents caused by config changes",
        "Reduce escalations to the executive team": "escalations to the executive team",
    }
    for text, metric in cases.items():
        got = metric_phrase(analyze_kr(text, rubric.lexicon), rubric.lexicon)
        assert got == metric, text
        assert is_noun_phrase(got, rubric.lexicon), got


def test_a_share_is_named_with_what_is_counted_or_not_at_all(rubric):
    lex = rubric.lexicon
    # People a place qualifies are still the ones who act.
    got = metric_phrase(analyze_kr("80% of managers in EMEA complete the training", lex), lex)
    assert got == "share of managers in EMEA who complete the training"
    # The share is of tickets *resolved*: "share of tickets received" would count something
    # else, so no rewrite names it and the coach asks.
    for text in ["90% of tickets received via email are resolved within 24 hours",
                 "100% of transactions received via our website are processed correctly",
                 "80% of users who sign up are activated within 7 days"]:
        assert not metric_phrase(analyze_kr(text, lex), lex), text
        assert suggestion(rubric, text).rewrite is None, text


def test_a_plural_head_that_could_be_a_verb_is_still_a_noun(rubric):
    # "repairs", "visits": the name's head after its modifier; "revenue grows" is a clause.
    assert is_noun_phrase("same-week repairs", rubric.lexicon)
    assert not is_noun_phrase("revenue grows", rubric.lexicon)


def test_a_deliverable_described_is_no_metric(rubric):
    # A count or measure can be of "customers taking the bundle", not of "a board outlining the
    # key efforts on our roadmap": that board is a thing to make.
    assert is_noun_phrase("customers taking the premium bundle", rubric.lexicon)
    assert not is_noun_phrase("GitHub board outlining the key efforts on our roadmap", rubric.lexicon)


def test_numbers_keep_their_roles(rubric):
    assert rewrite(rubric, "Less than 24 hours to restore a 500GB backup").text == (
        "Reduce time to restore a 500GB backup from [current time to restore] to less than 24 hours"
    )
    assert rewrite(rubric, "Startup time is under 200ms on a cold cache").text == (
        "Reduce startup time on a cold cache from [current startup time] to under 200ms"
    )
    assert rewrite(rubric, "2% or lower defect rate").text == "Reduce defect rate from [current defect rate] to at most 2%"
    assert rewrite(rubric, "5 million monthly readers").text == (
        "Increase monthly readers from [current monthly readers] to 5 million"
    )


def test_no_less_than_is_a_floor(rubric):
    # "no less than" ends in "less than" but raises the metric.
    assert rewrite(rubric, "Monthly active users no less than 5,000").text.startswith("Increase monthly active users")


def test_a_bound_written_after_the_target_stays_with_it(rubric):
    # "50+", "or higher", "or less": the author's bound, kept ("to 50" would be a point target).
    assert rewrite(rubric, "Rider NPS 50+").text == "Increase Rider NPS from [current Rider NPS] to at least 50"
    assert rewrite(rubric, "Article rating 4.5/5 or higher").text.endswith("to at least 4.5/5")
    assert rewrite(rubric, "Budget variance 2% or less").text.endswith("to at most 2%")
    assert rewrite(rubric, "Days past due rate at or below 3.5%").text.endswith("to at or below 3.5%")
    # A level kept: "Keep CSAT at or above 88%", not "Keep CSAT at least 88%".
    assert rewrite(rubric, "Maintain CSAT at least 88%").text.startswith("Keep CSAT at or above 88%")


def test_a_relative_clause_that_picks_what_is_counted_stays_in_the_name(rubric):
    rw = rewrite(rubric, "Readers who open the morning newsletter 3+ days a week")
    assert rw.text.startswith("Increase readers who open the morning newsletter 3+ days a week from")
    # The clause can say which way is better: late visits are cut.
    assert rewrite(rubric, "Video visits that start late").text.startswith("Reduce video visits that start late")
    # No name keeps "who drop out before visit 8" whole (its 8 is no target): the coach asks.
    assert suggestion(rubric, "Participants who drop out before visit 8").rewrite is None


def test_a_word_value_behind_a_comparator_does_not_break_the_rewrite(rubric):
    # Hypothesis found "NPS within double": the comparator came first, and the doubling verb
    # was looked for in "within double" (a crash, not a rewrite).
    suggestion(rubric, "NPS within double")


def test_one_name_of_a_list_is_not_the_metric(rubric):
    # "Increase sales …" for a list of teams, "… in Sweden" for three countries: another thing.
    for text in ["Sales, engineering, and product have a working process for prioritization",
                 "Sign 40 new SMB customers in Sweden, Norway and Denmark"]:
        assert suggestion(rubric, text).rewrite is None, text


def test_people_doing_something_with_a_percent_are_a_share_of_them(rubric):
    # "… : 50%" is half of the candidates, not 50 candidates; "at least 4/5" is the score they give.
    rw = rewrite(rubric, "Referral candidates reaching onsite interview: 50%")
    assert rw.text.startswith("Increase share of referral candidates reaching onsite interview from")
    rw = rewrite(rubric, "Critical vulns patched within SLA: 95%")  # what is done to them, too
    assert rw.text.startswith("Increase share of critical vulns patched within SLA from")
    for text in ["Budget holders rating finance support at least 4/5", "Patients rating care good or very good: 90%"]:
        assert suggestion(rubric, text).rewrite is None, text
    # A change of a count stays one: "down 60%" moves the tickets.
    assert rewrite(rubric, "Support tickets citing performance down 60%").text.startswith("Reduce support tickets citing performance by 60%")


def test_a_reason_that_picks_what_is_counted_gets_an_ask(rubric):
    # "Reduce failed deliveries …" would count every failed delivery, not the wrong-address ones.
    assert suggestion(rubric, "Failed deliveries because address is wrong").rewrite is None


def test_a_deliverable_bundled_with_its_result_is_rewritten_to_the_result(rubric):
    # The KR names the result it is for: that result, in the author's words, is the key result.
    text = "Roll out shipping-label integration to cut median dispatch time from 3.2 days to 1.5 days"
    assert rewrite(rubric, text).text == "Cut median dispatch time from 3.2 days to 1.5 days"
    # Without its start, it gets that result's own rewrite.
    assert rewrite(rubric, "roll out clan wars to push DAU to 250k").text == "Increase DAU from [current DAU] to 250k"


def test_the_role_guard_catches_a_moved_number(rubric):
    lex = rubric.lexicon
    original = analyze_kr("Less than 24 hours to restore a 500GB backup", lex)
    assert misplaced(original, analyze_kr("Reduce backup from [current backup] to 500GB", lex), lex) == ["500"]
    change = analyze_kr("Trim month-end close by 2 days", lex)
    assert misplaced(change, analyze_kr("Reduce month-end close time to 2 days", lex), lex) == ["2"]
    assert misplaced(change, analyze_kr("Reduce month-end close time by 2 days, from [a] to [b]", lex), lex) == []


def test_a_task_measures_what_the_objective_is_about(rubric):
    rw = rewrite(rubric, "Hire 2 onboarding specialists", "Cut churn in our SMB segment by fixing onboarding")
    assert rw.text == "Reduce churn in our SMB segment from [current churn] to [target churn]"


def test_a_task_under_a_bare_metric_is_asked_with_that_metric_offered(rubric):
    # "Increase revenue from [current revenue] …" would restate the objective, not measure the task
    found = suggestion(rubric, "Launch the new pricing page", "Increase revenue")
    assert found.rewrite is None
    assert [c.metric for c in found.ask.candidates][:1] == ["revenue"]


def test_a_task_with_no_measured_objective_gets_an_ask_with_candidates(rubric):
    found = suggestion(rubric, "Launch new customer portal", "Grow self-service")
    assert found.rewrite is None
    assert "Launch new customer portal" in found.ask.questions[0]
    assert [c.metric for c in found.ask.candidates][:1] == ["self-service adoption"]
    assert all(c.why and "[current" in c.rewrite for c in found.ask.candidates)


def test_the_coach_asks_when_it_would_be_guessing(rubric):
    for text in [
        "Increase test coverage for web to 100% and cli to 70%",  # two targets
        "Found buyers for partners in 12+ Nordic cities",  # the value counts cities
        "Mentors who are active report an NPS of 40%",  # the value belongs to NPS
        "Average <5 unassigned tickets per day",  # the average of what? "average" alone is no name
        "Swim 3 days/week",  # the days of doing it, not an amount of swimming
        "Support metrics",  # which metric?
        "Hit 150% of the enterprise bookings plan",  # attainment of a plan, no share of things
        "Deliver a 15% cost reduction",  # the value is a change of cost, not a level of "cost reduction"
        "Every support ticket is triaged within 4 hours",  # a window the work is done in, no time to move
        "A shortlist of 1 design agency",  # one counts the agency, not the shortlist
        "Search index: rebuilt nightly + one shard per region",  # a heading and the work it holds
        "20% of new members will post in their first week",  # what they will do is unread
    ]:
        found = suggestion(rubric, text)
        assert found.rewrite is None, text
        assert found.ask.questions, text


def test_an_ask_asks_only_for_what_the_key_result_lacks(rubric):
    """A KR that gives its target is asked where that number is today, not where it should
    end; several targets are named so the author can pick one; a start is asked its target."""
    one = suggestion(rubric, "Research income of £42M").ask.questions[0]
    assert one.startswith('"Research income of £42M" gives a target (£42M) but no starting point')
    assert "end of the cycle" not in one
    several = suggestion(rubric, "Increase test coverage for web to 100% and cli to 70%").ask.questions[0]
    assert "several targets (100%, 70%)" in several and "where is it today" in several
    start = suggestion(rubric, "Code paths still calling the old billing API (today: 47)").ask.questions[0]
    assert "gives a starting point (47) but no target" in start and "where is it today" not in start


def test_a_target_of_zero_is_reached_by_reducing(rubric):
    """None left can only be reached from above, whatever the KR's verb says of getting there."""
    assert rewrite(rubric, "Get error budget burn to 0.0").text.startswith("Reduce error budget burn from")
    assert rewrite(rubric, "0% of shipments late").text.startswith("Reduce share of shipments late")


@pytest.mark.parametrize(
    ("kr", "expected"),
    [
        ("A 20% reduction in support tickets", "Reduce support tickets by 20%, from [current support tickets] to [target support tickets]"),
        ("15% growth in monthly donors", "Grow monthly donors by 15%, from [current monthly donors] to [target monthly donors]"),
        ("a 10% improvement in first response time by Q3", "Improve first response time by 10%, from [current first response time] to [target first response time] by Q3"),
    ],
)
def test_a_change_named_as_a_noun_stays_a_change(rubric, kr, expected):
    """'A 20% reduction in X' is a change of X, not a level of 20%: the rewrite says 'by 20%'
    (and the role reader agrees, so a level 'to 20%' would be refused)."""
    assert rewrite(rubric, kr).text == expected
    lex = rubric.lexicon
    assert misplaced(analyze_kr(kr, lex), analyze_kr("Reduce support tickets to 20%", lex), lex) == (["20"] if "20%" in kr else [])


def test_a_name_is_never_cut_inside_what_the_counted_do(rubric):
    """'… needed to make effective decisions' cut before its noun read 'make effective': the
    coach asks rather than name half a clause; a clause ending before a preposition stays."""
    found = suggestion(rubric, "75% or more team members are confident they have the knowledge needed to make effective decisions")
    assert found.rewrite is None or "effective decisions" in found.rewrite.text
    assert "who upgrade" in rewrite(rubric, "15,000 customers upgrade to the new plan").text


def test_the_time_someone_waits_is_named_whole_or_not_at_all(rubric):
    """'the time families wait for an assessment': who waits is part of the name, so the name
    keeps the clause to its end ('time families' was no name); a clause it cannot keep gets an ask."""
    lex = rubric.lexicon
    facts = analyze_kr("Cut the time families wait for a first assessment", lex)
    assert metric_phrase(facts, lex) == "time families wait for a first assessment"
    assert metric_phrase(analyze_kr("Cut the time we take to patch critical vulnerabilities", lex), lex) == ""
    assert rewrite(rubric, "Hire 4 social workers", "Cut the time families wait for a first assessment").text.startswith(
        "Reduce time families wait for a first assessment from"
    )


@pytest.mark.parametrize(
    ("kr", "expected"),
    [
        ("Grow revenue 10% year over year", "Grow revenue by 10% year over year, from [current revenue] to [target revenue]"),
        ("Signups up 50% quarter on quarter", "Increase signups by 50% quarter on quarter, from [current signups] to [target signups]"),
        ("Grow monthly sessions on our website year over year by 5%",
         "Grow monthly sessions on our website by 5% year over year, from [current monthly sessions] to [target monthly sessions]"),
        ("Repeat customers 40% year on year", "Increase repeat customers from [current repeat customers] to 40% year on year"),
    ],
)
def test_a_period_over_period_rate_stays_with_its_value(rubric, kr, expected):
    """'10% year over year' after a verb of change is a growth rate (it was rewritten 'to 10%', a
    level); the periods stay with the value and never end up inside the metric's name."""
    assert rewrite(rubric, kr).text == expected


def test_a_name_cut_inside_quotes_or_brackets_gets_an_ask(rubric):
    found = suggestion(rubric, "Increase usage of `utility` plugins linked to `BI` or `analyze` or `export data` functions")
    assert found.rewrite is None and "`analyze from" not in " ".join(found.ask.questions)
    assert rewrite(rubric, "Increase usage of `utility` plugins").text.startswith("Increase usage of `utility` plugins from")


def test_two_krs_of_one_set_never_get_the_same_rewrite():
    r = review(
        "Objective: Cut churn in our SMB segment by fixing onboarding\n"
        "KR: Hire 2 onboarding specialists\nKR: Rewrite the onboarding emails\nKR: Reduce churn to 3%"
    )
    texts = [w.text for w in r.rewrites]
    assert len(texts) == len(set(texts))
    flagged = {(f.target.objective, f.target.key_result) for f in r.findings if f.label}
    covered = {(w.target.objective, w.target.key_result) for w in r.rewrites} | {
        (a.target.objective, a.target.key_result) for a in r.asks
    }
    assert flagged <= covered



def test_a_task_gets_no_rewrite_a_sibling_already_measures():
    # KR1 measures the objective's metric in other words; the task's rewrite would repeat it.
    r = review(
        "Objective: Halve the food waste sent to landfill from council canteens\n"
        "KR: Food waste to landfill in tonnes\nKR: Composting contract awarded"
    )
    assert r.rewrite_for(0, 1) is None and r.ask_for(0, 1) is not None
    # Another measure under the same objective is no repeat.
    r = review("Objective: Reduce churn in our SMB segment\nKR: CSAT from 7 to 8\nKR: Launch the onboarding checklist")
    assert r.rewrite_for(0, 1) is not None

KR_WORDS = st.sampled_from(
    ["increase", "reduce", "launch", "hold", "improve", "reach", "NPS", "churn", "revenue", "portal",
     "workshops", "customers", "to", "from", "by", "at", "least", "under", "Q3", "June", "30", "2026",
     "50%", "$1.2M", "8.7/10", "2x", "double", "zero", "the", "of", "and", "sign-ups", "weekly", "a",
     "500GB", "backup", "older", "than", "days", "time", "per", "within", "hours", "less"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(KR_WORDS, min_size=1, max_size=10).map(" ".join), st.integers(0, 999))
def test_a_suggestion_never_invents_a_number_nor_moves_one(rubric, words, n):
    """Over generated KRs: every flagged KR gets a rewrite or an ask, and a rewrite passes the
    rubric, uses only the author's numbers, keeps each in its role and names a noun phrase."""
    text = f"{words} {n}" if n % 3 == 0 else words
    facts = analyze_kr(text, rubric.lexicon)
    label = kr_label(facts, rubric)
    if label is None:
        return
    found = suggest(facts, label, rubric, [text], ["X"])
    assert found.ask.questions
    rw = found.rewrite
    if rw is None:
        return
    assert fabricated(rw.text, [text]) == []
    assert kr_is_clean(rw.text, rubric)
    assert misplaced(facts, analyze_kr(rw.text, rubric.lexicon), rubric.lexicon) == []
    assert re.search(r"\[[^\]]+\]", rw.text), "a rewrite of a flawed KR asks for something"
    assert is_noun_phrase(found.metric, rubric.lexicon) or found.metric.startswith("share of ")


def test_build_rewrite_targets_its_copy(rubric):
    facts = analyze_kr("Increase NPS to 50", rubric.lexicon)
    rw = build_rewrite(facts, "no_baseline", rubric, Target(objective=1, key_result=2), ["Increase NPS to 50"], ["KR04"])
    assert rw is not None and rw.target == Target(objective=1, key_result=2)


def test_a_long_task_is_quoted_to_its_first_clause_in_its_question(rubric):
    text = ("Plan a kickoff session for new members, meant to show the tools, get people started "
            "and answer their first questions. The session should be held at least twice a year.")
    found = suggestion(rubric, text)
    assert found.ask.questions[0].startswith('What is "Plan a kickoff session for new members…" for:')
    assert found.ask.original == text  # the ask still carries the whole key result
    assert suggestion(rubric, "Launch new customer portal").ask.questions[0].startswith('What is "Launch new customer portal" for')


@pytest.mark.parametrize(
    "kr", ["Increase revenue and margin", "Reduce time to build and deploy release images", "Grow active members and train new stewards"]
)
def test_a_name_cut_at_an_and_that_goes_on_gets_an_ask(rubric, kr):
    # a rewrite of the first part would drop the second without a word
    assert suggestion(rubric, kr).rewrite is None
