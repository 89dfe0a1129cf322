"""Check OKR files: read each into its sets, review them all with the one pipeline
(`coach.pipeline.review_many`), place each finding at file:line:col, then apply
per-file ignores and inline suppressions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CoachError, ParseError
from ..models import Review, Severity
from ..parse import DEFAULT_MAX_CHARS
from ..parse.sniff import check_text, decode
from ..pipeline import review_many, uses_model
from ..rubric import Rubric, load_rubric
from . import suppress
from .config import LintSettings
from .discover import discover, matches, relative
from .sources import STRUCTURED, OkrUnit, read_units

# The linter's own rule: a suppression that silenced nothing.
UNUSED = ("LN01", "unused-suppression", Severity.warning)
UNUSED_WHY = (
    "A suppression comment that silences nothing hides the next real finding on its line "
    "and tells readers a problem is there when it is not."
)
UNUSED_FIX = "Delete the comment, or the codes in it that no longer match a finding."


@dataclass(frozen=True)
class Problem:
    path: str  # as shown: from the current folder, forward slashes
    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    name: str
    severity: Severity
    message: str
    fix: str = ""
    set_title: str | None = None


@dataclass(frozen=True)
class InputError:
    """A file that could not be read or parsed: reported, and the run exits 2."""

    path: str
    line: int
    message: str


@dataclass
class CheckResult:
    files: list[str]
    problems: list[Problem]
    errors: list[InputError]
    rubric: Rubric
    reviews: list[tuple[OkrUnit, Review]] = field(default_factory=list)
    mode: str = "rules"
    # What the model did, when one was asked for: "rules-only review: no LLM configured; …"
    llm_status: list[str] = field(default_factory=list)

    def failing(self, fail_on: str) -> list[Problem]:
        if fail_on == "never":
            return []
        rank = Severity(fail_on).rank
        return [p for p in self.problems if p.severity.rank >= rank]


def shown(path: Path) -> str:
    """A path as reports show it: from the current folder, forward slashes."""
    return relative(path, Path.cwd())


def _wanted(code: str, name: str, settings: LintSettings) -> bool:
    """Is the linter's own rule selected? (The rubric's go to the pipeline.)"""
    keys = {code.upper(), name.upper()}
    if settings.select and not keys & {s.upper() for s in settings.select}:
        return False
    return not keys & {s.upper() for s in settings.ignore}


def _own(ids: tuple[str, ...]) -> bool:
    return bool({i.upper() for i in ids} & {UNUSED[0], UNUSED[1].upper()})


# Files read, parsed and reviewed at a time: what is held in memory at once (the model
# modes review a chunk's sets concurrently).
CHUNK = 32


def check(paths: list[Path], settings: LintSettings, *, keep_reviews: bool = False) -> CheckResult:
    """Check files and folders. Raises CoachError for a usage error (an unknown rule,
    a missing rubric or path); a file that cannot be read is an InputError in the result.
    `keep_reviews`: keep each set's Review (for the `full` output)."""
    rubric = load_rubric(settings.rubric)
    select = [s for s in settings.select if not _own((s,))]
    ignore = [s for s in settings.ignore if not _own((s,))]
    rubric.resolve(select + ignore)  # unknown ids fail here, before any file is read
    uses_model(settings.mode)  # `--mode llm` with no model configured: a usage error
    only_own = bool(settings.select) and not select  # `--select LN01`: no rubric rule
    files = discover(paths, settings)
    errors: list[InputError] = []
    marks: dict[Path, list[suppress.Suppression]] = {}
    problems: list[Problem] = []
    done: list[tuple[OkrUnit, Review]] = []
    statuses: list[str] = []
    for i in range(0, len(files), CHUNK):
        units: list[OkrUnit] = []
        for path in files[i : i + CHUNK]:
            try:
                text = _read(path)
                text, marks[path] = suppress.find(text, yaml_like=path.suffix.lower() in STRUCTURED)
                units.extend(read_units(path, text))
            except ParseError as exc:
                errors.append(InputError(shown(path), exc.line or 1, _reason(exc)))
            except OSError as exc:
                errors.append(InputError(shown(path), 1, f"cannot read: {exc.strerror}"))
        for unit, result in zip(units, _review(units, rubric, select, ignore, settings), strict=True):
            if isinstance(result, CoachError):
                line = getattr(result, "line", None) or unit.line
                errors.append(InputError(shown(unit.path), line, _reason(result)))
                continue
            if keep_reviews:
                done.append((unit, result))
            status = result.provenance.llm_status
            if settings.mode != "rules" and status and status not in statuses:
                statuses.append(status)
            if not only_own:
                problems.extend(_problems(unit, result))
    problems = _filter(problems, files, marks, settings)
    problems.sort(key=lambda p: (p.path, p.line, p.col, p.code))
    errors.sort(key=lambda e: (e.path, e.line))
    return CheckResult([shown(f) for f in files], problems, errors, rubric, done, settings.mode, statuses)


