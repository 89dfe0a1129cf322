"""Wilson intervals, label scores and rewrite similarity."""

import pytest

from coach.evals.metrics import label_score, placeholders_and_numbers, similarity, wilson


def test_wilson_matches_the_textbook_values():
    # Wilson 95% for 0/10 is [0, 0.2775]; for 5/10, [0.2366, 0.7634].
    assert wilson(0, 10) == (0.0, 0.2775)
    assert wilson(5, 10) == (0.2366, 0.7634)
    assert wilson(10, 10) == (0.7225, 1.0)
    assert wilson(0, 0) == (0.0, 0.0)


def test_intervals_narrow_with_more_evidence():
    small, large = wilson(9, 10), wilson(900, 1000)
    assert small[0] < large[0] <= 0.9 <= large[1] < small[1]


def test_label_score_counts_and_intervals():
    s = label_score(tp=8, fp=2, fn=2)
    assert (s.precision, s.recall, s.f1, s.support) == (0.8, 0.8, 0.8, 10)
    assert s.precision_ci == wilson(8, 10)
    assert s.f1_ci[0] < s.f1 < s.f1_ci[1]
    empty = label_score(0, 0, 0)
    assert empty.f1 == 0.0 and empty.f1_ci == (0.0, 0.0)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("Increase NPS from [current NPS] to 50", "increase nps from [baseline] to 50", 1.0),
        ("Launch the portal", "Increase adoption from [a] to [b]", None),
    ],
)
def test_similarity_ignores_case_and_placeholder_names(a, b, expected):
    value = similarity(a, b)
    if expected is None:
        assert 0 < value < 0.6
    else:
        assert value == expected


def test_placeholders_and_numbers():
    assert placeholders_and_numbers("Grow revenue from $1.2M to [target] by Q3") == (1, 2)  # 1.2 and the 3 of Q3
