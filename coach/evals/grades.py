"""Grades of rewrites by a person: `evals/grades/<dataset>.jsonl`.

A careful coach reads each rewrite the eval returns beside the KR and its objective and
grades it: `good` (paste it as is), `acceptable` (right metric and roles, a small edit),
`bad` (wrong metric or direction, a number in the wrong role, ungrammatical, a template).
One JSON line per graded rewrite:

    {"id": "test-001/O1.KR2", "sha256": "...", "rewrite": "...", "grade": "good", "reason": "..."}

`id` is the item (set id, objective and KR, 1-based), `sha256` the rewrite text graded
(whitespace collapsed). A grade counts only while the eval returns that same text for that
item: a rewrite that changed is *ungraded* until someone grades it again. For the real
drafts (other people's sentences) `rewrite` is kept only when it shares no run of words
with the KR or its objective; otherwise the hash alone says what was graded.

`okr-coach eval --grade-template out.jsonl` writes the ungraded rewrites with their context
and empty grades; `okr-coach eval --add-grades out.jsonl` files the filled ones here.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from ..datasets import LabeledExample, load_dataset
from ..errors import ConfigError

if TYPE_CHECKING:
    from .report import EvalReport

Grade = Literal["good", "acceptable", "bad"]
GRADES: tuple[str, ...] = ("good", "acceptable", "bad")
USABLE = ("good", "acceptable")
SHARED_RUN = 3  # words in a row a rewrite may not share with a real draft to be kept as text


class GradeRecord(BaseModel):
    """One graded rewrite, as kept in evals/grades/<dataset>.jsonl."""

    id: str = Field(description="<set id>/O<objective>.KR<key result>, 1-based")
    sha256: str = Field(description="of the rewrite text graded, whitespace collapsed")
    rewrite: str | None = Field(default=None, description="the text, unless it quotes a real draft")
    grade: Grade
    reason: str = Field(min_length=1, max_length=300)

    @field_validator("reason")
    @classmethod
    def _one_line(cls, v: str) -> str:
        return " ".join(v.split())


class TemplateLine(BaseModel):
    """One ungraded rewrite in a grade template: what a person needs to grade it."""

    dataset: str = Field(description="the grades file's name: the data set's file stem")
    id: str
    sha256: str
    private: bool = Field(description="a real draft: its text is never kept in evals/grades")
    objective: str
    kr: str
    label: str | None = None
    rewrite: str
    grade: str = ""
    reason: str = ""


def item_id(example_id: str, objective: int, key_result: int) -> str:
    return f"{example_id}/O{objective + 1}.KR{key_result + 1}"


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower())


def shares_text(text: str, sources: list[str], run: int = SHARED_RUN) -> bool:
    """Does `text` repeat `run` words in a row of any source (all of a shorter source)?"""
    words = _words(text)
    grams = {tuple(words[i : i + n]) for n in range(1, run + 1) for i in range(len(words) - n + 1)}
    for source in sources:
        src = _words(source)
        n = min(run, len(src))
        if n and any(tuple(src[i : i + n]) in grams for i in range(len(src) - n + 1)):
            return True
    return False


def grades_path(folder: Path, dataset: str) -> Path:
    stem = Path(dataset.replace("\\", "/")).name.removesuffix(".jsonl")
    return folder / f"{stem}.jsonl"


def load_grades(path: Path) -> dict[str, GradeRecord]:
    """id -> its grade; {} when the file does not exist (the data set is not graded)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read grades {path}: {exc}") from exc
    out: dict[str, GradeRecord] = {}
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = GradeRecord.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{n}: not valid JSON: {exc.msg}") from exc
        except ValidationError as exc:
            err = exc.errors()[0]
            raise ConfigError(f"{path}:{n}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from exc
        if record.id in out:
            raise ConfigError(f"{path}:{n}: {record.id} is graded twice")
        out[record.id] = record
    return out


def write_grades(path: Path, grades: dict[str, GradeRecord]) -> None:
    """Sorted by item, one line each: a re-grade reads as a small diff."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(grades[k].model_dump(exclude_none=True), ensure_ascii=False)
             for k in sorted(grades, key=_item_order)]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _item_order(item: str) -> tuple:
    set_id, _, target = item.rpartition("/")
    return (set_id, *(int(x) for x in re.findall(r"\d+", target)))


def record_for(line: TemplateLine, grade: str, reason: str) -> GradeRecord:
    """The record to keep for a filled template line: the text only where it may be kept."""
    keep = not line.private or not shares_text(line.rewrite, [line.kr, line.objective])
    if line.private and shares_text(reason, [line.kr, line.objective]):
        raise ConfigError(f"{line.id}: the reason quotes the real draft; say it in your own words")
    return GradeRecord(id=line.id, sha256=text_hash(line.rewrite), rewrite=line.rewrite if keep else None,
                       grade=grade, reason=reason)  # type: ignore[arg-type]


def add_grades(template: Path, folder: Path) -> dict[str, int]:
    """File the graded lines of a filled template into `folder` (a new grade of an item
    replaces its old one); lines left without a grade are skipped. Returns file -> count."""
    try:
        lines = template.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {template}: {exc}") from exc
    by_file: dict[str, dict[str, GradeRecord]] = {}
    for n, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            line = TemplateLine.model_validate(json.loads(raw))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ConfigError(f"{template}:{n}: not a grade-template line: {exc}") from exc
        grade = line.grade.strip().lower()
        if not grade:
            continue
        if grade not in GRADES:
            raise ConfigError(f"{template}:{n}: grade '{line.grade}': use good, acceptable or bad")
        if not line.reason.strip():
            raise ConfigError(f"{template}:{n}: {line.id}: say why in 'reason'")
        if not re.fullmatch(r"[\w.-]+", line.dataset):
            raise ConfigError(f"{template}:{n}: dataset '{line.dataset}' is not a file name")
        try:
            record = record_for(line, grade, line.reason)
        except ValidationError as exc:
            raise ConfigError(f"{template}:{n}: {exc.errors()[0]['msg']}") from exc
        except ConfigError as exc:
            raise ConfigError(f"{template}:{n}: {exc.message}") from exc
        by_file.setdefault(line.dataset, {})[line.id] = record
    counts = {}
    for dataset, records in by_file.items():
        path = grades_path(folder, dataset)
        kept = load_grades(path)
        kept.update(records)
        write_grades(path, kept)
        counts[str(path)] = len(records)
    return counts


def template_lines(reports: list[EvalReport], private: set[Path]) -> list[TemplateLine]:
    """The ungraded rewrites of some runs, once each however many modes returned them, with
    the KR and objective read back from their data set. `private`: the real drafts' files."""
    out: list[TemplateLine] = []
    seen: set[tuple[str, str, str]] = set()
    examples: dict[str, dict[str, LabeledExample]] = {}
    for report in reports:
        for e, item in report.rewrite_items():
            if item.grade is not None:
                continue
            stem = grades_path(Path("."), e.dataset).stem
            oi, ki = (int(x) - 1 for x in re.findall(r"\d+", item.target))
            ident = item_id(e.id, oi, ki)
            if (stem, ident, item.sha256) in seen:
                continue
            seen.add((stem, ident, item.sha256))
            if e.dataset not in examples:
                examples[e.dataset] = {x.id: x for x in load_dataset(e.dataset)}
            obj = examples[e.dataset][e.id].objectives[oi]
            out.append(TemplateLine(dataset=stem, id=ident, sha256=item.sha256,
                                    private=Path(e.dataset).resolve() in private,
                                    objective=obj.text, kr=obj.key_results[ki].text, label=item.label,
                                    rewrite=item.text))
    return out


def write_template(path: Path, lines: list[TemplateLine]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(line.model_dump(), ensure_ascii=False) + "\n" for line in lines),
                        encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from exc
