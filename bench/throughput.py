"""Rules-only throughput: KRs reviewed per second on one core.

Generates a corpus of unique OKR sets (no two KR or objective texts alike, so
no cache can help), reviews each through `coach.review()` from pasted text, and
prints, in this order:

1. cold: every KR new to the process. Every lru_cache of the package and the
   lexicon's memo are emptied first (and shown empty), and the memo and the per-text
   caches again before each draft; the pass then counts its cache hits: none may come
   from an earlier draft;
2. warm: each draft reviewed again right after itself (a manager editing and
   re-reviewing: unchanged KRs come from the memo);
3. a naive pass (5 compiled regexes over the same KR strings) timed in the same
   run, and cold's ratio to it (issue 12 asks for ≤ 12× and ≥ 10,000 KRs/s);
4. the cold time split by stage (parse, analysis, checks, rewrites, scoring)
   over a second, disjoint corpus, caches emptied again;
5. work per KR: tokenisations, regex calls and analyses (a small third corpus,
   counted with a profile hook, so not timed).

Times are CPU time of this process (`time.process_time`): on a shared machine
the wall clock also counts the time spent waiting for a core.

Run: `make bench` or `.venv/bin/python bench/throughput.py [N_KRS]`.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections import Counter, OrderedDict

from coach import review
from coach.parse import parse
from coach.rubric import Rubric, load_rubric

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

# The naive pass: what any regex linter would do with each KR string, at the least.
NAIVE = [
    re.compile(r"\b(?:launch|build|create|implement|ship|publish|deliver|complete|hold|run|write|hire"
               r"|migrate|roll out|set up)\b", re.I),
    re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|percent|k|m|x)?", re.I),
    re.compile(r"\bfrom\s+\S+\s+to\s+\S+", re.I),
    re.compile(r"\b(?:by|before|until|in)\s+(?:q[1-4]|h[12]|(?:end of )?(?:jan|feb|mar|apr|may|jun|jul|aug"
               r"|sep|oct|nov|dec)\w*|\d{4})\b", re.I),
    re.compile(r"\b(?:nps|csat|rate|revenue|arr|mrr|churn|retention|conversion|time|score|count|number"
               r"|users|customers)\b", re.I),
]

# CPU time: the machine this runs on is shared, and waiting for a core is not our work.
CLOCK = time.process_time
# The steps of pipeline._rules_review, wrapped to time them, and what each does.
STEPS = {"parse": "parse", "build_context": "analysis", "run_checks": "checks", "_suggestions": "rewrites",
         "_assemble": "scoring"}
STAGES = {
    "parse": "coach.parse: the pasted text to an OkrSet",
    "analysis": "checks.build_context: the facts of every objective and KR (coach.language)",
    "checks": "pipeline.run_checks: each rule's detector, the findings and their messages",
    "rewrites": "pipeline._suggestions: each rewrite, analysed again to prove it clean",
    "scoring": "pipeline._assemble: the asks (built when shown), the score, the Review object",
    "other": "the rest of coach.review(): rubric, rules, provenance",
}


def corpus(n_krs: int, seed: int = 7, first: int = 0) -> list[str]:
    """Drafts holding `n_krs` KRs, numbered from `first` so corpora never share a text."""
    rnd = random.Random(seed)
    drafts, made = [], first
    while made < first + n_krs:
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


def kr_texts(drafts: list[str]) -> list[str]:
    return [k.text for d in drafts for o in parse(d).objectives for k in o.key_results]


# The lru caches that hold a reading of one text (the rest load data: word lists, rubrics).
PER_TEXT = {"coach.language.reading.scan_cached", "coach.parse.lines._classify"}
LOADERS = {"coach.english.load_words", "coach.parse.labels.caseless", "coach.pipeline._flat", "coach.rubric._load_cached"}


def text_caches() -> list:
    """Every lru_cache in the package's loaded modules (call after a first review); each
    must be known as a per-text cache or a loader, so a new one is classified here."""
    found = {}
    for name, module in sorted(sys.modules.items()):
        if name == "coach" or name.startswith("coach."):
            for value in vars(module).values():
                if callable(value) and hasattr(value, "cache_info") and hasattr(value, "cache_clear"):
                    found[id(value)] = value
    unknown = {f"{c.__module__}.{c.__qualname__}" for c in found.values()} - PER_TEXT - LOADERS
    if unknown:
        raise SystemExit(f"classify these caches in bench/throughput.py (PER_TEXT or LOADERS): {sorted(unknown)}")
    return list(found.values())


class SpyMemo(OrderedDict):
    """The lexicon's memo, counting its hits: by kind of key, and whether the entry was
    computed while reviewing an earlier draft (a cache a cold pass must never profit from)."""

    def __init__(self) -> None:
        super().__init__()
        self.draft = 0
        self.born: dict[object, int] = {}
        self.hits: Counter = Counter()
        self.texts: set[str] = set()  # the drafts' KR texts

    def __setitem__(self, key: object, value: object) -> None:
        self.born[key] = self.draft
        super().__setitem__(key, value)

    def get(self, key: object, default: object = None) -> object:
        value = super().get(key, default)
        if value is not default:
            kind = key[0] if isinstance(key, tuple) else "analysis of a draft's text" if key in self.texts else (
                "analysis of a generated rewrite")
            self.hits[(kind, "earlier draft" if self.born[key] < self.draft else "same draft")] += 1
        return value


def empty_caches(rb: Rubric, caches: list) -> SpyMemo:
    """Empty the per-text caches, prove they are empty, and spy on the lexicon's memo."""
    rb.lexicon.memo = SpyMemo()
    for c in caches:
        c.cache_clear()
    entries = len(rb.lexicon.memo) + sum(c.cache_info().currsize for c in caches)
    if entries:
        raise SystemExit(f"caches not empty before a cold pass: {entries} entries")
    return rb.lexicon.memo


