"""Differential check: parse() gives exactly what the reference parser gave.

`parse_equivalence.json.gz` holds inputs and the outputs recorded from the parser
before its speed work (model_dump(), the set fields, or the ParseError). Inputs:

- the bench corpus (bench/parse_speed.py) and examples/draft.md;
- every string / bytes literal in tests/parse, alone and inside a small draft;
- drafts generated from the hypothesis strategies in parse_strategies.py, any text,
  and CSV-like tables;
- mutants: corpus lines with markers, labels and awkward Unicode spliced in
  (case-folding traps such as the Kelvin sign, NBSP, zero-width characters);
- outlines with runs of letter markers, whose kind depends on the line before.

Record again only on purpose, with the reference parser in place:
`.venv/bin/python tests/parse/test_parse_equivalence.py --record`.
"""

from __future__ import annotations

import ast
import base64
import gzip
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from coach.errors import ParseError
from coach.parse import parse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURE = HERE / "parse_equivalence.json.gz"


# --- what is recorded -----------------------------------------------------------------------


def _fields_set(value: Any) -> Any:
    """The fields each model had set, nested like the dump (model_construct must match)."""
    if isinstance(value, BaseModel):
        nested = {name: _fields_set(getattr(value, name)) for name in type(value).model_fields}
        return {"set": sorted(value.model_fields_set), **{k: v for k, v in nested.items() if v}}
    if isinstance(value, list):
        return [_fields_set(v) for v in value]
    return None


def outcome(draft: str | bytes) -> dict[str, Any]:
    try:
        okr = parse(draft)
    except ParseError as e:
        return {"error": type(e).__name__, "message": str(e), "line": e.line}
    return {"dump": okr.model_dump(mode="json"), "fields": _fields_set(okr)}


def _encode(draft: str | bytes) -> Any:
    if isinstance(draft, bytes):
        return {"b64": base64.b64encode(draft).decode("ascii")}
    return draft


def _decode(value: Any) -> str | bytes:
    if isinstance(value, dict):
        return base64.b64decode(value["b64"])
    return value


# --- inputs (only used when recording) ------------------------------------------------------


def _bench_corpus() -> list[str]:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from parse_speed import corpus  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    return [d for _, d in corpus()]


def _literals() -> list[str | bytes]:
    found: list[str | bytes] = []
    for path in sorted(HERE.glob("*.py")):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
                found.append(node.value)
    out: list[str | bytes] = []
    for lit in found:
        out.append(lit)
        if isinstance(lit, str):  # a label or a line alone says little: put it in a draft
            out.append(f"{lit}\nKR1: NPS from 32 to 50\n")
            out.append(f"Objective: Grow revenue\n{lit}\n- Reduce churn from 5% to 3%\n")
            out.append(f"## {lit}\n- Launch the portal\n  {lit}\n")
    return out


