"""What `okr-coach check` prints, one function per `--output-format`.

Every format carries the same problems; input errors (a file that cannot be read)
are in each format too (`text` and `full` print them on stderr, the CLI's job).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from .._version import __version__
from .check import CheckResult, InputError, Problem, shown

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(result: CheckResult) -> str:
    files = len(result.files)
    mode = "rules-only" if result.mode == "rules" else result.mode
    if not result.problems:
        return f"All checked: {_plural(files, 'file')}, no findings ({mode})."
    by = Counter(p.severity.value for p in result.problems)
    parts = ", ".join(_plural(by[s], s) for s in ("error", "warning", "info") if by[s])
    with_problems = len({p.path for p in result.problems})
    return (
        f"Found {_plural(len(result.problems), 'finding')} ({parts}) in "
        f"{with_problems} of {_plural(files, 'file')} ({mode})."
    )


def error_line(e: InputError) -> str:
    return f"{e.path}:{e.line}:1: error: {e.message}"


def _notes(result: CheckResult) -> list[str]:
    return [f"note: {status}" for status in result.llm_status]


def text(result: CheckResult) -> str:
    """ruff-like: `path:line:col: CODE message`, one line each, then a summary."""
    lines = [f"{p.path}:{p.line}:{p.col}: {p.code} {p.message}" for p in result.problems]
    lines.append(summary_line(result))
    return "\n".join(lines + _notes(result))


def statistics(result: CheckResult) -> list[tuple[int, str, str]]:
    counts = Counter((p.code, p.name) for p in result.problems)
    return sorted(
        ((n, code, name) for (code, name), n in counts.items()), key=lambda t: (-t[0], t[1])
    )


def statistics_text(result: CheckResult) -> str:
    rows = [f"{n:>5}\t{code}\t{name}" for n, code, name in statistics(result)]
    return "\n".join(rows + [summary_line(result)] + _notes(result))


def statistics_json(result: CheckResult) -> str:
    rows = [{"code": code, "name": name, "count": n} for n, code, name in statistics(result)]
    return json.dumps(rows, indent=2)


def full(result: CheckResult) -> str:
    """Each OKR set's review as `okr-coach review` prints it, under its file and heading."""
    import io

    from rich.console import Console

    from ..render import print_review

    buffer = io.StringIO()
    console = Console(file=buffer, soft_wrap=True, no_color=True, width=100)
    for unit, review in result.reviews:
        where = shown(unit.path) + (f" · {unit.title} (line {unit.line})" if unit.title else "")
        console.print(f"━━ {where}", markup=False, highlight=False)
        print_review(review, console)
        console.print()
    return "\n".join([buffer.getvalue() + summary_line(result), *_notes(result)])


def _problem_json(p: Problem) -> dict[str, object]:
    return {
        "filename": p.path,
        "line": p.line,
        "column": p.col,
        "end_line": p.end_line,
        "end_column": p.end_col,
        "code": p.code,
        "name": p.name,
        "severity": p.severity.value,
        "message": p.message,
        "fix": p.fix,
        "set": p.set_title,
    }


def as_json(result: CheckResult) -> str:
    by_rule = Counter(p.code for p in result.problems)
    doc = {
        "okr_coach_version": __version__,
        "rubric_version": result.rubric.full_version,
        "mode": result.mode,
        "llm_status": result.llm_status,
        "files": result.files,
        "findings": [_problem_json(p) for p in result.problems],
        "errors": [
            {"filename": e.path, "line": e.line, "message": e.message} for e in result.errors
        ],
        "statistics": dict(sorted(by_rule.items())),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def github(result: CheckResult) -> str:
    """GitHub Actions workflow commands: an annotation on the line of each finding."""
    lines = []
    for p in result.problems:
        props = (
            f"file={_gh_prop(p.path)},line={p.line},col={p.col},endLine={p.end_line},"
            f"title={_gh_prop(f'okr-coach {p.code} {p.name}')}"
        )
        if p.end_line == p.line and p.end_col > p.col:
            props += f",endColumn={p.end_col}"
        lines.append(f"::{_GITHUB_LEVEL[p.severity.value]} {props}::{_gh_data(p.message)}")
    for e in result.errors:
        lines.append(
            f"::error file={_gh_prop(e.path)},line={e.line},title=okr-coach input error::{_gh_data(e.message)}"
        )
    return "\n".join(lines)


def junit(result: CheckResult) -> str:
    """JUnit XML: a test suite per file, a failing test case per finding (a passing one
    for a clean file), an erroring one for a file that could not be read."""
    import xml.etree.ElementTree as ET

    by_file: dict[str, list[Problem]] = {f: [] for f in result.files}
    for p in result.problems:
        by_file.setdefault(p.path, []).append(p)
    errors: dict[str, list[InputError]] = {}
    for e in result.errors:
        errors.setdefault(e.path, []).append(e)
    root = ET.Element("testsuites", name="okr-coach",
                      tests=str(sum(max(1, len(v)) for v in by_file.values())),
                      failures=str(len(result.problems)), errors=str(len(result.errors)))  # fmt: skip
    for path, problems in by_file.items():
        errs = errors.get(path, [])
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(max(1, len(problems) + len(errs))),
                              failures=str(len(problems)), errors=str(len(errs)))  # fmt: skip
        for p in problems:
            case = ET.SubElement(suite, "testcase", name=f"{p.code} {p.name} at {p.line}:{p.col}",
                                 classname=path, file=path, line=str(p.line))  # fmt: skip
            failure = ET.SubElement(case, "failure", message=p.message, type=p.code)
            failure.text = f"{p.path}:{p.line}:{p.col}: {p.code} {p.message}"
        for e in errs:
            case = ET.SubElement(suite, "testcase", name="read", classname=path, file=path)
            ET.SubElement(case, "error", message=e.message, type="input-error").text = error_line(e)
        if not problems and not errs:
            ET.SubElement(suite, "testcase", name="no findings", classname=path, file=path)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


_ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def markdown(result: CheckResult) -> str:
    """A pull-request comment: what was found where, escaped so no draft text becomes markup."""
    from ..render.escaping import md_code, md_text

    lines = [f"### okr-coach check: {md_text(summary_line(result))}", ""]
    if result.problems:
        lines += ["| | Where | Rule | Finding |", "| --- | --- | --- | --- |"]
        for p in result.problems:
            where = md_code(f"{p.path}:{p.line}:{p.col}")
            lines.append(
                f"| {_ICON[p.severity.value]} | {where} | {md_text(p.code)} {md_text(p.name)} "
                f"| {md_text(p.message)} |"
            )
        lines.append("")
    if result.errors:
        lines.append("**Files that could not be read:**")
        lines += [f"- {md_code(f'{e.path}:{e.line}')}: {md_text(e.message)}" for e in result.errors]
        lines.append("")
    lines.append("Explain a rule with `okr-coach explain ID`.")
    return "\n".join(lines)


def sarif(result: CheckResult) -> str:
    from .sarif import sarif_log

    return json.dumps(sarif_log(result), indent=2, ensure_ascii=False)


RENDERERS: dict[str, Callable[[CheckResult], str]] = {
    "text": text,
    "full": full,
    "json": as_json,
    "github": github,
    "sarif": sarif,
    "junit": junit,
    "markdown": markdown,
}
