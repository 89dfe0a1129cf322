"""The limits that keep a hostile or runaway file from hurting the reader: each is checked
before a spreadsheet library or the CSV parser gets the bytes, names the limit and its
setting, and on the command line ends the run with exit 2 and one line."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsx_bombs

from coach.batch import BatchSettings, InputFile, read_files
from coach.batch.models import FileReport, SkippedItem
from coach.errors import LimitExceededError, ParseError

MEMORY_CAP = 1 << 30


def _read(name: str, data: bytes, **settings: object):
    return read_files([InputFile(name, data)], BatchSettings(**settings))


def _limit(name: str, data: bytes, **settings: object) -> LimitExceededError:
    with pytest.raises(LimitExceededError) as caught:
        _read(name, data, **settings)
    return caught.value


@pytest.mark.parametrize(
    ("bomb", "limit", "setting"),
    [
        (xlsx_bombs.merge_bomb, "merged_range", None),
        (xlsx_bombs.sparse_bomb, "max_rows", "OKR_COACH_BATCH_MAX_ROWS"),
        (lambda: xlsx_bombs.deflate_bomb(8 << 20), "max_xlsx_ratio",
         "OKR_COACH_BATCH_MAX_XLSX_RATIO"),
    ],  # fmt: skip
)
def test_each_bomb_is_refused_naming_its_limit(bomb, limit, setting):
    exc = _limit("bomb.xlsx", bomb())
    assert (exc.limit, exc.setting, exc.file) == (limit, setting, "bomb.xlsx")
    assert exc.message.startswith("bomb.xlsx: ")
    if setting:
        assert setting in exc.message


def test_columns_cells_merges_and_unpacked_size_each_have_a_limit():
    wide = xlsx_bombs.workbook([xlsx_bombs.ROWS[0] + [f"c{i}" for i in range(8)]] + [
        xlsx_bombs.ROWS[1] + ["x"] * 8
    ])  # fmt: skip
    exc = _limit("w.xlsx", wide, max_columns=10)
    assert (exc.limit, exc.max, exc.actual) == ("max_columns", 10, 11)  # stops at the first
    exc = _limit("w.xlsx", wide, max_cells=20)
    assert (exc.limit, exc.setting) == ("max_cells", "OKR_COACH_BATCH_MAX_CELLS")
    exc = _limit("m.xlsx", xlsx_bombs.many_merges(5), max_merged_ranges=4)
    assert (exc.limit, exc.max, exc.actual) == ("max_merged_ranges", 4, 5)
    exc = _limit("u.xlsx", wide, max_xlsx_unpacked_bytes=1000)
    assert exc.limit == "max_xlsx_unpacked_bytes"
    # Within every limit the same workbook is read as before.
    result = _read("w.xlsx", wide)
    assert len(result.sets) == 1


def test_a_merge_wider_than_the_data_but_no_larger_is_a_title_and_is_read():
    rows = [["Q3 OKRs"], [], *xlsx_bombs.ROWS, ["", "", "", "Cut churn from 3% to 2%"]]
    tail = '<mergeCells count="2"><mergeCell ref="A1:F1"/><mergeCell ref="A4:A5"/></mergeCells>'
    result = _read("t.xlsx", xlsx_bombs.workbook(rows, tail=tail))
    (f,) = result.files
    assert f.used and len(result.sets) == 1, f
    assert result.sets[0].key_results == 2
    assert any("2 merged cell ranges" in n for n in f.notes)


def test_a_part_that_inflates_past_its_declared_size_is_not_read():
    with pytest.raises(ParseError):
        # read_files turns a ParseError into an unused file; the vetting itself raises it.
        from coach.batch.xlsx import read_workbook

        read_workbook(io.BytesIO(xlsx_bombs.lying_sizes()), BatchSettings())
    (f,) = _read("liar.xlsx", xlsx_bombs.lying_sizes()).files
    assert not f.used and "not a readable XLSX workbook" in f.skipped[0].reason


def test_a_zip_with_a_huge_central_directory_is_refused_before_it_is_listed():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(30_000):
            z.writestr(f"xl/media/{i}.bin", b"")
    exc = _limit("many.xlsx", out.getvalue())
    assert exc.limit == "zip_directory"


def test_csv_rows_and_fields_are_capped_before_the_parser_builds_them():
    header = "team,owner,objective,key_result\n"
    rows = "".join(f"T,O{i},Win,Grow x from {i} to {i + 1}\n" for i in range(50))
    exc = _limit("t.csv", (header + rows).encode(), max_rows=40)
    assert (exc.limit, exc.setting, exc.max, exc.actual) == (
        "max_rows", "OKR_COACH_BATCH_MAX_ROWS", 40, 51,
    )  # fmt: skip
    # A quoted cell over several lines is one row, not several.
    quoted = header + "".join(f'T,O{i},Win,"Grow x\nfrom {i}\nto {i + 1}"\n' for i in range(30))
    assert len(_read("q.csv", quoted.encode(), max_rows=40).sets) == 30
    # One line of a million commas is not a million cells.
    bomb = header + "T,O,Win,Grow x from 1 to 2" + "," * 1_000_000 + "\n"
    exc = _limit("c.csv", bomb.encode())
    assert (exc.limit, exc.setting) == ("max_columns", "OKR_COACH_BATCH_MAX_COLUMNS")
    exc = _limit("h.csv", ("," * 500 + header[:-1] + "\n" + rows).encode())
    assert exc.limit == "max_columns"


def test_json_values_are_capped_before_json_loads_builds_them():
    data = ("[" + ",".join(["{}"] * 5000) + "]").encode()
    exc = _limit("s.json", data, max_cells=1000)
    assert (exc.limit, exc.setting) == ("max_cells", "OKR_COACH_BATCH_MAX_CELLS")


def test_skipped_rows_are_summarised_first_100_and_counts_per_reason():
    lines = ["team,owner,objective,key_result", "S,Ana,Win,Grow x from 1 to 2"]
    lines += [f"S,Owner {i}" for i in range(250)]
    lines += [f"S,Owner {i},a,b,c,d,e" for i in range(20)]  # the same reason, other numbers
    lines += [f"S,Zed {i},,Grow x from 1 to 2" for i in range(30)]
    result = _read("t.csv", "\n".join(lines).encode())
    (f,) = result.files
    assert len(f.skipped) == 100 and f.skipped_total == 300 == result.skipped
    assert [k.where for k in f.skipped[:2]] == ["line 3", "line 4"]
    assert sorted(f.skipped_by_reason.values()) == [1, 29, 270]
    # A report stored before the summary existed reads back with its counts.
    old = FileReport.model_validate(
        {"file": "x.csv", "skipped": [{"where": "line 2", "reason": "row has 2 fields"}]}
    )
    assert (old.skipped_total, old.skipped_by_reason) == (1, {"row has N fields": 1})
    report = FileReport(file="y.csv")
    for i in range(60):
        report.skip(SkippedItem(where=f"line {i}", reason=f"odd reason {'x' * i}"))
    assert len(report.skipped_by_reason) <= 51 and report.skipped_total == 60


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}

    def cap() -> None:  # the CLI runs under the same 1 GiB data limit as the server tests
        resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_CAP, MEMORY_CAP))

    return subprocess.run(
        [sys.executable, "-m", "coach", "batch", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, preexec_fn=cap,
    )  # fmt: skip


def test_the_command_line_exits_2_with_one_line_naming_the_limit(tmp_path: Path):
    (tmp_path / "merge.xlsx").write_bytes(xlsx_bombs.merge_bomb())
    (tmp_path / "deflate.xlsx").write_bytes(xlsx_bombs.deflate_bomb(16 << 20) or b"")
    for name, needle in (("merge.xlsx", "A3:XFD1048576"),
                         ("deflate.xlsx", "OKR_COACH_BATCH_MAX_XLSX_RATIO")):  # fmt: skip
        proc = _run_cli(name, "-o", "r.json", cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr[-2000:]
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {name}: "), proc.stderr[-2000:]
        assert needle in lines[0]
        assert not (tmp_path / "r.json").exists()
