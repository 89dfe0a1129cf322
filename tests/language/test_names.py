"""Names sure enough to show a user: the metric a rewrite writes and a finding's text names."""

import pytest

from coach import review
from coach.language.key_results import analyze_kr
from coach.language.names import Described, sure_metric
from coach.rubric import load_rubric


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(None)


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("Increase NPS to 50", "NPS"),
        ("Reach 500 paying customers", "paying customers"),
        ("Close $480k in new bookings", "new bookings"),  # money measures what follows "in"
        ("500 employees use the copilot weekly", ""),  # all employees would be counted
        # the count written right before the things a clause picks: those are counted
        ("150 volunteers involved in the river clean-up", "volunteers involved in the river clean-up"),
        ("12 libraries that lend the kits", "libraries that lend the kits"),
        ("300 parents reading the weekly digest", "parents reading the weekly digest"),
        ("Containers held at the port beyond 72h", ""),  # no value: which way is better is not said
        ("Choose 10 of them before 11/3", ""),  # an order, no name
        # a quality or abstract noun with its value right beside it is measured
        ("Safety checklist compliance ≥ 98%", "safety checklist compliance"),
        ("85% attendance at the weekly clinic", "attendance at the weekly clinic"),
        ("Tenant satisfaction of 4.2/5", "tenant satisfaction"),
        ("2% improvement for all build steps", ""),  # a change, not a level
        ("Staff completing the fire drill: 90%", ""),  # people doing something: a share to ask about
        # a link between the name and its value drops nothing
        ("Monthly cloud spend kept under $40k", "monthly cloud spend"),
        ("Weekly active teams reach 1,500", "weekly active teams"),
        ("An NPS of 45 among new tenants", "NPS"),  # where it holds, not what 45 counts
        # the measure named after the value: the name before it is only what it is about
        ("Card payments >98% success rate across devices", ""),
        ("Pipeline coverage 3x quota", "pipeline coverage"),  # a multiple of quota
    ],
)
def test_sure_metric(rubric, text, metric):
    assert sure_metric(analyze_kr(text, rubric.lexicon), rubric.lexicon) == metric


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        # a change keeps its role: "by 15%" never becomes "to 15%"
        ("Increase weekly active users by 15%", "start_and_target", "by 15% from [current]"),
        ("Reach 500 paying customers", "start_and_target", "from [current] to 500"),
        ("Double trial sign-ups", "start_and_target", "double from [current]"),
        # no verb or cut phrase is shown as a metric
        ("Choose 10 of them before 11/3", "metric", "the metric"),
        ("Reach 500 paying customers", "metric", "paying customers"),
    ],
)
def test_finding_fields(rubric, text, field, value):
    assert Described(analyze_kr(text, rubric.lexicon), rubric)[field] == value


def test_a_missing_baseline_fix_keeps_the_change_and_names_no_verb():
    draft = "Grow the team\n- Increase weekly active users by 15%\n- Choose 10 of them for interviews before 11/3\n"
    fixes = [f.fix for f in review(draft, mode="rules").findings if f.rule_id == "KR04"]
    assert any('"increase weekly active users by 15% from [current]"' in fix for fix in fixes)
    assert not any("increase choose" in fix for fix in fixes)
