"""Parser speed: µs per draft and per line for `coach.parse.parse()`.

Lays the objective / key-result texts of evals/datasets/*.jsonl out in the formats
people paste (labelled lines, Markdown headings + bullets, numbered outlines, plain
indentation, the three-lens template, CSV, and full-size 5-objective / 16-KR Markdown
drafts) plus examples/draft.md, then times parse() on every draft, twice:

- cold: the parser's line cache emptied before each draft, so nothing has been seen
  before (the first review of a draft);
- warm: each draft parsed right after itself (a re-review of the same draft).

Run: `.venv/bin/python bench/parse_speed.py [ROUNDS] [--against DIR]`, where DIR is
another copy of coach/parse (say, a saved older version) to time side by side.

`corpus()` is also used by tests/parse/test_parse_equivalence.py to record its
fixture, so keep it deterministic.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = sorted((ROOT / "evals" / "datasets").glob("*.jsonl"))
EXAMPLE = ROOT / "examples" / "draft.md"

OkrList = list[tuple[str, list[str]]]

INTROS = [
    "",
    "Hi team, here is our draft for next quarter.\n\n",
    "Q3 OKRs - draft v2\n\n",
    "Feedback welcome!\n\n",
]
OUTROS = ["", "", "\nLet me know what you think!\n", "\nThanks,\nSam\n"]


def load_sets() -> list[OkrList]:
    sets: list[OkrList] = []
    for path in DATASETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                sets.append(
                    [
                        (o["text"], [kr["text"] for kr in o.get("key_results", [])])
                        for o in data["objectives"]
                    ]
                )
    return sets


# --- layouts -------------------------------------------------------------------------------


def labelled(okrs: OkrList, rnd: random.Random) -> str:
    out = []
    for i, (obj, krs) in enumerate(okrs, 1):
        out.append(f"Objective {i}: {obj}")
        if rnd.random() < 0.3:
            out.append("Owner: Sam Lee")
        for j, kr in enumerate(krs, 1):
            out.append(rnd.choice([f"KR{i}.{j}: {kr}", f"KR {j}: {kr}", f"Key Result {j} - {kr}"]))
        out.append("")
    return "\n".join(out)


def markdown(okrs: OkrList, rnd: random.Random) -> str:
    out = ["# Team OKRs Q3", ""]
    for i, (obj, krs) in enumerate(okrs, 1):
        out.append(rnd.choice([f"## Objective {i}: {obj}", f"## {obj}", f"### O{i} - {obj}"]))
        if rnd.random() < 0.3:
            out.append("**Key results:**")
        bullet = rnd.choice(["-", "*", "- [ ]"])
        out.extend(f"{bullet} {kr}" for kr in krs)
        out.append("")
    return "\n".join(out)


def numbered(okrs: OkrList, rnd: random.Random) -> str:
    out = []
    sub = rnd.choice(["dec", "alpha", "roman"])
    for i, (obj, krs) in enumerate(okrs, 1):
        out.append(f"{i}. {obj}")
        for j, kr in enumerate(krs, 1):
            marker = {"dec": f"{i}.{j}", "alpha": f"{chr(96 + j)})", "roman": "-"}[sub]
            out.append(f"   {marker} {kr}")
    return "\n".join(out) + "\n"


def indented(okrs: OkrList, rnd: random.Random) -> str:
    pad = rnd.choice(["    ", "\t", "  "])
    out = []
    for obj, krs in okrs:
        out.append(obj)
        out.extend(pad + kr for kr in krs)
        out.append("")
    return "\n".join(out)


def three_lens(okrs: OkrList, rnd: random.Random) -> str:
    out = []
    for obj, krs in okrs:
        out.append(f"We are working on {obj[0].lower()}{obj[1:]}")
        out.append(f"Because we believe that this will {rnd.choice(['pay off', 'matter'])}")
        if rnd.random() < 0.5:
            out.append("As measured by: " + "; ".join(krs))
        else:
            out.append("As measured by:")
            out.extend(f"- {kr}" for kr in krs)
        out.append("")
    return "\n".join(out)


def _csv_cell(value: str) -> str:
    if any(c in value for c in ',"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv(okrs: OkrList, rnd: random.Random) -> str:
    out = ["objective,key_result,team"]
    for obj, krs in okrs:
        for j, kr in enumerate(krs):
            first = _csv_cell(obj) if j == 0 or rnd.random() < 0.5 else ""
            out.append(f"{first},{_csv_cell(kr)},Growth")
    return "\n".join(out) + "\n"


LAYOUTS: dict[str, Callable[[OkrList, random.Random], str]] = {
    "labels": labelled,
    "markdown": markdown,
    "numbered": numbered,
    "indented": indented,
    "three-lens": three_lens,
    "csv": csv,
}


def big_markdown(sets: list[OkrList], n: int, rnd: random.Random) -> list[str]:
    """5-objective, 16-key-result Markdown drafts (the size of a full team's OKRs)."""
    objectives = [o for okrs in sets for o in okrs]
    key_results = [kr for _, krs in objectives for kr in krs]
    drafts = []
    for _ in range(n):
        out = ["# Team OKRs Q3", ""]
        for i, count in enumerate((4, 3, 3, 3, 3), 1):
            out.append(f"## Objective {i}: {rnd.choice(objectives)[0]}")
            out.extend(f"- {rnd.choice(key_results)}" for _ in range(count))
            out.append("")
        drafts.append("\n".join(out))
    return drafts


def corpus(seed: int = 11) -> list[tuple[str, str]]:
    """[(layout name, draft)], deterministic for a given seed and datasets."""
    rnd = random.Random(seed)
    sets = load_sets()
    drafts = [("example", EXAMPLE.read_text(encoding="utf-8"))]
    for okrs in sets:
        for name, layout in LAYOUTS.items():
            body = layout(okrs, rnd)
            if name != "csv":
                body = rnd.choice(INTROS) + body + rnd.choice(OUTROS)
            drafts.append((name, body))
    drafts.extend(("md 5x16", d) for d in big_markdown(sets, 100, rnd))
    return drafts


# --- timing --------------------------------------------------------------------------------


def load_parser(directory: str) -> Callable[[str], object]:
    """parse() of another copy of coach/parse (e.g. a saved older version), imported as
    coach._parse_ref so that its relative imports find coach.models and coach.errors."""
    import importlib.util

    import coach  # noqa: F401  (the parent package of the copy)

    init = Path(directory) / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "coach._parse_ref", init, submodule_search_locations=[str(init.parent)]
    )
    assert spec is not None and spec.loader is not None, directory
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.parse