def _reason(exc: CoachError) -> str:
    """The message without the "line N: " the position already says."""
    line = getattr(exc, "line", None)
    prefix = f"line {line}: "
    return exc.message[len(prefix) :] if line and exc.message.startswith(prefix) else exc.message


def _read(path: Path) -> str:
    data = path.read_bytes()
    text = decode(data, DEFAULT_MAX_CHARS)
    check_text(text, DEFAULT_MAX_CHARS)
    return text


def _review(units: list[OkrUnit], rubric: Rubric, select: list[str], ignore: list[str],
            settings: LintSettings) -> list[Any]:  # fmt: skip
    if not units:
        return []
    return review_many(
        [u.draft for u in units],
        mode=settings.mode,
        rubric=rubric,
        select=select or None,
        ignore=ignore or None,
    )


def _problems(unit: OkrUnit, result: Review) -> list[Problem]:
    where = shown(unit.path)
    out = []
    for f in result.findings:
        span = f.span
        if span is None and f.target.objective is not None:
            # A finding on an item the review placed without a span: the item's own.
            obj = result.okr_set.objectives[f.target.objective]
            item = obj if f.target.key_result is None else obj.key_results[f.target.key_result]
            span = item.span
        pos = unit.position(span)
        out.append(
            Problem(
                where,
                pos.line,
                pos.col,
                pos.end_line,
                pos.end_col,
                f.rule_id,
                f.rule_name,
                f.severity,
                f.message,
                f.fix,
                unit.title,
            )  # fmt: skip
        )
    return out


def _filter(problems: list[Problem], files: list[Path],
            marks: dict[Path, list[suppress.Suppression]], settings: LintSettings) -> list[Problem]:  # fmt: skip
    """Per-file ignores, then inline suppressions; unused suppressions become problems."""
    by_shown = {shown(f): f for f in files}
    kept = []
    for p in problems:
        path = by_shown[p.path]
        rel = relative(path, settings.root, path.parent)
        ignored = {c.upper() for glob, codes in settings.per_file_ignores if matches(rel, (glob,))
                   for c in codes}  # fmt: skip
        if ignored & {p.code.upper(), p.name.upper()}:
            continue
        if suppress.silence(marks.get(path, []), p.line, p.code, p.name):
            continue
        kept.append(p)
    code, name, severity = UNUSED
    if _wanted(code, name, settings):
        for path, found in marks.items():
            for s in found:
                unused = s.unused()
                if not unused:
                    continue
                what = "every rule" if unused == ["*"] else ", ".join(unused)
                kept.append(
                    Problem(
                        shown(path),
                        s.line,
                        s.col,
                        s.line,
                        s.col,
                        code,
                        name,
                        severity,
                        f"unused suppression: no finding of {what} on line {s.target}",
                        UNUSED_FIX,
                    )  # fmt: skip
                )
    return kept
