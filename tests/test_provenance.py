from hypothesis import given
from hypothesis import strategies as st

from coach.provenance import enforce, fabricated, normalise


def test_formatting_differences_are_the_same_number():
    assert normalise("1,200") == "1200"
    assert normalise("1.50") == "1.5"
    assert fabricated("from 1200 to 1,500", ["from 1,200 to 1500"]) == []


def test_unsourced_numbers_are_replaced_by_a_visible_placeholder():
    text, replaced = enforce("Increase NPS from 32 to 50", ["Increase NPS to 50"])
    assert text == "Increase NPS from [value] to 50"
    assert replaced == ["32"]


def test_currency_and_units_go_with_the_number():
    text, _ = enforce("Grow revenue from $1.2M to $2M", ["Grow revenue from $1.2M"])
    assert text == "Grow revenue from $1.2M to [value]"


@given(st.text(), st.text())
def test_after_enforce_nothing_is_fabricated(rewrite, source):
    text, _ = enforce(rewrite, [source])
    assert fabricated(text, [source]) == []
