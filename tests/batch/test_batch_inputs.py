"""Reading the files coaches have: every set found, every unusable row named with its
line or row and the reason, never an exception."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from coach.batch import BatchSettings, InputFile, inputs, read_files, read_paths
from coach.batch.sample import sample_csv, sample_rows
from coach.errors import LimitExceededError
from coach.parse.columns import parse_column_map

CSV = """\
 TEAM , Owner Name ,OBJECTIVE, Key  Result
Sales,Ana,Win the mid-market segment in DACH,Increase win rate from 20% to 30%
,,,Launch the new pricing page
Sales,Ben,Win the mid-market segment in DACH,Grow pipeline coverage from 2x to 3x
Sales,Ben,,Hold 4 workshops
Support,Cy,Delight our customers,Improve customer satisfaction,surplus
Support,Cy,Delight our customers
Support,Cy,Delight our customers,Reduce first response time from 9 to 4 hours
"""


def _one(name: str, data: bytes, **settings: object):
    result = read_files([InputFile(name, data)], BatchSettings(**settings))
    assert len(result.files) == 1
    return result, result.files[0]


def _draft(s) -> dict:
    return json.loads(s.draft)


def test_csv_headers_any_case_and_spacing_continuation_rows_and_one_set_per_owner():
    result, report = _one("team.csv", CSV.encode())
    assert [(s.team, s.owner) for s in result.sets] == [
        ("Sales", "Ana"),
        ("Sales", "Ben"),
        ("Support", "Cy"),
    ]
    ana, ben, cy = (_draft(s) for s in result.sets)
    # A blank team/owner/objective continues the row above (filled down, like merged cells).
    assert [k["text"] for k in ana["objectives"][0]["key_results"]] == [
        "Increase win rate from 20% to 30%",
        "Launch the new pricing page",
    ]
    # The same objective text under two owners stays two sets.
    assert ben["objectives"][0]["text"] == "Win the mid-market segment in DACH"
    assert len(ben["objectives"][0]["key_results"]) == 2
    assert result.sets[0].source == "team.csv lines 2–3"
    # The ragged row is reported with its line and reason; the rest goes on.
    assert [(k.where, k.reason.split(";")[0]) for k in report.skipped] == [
        ("line 6", "row has 5 fields but the header has 4 fields"),
        ("line 7", "row has 3 fields but the header has 4 fields"),
    ]
    assert [k["text"] for k in cy["objectives"][0]["key_results"]] == [
        "Reduce first response time from 9 to 4 hours"
    ]
    assert report.used and report.format == "csv" and report.encoding == "UTF-8"
    assert report.sets == 3 and report.key_results == 5


def test_latin1_file_is_read_as_windows_1252_and_says_so():
    text = "team,owner,objective,key_result\nVertrieb,Jürgen Müller,Gewinne den Mittelstand,Steigere die Abschlussquote von 20% auf 30%\n"
    result, report = _one("latin1.csv", text.encode("latin-1"))
    assert result.sets[0].owner == "Jürgen Müller"
    assert report.encoding == "Windows-1252"
    assert any("not valid UTF-8" in n and "Windows-1252" in n for n in report.notes)


def test_utf16_with_bom_is_read():
    result, report = _one("utf16.csv", CSV.encode("utf-16"))
    assert len(result.sets) == 3
    assert report.encoding == "UTF-16 (byte-order mark)"


def test_xlsx_with_several_sheets_a_title_row_and_merged_cells(make_xlsx):
    path = make_xlsx(
        {
            "Read me": [["How to fill in this workbook"], ["One row per key result"]],
            "Q3": [
                ["Q3 OKRs, all teams"],
                [],
                ["Team", "Owner", "Objective", "Key result"],
                ["Sales", "Ana", "Win DACH", "Increase win rate from 20% to 30%"],
                [None, None, None, "Launch the new pricing page"],
                [None, None, None, "Hold 4 workshops"],
                ["Support", "Cy", "Delight our customers", "Improve customer satisfaction"],
            ],
            "Q4": [
                ["Team", "Owner", "Objective", "Key result"],
                ["Ops", "Di", "Cut cost per order", 42],
            ],
        },
        merge={"Q3": ["A4:A6", "B4:B6", "C4:C6"]},
    )
    result, report = _one("okrs.xlsx", path.read_bytes())
    assert report.format == "xlsx" and report.used
    assert [(s.team, s.owner) for s in result.sets] == [
        ("Sales", "Ana"),
        ("Support", "Cy"),
        ("Ops", "Di"),
    ]
    ana = _draft(result.sets[0])
    assert len(ana["objectives"]) == 1 and len(ana["objectives"][0]["key_results"]) == 3
    # Rows are the spreadsheet's own row numbers.
    assert result.sets[0].source == "okrs.xlsx sheet 'Q3' rows 4–6"
    assert ana["objectives"][0]["key_results"][2]["span"]["line"] == 6
    assert _draft(result.sets[2])["objectives"][0]["key_results"][0]["text"] == "42"
    assert [(k.where, "no header row" in k.reason) for k in report.skipped] == [
        ("sheet 'Read me'", True)
    ]
    assert any("merged cell ranges" in n for n in report.notes)
    assert any("header on row 3" in n for n in report.notes)


def test_xlsx_row_numbers_in_skipped_rows(make_xlsx):
    path = make_xlsx(
        {
            "S": [
                ["Team", "Owner", "Objective", "KR"],
                ["A", "Ana", "", "Orphan KR"],
                ["A", "Ana", "Win", "Grow x from 1 to 2"],
            ]
        }
    )
    _, report = _one("okrs.xlsx", path.read_bytes())
    assert [k.where for k in report.skipped] == ["row 2 of sheet 'S'"]


def test_empty_binary_xls_and_broken_xlsx_files_are_not_used_with_a_reason():
    cases = {
        "empty.csv": (b"", "empty"),
        "blank.csv": (b"  \n\n", "empty"),
        "image.csv": (bytes(range(256)) * 10, "binary"),
        "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        "broken.xlsx": (b"PK\x03\x04 not really a zip", "not a readable XLSX"),
        "header-only.csv": (b"team,owner,objective,key_result\n", "no rows"),
        "no-columns.csv": (b"name,email\nAna,a@x\n", "no objective"),
    }
    for name, (data, reason) in cases.items():
        result, report = _one(name, data)
        assert result.sets == [], name
        assert not report.used, name
        assert report.skipped[0].where == "whole file", name
        assert reason in report.skipped[0].reason, (name, report.skipped[0].reason)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"team,owner,objective,key_result\n" + b"x" * 2048)
    result = read_paths([big], BatchSettings(max_file_bytes=1024))
    assert result.sets == []
    assert "the largest file a batch reads" in result.files[0].skipped[0].reason


def test_over_long_items_and_too_many_sets_are_reported_not_dropped_silently():
    rows = ["team,owner,objective,key_result"]
    rows += [f"T,Owner {i},Grow revenue,Increase ARR from {i} to {i + 1}" for i in range(5)]
    rows.append("T,Long,Grow revenue," + "x" * 3000)
    rows.append("T,Long,Grow revenue,Increase ARR from 1 to 2")
    result, report = _one("t.csv", "\n".join(rows).encode(), max_sets=4)
    assert len(result.sets) == 4
    reasons = [(k.where, k.reason) for k in report.skipped]
    assert (
        "line 7",
        "the key result has 3,000 characters, over the limit of 2,000; not used",
    ) in reasons
    assert sum("already has 4 OKR sets" in r for _, r in reasons) == 2


def test_json_sets_list_single_set_and_jsonl_with_a_bad_line():
    sets = {
        "sets": [
            {
                "owner": "Ana",
                "team": "Sales",
                "objectives": [{"text": "Win DACH", "key_results": ["Grow x from 1 to 2"]}],
            },
            {
                "id": "ex-2",
                "objectives": [{"text": "Delight", "key_results": [{"text": "Launch portal"}]}],
            },
            {"owner": "Bad", "objectives": [{"key_results": []}]},
        ]
    }
    result, report = _one("sets.json", json.dumps(sets).encode())
    assert [(s.owner, s.team) for s in result.sets] == [("Ana", "Sales"), ("ex-2", None)]
    assert report.skipped[0].where == "sets[2]" and "text is missing" in report.skipped[0].reason

    one = {"owner": "Cy", "objectives": [{"text": "Win", "key_results": ["Grow x from 1 to 2"]}]}
    result, _ = _one("cy.json", json.dumps(one).encode())
    assert [s.owner for s in result.sets] == ["Cy"]

    lines = [json.dumps(one), "{not json", "", json.dumps({**one, "owner": "Di"})]
    result, report = _one("sets.jsonl", "\n".join(lines).encode())
    assert [s.owner for s in result.sets] == ["Cy", "Di"]
    assert report.skipped[0].where == "line 2" and "invalid JSON" in report.skipped[0].reason


def test_a_folder_of_drafts_one_per_author_sub_folders_as_teams(tmp_path: Path):
    root = tmp_path / "drafts"
    (root / "Sales").mkdir(parents=True)
    (root / "Sales" / "ana.md").write_text(
        "## Objective: Win DACH\n- Increase win rate from 20% to 30%\n"
    )
    (root / "ben.txt").write_text(
        "Objective: Delight our customers\nKR: Launch new customer portal\n"
    )
    (root / "notes.txt").write_text("just some words, no OKRs at all")
    (root / "empty.md").write_text("")
    result = read_paths([root])
    assert sorted((s.owner, s.team, s.kind) for s in result.sets) == [
        ("ana", "Sales", "text"),
        ("ben", None, "text"),
    ]
    unused = {Path(f.file).name: f.skipped[0].reason for f in result.files if not f.used}
    assert set(unused) == {"notes.txt", "empty.md"}
    assert "could not find any objectives" in unused["notes.txt"]


def test_missing_path_is_reported(tmp_path: Path):
    result = read_paths([tmp_path / "nope.csv"])
    assert result.files[0].skipped[0].reason == "no such file"


# -- columns: recognised, or named by the coach ------------------------------------------

GOOGLE_FORMS = (
    "Timestamp,Your name,Your team,Objective (O),Key Result (KR)\n"
    "2025/01/02 10:00:00,Ana,Sales,Grow revenue,ARR from 1M to 2M\n"
    "2025/01/02 10:05:00,Bo,CS,Keep our customers,Churn from 5% to 3%\n"
)
GERMAN = "Ziel;Messgröße;Wer\nUmsatz steigern;ARR von 1M auf 2M;Ana\nKunden halten;Churn senken;Bo\n"


def test_a_google_forms_csv_is_read_one_set_per_person():
    result = read_files([InputFile("responses.csv", GOOGLE_FORMS.encode())])
    assert [(s.owner, s.team) for s in result.sets] == [("Ana", "Sales"), ("Bo", "CS")]
    assert result.files[0].skipped == []


def test_goal_and_measure_of_success_are_read():
    text = "Goal,Measure of success\nGrow revenue,ARR from 1M to 2M\n,NPS from 30 to 50\n"
    result = read_files([InputFile("goals.csv", text.encode())])
    assert len(result.sets) == 1 and result.sets[0].key_results == 2


def test_unmapped_columns_are_listed_and_can_be_named():
    unmapped = read_files([InputFile("de.csv", GERMAN.encode())])
    assert not unmapped.sets
    assert unmapped.files[0].columns == ["Ziel", "Messgröße", "Wer"]
    mapped = read_files(
        [InputFile("de.csv", GERMAN.encode())],
        columns=parse_column_map("objective=Ziel,key_result=Messgröße,owner=Wer"),
    )
    assert [s.owner for s in mapped.sets] == ["Ana", "Bo"]
    assert mapped.files[0].columns == []


def test_unmapped_columns_of_a_workbook_are_listed_and_can_be_named(make_xlsx):
    path = make_xlsx({"Q3": [["Ziel", "Messgröße"], ["Umsatz steigern", "ARR von 1M auf 2M"]]})
    unmapped = read_paths([path])
    assert not unmapped.sets and unmapped.files[0].columns == ["Ziel", "Messgröße"]
    mapped = read_paths([path], columns=parse_column_map("objective=Ziel,key_result=Messgröße"))
    assert len(mapped.sets) == 1 and mapped.files[0].columns == []


# -- large tables, read a chunk at a time ---------------------------------------------


def _table(rows: list[list[str]], newline: str = "\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue().encode()


def _ragged_and_long() -> bytes:
    rows = sample_rows(150)
    for i in range(1, len(rows), 13):
        rows[i] = [*rows[i], "surplus"]
    for i in range(2, len(rows), 17):
        rows[i][3] = "x" * 600
    return _table(rows, "\r\n")


def _out_of_order() -> bytes:
    rows = sample_rows(60)
    return _table(rows[:1] + rows[90:] + rows[1:90])  # the first authors come back last


def _read_chunked(monkeypatch, data: bytes, rows: int, name: str = "team.csv", **settings):
    monkeypatch.setattr(inputs, "CHUNK_ROWS", rows)
    monkeypatch.setattr(inputs, "SINK_SETS", 7)
    parsed: list[int] = []
    real = inputs.parse_csv

    def counted(text, *args, **kw):  # noqa: ANN001, ANN002, ANN003
        parsed.append(len(text))
        return real(text, *args, **kw)

    monkeypatch.setattr(inputs, "parse_csv", counted)
    handed: list[list] = []
    result = read_files([InputFile(name, data)], BatchSettings(**settings), sink=handed.append)
    assert result.sets == [] and all(len(h) <= 7 for h in handed)
    sets = [s for h in handed for s in h]
    assert [s.seq for s in sets] == list(range(result.total))
    return result, sets, len(parsed)


@pytest.mark.parametrize(
    ("case", "data", "settings", "chunked"),
    [
        ("many authors", sample_csv(300).encode(), {}, True),
        ("ragged rows and long key results, CRLF", _ragged_and_long(), {"max_item_chars": 500}, True),
        ("more sets than a batch takes", sample_csv(200).encode(), {"max_sets": 120}, True),
        ("an author's rows come back later", _out_of_order(), {}, False),
        ("no owner column", _table([r[:1] + r[2:] for r in sample_rows(50)]), {}, False),
    ],
)
def test_a_table_read_in_chunks_gives_exactly_what_a_whole_read_gives(
    monkeypatch, case, data, settings, chunked
):
    whole, whole_sets, parses = _read_chunked(monkeypatch, data, 10**9, **settings)
    assert parses == 1
    result, sets, parses = _read_chunked(monkeypatch, data, 7, **settings)
    assert (parses > 10) is chunked, case
    # The same sets, lines, offsets (spans) and sources; the same report of what was not
    # used, in the same order, with the same counts and notes.
    assert [s.model_dump() for s in sets] == [s.model_dump() for s in whole_sets]
    assert result.model_dump() == whole.model_dump()
    assert result.total == len(sets) > 0


def test_a_workbook_sheet_read_in_chunks_keeps_its_row_numbers(monkeypatch, make_xlsx):
    rows = [["OKRs for Q3"], *sample_rows(80)]
    rows[40][3] = "y" * 600
    data = make_xlsx({"Q3": rows}).read_bytes()
    whole, whole_sets, _ = _read_chunked(monkeypatch, data, 10**9, "b.xlsx", max_item_chars=500)
    result, sets, parses = _read_chunked(monkeypatch, data, 7, "b.xlsx", max_item_chars=500)
    assert parses > 10
    assert [s.model_dump() for s in sets] == [s.model_dump() for s in whole_sets]
    assert result.model_dump() == whole.model_dump()
    assert result.files[0].skipped[0].where == "row 41 of sheet 'Q3'"


def test_a_row_of_too_many_fields_anywhere_ends_the_read_before_any_set(monkeypatch):
    rows = sample_rows(100)
    rows[-1] = [*rows[-1], *["x"] * 200]
    monkeypatch.setattr(inputs, "CHUNK_ROWS", 7)
    handed: list = []
    with pytest.raises(LimitExceededError) as exc:
        read_files([InputFile("t.csv", _table(rows))], sink=handed.append)
    assert (exc.value.limit, exc.value.file) == ("max_columns", "t.csv")
    assert f"line {len(rows)} has 204 fields" in exc.value.message
    assert handed == []
