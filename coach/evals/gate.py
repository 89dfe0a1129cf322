"""The committed baseline and the regression gate.

`evals/baseline.json` keeps, per reviewer mode, every metric of the last
accepted run and the items it got wrong (so the gate can say which examples
moved without storing every prediction). `evals/gates.yaml` says which
metrics are gated, the default allowed drop, absolute floors and ceilings.

A gated metric fails when it drops more than `max_drop` below the baseline,
or falls below its floor (or rises above its ceiling, for counts such as
fabricated numbers that must stay 0).
"""

from __future__ import annotations

import fnmatch
import json
import os
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from .. import __version__
from ..errors import BaselineError, ConfigError
from .report import (
    EvalReport,
    EvalSuite,
    ExampleMove,
    GateResult,
    MetricMove,
    ModeComparison,
    example_key,
)

BASELINE_VERSION = 1


class GateConfig(BaseModel):
    max_drop: float = Field(default=0.02, ge=0)
    gated: list[str] = Field(
        default_factory=lambda: ["macro_f1", "micro_f1", "f1.*", "rewrites.validity"],
        description="metric names (fnmatch patterns) whose drop fails the gate",
    )
    floors: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="mode (or '*') -> metric -> lowest allowed value"
    )
    ceilings: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="mode (or '*') -> metric -> highest allowed value"
    )

    def is_gated(self, metric: str) -> bool:
        return any(fnmatch.fnmatchcase(metric, p) for p in self.gated)

    def limits(self, table: dict[str, dict[str, float]], mode: str) -> dict[str, float]:
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
    text: str


class BaselineMode(BaseModel):
    rubric_version: str
    prompt_version: str | None = None
    model: str | None = None
    examples: int
    metrics: dict[str, float]
    # example key -> item ("O1.KR2") -> what was wrong there
    mismatches: dict[str, dict[str, Miss]] = Field(default_factory=dict)


class Baseline(BaseModel):
    version: int = BASELINE_VERSION
    okr_coach_version: str = __version__
    datasets: list[str] = Field(
        description="the datasets it was made on, relative to the baseline's folder"
    )

    def dataset_paths(self, baseline_path: str | Path) -> list[Path]:
        return [Path(baseline_path).parent / d for d in self.datasets]
    modes: dict[str, BaselineMode]


def dataset_names(paths: list[str]) -> list[str]:
    return sorted(Path(p).name for p in paths)


def _mismatches(report: EvalReport) -> dict[str, dict[str, Miss]]:
    return {
        example_key(e.dataset, e.id): {
            m.target: Miss(expected=m.expected, predicted=m.predicted, text=m.text)
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


def make_baseline(
    suite: EvalSuite, baseline_path: str | Path, previous: Baseline | None = None
) -> Baseline:
    """The suite's runs as a baseline; modes not run now keep their previous entry."""
    modes = dict(previous.modes) if previous is not None else {}
    for r in suite.runs:
        modes[r.mode] = BaselineMode(
            rubric_version=r.rubric_version,
            prompt_version=r.prompt_version,
            model=r.model,
            examples=r.examples,
            metrics=r.metrics(),
            mismatches=_mismatches(r),
        )
    folder = Path(baseline_path).parent
    datasets = sorted(_relative(p, folder) for p in suite.runs[0].datasets)
    if previous is not None and dataset_names(previous.datasets) != dataset_names(datasets):
        modes = {r.mode: modes[r.mode] for r in suite.runs}  # other datasets: old modes don't compare
    return Baseline(datasets=datasets, modes=modes)


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
    label = metric.split(".", 1)[1] if metric.split(".")[0] in ("f1", "precision", "recall") else None
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
            for metric, value in current.items():
                old = base.metrics.get(metric)
                if config.is_gated(metric) and old is not None and value < old - drop - 1e-9:
                    result.failures.append(
                        MetricMove(mode=report.mode, metric=metric, baseline=old, current=value,
                                   allowed=f"drop <= {drop:g}",
                                   examples=_examples_behind(metric, moves))
                    )
        for metric, floor in config.limits(config.floors, report.mode).items():
            value = current.get(metric)
            if value is not None and value < floor:
                result.failures.append(
                    MetricMove(mode=report.mode, metric=metric,
                               baseline=base.metrics.get(metric) if base else None,
                               current=value, allowed=f"floor {floor:g}",
                               examples=_examples_behind(metric, moves))
                )
        for metric, ceiling in config.limits(config.ceilings, report.mode).items():
            value = current.get(metric)
            if value is not None and value > ceiling:
                result.failures.append(
                    MetricMove(mode=report.mode, metric=metric,
                               baseline=base.metrics.get(metric) if base else None,
                               current=value, allowed=f"ceiling {ceiling:g}")
                )
        result.comparisons.append(moves)
    result.passed = not result.failures
    return result
