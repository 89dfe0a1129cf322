from pathlib import Path

import pytest

from coach.errors import ParseError
from coach.lint.sources import read_units
from coach.parse import parse
from coach.pipeline import review


def _at(unit, span):
    pos = unit.position(span)
    return pos.line, pos.col


QUARTERS = """# Platform team OKRs

## 2026 Q1

### Make deploys boring
- Reduce median deploy time from 40 min to 10 min
- Launch the new CI runner

## 2026 Q2

- **O1** Win the mid-market
  - KR 1.1: Grow mid-market ARR from $2M to $3.5M
  - KR 1.2: Hire 3 AEs
"""


def test_one_set_per_heading_each_its_lines_on_their_own_line_numbers():
    units = read_units(Path("OKR.md"), QUARTERS)
    assert [(u.title, u.line) for u in units] == [("2026 Q1", 3), ("2026 Q2", 9)]
    lines = QUARTERS.splitlines()
    for u in units:
        assert u.draft.startswith("# Platform team OKRs\n")  # the title above stays (team)
        for n, line in enumerate(u.draft.splitlines()):
            assert line in ("", lines[n])  # every kept line on its own line number
    assert units[0].draft.splitlines()[2:8] == lines[2:8] and "Win the mid-market" not in units[0].draft
    assert units[1].draft.splitlines()[8:] == lines[8:] and "deploy" not in units[1].draft
    q1, q2 = (review(u.draft, mode="rules") for u in units)
    assert [o.text for o in q1.okr_set.objectives] == ["Make deploys boring"]
    assert [o.text for o in q2.okr_set.objectives] == ["Win the mid-market"]
    assert q2.okr_set.objectives[0].team == "Platform"
    kr = q2.okr_set.objectives[0].key_results[1]
    assert units[1].draft[kr.span.start : kr.span.end] == "Hire 3 AEs" and kr.span.line == 13
    assert (units[1].position(kr.span).line, units[1].position(kr.span).col) == (13, 13)


def test_many_sets_cost_a_set_each_not_the_file_each():
    text = "".join(f"## 2026 week {w}\n\n### Objective: Ship week {w}\n- Raise ARR from {w} to {w + 1}\n- Cut churn from 5% to 4%\n\n" for w in range(300))
    units = read_units(Path("OKR.md"), text)
    assert len(units) == 300
    assert max(len(u.draft.strip("\n")) for u in units) < 200  # each draft: its own lines only


def test_objective_headings_are_not_sets_and_one_set_is_the_file_read_once():
    text = "# Q3\n\n## Grow revenue\n- Increase ARR from 1M to 2M\n\n## Delight users\n- Raise NPS from 20 to 40\n"
    units = read_units(Path("OKR.md"), text)
    assert len(units) == 1 and units[0].draft == parse(text)  # the pipeline takes it as is


def test_objectives_above_the_first_set_heading_are_a_set_too():
    text = "Objective: Keep the lights on\nKR: Hold uptime at 99.9%\n\n" + QUARTERS.split("\n", 2)[2]
    units = read_units(Path("OKR.md"), text)
    assert [u.title for u in units] == [None, "2026 Q1", "2026 Q2"]
    first = review(units[0].draft, mode="rules")
    assert [o.text for o in first.okr_set.objectives] == ["Keep the lights on"]


def test_yaml_items_get_the_spans_of_their_nodes():
    text = "period: Q1\nobjectives:\n  - text: Grow revenue\n    key_results:\n      - Increase ARR from 1M to 2M\n      - text: Launch pricing\n---\nobjectives: [{text: Ship, key_results: [Do it]}]\n"
    units = read_units(Path("okrs.yaml"), text)
    assert [(u.title, u.line) for u in units] == [("Q1", 1), (None, 8)]
    okr_set = review(units[0].draft, mode="rules").okr_set
    o = okr_set.objectives[0]
    assert _at(units[0], o.span) == (3, 11)
    assert [_at(units[0], k.span) for k in o.key_results] == [(5, 9), (6, 15)]
    second = review(units[1].draft, mode="rules").okr_set.objectives[0]
    assert _at(units[1], second.key_results[0].span) == (8, 41)


def test_json_read_differently_as_yaml_keeps_the_json_reading():
    text = '{"objectives": [{"text": "Grow", "key_results": ["Raise ARR from 1e3 to 2e3"]}], "n": 1e3}'
    (unit,) = read_units(Path("okr.json"), text)
    assert unit.draft["n"] == 1000.0  # json's reading, not YAML 1.1's string


def test_invalid_yaml_is_a_parse_error_with_its_line():
    with pytest.raises(ParseError) as exc:
        read_units(Path("okrs.yaml"), "objectives:\n  - text: [open\n")
    assert exc.value.line == 3


def test_yaml_aliases_and_deep_nesting_are_refused_not_expanded():
    bomb = "k: &k [Grow ARR from 1 to 2]\nobjectives:\n" + "".join(
        f"  - {{text: Objective {i}, key_results: *k}}\n" for i in range(3)
    )
    with pytest.raises(ParseError, match="aliases") as exc:
        read_units(Path("okrs.yaml"), bomb)
    assert exc.value.line == 3  # the first alias
    with pytest.raises(ParseError, match="nesting depth|nested too deeply"):
        read_units(Path("okrs.yaml"), "objectives: " + "[" * 100_000 + "]" * 100_000 + "\n")
