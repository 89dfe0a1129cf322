"""A made-up team's OKR spreadsheet, for demos, the tests and the batch bench.

`sample_rows(owners)` gives `team, owner, objective, key_result` rows the way
coaches receive them: a mix of good KRs and the usual mistakes, blank objective
cells for continuation rows, numbers that differ from author to author (so no
two sets are alike), and a few KRs that two authors measure the same way.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

TEAMS = ["Sales", "Support", "Engineering", "Marketing", "People", "Finance", "Operations"]
FIRST = ["Ana", "Ben", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena",
         "Mo", "Nia", "Omar", "Pia", "Quin", "Rosa", "Sam", "Tara", "Uma", "Vik", "Wen", "Yara"]  # fmt: skip
LAST = ["Adler", "Brandt", "Costa", "Diaz", "Eriksen", "Fischer", "Garcia", "Hoang", "Ito",
        "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi",
        "Singh", "Tanaka", "Ueda", "Vargas", "Weber", "Young"]  # fmt: skip
OBJECTIVES = {
    "Sales": ["Win the mid-market segment in DACH", "Be the best sales team in the industry",
              "Grow revenue from existing accounts"],
    "Support": ["Make self-service the default support channel for SMB customers",
                "Delight our customers", "Resolve issues before customers notice them"],
    "Engineering": ["Ship a faster, more reliable checkout", "Be world class",
                    "Cut the time from commit to production"],
    "Marketing": ["Become the go-to brand for small agencies", "Transform our marketing",
                  "Turn the blog into a lead engine"],
    "People": ["Cut onboarding time for new hires", "Be a great place to work",
               "Hire the team the 2027 plan needs"],
    "Finance": ["Close the books faster", "Make spend visible to every budget owner",
                "Be a world-class finance team"],
    "Operations": ["Deliver on time, every time", "Cut warehouse cost per order",
                   "Make operations scalable"],
}  # fmt: skip
GOOD = [
    "Increase {metric} from {a}% to {b}%",
    "Reduce {metric} from {x} to {y} hours",
    "Grow {metric} from {a} to {b} per week",
    "Raise {metric} from {a}% to {b}% by end of Q{q}",
]
BAD = [
    "Launch the new {thing}",
    "Improve {metric}",
    "Increase {metric} to {b}%",
    "Hold {n} workshops on {thing}",
    "Reduce {metric}",
    "Implement the new {thing}",
    "Maintain {metric} at {b}%",
]
METRICS = ["self-service adoption", "NPS", "first response time", "win rate", "churn",
           "weekly active users", "on-time deliveries", "test coverage", "lead conversion",
           "offer acceptance rate", "invoice cycle time", "pipeline coverage",
           "deployment frequency", "employee engagement score"]  # fmt: skip
THINGS = ["customer portal", "CRM", "onboarding guide", "pricing page", "hiring process",
          "expense tool", "warehouse layout", "design system"]  # fmt: skip
HEADER = ["Team", "Owner", "Objective", "Key Result"]


def _kr(rnd: random.Random) -> str:
    pattern = rnd.choice(GOOD if rnd.random() < 0.45 else BAD)
    a = rnd.randint(5, 60)
    return pattern.format(
        metric=rnd.choice(METRICS),
        a=a,
        b=a + rnd.randint(5, 35),
        x=rnd.randint(12, 72),
        y=rnd.randint(2, 11),
        q=rnd.randint(1, 4),
        n=rnd.randint(2, 9),
        thing=rnd.choice(THINGS),
    )


def owner_names(n: int) -> list[str]:
    names = [f"{f} {last}" for last in LAST for f in FIRST]
    out = names[:n]
    i = 2
    while len(out) < n:  # more owners than names: number them
        out += [f"{name} {i}" for name in names[: n - len(out)]]
        i += 1
    return out


def sample_rows(owners: int, *, seed: int = 5) -> list[list[str]]:
    """Rows (header first) for `owners` authors, 1-3 objectives of 2-4 KRs each."""
    rnd = random.Random(seed)
    rows = [list(HEADER)]
    for i, owner in enumerate(owner_names(owners)):
        team = TEAMS[i % len(TEAMS)]
        for objective in rnd.sample(OBJECTIVES[team], rnd.randint(1, 3)):
            for k in range(rnd.randint(2, 4)):
                # Spreadsheets leave the objective blank on continuation rows.
                rows.append([team, owner, objective if k == 0 else "", _kr(rnd)])
    return rows


def sample_csv(owners: int, *, seed: int = 5) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(sample_rows(owners, seed=seed))
    return out.getvalue()


def write_sample_csv(path: Path, owners: int, *, seed: int = 5) -> Path:
    path.write_text(sample_csv(owners, seed=seed), encoding="utf-8")
    return path
