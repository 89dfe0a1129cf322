"""The committed baseline and the regression gate.

`evals/baseline.json` keeps, per reviewer mode, every metric of the last
accepted run and the items it got wrong (so the gate can say which examples
moved without storing every prediction). `evals/gates.yaml` says which
metrics are gated, the default allowed drop, absolute floors and ceilings.

A gated metric fails when it drops more than `max_drop` below the baseline
(rises above it, for a metric where less is better), or falls below its floor
(or rises above its ceiling, for counts such as fabricated numbers that must
stay 0).

The real drafts (realworld.py) have their own entry in the baseline and their
own section in gates.yaml. The entry is optional: until a baseline includes
them they are reported, not gated (only their floors and ceilings apply), and
a baseline made on another version of the file does not gate them either. Their
entry keeps no item text, since it is other people's text.
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from .._version import __version__
from ..errors import BaselineError, ConfigError
from .report import (
    LOWER_IS_BETTER,
    EvalReport,
    EvalSuite,
    ExampleMove,
    GateResult,
    MetricMove,
    ModeComparison,
    RealworldRun,
    example_key,
)

BASELINE_VERSION = 1


class RealworldGate(BaseModel):
    """gates.yaml `realworld:`: how the real drafts are gated (apart from the data sets)."""

    max_drop: float | None = Field(default=None, ge=0, description="default: the top-level one")
    gated: list[str] = Field(
        default_factory=lambda: ["macro_f1", "micro_f1", "f1.*", "aspiration.false_flag_share"]
    )
    floors: dict[str, dict[str, float]] = Field(default_factory=dict)
    ceilings: dict[str, dict[str, float]] = Field(default_factory=dict)

    def is_gated(self, metric: str) -> bool:
        return any(fnmatch.fnmatchcase(metric, p) for p in self.gated)


class GateConfig(BaseModel):
    max_drop: float = Field(default=0.02, ge=0)
    gated: list[str] = Field(
        default_factory=lambda: ["macro_f1", "micro_f1", "f1.*", "aspiration.false_flag_share",
                                 "rewrites.validity"],
        description="metric names (fnmatch patterns) whose drop fails the gate",
    )
    floors: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="mode (or '*') -> metric -> lowest allowed value"
    )
    ceilings: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="mode (or '*') -> metric -> highest allowed value"
    )
    lower_is_better: list[str] = Field(
        default_factory=lambda: list(LOWER_IS_BETTER),
        description="metric names (fnmatch patterns) that fail on a rise instead of a drop",
    )
    realworld: RealworldGate = Field(default_factory=RealworldGate)

    def is_gated(self, metric: str) -> bool:
        return any(fnmatch.fnmatchcase(metric, p) for p in self.gated)

    def is_lower_better(self, metric: str) -> bool:
        return any(fnmatch.fnmatchcase(metric, p) for p in self.lower_is_better)

    @staticmethod
    def limits(table: dict[str, dict[str, float]], mode: str) -> dict[str, float]:
        return {**table.get("*", {}), **table.get(mode, {})}


def load_gate_config(path: str | Path | None) -> GateConfig:
    if path is None:
        return GateConfig()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return GateConfig.model_validate(data)
    except FileNotFoundError as exc:
        raise ConfigError(f"gate config not found: {path}") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read gate config {path}: {exc}") from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{path}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from exc


class Miss(BaseModel):
    expected: str
    predicted: str
    text: str = ""  # empty for the real drafts: their text stays out of the project


class BaselineMode(BaseModel):
    rubric_version: str
    prompt_version: str | None = None
    model: str | None = None
    examples: int
    metrics: dict[str, float]
    # example key -> item ("O1.KR2") -> what was wrong there
    mismatches: dict[str, dict[str, Miss]] = Field(default_factory=dict)


class RealworldBaseline(BaseModel):
    """The real drafts' part of a baseline: optional, and without any item text."""

    dataset: str = Field(description="the file's name (it lives outside the project)")
    sha256: str = Field(description="of the file the entry was made on")
    modes: dict[str, BaselineMode]


class Baseline(BaseModel):
    version: int = BASELINE_VERSION
    okr_coach_version: str = __version__
    datasets: list[str] = Field(
        description="the datasets it was made on, relative to the baseline's folder"
    )
    modes: dict[str, BaselineMode]
    realworld: RealworldBaseline | None = Field(
        default=None, description="the real drafts, once a baseline includes them"
    )

    def dataset_paths(self, baseline_path: str | Path) -> list[Path]:
        return [Path(baseline_path).parent / d for d in self.datasets]


def dataset_names(paths: list[str]) -> list[str]:
    return sorted(Path(p).name for p in paths)


def _mismatches(report: EvalReport, *, text: bool = True) -> dict[str, dict[str, Miss]]:
    return {
        example_key(e.dataset, e.id): {
            m.target: Miss(expected=m.expected, predicted=m.predicted, text=m.text if text else "")
            for m in e.mismatches
        }
        for e in report.per_example
        if e.mismatches
    }


