"""Fixtures of the batch tests: the generated team spreadsheet and an XLSX builder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from coach.batch.sample import sample_csv


@pytest.fixture(scope="session")
def team_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 200-owner spreadsheet of the issue, as CSV."""
    path = tmp_path_factory.mktemp("team") / "team-okrs.csv"
    path.write_text(sample_csv(200), encoding="utf-8")
    return path


@pytest.fixture
def make_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """`make_xlsx({"Sheet": [[...], ...]}, merge={"Sheet": ["B2:B4"]})` writes a workbook."""

    def make(
        sheets: dict[str, list[list[object]]], merge: dict[str, list[str]] | None = None
    ) -> Path:
        wb = Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
            for rng in (merge or {}).get(name, []):
                ws.merge_cells(rng)
        path = tmp_path / "okrs.xlsx"
        wb.save(path)
        return path

    return make