def _cache_clearer(parse: Callable[[str], object]) -> Callable[[], None]:
    """Empties the parser's line cache (a no-op for a version without one)."""
    lines = sys.modules.get(parse.__module__ + ".lines")  # parse() is the package's own
    cached = getattr(lines, "_cached_shape", None)
    return cached.cache_clear if cached is not None else (lambda: None)


def cold(parse: Callable[[str], object], drafts: list[str]) -> float:
    """Seconds for all drafts, each parsed with an empty line cache (first sight)."""
    clear, clock, total = _cache_clearer(parse), time.perf_counter, 0.0
    for d in drafts:
        clear()
        t0 = clock()
        parse(d)
        total += clock() - t0
    return total


def warm(parse: Callable[[str], object], drafts: list[str]) -> float:
    """Seconds for all drafts, each parsed right after itself (a re-review)."""
    clock, total = time.perf_counter, 0.0
    for d in drafts:
        parse(d)
        t0 = clock()
        parse(d)
        total += clock() - t0
    return total


def main() -> None:
    import argparse

    from coach.parse import parse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rounds", nargs="?", type=int, default=5, help="best of this many")
    ap.add_argument("--against", metavar="DIR", help="another coach/parse to time too")
    args = ap.parse_args()
    parsers = {"parse": parse}
    if args.against:
        parsers = {"against": load_parser(args.against), **parsers}
    by_layout: dict[str, list[str]] = {}
    for name, d in corpus():
        by_layout.setdefault(name, []).append(d)
    everything = [d for ds in by_layout.values() for d in ds]
    for fn in parsers.values():  # warm-up: imports, regex caches
        for d in everything[:50]:
            fn(d)
    print(f"best of {args.rounds} rounds; cold = empty line cache, warm = parsed again")
    print(f"  {'layout':10} {'drafts':>6} {'lines':>6}", end="")
    for label in parsers:
        print(f" | {label + ' cold':>12} {'µs/line':>7} {'warm':>7} {'µs/line':>7}", end="")
    print()
    for name, ds in [*by_layout.items(), ("all", everything)]:
        lines = sum(d.count("\n") + 1 for d in ds)
        print(f"  {name:10} {len(ds):6,} {lines:6,}", end="")
        for fn in parsers.values():
            for mode in (cold, warm):
                secs = min(mode(fn, ds) for _ in range(args.rounds))
                end = " " if mode is cold else ""
                sep = " | " if mode is cold else " "
                print(f"{sep}{1e6 * secs / len(ds):{12 if mode is cold else 7}.1f}", end="")
                print(f" {1e6 * secs / lines:7.2f}", end=end)
        print()
    print("  (µs per draft; µs/line counts every line, blank ones too)")


if __name__ == "__main__":
    main()
