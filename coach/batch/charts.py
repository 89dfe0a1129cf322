"""Bar charts as plain geometry, drawn as inline SVG by the report template.

No JavaScript and no images: the SVG is part of the page, so it shows offline,
in an e-mail attachment and on paper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .summary import BatchSummary

LABEL_COLORS = {
    "aspiration": "#7b3fa0",
    "task": "#c2410c",
    "no_metric": "#b91c1c",
    "no_target": "#d97706",
    "no_baseline": "#0e7490",
    "other": "#64748b",
}
LABEL_NAMES = {
    "aspiration": "aspiration",
    "task": "task, not outcome",
    "no_metric": "no metric",
    "no_target": "no target",
    "no_baseline": "no baseline",
    "other": "other findings",
}
MAX_OWNER_BARS = 40
WIDTH = 760
LABEL_W = 210
VALUE_W = 60
BAR_H = 16
GAP = 6
TOP = 8


@dataclass
class Segment:
    x: float
    w: float
    color: str
    title: str


@dataclass
class Bar:
    label: str
    y: float
    segments: list[Segment]
    value: str
    href: str | None = None


@dataclass
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    legend: list[tuple[str, str]] = field(default_factory=list)
    width: int = WIDTH
    label_w: int = LABEL_W
    plot_w: int = WIDTH - LABEL_W - VALUE_W
    bar_h: int = BAR_H

    @property
    def height(self) -> float:
        return TOP + len(self.bars) * (BAR_H + GAP) + 24


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _nice_scale(value: int) -> tuple[int, int]:
    """(axis maximum, number of steps): a round step, at most six of them."""
    step = 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000):
        if math.ceil(value / step) <= 6:
            break
    steps = max(1, math.ceil(value / step))
    return steps * step, steps


def findings_per_team(summary: BatchSummary) -> Chart:
    plot_w = WIDTH - LABEL_W - VALUE_W
    top, steps = _nice_scale(max((t.findings for t in summary.teams), default=1) or 1)
    bars = []
    for i, t in enumerate(summary.teams):
        parts = [(k, t.by_label.get(k, 0)) for k in LABEL_COLORS if k != "other"]
        parts.append(("other", t.findings - sum(n for _, n in parts)))
        x, segs = float(LABEL_W), []
        for key, n in parts:
            if n <= 0:
                continue
            w = plot_w * n / top
            segs.append(Segment(x, w, LABEL_COLORS[key], f"{t.team}: {n} {LABEL_NAMES[key]}"))
            x += w
        bars.append(Bar(_short(t.team), TOP + i * (BAR_H + GAP), segs, str(t.findings)))
    ticks = [(LABEL_W + plot_w * k / steps, str(top * k // steps)) for k in range(steps + 1)]
    return Chart(
        id="chart-team-findings",
        title="Findings per team",
        description="Number of findings in each team's sets, split by kind of problem.",
        bars=bars,
        ticks=ticks,
        legend=[(c, LABEL_NAMES[k]) for k, c in LABEL_COLORS.items()],
    )


def outcome_share_per_owner(summary: BatchSummary) -> Chart:
    plot_w = WIDTH - LABEL_W - VALUE_W
    owners = [o for o in summary.owners if o.key_results]
    owners.sort(key=lambda o: (o.outcome_share, o.owner))
    shown = owners[:MAX_OWNER_BARS]
    bars = []
    for i, o in enumerate(shown):
        share = o.outcome_share
        label = o.owner if not o.team else f"{o.owner} ({o.team})"
        seg = Segment(
            LABEL_W,
            max(plot_w * share, 1.5),
            "#15803d" if share >= 0.5 else "#b45309",
            f"{o.owner}: {o.outcome_key_results} of {o.key_results} key results are outcomes",
        )
        bars.append(
            Bar(_short(label), TOP + i * (BAR_H + GAP), [seg], f"{share:.0%}", href=f"#{o.anchor}")
        )
    ticks = [(LABEL_W + plot_w * k / 4, f"{k * 25}%") for k in range(5)]
    what = "Share of each owner's key results that are measurable outcomes"
    if len(owners) > len(shown):
        what += f"; the {len(shown)} lowest of {len(owners)} owners are shown"
    return Chart(
        id="chart-owner-outcomes",
        title="Outcome share per owner",
        description=what + ".",
        bars=bars,
        ticks=ticks,
        legend=[("#b45309", "under half outcomes"), ("#15803d", "half or more")],
    )