def _relative(path: str, folder: Path) -> str:
    p = Path(path).resolve()
    try:
        return p.relative_to(folder.resolve()).as_posix()
    except ValueError:
        return Path(os.path.relpath(p, folder.resolve())).as_posix()


def _baseline_mode(r: EvalReport, *, text: bool = True) -> BaselineMode:
    return BaselineMode(
        rubric_version=r.rubric_version,
        prompt_version=r.prompt_version,
        model=r.model,
        examples=r.examples,
        metrics=r.metrics(),
        mismatches=_mismatches(r, text=text),
    )


def make_baseline(
    suite: EvalSuite, baseline_path: str | Path, previous: Baseline | None = None
) -> Baseline:
    """The suite's runs as a baseline; modes not run now keep their previous entry.

    The real drafts' entry is replaced when they ran, and kept when they did not
    (a machine without the folder does not drop what another recorded).
    """
    modes = dict(previous.modes) if previous is not None else {}
    for r in suite.runs:
        modes[r.mode] = _baseline_mode(r)
    folder = Path(baseline_path).parent
    datasets = sorted(_relative(p, folder) for p in suite.runs[0].datasets)
    if previous is not None and dataset_names(previous.datasets) != dataset_names(datasets):
        modes = {r.mode: modes[r.mode] for r in suite.runs}  # other datasets: old modes don't compare
    realworld = previous.realworld if previous is not None else None
    rw = suite.realworld
    if rw is not None and rw.runs and rw.path and rw.sha256:
        kept = dict(realworld.modes) if realworld is not None and realworld.sha256 == rw.sha256 else {}
        kept.update({r.mode: _baseline_mode(r, text=False) for r in rw.runs})
        realworld = RealworldBaseline(dataset=Path(rw.path).name, sha256=rw.sha256, modes=kept)
    return Baseline(datasets=datasets, modes=modes, realworld=realworld)


def load_baseline(path: str | Path) -> Baseline:
    path = Path(path)
    try:
        return Baseline.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(
            f"baseline not found: {path} (create it with `okr-coach eval --update-baseline`)"
        ) from exc
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from exc
    except ValidationError as exc:
        raise BaselineError(f"{path} is not an eval baseline: {exc.errors()[0]['msg']}") from exc


def write_baseline(path: str | Path, baseline: Baseline) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Sorted keys and one indent: a baseline update reads as a small diff in review.
    data = json.loads(baseline.model_dump_json())
    path.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")


def compare(report: EvalReport, base: BaselineMode) -> ModeComparison:
    current = report.metrics()
    before = _mismatches(report)
    moves = ModeComparison(
        mode=report.mode,
        metrics={k: (base.metrics.get(k), v) for k, v in current.items()},
    )
    for key in sorted(set(before) | set(base.mismatches)):
        old, new = base.mismatches.get(key, {}), before.get(key, {})
        for target in sorted(set(old) | set(new), key=_item_order):
            o, n = old.get(target), new.get(target)
            if o is None and n is not None:
                moves.regressed.append(
                    ExampleMove(key=key, target=target, text=n.text, expected=n.expected,
                                before=n.expected, after=n.predicted)
                )
            elif n is None and o is not None:
                moves.improved.append(
                    ExampleMove(key=key, target=target, text=o.text, expected=o.expected,
                                before=o.predicted, after=o.expected)
                )
            elif o is not None and n is not None and o.predicted != n.predicted:
                moves.changed.append(
                    ExampleMove(key=key, target=target, text=n.text, expected=n.expected,
                                before=o.predicted, after=n.predicted)
                )
    return moves


def _item_order(target: str) -> tuple[int, ...]:
    return tuple(int("".join(c for c in part if c.isdigit()) or 0) for part in target.split("."))


def _examples_behind(metric: str, moves: ModeComparison) -> list[str]:
    """The regressed examples a metric's drop comes from (a label's own, or all)."""
    head = metric.split(".")[0]
    label = metric.split(".", 1)[1] if head in ("f1", "precision", "recall") else None
    if head == "aspiration":
        label = "aspiration"
    keys: list[str] = []
    for m in moves.regressed:
        if label is None or label in (m.expected, m.after):
            entry = f"{m.key} {m.target}"
            if entry not in keys:
                keys.append(entry)
    return keys


