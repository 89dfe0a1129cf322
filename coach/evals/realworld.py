"""The real drafts beside the data sets: where the file is, and its run.

`../shared/realworld/okrs.jsonl` (relative to the repository root) holds OKR
sets that teams published for their own use, labeled by the contract. It is
other people's text, so it is never copied into the project: it is read where
it lies, at eval time, and skipped with a note on a machine that does not have
it. `OKR_COACH_REALWORLD` points elsewhere (or, set to `off`, turns it off).

Only rules mode runs on it unless the model is called live: replayed answers
would have to be recorded first, and a recording keeps the prompt's text in
`evals/recordings/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from .report import RealworldRun

if TYPE_CHECKING:
    from ..rubric import Rubric
    from .recordings import Responses

ENV = "OKR_COACH_REALWORLD"
OFF = {"0", "off", "no", "none", "false"}  # empty: the default place
# coach/evals/realworld.py -> the repository root (an editable install or a checkout).
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT = REPO_ROOT.parent / "shared" / "realworld" / "okrs.jsonl"


class _Settings(BaseSettings):
    """`OKR_COACH_REALWORLD`: read here, not in coach.config, since only the eval uses it."""

    model_config = SettingsConfigDict(env_prefix="OKR_COACH_", extra="ignore")

    realworld: str | None = None


def locate() -> tuple[Path | None, str]:
    """The file to read (None: skip it) and a note that says which, or why not."""
    setting = _Settings().realworld
    if setting is not None and setting.strip().lower() in OFF:
        return None, f"real drafts skipped: {ENV}={setting!r} turns them off"
    path = Path(setting).expanduser() if setting else DEFAULT
    # The default as the docs name it (from the repository root); a setting as it was given.
    shown = str(path) if setting else "../shared/realworld/okrs.jsonl"
    if not path.is_file():
        where = f"{ENV}={setting}" if setting else f"the default place; set {ENV} to point elsewhere"
        return None, f"real drafts skipped: {shown} not found ({where})"
    return path, f"real drafts: {shown}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_realworld(
    modes: list[str],
    *,
    rubric: Rubric,
    responses: Responses | None = None,
    judge: bool = False,
    skip: list[str | Path] | None = None,
    load: Callable[[list[str | Path]], list],
    run: Callable[..., Any],
    grades: Any = None,
) -> RealworldRun:
    """Every mode that can run on the real drafts; a note for what could not.

    `skip`: data sets already in the main run (the real drafts passed with -d are
    scored there, not twice). `grades`: where the grades of rewrites are (the runner's
    `Grading`); the real drafts' are in evals/grades/ under the file's stem, text-free.
    """
    # The runner hands in its own loader and run (it imports this module, not the reverse).
    load_datasets, run_eval = load, run
    path, note = locate()
    if path is None:
        return RealworldRun(path=None, note=note)
    if any(Path(p).resolve() == path.resolve() for p in skip or []):
        return RealworldRun(path=str(path), note=f"{note}: scored with the data sets (given with -d)")
    live = responses is not None and responses.kind == "live"
    run_modes = [m for m in modes if m == "rules" or live]
    left_out = [m for m in modes if m not in run_modes]
    if not run_modes:
        run_modes = ["rules"]
    datasets = load_datasets([path])
    runs = [
        run_eval(datasets, mode=m, rubric=rubric,  # type: ignore[arg-type]
                 responses=responses if live else None, judge=judge and live, grades=grades)
        for m in run_modes
    ]
    examples = runs[0].examples
    note = f"{note} ({examples} sets, {runs[0].key_results} KRs; {', '.join(run_modes)} mode)"
    if left_out:
        note += (f"; {', '.join(left_out)} not run on them: model answers for them are not "
                 "recorded, so their text stays out of evals/recordings (run --live to include them)")
    elif judge and not live:
        note += "; no judge on them (its answers are not recorded)"
    return RealworldRun(path=str(path), sha256=sha256(path), note=note, runs=runs)