def _hypothesis_drafts(n_drafts: int = 3000, n_text: int = 1000, n_csv: int = 300) -> list[str]:
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st
    from parse_strategies import okr_drafts  # type: ignore[import-not-found]

    out: list[str] = []

    def collect(strategy: Any, n: int) -> None:
        @seed(20250612)
        @settings(
            max_examples=n,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def run(x: str) -> None:
            out.append(x)

        run()

    collect(okr_drafts(), n_drafts)
    collect(st.text(), n_text)
    cells = st.sampled_from(["Grow", '"a, b"', '"multi\nline"', '"x ""q"""', "", " KR 1 ", "\r"])
    collect(
        st.lists(st.lists(cells, min_size=1, max_size=4), max_size=8).map(
            lambda rows: "Objective,KR1,KR2\n" + "\n".join(",".join(r) for r in rows) + "\n"
        ),
        n_csv,
    )
    return out


_SPLICE = [
    "K",  # Kelvin sign: matches "k" under re.IGNORECASE
    "ſ",  # long s: matches "s"
    "İ",  # lower() makes it two characters
    "ı",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "\u3000",
    "\t",
    "：",
    "—",
    "–",
    "…",
    "**",
    "__",
    "*",
    "_",
    "#",
    "##",
    "- ",
    "1. ",
    "1.2 ",
    "a) ",
    "(iv) ",
    "[ ] ",
    "🎯 ",
    "1️⃣ ",
    "Objective 1: ",
    "OBJ. ",
    "Objecitve ",
    "KR1: ",
    "K.R. ",
    "Key reslut 2 - ",
    "kr-3 ",
    "We're working on ",
    "Because ",
    "because we believe ",
    "As measured by ",
    "measured by the following key results: ",
    "Owner: ",
    "Team: ",
    "Notes:",
    "Key results:",
    "OKRs Q3 2025",
    "Our goals for Q3",
    "Hi team, ",
    "?",
    ";",
    ":",
    ".",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "    ",
    "---\n",
    "===\n",
    "```\n",
]


def _mutants(corpus: list[str], n: int = 2500, seed_: int = 5) -> list[str]:
    """Corpus drafts with a few fragments spliced in at random places."""
    rnd = random.Random(seed_)
    out = []
    for _ in range(n):
        draft = rnd.choice(corpus)
        lines = draft.splitlines(keepends=True)
        if len(lines) > 8:  # keep the fixture small: a window of the draft
            i = rnd.randrange(len(lines) - 6)
            lines = lines[i : i + rnd.randint(3, 8)]
        text = "".join(lines)
        for _ in range(rnd.randint(1, 4)):
            pos = rnd.randrange(len(text) + 1)
            if rnd.random() < 0.5:  # at a line start, where labels and markers live
                pos = text.rfind("\n", 0, pos) + 1
            text = text[:pos] + rnd.choice(_SPLICE) + text[pos:]
        out.append(text)
    return out


def _marker_runs(n: int = 600, seed_: int = 9) -> list[str]:
    """Outlines with runs of letter markers ("g) h) i) j)", "U. V. W."), where whether
    "i)" / "v." / "x)" is a letter or a roman numeral depends on the line before (also
    when that line has nothing but its marker)."""
    rnd = random.Random(seed_)
    texts = ["Grow ARR from 1M to 2M", "Cut churn to 3%", "Launch the portal", "Hire 2 SREs"]
    out = []
    for _ in range(n):
        lines = [rnd.choice(["Grow revenue", "Objective: Delight customers", "## Retention"])]
        for _ in range(rnd.randint(1, 3)):
            style = rnd.choice(["a)", "a.", "A)", "A.", "(a)", "1.", "i."])
            first = rnd.choice("abfghstuvwx")
            indent = rnd.choice(["", "", "  ", "    ", "\t"])
            for k in range(rnd.randint(1, 5)):
                c = chr(min(ord(first) + k, ord("z")))
                c = c.upper() if style[-2].isupper() else c
                marker = style.replace("a", c).replace("A", c) if "1" not in style else style
                if style == "i.":
                    marker = rnd.choice(["i.", "ii.", "iii.", "iv.", "v.", "x."])
                text = rnd.choice(texts) if rnd.random() < 0.8 else rnd.choice(["", "--", "[ ]"])
                lines.append(f"{indent}{marker} {text}".rstrip(" ") if text else indent + marker)
        out.append("\n".join(lines) + "\n")
    return out


def record() -> None:
    corpus = _bench_corpus()
    inputs: list[str | bytes] = [
        *corpus,
        *_literals(),
        *_hypothesis_drafts(),
        *_mutants(corpus),
        *_marker_runs(),
    ]
    seen: set[Any] = set()
    cases = []
    for draft in inputs:
        key = (type(draft), draft)
        if key in seen:
            continue
        seen.add(key)
        cases.append({"in": _encode(draft), "out": outcome(draft)})
    data = json.dumps(cases, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    FIXTURE.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"recorded {len(cases):,} cases, {FIXTURE.stat().st_size:,} bytes -> {FIXTURE}")


# --- the test -------------------------------------------------------------------------------


def _cases() -> list[dict[str, Any]]:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def test_fixture_covers_enough():
    cases = _cases()
    assert len(cases) >= 5000
    assert sum("dump" in c["out"] for c in cases) >= 2000  # parsed, not just errors


@pytest.mark.parametrize("part", range(8))
def test_parse_is_unchanged(part):
    cases = _cases()[part::8]
    diffs = []
    for case in cases:
        draft = _decode(case["in"])
        got = outcome(draft)
        if got != case["out"]:
            diffs.append((draft, case["out"], got))
    assert not diffs, f"{len(diffs)} of {len(cases)} drafts parse differently; first: {diffs[0]!r}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--record"]:
        record()
    else:
        print(__doc__)
