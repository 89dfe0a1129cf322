"""One very large draft: review time must grow linearly with the draft's size.

Builds pasted-text drafts of 0.25, 0.5 and 1 MB (1 MB: 1,000,000 characters, the
parser's limit) from the unique KRs of bench/throughput.py, with one KR in 40
pasted again with its case and punctuation changed (as people copy a line from
last quarter); reviews each once, rules-only, and prints seconds, seconds per
MB, and the duplicate check (KR07, which compares KRs across the whole set)
timed on its own.

Run: `.venv/bin/python bench/large_draft.py [MB ...]` (default 0.25 0.5 1).
"""

from __future__ import annotations

import random
import sys

from throughput import CLOCK, STAGES, corpus, staged

from coach import review
from coach.checks import build_context, check_duplicate
from coach.parse import parse
from coach.rubric import load_rubric

MB = 1_000_000


def draft(size: int, seed: int = 3) -> str:
    """A pasted draft of at most `size` characters (ASCII: as many bytes), filled to within a line."""
    rnd = random.Random(seed)
    parts: list[str] = []
    total = 0
    first = 0
    while True:
        for d in corpus(2_000, seed=seed + first, first=first):
            lines = d.split("\n")
            for i, line in enumerate(lines):
                if line.startswith("- ") and rnd.random() < 1 / 40:
                    lines[i] = line + "\n- " + line[2:].upper().replace("-", " ") + "."  # a pasted copy
            for line in "\n".join(lines).split("\n") + [""]:
                if total + len(line) + 1 > size:
                    return "".join(parts)
                parts.append(line + "\n")
                total += len(line) + 1
        first += 2_000


def main() -> None:
    sizes = [float(a) for a in sys.argv[1:]] or [0.25, 0.5, 1.0]
    rb = load_rubric()
    rule = rb.rule("KR07")
    review(draft(20_000, seed=1), mode="rules")  # import and warm the code
    print("one large draft, rules-only review (coach.review), one core, CPU time:")
    rows = []
    for mb in sizes:
        text = draft(int(mb * MB), seed=int(mb * 100))
        rb.lexicon.memo.clear()  # each draft is new to the process
        spent, krs = staged([text])
        secs = sum(spent.values())
        okr_set = parse(text)
        ctx = build_context(okr_set, rb)  # not timed: only the check below is
        t0 = CLOCK()
        dups = sum(1 for _ in check_duplicate(ctx, rule))
        dup_secs = CLOCK() - t0
        size = len(text.encode()) / MB
        rows.append((size, secs))
        print(
            f"  {size:4.2f} MB · {len(okr_set.objectives):5,} objectives · {krs:6,} KRs ({dups:,} repeated) · "
            f"{secs:6.2f} s · {secs / size:6.2f} s per MB · duplicate check {dup_secs:5.2f} s"
        )
        print("        " + " · ".join(f"{stage} {spent[stage]:.2f} s" for stage in STAGES))
    if len(rows) > 1:
        (s0, t0_), (s1, t1_) = rows[0], rows[-1]
        print(f"  {s1 / s0:.1f}× the text took {t1_ / t0_:.1f}× the time (linear: the same factor)")


if __name__ == "__main__":
    main()