def staged(drafts: list[str]) -> tuple[Counter, int]:
    """Cold rules-only reviews through `coach.review()`, the CPU time of each pipeline step
    measured by wrapping the step's function (time in a nested step counts for that step)."""
    import coach.pipeline as pipeline

    spent: Counter = Counter()
    nested: list[float] = []
    originals = {name: getattr(pipeline, name) for name in STEPS}  # no such name: update STEPS

    def timed(stage: str, step):  # noqa: ANN001, ANN202 - any pipeline function
        def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            t0 = CLOCK()
            nested.append(0.0)
            try:
                return step(*args, **kwargs)
            finally:
                inner, took = nested.pop(), CLOCK() - t0
                spent[stage] += took - inner
                if nested:
                    nested[-1] += took
        return run

    for name, step in originals.items():
        setattr(pipeline, name, timed(STEPS[name], step))
    krs = 0
    try:
        t0 = CLOCK()
        for d in drafts:
            krs += review(d, mode="rules").summary.key_results
        total = CLOCK() - t0
    finally:
        for name, step in originals.items():
            setattr(pipeline, name, step)
    spent["other"] = total - sum(spent.values())
    return spent, krs


def work_per_kr(drafts: list[str]) -> dict[str, float]:
    """Tokenisations, regex calls and analyses during a cold review of `drafts`, per KR."""
    counted: Counter = Counter()
    readers = {"_analyze_kr": "KR analyses", "_analyze_objective": "objective analyses"}

    def hook(frame, event, arg):  # noqa: ANN001 - sys.setprofile's signature
        if event == "c_call":
            if isinstance(getattr(arg, "__self__", None), re.Pattern):
                counted["regex calls"] += 1
        elif event == "call":
            name = frame.f_code.co_name
            if name == "tokenize" and frame.f_globals.get("__name__") == "coach.lexicon":
                counted["tokenisations"] += 1
            elif name in readers:
                counted[readers[name]] += 1

    krs = len(kr_texts(drafts))
    sys.setprofile(hook)
    try:
        for d in drafts:
            review(d, mode="rules")
    finally:
        sys.setprofile(None)
    return {k: v / krs for k, v in sorted(counted.items())}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rb = load_rubric()  # load once, as a server would
    review(corpus(20, seed=1, first=10 * n)[0], mode="rules")  # import and warm the code, not the data
    caches = text_caches()
    drafts = corpus(n)
    texts = kr_texts(drafts)
    krs = len(texts)
    assert len(set(texts)) == krs, "the corpus must not repeat a KR"

    memo = empty_caches(rb, caches)
    memo.texts = set(texts)
    per_text = [c for c in caches if f"{c.__module__}.{c.__qualname__}" in PER_TEXT]
    lru_cold: Counter = Counter()
    cold = warm = 0.0
    findings = 0
    cold_hits: Counter = Counter()
    for d in drafts:
        memo.draft += 1
        # Strictly cold: nothing a text's reading left behind survives into the next draft
        # (generated rewrites repeat across drafts: "Increase NPS from [current NPS] to …").
        memo.clear()
        for c in per_text:
            c.cache_clear()
        h0 = [c.cache_info().hits for c in caches]
        t0 = CLOCK()
        findings += len(review(d, mode="rules").findings)
        t1 = CLOCK()
        cold_hits += memo.hits
        memo.hits.clear()
        for c, h in zip(caches, h0, strict=True):
            lru_cold[f"{c.__module__}.{c.__qualname__}"] += c.cache_info().hits - h
        t2 = CLOCK()
        review(d, mode="rules")
        cold, warm = cold + t1 - t0, warm + CLOCK() - t2
        memo.hits.clear()
    t0 = CLOCK()
    for s in texts:
        for p in NAIVE:
            p.findall(s)
    naive = CLOCK() - t0

    def hits(when: str) -> str:
        found = [f"{v} {kind}" for (kind, w), v in sorted(cold_hits.items()) if w == when]
        return ", ".join(found) or "none"

    print(f"rules-only review, one core (CPU time of this process): {len(drafts):,} OKR sets, {krs:,} KRs,"
          f" all different, {findings:,} findings")
    print(f"  before the cold pass: {len(caches)} lru caches and the lexicon memo emptied, 0 entries. Hits in it:"
          f" lru caches {', '.join(f'{v} {k}' for k, v in lru_cold.items() if v) or 'none'}; memo entries of an earlier draft: {hits('earlier draft')}")
    print(f"  (memo entries reused within the draft that made them, as designed: {hits('same draft')})")
    for label, secs in (("cold (all KRs new)", cold), ("warm (re-review)", warm), ("naive 5-regex pass", naive)):
        print(f"  {label:19} {secs:6.2f} s · {krs / secs:9,.0f} KRs/s · {1e6 * secs / krs:6.1f} µs per KR")
    print(f"  cold takes {cold / naive:.0f}× the naive pass's time (issue 12 asks ≤ 12× and ≥ 10,000 KRs/s)")

    second = corpus(n // 2, seed=8, first=n)
    empty_caches(rb, caches)
    spent, n2 = staged(second)
    total = sum(spent.values())
    print(f"cold, by stage ({n2:,} other KRs, caches emptied again; {n2 / total:,.0f} KRs/s):")
    for stage, what in STAGES.items():
        print(f"  {stage:9} {1e6 * spent[stage] / n2:6.1f} µs per KR · {100 * spent[stage] / total:3.0f}%  {what}")

    third = corpus(1_000, seed=9, first=2 * n)
    empty_caches(rb, caches)
    work = work_per_kr(third)
    print("work per KR, cold (KR analyses include each generated rewrite's): "
          + ", ".join(f"{k} {v:.1f}" for k, v in work.items()))


if __name__ == "__main__":
    main()
