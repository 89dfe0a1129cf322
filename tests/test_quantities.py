import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coach import quantities
from coach.errors import RubricError
from coach.quantities import (
    REQUIRED_PATTERNS,
    REQUIRED_WORDS,
    deadline_phrase,
    load_vocabulary,
    scan,
)
from coach.resources import rubrics_dir

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = rubrics_dir() / "default" / "quantities.yaml"


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
        ("Ninety-five percent of invoices paid on time", [("Ninety-five percent", "target")]),  # one value, not "five"
        ("Cut review time from 20+ days to 3 days", [("20", "baseline"), ("3 days", "target")]),  # "from 20+" starts
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
        ("Generate X% increase in trial sign-ups", [("X%", "target")]),  # a letter and a percent sign anywhere
        ("Hold weekly 1:1s with 8 reports", [("8", "target")]),  # a meeting's name, no ratio or duration
        ("Improve scores on the MAP 2.0 reading assessment", []),  # a test's name and version
        ("CSAT 4.5 this quarter", [("4.5", "target")]),  # a value after a metric's name stays one
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
        # a start written with "=" ("Currently at = 110", "(baseline = 60)"); "NPS = 50" is a target
        ("95 participants per month; Currently at = 110", [("95", "target"), ("110", "baseline")]),
        ("Reach 95 participants (baseline = 60)", [("95", "target"), ("60", "baseline")]),
        ("NPS = 50", [("50", "target")]),
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
        "Ship the beta by 3/15",  # a day and month after "by": a date, no rating
    ],
)
def test_deadlines_and_identifiers_are_not_values(text):
    assert scan(text).quantities == ()


def test_deadline_phrase_keeps_the_authors_words():
    assert deadline_phrase("Increase NPS from 32 to 50 by end of Q3") == "by end of Q3"
    assert deadline_phrase("Hit $2M ARR by June 30") == "by June 30"
    assert deadline_phrase("30 contributors trained by end 2025") == "by end 2025"  # no "of"
    assert deadline_phrase("Increase NPS to 50") is None


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Reduce churn to 2% before year end", "before year end"),
        ("Lower inventory days on hand from 74 to 60 by year-end", "by year-end"),
        ("Reduce churn to 2% by the end of the financial year", "by the end of the financial year"),
        ("Increase NPS to 50 within the next 90 days", "within the next 90 days"),
        ("Increase NPS to 50 by mid-year", "by mid-year"),
        ("Volunteer retention through the school year of 75%", "through the school year"),
    ],
)
def test_more_ways_to_write_a_deadline(text, phrase):
    assert deadline_phrase(text) == phrase


def test_a_time_in_a_metrics_definition_is_no_deadline():
    from coach.language.phrases import strip_deadline
    from coach.rubric import load_rubric

    lex = load_rubric(None).lexicon
    assert strip_deadline("Return rate of 10%, as measured by visitors back this week", lex)[1] is None
    assert strip_deadline("As measured by: NPS 50+ by Q3", lex)[1] == "by Q3"  # a label, then the KR


@pytest.mark.parametrize(
    "text, value",
    [
        ("Month-end close from 11 to 5 working days", "5 working days"),  # a metric's name, no deadline
        ("Resolve tickets within 2 days", "2 days"),  # a window: only "the next" days are a deadline
        ("Churn in the first 90 days to 3%", "3%"),
        ("Forecast accuracy at the week-6 call to 90%", "90%"),  # "the week-6 call" names a meeting
    ],
)
def test_period_words_that_are_no_deadline(text, value):
    assert deadline_phrase(text) is None
    assert value in [q.text for q in scan(text).quantities]


def test_a_named_span_of_time_is_part_of_the_metric():
    assert roles("Grow 30 day retention from 20% to 30%") == [("20%", "baseline"), ("30%", "target")]
    assert roles("Cut lead time from 10 day to 5 day") == [("10 day", "baseline"), ("5 day", "target")]


