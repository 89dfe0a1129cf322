import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "repo"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A copy of the fixture repository, as the current folder (paths print relative to it)."""
    dest = tmp_path / "repo"
    shutil.copytree(FIXTURE, dest)
    monkeypatch.chdir(dest)
    return dest
