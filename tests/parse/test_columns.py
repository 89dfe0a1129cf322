"""Header cells -> columns: the words of columns.yaml, fuzzy matching, a coach's own names."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import ConfigError, ParseError
from coach.parse import parse_csv
from coach.parse.columns import column_role, load_words, parse_column_map
from coach.parse.tabular import find_header


@pytest.mark.parametrize(
    ("cell", "role"),
    [
        ("Objective (O)", "objective"),
        ("Key Result (KR)", "key_result"),
        ("Your name", "owner"),
        ("Your team", "team"),
        ("Submitted by", "owner"),
        ("Person", "owner"),
        ("Department", "team"),
        ("Goal", "objective"),
        ("O", "objective"),
        ("KR", "key_result"),
        ("Key result 2", "key_result"),
        ("Objective title", "objective"),
        ("Full name", "owner"),
        ("Key result owner", "owner"),  # the last words say what a column holds
        ("What is your objective?", "objective"),
        ("Objectve", "objective"),  # misspelt
        ("Key reslts", "key_result"),
    ],
)
def test_common_headers_are_recognised(cell, role):
    found = column_role(cell)
    assert found is not None and found[0] == role


@pytest.mark.parametrize(
    "cell",
    ["Timestamp", "Email address", "KR status", "Notes", "Because objective", "## objective",
     "Notes: objective", "Progress", "Result %"],
)  # fmt: skip
def test_other_headers_and_prose_name_no_column(cell):
    assert column_role(cell) is None


def test_a_google_forms_export_maps_every_column():
    h = find_header(
        "Timestamp,Your name,Your team,Objective (O),Key Result (KR)\n"
        "2025/01/02 10:00,Ana,Sales,Grow revenue,ARR from 1M to 2M\n"
    )
    assert h is not None and (h.objective, h.key_results, h.team, h.owner) == (3, [4], 2, 1)


def test_metric_is_a_key_result_only_when_no_column_says_so():
    h = find_header("Goal,Measure of success\nGrow,NPS from 30 to 50\n")
    assert h is not None and (h.objective, h.key_results) == (0, [1])
    h = find_header("Objective,KR,Metric\nGrow,NPS 50,NPS\n")
    assert h is not None and h.key_results == [1]  # the metric column is not a second KR


def test_named_columns_win_and_an_unknown_name_says_what_the_file_has():
    text = "Ziel;Messgröße;Wer\nUmsatz steigern;ARR von 1M auf 2M;Ana\n"
    with pytest.raises(ParseError) as exc:
        parse_csv(text)
    assert exc.value.columns == ["Ziel", "Messgröße", "Wer"]
    okr = parse_csv(
        text,
        per_owner=True,
        columns=parse_column_map('objective=ziel,key_result="Messgröße",owner=Wer'),
    )
    assert okr.objectives[0].text == "Umsatz steigern"
    assert okr.objectives[0].owner == "Ana"
    assert [k.text for k in okr.objectives[0].key_results] == ["ARR von 1M auf 2M"]
    with pytest.raises(
        ParseError, match=r"no column named as given \(objective=Goal; columns found: Ziel"
    ):
        parse_csv(text, columns=parse_column_map("objective=Goal,key_result=Messgröße"))


def test_column_map_syntax():
    m = parse_column_map('objective=Goal, key_result="Measure of success",team=Squad')
    assert m.named() == {"objective": "Goal", "key_result": "Measure of success", "team": "Squad"}
    assert parse_column_map('{"objective": "Goal", "kr": "Metric"}').key_result == "Metric"
    assert not parse_column_map("")
    for bad, message in [
        ("goal=Goal", "unknown column role 'goal'"),
        ("objective", "is not role=column"),
        ("objective=", "no column name for objective"),
        ("objective=A,objective=B", "objective is named twice"),
        ("{nope", "invalid JSON"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_column_map(bad)


def test_the_words_file_is_validated_when_loaded(tmp_path: Path):
    assert load_words().columns["objective"].names
    bad = tmp_path / "columns.yaml"
    bad.write_text(
        "fuzzy_ratio: 0.9\nfuzzy_min_chars: 6\ncolumns:\n"
        "  objective: {names: [goal]}\n  key_result: {names: [goal]}\n"
        "  team: {names: [team]}\n  owner: {names: [owner]}\n"
    )
    with pytest.raises(ConfigError, match="'goal' names both objective and key_result"):
        load_words(bad)
    bad.write_text("fuzzy_ratio: 2\nfuzzy_min_chars: 6\ncolumns: {}\n")
    with pytest.raises(ConfigError, match="columns.yaml: fuzzy_ratio"):
        load_words(bad)
    bad.write_text("fuzzy_ratio: 0.9\nfuzzy_min_chars: 6\ncolumns:\n  objective: {names: [goal]}\n")
    with pytest.raises(ConfigError, match="no names for key_result, team, owner"):
        load_words(bad)