def run_gate(
    suite: EvalSuite,
    baseline: Baseline,
    config: GateConfig,
    *,
    baseline_path: str,
    max_drop: float | None = None,
) -> GateResult:
    drop = config.max_drop if max_drop is None else max_drop
    names = dataset_names(suite.runs[0].datasets) if suite.runs else []
    if names != dataset_names(baseline.datasets):
        raise BaselineError(
            f"{baseline_path} was made on {', '.join(dataset_names(baseline.datasets))}; this run read "
            f"{', '.join(names)}. Run the baseline's datasets, or --update-baseline."
        )
    result = GateResult(baseline=baseline_path, max_drop=drop, passed=True)
    for report in suite.runs:
        base = baseline.modes.get(report.mode)
        current = report.metrics()
        if base is None:
            result.notes.append(f"mode {report.mode} has no baseline yet: only floors apply")
            moves = ModeComparison(mode=report.mode, gated=False,
                                   metrics={k: (None, v) for k, v in current.items()})
        elif base.model and report.model and base.model != report.model:
            # A live run of another model than the recorded one: show the moves, gate only floors.
            moves = compare(report, base)
            moves.gated = False
            result.notes.append(
                f"mode {report.mode}: the baseline was made with model {base.model}, this run used "
                f"{report.model}: compared, not gated (only floors apply)"
            )
        else:
            moves = compare(report, base)
            result.failures += _moved_too_far(report, base, moves, config, config.is_gated, drop)
        result.failures += _limits(report, base, moves, config.floors, config.ceilings)
        result.comparisons.append(moves)
    if suite.realworld is not None:
        _gate_realworld(suite.realworld, baseline.realworld, config, result,
                        drop if config.realworld.max_drop is None or max_drop is not None
                        else config.realworld.max_drop)
    result.passed = not result.failures
    return result


def _moved_too_far(report: EvalReport, base: BaselineMode, moves: ModeComparison,
                   config: GateConfig, is_gated, drop: float, prefix: str = "") -> list[MetricMove]:
    """Gated metrics that fell more than `drop` (rose, where less is better)."""
    out = []
    for metric, value in report.metrics().items():
        old = base.metrics.get(metric)
        if not is_gated(metric) or old is None:
            continue
        worse = value > old + drop + 1e-9 if config.is_lower_better(metric) else value < old - drop - 1e-9
        if worse:
            rule = f"rise <= {drop:g}" if config.is_lower_better(metric) else f"drop <= {drop:g}"
            out.append(MetricMove(mode=report.mode, metric=prefix + metric, baseline=old, current=value,
                                  allowed=rule, examples=_examples_behind(metric, moves)))
    return out


def _limits(report: EvalReport, base: BaselineMode | None, moves: ModeComparison,
            floors: dict[str, dict[str, float]], ceilings: dict[str, dict[str, float]],
            prefix: str = "") -> list[MetricMove]:
    out = []
    current = report.metrics()
    for metric, floor in GateConfig.limits(floors, report.mode).items():
        value = current.get(metric)
        if value is not None and value < floor:
            out.append(MetricMove(mode=report.mode, metric=prefix + metric,
                                  baseline=base.metrics.get(metric) if base else None,
                                  current=value, allowed=f"floor {floor:g}",
                                  examples=_examples_behind(metric, moves)))
    for metric, ceiling in GateConfig.limits(ceilings, report.mode).items():
        value = current.get(metric)
        if value is not None and value > ceiling:
            out.append(MetricMove(mode=report.mode, metric=prefix + metric,
                                  baseline=base.metrics.get(metric) if base else None,
                                  current=value, allowed=f"ceiling {ceiling:g}",
                                  examples=_examples_behind(metric, moves)))
    return out


REALWORLD = "realworld."  # the prefix of the real drafts' metrics in gate failures


def _gate_realworld(rw: RealworldRun, base: RealworldBaseline | None, config: GateConfig,
                    result: GateResult, drop: float) -> None:
    """The real drafts: reported always, drop-gated only against a baseline of the same file."""
    if not rw.runs:
        result.notes.append(f"{rw.note}: not gated")
        return
    rules = config.realworld
    if base is None:
        result.notes.append("real drafts: reported, not gated: the baseline does not include them yet "
                            "(`okr-coach eval --update-baseline` adds them)")
    elif base.sha256 != rw.sha256:
        result.notes.append(f"real drafts: {Path(rw.path or base.dataset).name} changed since the "
                            "baseline was made: compared, not gated (`--update-baseline` to accept it)")
    for report in rw.runs:
        mode_base = base.modes.get(report.mode) if base is not None else None
        if mode_base is None:
            if base is not None:
                result.notes.append(f"real drafts: the baseline has no {report.mode} entry: not gated")
            moves = ModeComparison(mode=report.mode, gated=False,
                                   metrics={k: (None, v) for k, v in report.metrics().items()})
        else:
            moves = compare(report, mode_base)
            if base is not None and base.sha256 == rw.sha256:
                result.failures += _moved_too_far(report, mode_base, moves, config, rules.is_gated,
                                                  drop, REALWORLD)
            else:
                moves.gated = False
        result.failures += _limits(report, mode_base, moves, rules.floors, rules.ceilings, REALWORLD)
        result.realworld.append(moves)
