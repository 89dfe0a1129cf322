"""Rules-only throughput: KRs reviewed per second on one core.

Generates a corpus of unique OKR sets (no two KR texts alike, so no cache can
help), reviews each through `coach.review()` from pasted text, and prints the
figures. Run: `make bench` or `.venv/bin/python bench/throughput.py [N_KRS]`.
"""

from __future__ import annotations

import random
import sys
import time

from coach import review
from coach.rubric import load_rubric

VERBS = [
    "Increase",
    "Reduce",
    "Grow",
    "Improve",
    "Launch",
    "Hold",
    "Reach",
    "Cut",
    "Publish",
    "Maintain",
]
METRICS = [
    "NPS",
    "churn rate",
    "self-service adoption",
    "weekly active users",
    "time to hire",
    "ARR",
    "first response time",
    "test coverage",
    "on-time deliveries",
    "customer satisfaction",
    "new customer portal",
    "workshops",
    "blog posts",
    "p95 latency",
    "donor retention",
]
FRAMES = [
    "from {a} to {b}",
    "to {b}",
    "by {p}%",
    "",
    "from {a}",
    "to {b} by Q{q}",
    "at least {b}",
    "from ${a}k to ${b}k",
    "to {b} (currently {a})",
]
OBJECTIVES = [
    "Delight our customers",
    "Make self-service the default support channel for SMB customers",
    "Win the mid-market segment in DACH",
    "Be world class",
    "Cut onboarding time for new hires",
]


def corpus(n_krs: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    drafts, made = [], 0
    while made < n_krs:
        lines = []
        for o in range(rnd.randint(1, 5)):
            lines.append(f"Objective {o + 1}: {rnd.choice(OBJECTIVES)} ({made})")
            for _ in range(rnd.randint(2, 5)):
                a, b = rnd.randint(1, 900), rnd.randint(901, 5000)
                frame = rnd.choice(FRAMES).format(
                    a=a, b=b, p=rnd.randint(5, 60), q=rnd.randint(1, 4)
                )
                lines.append(
                    f"- {rnd.choice(VERBS)} {rnd.choice(METRICS)} {frame} #{made}".replace(
                        "  ", " "
                    )
                )
                made += 1
        drafts.append("\n".join(lines))
    return drafts


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    load_rubric()  # load once, as a server would
    drafts = corpus(n)
    krs = sum(d.count("\n- ") + d.startswith("- ") for d in drafts)
    review(drafts[0])  # warm-up
    # Cold: every KR is new to the process. Warm: the same draft reviewed again right away, as
    # when a manager edits and re-reviews; unchanged KRs' analyses and rewrites come from the
    # per-rubric memo, while parsing, checks, scoring and the models are done again.
    cold = warm = 0.0
    findings = 0
    clock = time.perf_counter
    for d in drafts:
        t0 = clock()
        findings += len(review(d).findings)
        t1 = clock()
        review(d)
        cold, warm = cold + t1 - t0, warm + clock() - t1
    print(f"rules-only review, one core: {len(drafts):,} OKR sets, {krs:,} KRs, {findings:,} findings")
    for label, secs in (("cold (all KRs new)", cold), ("warm (re-review)", warm)):
        print(
            f"  {label:19} {secs:6.2f} s · {krs / secs:8,.0f} KRs/s · {len(drafts) / secs:6,.0f} sets/s"
            f" · {1e6 * secs / krs:6.1f} µs per KR"
        )


if __name__ == "__main__":
    main()
