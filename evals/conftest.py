"""`pytest evals/`: the eval gate as tests, for teams that prefer a test runner.

The same run as `okr-coach eval --baseline evals/baseline.json`, split into one
test per mode. Hermetic: a developer's own key or model settings never reach it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

EVALS = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "OKR_COACH_")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return EVALS / "baseline.json"
