"""Phrases shared by findings and rewrites: is a number a change or a level?"""

import pytest

from coach.language.key_results import analyze_kr
from coach.language.phrases import is_relative, metric_phrase
from coach.quantities import scan
from coach.rubric import load_rubric


def _relative(text: str) -> list[bool]:
    low = text.lower()
    lex = load_rubric(None).lexicon
    return [is_relative(low, q, lex) for q in scan(text).quantities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grow revenue by 20%", [True]),
        ("Churn -3 pts", [True]),
        ("Signups +10 a week", [True]),
        ("Reach an NPS of 50", [False]),
        ("Keep response time at 2 hours", [False]),
        ("Answer 5-10 tickets a day", [False, False]),  # a range's far end is no change
    ],
)
def test_change_or_level(text, expected):
    assert _relative(text) == expected


@pytest.mark.parametrize(
    ("metric", "verb"),
    [
        ("churn rate", "Reduce"),
        ("first response time", "Reduce"),
        ("no-shows", "Reduce"),
        ("time to hire", "Reduce"),
        ("customers in the v1 queue", "Increase"),
        ("on-time departure", "Increase"),  # "on-time" holds no "time" to cut
        ("on-time delivery rate", "Increase"),
        ("number of manual journal entries", "Reduce"),  # read on what is counted
        (
            "kyc checks passed without manual review",
            "Increase",
        ),  # not on what comes after "without"
        ("failed first delivery attempts", "Reduce"),
        ("sepsis mortality", "Reduce"),
        ("Claims NPS", "Increase"),  # a score, whatever it is about
        ("focus time blocks per week", "Increase"),
    ],
)
def test_polarity_reads_whole_words(metric, verb):
    from coach.language.phrases import polarity_verb
    from coach.rubric import load_rubric

    assert polarity_verb(metric, load_rubric(None)) == verb


@pytest.mark.parametrize(
    ("metric", "asked"),
    [
        ("weekly active users", "number of weekly active users"),
        (
            "existing partners who are early adopters",
            "number of existing partners who are early adopters",
        ),
        ("sales", "value of sales"),  # plural in form, an amount in meaning
        ("overall revenue", "overall revenue"),  # a singular needs no word before it
        ("share of tickets deflected", "share of tickets deflected"),
        ("uptime of storage providers", "uptime of storage providers"),
    ],
)
def test_a_question_asks_for_a_number_or_a_value(metric, asked):
    from coach.language.phrases import amount_of
    from coach.rubric import load_rubric

    assert amount_of(metric, load_rubric(None).lexicon) == asked


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("90% of claims paid within 5 days", "Increase"),  # most of them: a share to grow
        ("Share of claims needing a second contact", "Reduce"),
        ("Achieve 50% average view duration (up from an unknown baseline)", "Increase"),  # the author's direction
        ("Average handling time 6 min, down from 9", "Reduce"),
        ("1,200 season tickets sold for the new stand", "Increase"),  # tickets sold, not support tickets
    ],
)
def test_a_shares_direction(text, verb):
    from coach.language.key_results import analyze_kr
    from coach.language.phrases import metric_phrase, verb_for
    from coach.rubric import load_rubric

    rubric = load_rubric(None)
    facts = analyze_kr(text, rubric.lexicon)
    assert verb_for(facts, metric_phrase(facts, rubric.lexicon), rubric) == verb


@pytest.mark.parametrize(
    ("metric", "sibling", "same"),
    [
        ("food waste sent to landfill", "Food waste to landfill in tonnes", True),
        ("sick days in the warehouse team", "Sick day rate must go down", True),
        (
            "time-to-hire for engineering roles",
            "Median time-to-hire for engineering roles: 52 days → 35 days",
            True,
        ),
        ("customer churn", "Customer satisfaction from 7 to 8", False),
        ("direct bookings", "Average daily rate up 5%", False),
        ("number of clubs", "250 active clubs", True),  # a count is measured by its things, counted
        ("number of clubs", "Publish at least one op-ed", False),
    ],
)
def test_a_sibling_measures_a_metric(metric, sibling, same):
    from coach.language.key_results import analyze_kr
    from coach.language.phrases import measure_words, measured_by
    from coach.rubric import load_rubric

    lex = load_rubric(None).lexicon
    assert measured_by(metric, [measure_words(analyze_kr(sibling, lex).words)], lex) is same


