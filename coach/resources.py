"""Find the bundled `rubrics/` and `prompts/` folders.

They live at the top of the repository and are copied into `coach/_data/` in a
wheel (see pyproject.toml), so look in the installed place first.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"okr-coach is missing its '{name}' folder; reinstall the package")


def rubrics_dir() -> Path:
    return data_dir("rubrics")


def prompts_dir() -> Path:
    return data_dir("prompts")