def test_ranges_and_wholes_are_not_baselines():
    assert roles("Brand consideration +5 pts among 18–34s")[0] == ("5 pts", "target")
    assert roles("At least 7 of 12 councillors pledge support") == [("7", "target")]


@pytest.mark.parametrize("text", ["Offline sync is implemented [P1]", "[p0] The SDK has streaming support", "Ship the beta [stretch]"])
def test_a_priority_or_stretch_tag_in_brackets_is_no_placeholder(text):
    assert scan(text).quantities == ()


@pytest.mark.parametrize("text", ["Increase NPS from 2024 levels", "Continue our progress from 2024 on auditing libraries"])
def test_a_year_after_from_or_since_is_a_time(text):
    assert scan(text).quantities == ()


def test_a_bracketed_value_to_fill_is_a_placeholder():
    assert [q.kind for q in scan("Grow NPS from [current NPS] to [target]").quantities] == ["placeholder", "placeholder"]


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


@pytest.mark.parametrize(
    "text", ["Reach 500 GitHub stars (currently approaching 400)", "Reach 500 stars (currently > 200)", "Grow ARR from over $2M to $3M"]
)
def test_a_start_may_be_approximate_or_a_bound(text):
    # "approaching 400", "> 200" after "currently" still say where the KR starts (the ask had
    # offered them as a second target)
    assert [q.role for q in scan(text).quantities] == ["baseline", "target"] if "from" in text else ["target", "baseline"]


def test_double_down_is_no_doubling():
    assert scan("Double down on the channels that work").quantities == ()
    assert [q.text for q in scan("Double sign-ups from organic search").quantities] == ["Double"]


def test_was_at_names_where_the_kr_starts():
    assert [q.role for q in scan("Reach 500 users (we were at 300 in May)").quantities] == ["target", "baseline"]


# The number reader's words are data (rubrics/default/quantities.yaml), validated when the
# module is imported: a broken file stops it with one line naming the file and the key.


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder: a broken file's patterns are compiled, never taken as checked."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))
    return tmp_path / "cache-home"


def test_the_vocabulary_holds_the_names_the_reader_uses():
    code = Path(quantities.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r"_PATTERNS\[[\"']([a-z0-9_]+)[\"']\]", code))
    # The fragments the patterns name ("{month}") are read through them.
    read |= set(re.findall(r"\{([a-z_]+)\}", VOCABULARY.read_text()))
    assert read - {"name"} == set(REQUIRED_PATTERNS)
    assert set(re.findall(r"_WORDS\[[\"']([a-z0-9_]+)[\"']\]", code)) == set(REQUIRED_WORDS)


def test_the_vocabulary_is_what_the_module_reads():
    patterns, words = load_vocabulary()
    assert quantities.WORD_QUANTITY_RE.pattern == patterns["word_quantity"]
    assert "{month}" not in patterns["deadline_core"] and patterns["month"] in patterns["deadline_core"]
    assert words["ident_words"] == quantities._IDENT_WORDS and "phase" in words["ident_words"]
    assert "no" in words["ident_words"]  # a YAML boolean unless quoted: kept a word


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "quantities.yaml"
    text = VOCABULARY.read_text(encoding="utf-8")
    assert re.search(old, text, flags=re.M), old
    path.write_text(re.sub(old, lambda _: new, text, count=1, flags=re.M), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (r"^month: .*$", "", r"quantities\.yaml: missing pattern 'month' \(the number reader uses it\)"),
        (r"^approx: .*$", "", r"quantities\.yaml: missing word list 'approx'"),
        (r"^ident_after:", "ident_aftr:", r"quantities\.yaml: missing pattern 'ident_after'"),
        (r"^top_before: .*$", "top_before: '\\b(?:top|bottom\\s+$'", r"quantities\.yaml: top_before: not a valid pattern: missing \)"),
        (r"^  - '\|\{workdays\}\\b'$", "  - '|{workdays}\\b(?P<'", r"quantities\.yaml: unit: not a valid pattern"),
        (r"^weekday: .*$", "weekday: '(?:monday|tuesday'", r"quantities\.yaml: weekday: not a valid pattern"),
        (r"\{small_number\}", "{smal_number}", r"quantities\.yaml: deadline_core: \{smal_number\} names no pattern of this file"),
        (r"^from_before: .*$", "from_before: 42", r"quantities\.yaml: from_before: a pattern is a non-empty string"),
        (r"^approx: .*$", "approx: [about, ~]", r"quantities\.yaml: approx: a word list is a non-empty list of words"),
        (r"^not_before_year: .*$", "not_before_year: last prior", r"quantities\.yaml: not_before_year: a word list"),
        (r"^later_target:", "latter_target: 'x'\nlater_target:", r"quantities\.yaml: latter_target: unknown key"),
        (r"^month: '", "month: ['", r"quantities\.yaml: not valid YAML \(line \d+\)"),
    ],
)
def test_a_broken_vocabulary_fails_naming_the_file_and_key(cache, tmp_path, old, new, message):
    load_vocabulary(_broken(tmp_path, "^approx: ", "approx: "))  # the whole file checked and kept
    with pytest.raises(RubricError, match=message) as caught:
        load_vocabulary(_broken(tmp_path, old, new))
    assert "\n" not in str(caught.value) and str(tmp_path / "quantities.yaml") in str(caught.value)