@pytest.mark.parametrize(
    ("phrase", "noun_phrase"),
    [
        ("change failure rate", True),  # a verb-like word before a metric's head modifies it
        ("win rate", True),
        ("pick accuracy", True),
        ("file notes for every planning meeting", False),  # an order (a delivery verb)
        ("hold p99 checkout latency", False),
        ("food cost as a share of revenue", True),
    ],
)
def test_metric_names_that_start_like_a_verb(phrase, noun_phrase):
    from coach.language.noun_phrases import is_noun_phrase, is_verb_phrase
    from coach.rubric import load_rubric

    lex = load_rubric(None).lexicon
    assert is_noun_phrase(phrase, lex) is noun_phrase
    assert is_verb_phrase("deflect more tickets", lex) and not is_verb_phrase(
        "change failure rate", lex
    )


def test_a_placeholder_cut_short_ends_before_its_qualifier():
    from coach.language.phrases import short_name

    lex = load_rubric(None).lexicon
    assert short_name("win rate against incumbent on-prem systems", lex) == "win rate"
    assert short_name("support tickets about iOS 19 in launch week", lex) == "support tickets"
    assert short_name("write-offs as % of billings", lex) == "write-offs"
    assert short_name("mean time to patch critical CVEs", lex) == "mean time to patch"
    assert short_name("time to set up a payment plan", lex) == "time to set up"
    assert short_name("time to repair", lex) == "time to repair"  # whole: nothing cut
    assert short_name("average on boarding time", lex) == "average on boarding time"  # never a bare "[current average]"
    # a rate keeps what it is per ("[current cost]" would name another measure), never ending on "per"
    assert short_name("cost per lead", lex) == "cost per lead"
    assert short_name("orders per active customer per month", lex) == "orders per active customer per month"
    assert short_name("number of recordings viewed per user", lex) == "number of recordings viewed per user"
    assert short_name("hours per week spent in meetings", lex) == "hours per week"  # no participle end
    assert short_name("internal applications per open senior role", lex) == "internal applications"  # no base cut inside
    # a participle after a plural wants what was cut: the plural alone names them
    assert short_name("members buying the annual pass", lex) == "members"
    assert short_name("app store reviews mentioning the dark mode", lex) == "app store reviews"
    assert short_name("days sales outstanding", lex) == "days sales outstanding"  # whole
    assert (
        short_name("days lost to late material deliveries", lex) == "days lost"
    )  # "to" keeps a verb only after "time"
    assert (
        short_name("enterprise deals lost due to security concerns", lex) == "enterprise deals lost"
    )
    # a participle after a share's noun starts what picks them, unless a noun follows it
    assert short_name("share of invoices being paid on time", lex) == "share of invoices"
    assert (
        short_name("share of customer onboarding calls within 5 days", lex)
        == "share of customer onboarding calls"
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Revenue grow from 41M", "revenue"),
        ("Steady or increasing fill rates", "fill rates"),
        ("Steady or decreasing cancellation rates", "cancellation rates"),
    ],
)
def test_a_direction_verb_is_no_word_of_the_metric_name(text, name):
    from coach.language.key_results import analyze_kr
    from coach.language.phrases import metric_phrase

    lex = load_rubric(None).lexicon
    assert metric_phrase(analyze_kr(text, lex), lex) == name


@pytest.mark.parametrize(
    "phrase", ["lesson ratings improve", "steady or increasing fill rates", "revenue grow"]
)
def test_a_name_holding_a_direction_verb_is_no_noun_phrase(phrase):
    from coach.language.noun_phrases import is_noun_phrase

    assert not is_noun_phrase(phrase, load_rubric(None).lexicon)
    assert is_noun_phrase("cost increase per order", load_rubric(None).lexicon)


def test_an_apostrophe_between_letters_stays_in_a_name():
    from coach.language.key_results import analyze_kr
    from coach.language.phrases import metric_phrase

    lex = load_rubric(None).lexicon
    assert (
        metric_phrase(analyze_kr("Increase the team’s release frequency to 4 a month", lex), lex)
        == "team’s release frequency"
    )
    assert metric_phrase(analyze_kr("Grow ‘active’ members to 300", lex), lex) == "active members"