def test_a_checked_vocabulary_is_not_compiled_again(cache, tmp_path, monkeypatch):
    path = _broken(tmp_path, "^approx: ", "approx: ")
    first = load_vocabulary(path)  # compiled, and kept as checked (coach.diskcache)

    def refuse(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(quantities.re, "compile", refuse)
    assert load_vocabulary(path) == first


def test_a_missing_vocabulary_names_the_file(tmp_path):
    with pytest.raises(RubricError, match=r"quantities\.yaml: the number reader's words are missing"):
        load_vocabulary(tmp_path / "quantities.yaml")


def test_the_reader_will_not_import_with_a_broken_vocabulary(tmp_path):
    # A copy of the package beside its rubrics/ (as in a checkout): found by coach.resources.
    shutil.copytree(ROOT / "coach", tmp_path / "coach", ignore=shutil.ignore_patterns("__pycache__", "_data"))
    shutil.copytree(ROOT / "rubrics", tmp_path / "rubrics")
    path = tmp_path / "rubrics" / "default" / "quantities.yaml"
    path.write_text(re.sub(r"(?m)^naming_after:", "naming_after: '(unclosed'\nnot_used:", path.read_text(encoding="utf-8"), count=1))
    path.write_text(re.sub(r"(?m)^not_used:\n(  - .*\n)+", "", path.read_text(encoding="utf-8")))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache-home")}
    probe = "from coach.errors import RubricError\ntry:\n import coach.quantities\nexcept RubricError as e:\n print(e)"
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert out.stdout == f"{path}: naming_after: not a valid pattern: missing ), unterminated subpattern at position 0\n"


def test_the_readme_says_where_the_number_readers_words_live():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "rubrics/default/quantities.yaml" in readme
    assert "coach/quantities.py" in readme


@pytest.mark.parametrize("text", ["Ship every feature on the 2025 roadmap", "Close our 2024 budget on time"])
def test_a_year_after_a_determiner_names_a_thing(text):
    assert scan(text).quantities == ()


def test_a_year_like_count_stays_a_count():
    assert roles("Reach 2000 paying users") == [("2000", "target")]


def test_a_word_ending_in_now_is_no_today():
    # "know" ends in "now": the value before it is a target, not where the KR starts
    assert roles("80% of designers know how to use the design system") == [("80%", "target")]
    assert roles("NPS 32 now, 40 by Q4") == [("32", "baseline"), ("40", "target")]


@pytest.mark.parametrize("text", ["Cut P1 bugs in the 3.x line", "More installs of the 4.2 release", "Crash rate on the 1.9 branch"])
def test_a_version_named_by_its_number_is_no_value(text):
    assert scan(text).quantities == ()


def test_a_count_of_releases_is_still_a_value():
    assert [q.text for q in scan("Ship 3 releases per quarter").quantities] == ["3"]


@pytest.mark.parametrize("text", ["New contributors - Goal: 20, Previous period: 0", "Grow revenue to $2M, prior year: $1.4M"])
def test_a_previous_or_prior_periods_value_is_a_start(text):
    assert [role for _, role in roles(text)] == ["target", "baseline"]


def test_a_frequency_before_a_noun_is_a_kind_of_thing_not_a_value():
    # "to monthly giving" names a kind of giving; "from monthly to weekly releases" moves
    assert [(q.text, q.role) for q in scan("Convert 15% of donors to monthly giving").quantities] == [("15%", "target")]
    moved = scan("Release cadence from monthly to weekly releases").quantities
    assert [(q.text, q.role) for q in moved] == [("monthly", "baseline"), ("weekly", "target")]
    assert [q.text for q in scan("Move deploys to weekly by Q3").quantities] == ["weekly"]


def test_a_number_in_words_with_its_multiplier_is_one_value():
    assert [q.text for q in scan("Having one million subscribers").quantities] == ["one million"]
    assert [q.text for q in scan("Grow to a hundred stores").quantities] == ["a hundred"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a table row: beside a labelled goal, a period's value is where it stood then
        ("Monthly active users — Goal: 500; Q4: 61", [("500", "target"), ("61", "baseline")]),
        ("Paying customers — Goal: 50; Q4: 0", [("50", "target"), ("0", "baseline")]),
        ("NPS — Goal: 45; 2024: 31", [("45", "target"), ("31", "baseline")]),
        # without a goal label a period's colon labels nothing
        ("Reach 500 users by Q4: 61 done", [("500", "target"), ("61", "target")]),
    ],
)
def test_a_goal_and_a_periods_value_in_a_table_row(text, expected):
    assert [(q.text, q.role) for q in scan(text).quantities] == expected