def test_a_share_of_two_kinds_of_people_names_both():
    from coach.language.key_results import analyze_kr
    from coach.language.phrases import metric_phrase, short_name

    lex = load_rubric(None).lexicon
    metric = metric_phrase(
        analyze_kr("90% of managers and team leads complete the training", lex), lex
    )
    assert metric == "share of managers and team leads who complete the training"
    assert short_name(metric, lex) == "share of managers and team leads"


@pytest.mark.parametrize(
    ("metric", "verb"),
    [
        ("cost-savings for students", "Increase"),
        ("savings on renewals", "Increase"),
        ("cost per hire", "Reduce"),
    ],
)
def test_savings_grow_whatever_they_save_on(metric, verb):
    from coach.language.phrases import polarity_verb

    assert polarity_verb(metric, load_rubric(None)) == verb


@pytest.mark.parametrize(
    ("phrase", "unfit"),
    [
        ("x cost across platforms", True),
        ("DAU/MAU for app v3.x", False),
        ("win rate against Competitor X", False),
        ("leadership spends no time reinventing admin tasks", True),
        ("share of accounts with no open tickets", False),
        ("no-show rate", False),
        ("not spend more than 5 hours in research", True),
        ("never events", False),
    ],
)
def test_a_letter_left_for_a_number_or_a_negated_clause_is_no_name(phrase, unfit):
    from coach.language.noun_phrases import unfit_name

    assert unfit_name(phrase, load_rubric(None).lexicon) is unfit


def test_a_name_is_never_cut_by_its_length_inside_a_phrase():
    from coach.language.key_results import analyze_kr
    from coach.language.phrases import metric_phrase

    lex = load_rubric(None).lexicon
    kr = "Increase usage of the Main Library and Science Centre during open hours"
    assert metric_phrase(analyze_kr(kr, lex), lex) == "usage of the Main Library and Science Centre during open hours"
    too_long = "Increase usage of the Main Library and Science Centre during open hours on weekdays and holidays"
    assert metric_phrase(analyze_kr(too_long, lex), lex) == ""


@pytest.mark.parametrize(("metric", "verb"), [("cost-to-support as % of revenue", "Reduce"), ("renewals as a share of contracts", "Increase")])
def test_a_ratio_is_read_on_what_it_measures_not_what_it_divides_by(metric, verb):
    from coach.language.phrases import polarity_verb

    assert polarity_verb(metric, load_rubric(None)) == verb


def test_a_deadline_keeps_its_own_opening_word():
    from coach.language.phrases import strip_deadline

    lex = load_rubric(None).lexicon
    assert strip_deadline("Ship the mobile app over the next 8 weeks", lex)[1] == "over the next 8 weeks"
    assert strip_deadline("Hire 3 engineers Q3", lex)[1] == "by Q3"
    assert strip_deadline("Run 15 miles a week throughout the year", lex)[1] == "throughout the year"
    assert strip_deadline("Zero paper invoices end of year", lex)[1] == "by end of year"


@pytest.mark.parametrize(
    ("text", "metric"),
    [("Reduce the # of open bugs to 20", "number of open bugs"), ("# of active users: 500", "number of active users")],
)
def test_a_number_sign_is_read_as_the_number_of(text, metric):
    lex = load_rubric(None).lexicon
    assert metric_phrase(analyze_kr(text, lex), lex) == metric


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("Reach 5% conversion rate from free trial to paid", "conversion rate from free trial to paid"),
        ("Conversion from consultation to treatment", "conversion from consultation to treatment"),
        # values or periods are a start and a target, or periods compared: no stages
        ("Reduce error rate from 5% to 2%", "error rate"),
        ("Improve conversion rate from last quarter to this quarter", "conversion rate"),
    ],
)
def test_the_stages_a_rate_counts_between_are_part_of_its_name(text, metric):
    lex = load_rubric(None).lexicon
    assert metric_phrase(analyze_kr(text, lex), lex).lower() == metric