def test_a_bracket_that_says_tbd_anywhere_is_a_value_still_to_decide():
    from coach.quantities import TO_DECIDE_RE

    assert TO_DECIDE_RE.search("[target TBD]") and TO_DECIDE_RE.search("[TBD]")
    assert not TO_DECIDE_RE.search("[current NPS]")


def test_a_spaced_times_sign_before_things_counted_is_a_count():
    # "4 x mid-size schools": four of them; "3x qualified leads" triples them
    assert [(q.text, q.kind) for q in scan("Sign 4 x mid-size schools a month").quantities] == [("4", "number")]
    assert [q.kind for q in scan("3x qualified salon leads").quantities] == ["multiplier"]
    assert [q.kind for q in scan("Grow revenue 3 x by Q4").quantities] == ["multiplier"]


@pytest.mark.parametrize("text", ["Retention of the Q1 signup cohort at 80%", "Pipeline coverage of 4x Q3 new bookings"])
def test_a_quarter_naming_what_is_counted_is_no_deadline(text):
    assert deadline_phrase(text) is None


@pytest.mark.parametrize("text", ["Grow revenue 20% in Q3 as planned", "Ship it in Q3 this year", "Launch by Q2",
                                  "Launch by Q2 with 3 partners"])
def test_a_quarter_before_other_words_is_still_a_deadline(text):
    assert deadline_phrase(text) is not None


@pytest.mark.parametrize("text", ["Reuse rate — Target: e.g. 70%; Current: –", "Volunteers onboarded, for example 40"])
def test_a_value_given_as_an_example_is_no_value(text):
    assert scan(text).quantities == ()


def test_a_hyphen_before_a_plural_unit_of_time_is_a_typed_duration():
    assert [(q.text, q.kind) for q in scan("Meditate 20-minutes a day").quantities] == [("20-minutes", "duration")]
    assert scan("Churn in the 30-day window").quantities == ()  # a singular one names a kind
