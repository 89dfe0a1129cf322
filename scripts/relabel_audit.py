"""Find items of evals/datasets/ whose labels may disagree with the contract's hard cases.

The contract is `../shared/okr-labels.md`, section "How the labels are applied
(the hard cases)". Each finder below is one rule of that section and lists
*candidates* only: a regex cannot tell "Grow the help centre from 40 to 80
articles" (an output, `task`) from "Grow weekly active teams from 40 to 80"
(an outcome). Every relabel is decided by reading the item, and recorded with
the rule it follows in `scripts/relabel_decisions.tsv`.

    python scripts/relabel_audit.py                    # candidates, every rule
    python scripts/relabel_audit.py --rule kr-maintain # one rule
    python scripts/relabel_audit.py --apply scripts/relabel_decisions.tsv
    python scripts/relabel_audit.py --counts scripts/relabel_decisions.tsv

`--apply` changes labels only: it refuses a decision whose recorded old label
is not the item's label now, and checks that no text changed. Decisions are
keyed `<dataset stem>/<example id>/O<n>[.KR<m>]`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "evals" / "datasets"


@dataclass
class Item:
    key: str
    kind: str  # "objective" or "kr"
    text: str
    label: str  # "none" when unlabeled
    objective: str  # the objective's text (for a KR: its parent's)


def items(folder: Path = DATASETS) -> Iterator[Item]:
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            ex = json.loads(line)
            for oi, obj in enumerate(ex["objectives"], start=1):
                okey = f"{path.stem}/{ex['id']}/O{oi}"
                yield Item(okey, "objective", obj["text"], _label(obj), obj["text"])
                for ki, kr in enumerate(obj["key_results"], start=1):
                    yield Item(f"{okey}.KR{ki}", "kr", kr["text"], _label(kr), obj["text"])


def _label(entry: dict) -> str:
    return entry["labels"][0] if entry.get("labels") else "none"


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


NUM = r"\d[\d,.]*"
FROM_TO = rx(rf"\bfrom\b[^;]*?\bto\b|{NUM}[^;→]*?(→|->|=>)|\b(was|now|currently|today|baseline)\b")
STATED = rx(r"\b(from|currently|today|now|baseline|vs\.?|versus|was|were|up from|down from)\b|→|->|\(\s*(Q\d|H\d|20\d\d|last)")
MAINTAIN = rx(r"\b(maintain\w*|keep\w*|kept|sustain\w*|hold|held|holds|stays?|remains?|preserve\w*)\b")
TARGET_NUM = rx(rf"{NUM}|\bzero\b|\bnone\b|\bno more than\b")
PLACEHOLDER = rx(r"\b(x+|n|tbd|tbc|tba)\b\s*%?|\bx\s*%|\?\?|\[\s*\]|\.\.\.")
REFERENCED = rx(r"\b(compared (to|with)|than (last|the previous|previous)|vs\.? (last|the previous|previous|prior)|"
                r"(year[- ]over[- ]year|yoy|qoq|mom)\b|over (last|the previous|prior) (year|quarter|month)|"
                r"on last (year|quarter|month)|above last|below last|last year's|last quarter's|"
                r"up \d+ ?(points|pts|pp)|down \d+ ?(points|pts|pp))")
DEADLINE_ONLY = rx(r"^(?!.*\b(to|under|below|above|over|at least|at most|by \d|\d+ ?%|\d+x)\b).*\bby (q[1-4]|h[12]|end of|eoy|eoq|"
                   r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|\d{1,2}(st|nd|rd|th)? \w+|20\d\d)\b")
NAMED_SCORE = rx(r"\b(nps|csat|ces|enps|net promoter|satisfaction scores?|scores?|ratings?|rate|ratio|index|"
                 r"time to \w+|cycle time|lead time|churn|retention|conversion|revenue|margin|cost|uptime|"
                 r"latency|throughput|turnover|attrition|number of|share of|percentage of|% of)\b")
OWN_OUTPUT = rx(r"\b(articles?|posts?|blog posts?|videos?|episodes?|case stud(y|ies)|guides?|tutorials?|"
                r"docs?|documentation pages?|pages?|fields?|steps?|screens?|clicks?|forms?|templates?|"
                r"workshops?|webinars?|events?|meetups?|talks?|sessions?|trainings?|courses?|modules?|"
                r"lessons?|interviews?|calls?|visits?|demos?|campaigns?|experiments?|tests?|a/b tests?|"
                r"features?|releases?|integrations?|connectors?|endpoints?|apis?|sdks?|plugins?|languages?|"
                r"locales?|translations?|hires?|engineers?|sres?|developers?|designers?|recruiters?|"
                r"reports?|newsletters?|audits?|reviews?|retros?|action items?|runbooks?|playbooks?|"
                r"dashboards?|prs?|pull requests?|commits?|tickets closed|stories|story points|skus?|"
                r"listings?|products? launched|items? on the roadmap|roadmap items?|checks?|controls?|"
                r"policies|policy|procedures?|sops?|processes)\b")
ACTIVITY_VERB = rx(r"^\s*(publish|post|write|produce|film|record|ship|release|launch|run|hold|host|organi[sz]e|"
                   r"deliver|complete|conduct|hire|recruit|onboard|train|interview|call|visit|send|email|"
                   r"create|build|add|migrate|document|translate|deploy|automate|audit|review|resolve|close|"
                   r"fix|implement|introduce|roll out|set up|attend|speak|present|submit|pilot|test|"
                   r"run|do|make|open|install|replace|upgrade|retire|decommission)\b")
DELIVERABLE_FIRST = rx(r"^\s*(launch|ship|release|roll out|implement|introduce|deploy|build|deliver|migrate|"
                       r"go live|complete|rebuild|redesign|create|set up|stand up|open|start|pilot)\b")
MEASURE_SETUP = rx(r"\b(start (tracking|measuring)|begin (tracking|measuring)|track(ing)?|measure|measuring|"
                   r"instrument\w*|set up (a )?(dashboard|tracking|measurement)|establish (a )?baseline|"
                   r"define (the )?(metrics?|kpis?|baseline)|baseline (established|measured|set)|dashboard)\b")
LEARNING = rx(r"\b(understand\w*|learn\w*|clear picture|clarity on|decide\w*|decision on|identify|identified|"
              r"assess\w*|evaluate\w*|investigate\w*|explore\w*|research\w*|figure out|map(ped)? (out|all)|"
              r"knowledge|familiar\w*|insights? into)\b")
STAGED = rx(rf"\b(in|by) (q[1-4]|h[12]|month \d)\b.*{NUM}.*\b(in|by) (q[1-4]|h[12]|month \d)\b")
IMPLIED = rx(r"\b(double|triple|halve|half|quadruple|\d+(\.\d+)?x)\b")
PAREN_OR_NOTE = rx(r"\(([^)]*\d[^)]*)\)|[;—–:]\s*(currently|today|now|was|baseline|vs)\b|\b(currently|today|now|we have|we're at)\b")
DIRECTION_OBJ = rx(r"^\s*(increase|improve|grow|reduce|cut|lower|raise|boost|maximi[sz]e|minimi[sz]e|"
                   r"strengthen|enhance|optimi[sz]e|drive|sell|win|get|make|be|become|protect|streamline|"
                   r"modernis|modernize|promote|engage|scale|run|operate|help|monetize|monetise|deepen|"
                   r"expand|accelerate|simplify)\b")
LOFTY = rx(r"\b(best|world[- ]class|best[- ]in[- ]class|excellen\w*|delight\w*|great|amazing|outstanding|"
           r"transform\w*|iconic|legendary|unforgettable|preferred|of choice|success)\b")
NUMBER = rx(NUM)
PROJECT_OBJ = rx(r"^\s*(launch|ship|roll out|implement|build|define|migrate|deliver|introduce|create|"
                 r"we are working on|replace|open|set up|complete|rebuild|redesign)\b")


def _kr(label: str | tuple[str, ...], pattern: re.Pattern[str], *, unless: re.Pattern[str] | None = None
        ) -> Callable[[Item], bool]:
    labels = (label,) if isinstance(label, str) else label

    def check(it: Item) -> bool:
        return (it.kind == "kr" and it.label in labels and bool(pattern.search(it.text))
                and not (unless and unless.search(it.text)))

    return check


# rule id -> (what the contract says, the finder, the label the rule would give)
RULES: dict[str, tuple[str, Callable[[Item], bool], str]] = {
    "objective-direction": (
        "plain directions on a named dimension are not aspiration ('Increase revenue', 'Improve CSAT')",
        lambda it: it.kind == "objective" and it.label == "aspiration" and bool(DIRECTION_OBJ.search(it.text)),
        "none"),
    "objective-project-or-number": (
        "objectives that are projects or carry a number are not aspiration",
        lambda it: it.kind == "objective" and it.label == "aspiration"
        and bool(PROJECT_OBJ.search(it.text) or NUMBER.search(it.text)),
        "none"),
    "objective-named-focus": (
        "lofty wording attached to a real focus, or a heading that names an area, is not aspiration",
        lambda it: it.kind == "objective" and it.label == "aspiration" and bool(LOFTY.search(it.text))
        and len(it.text.split()) > 3,
        "none"),
    "objective-all-aspiration": (
        "every objective labeled aspiration, to read against the contract's slogan list",
        lambda it: it.kind == "objective" and it.label == "aspiration", "none"),
    "kr-maintain": (
        "keeping a level is no_baseline unless the current value is written",
        _kr("none", MAINTAIN, unless=STATED), "no_baseline"),
    "kr-own-output-from-to": (
        "from/to on an output the team controls is task",
        lambda it: it.kind == "kr" and it.label == "none" and bool(OWN_OUTPUT.search(it.text))
        and bool(FROM_TO.search(it.text)), "task"),
    "kr-own-output-count": (
        "counts or shares of the team's own outputs and activities are task",
        lambda it: it.kind == "kr" and it.label in ("no_baseline", "none", "no_target")
        and bool(ACTIVITY_VERB.search(it.text) or OWN_OUTPUT.search(it.text)) and bool(NUMBER.search(it.text)),
        "task"),
    "kr-measurement-setup": (
        "setting up measurement is task",
        _kr(("no_metric", "no_target", "no_baseline", "none"), MEASURE_SETUP), "task"),
    "kr-learning": (
        "learning deliverables are task",
        _kr(("no_metric", "no_target", "no_baseline", "none"), LEARNING), "task"),
    "kr-deliverable-with-number": (
        "a deliverable bundled with a number is task: the deliverable applies first",
        lambda it: it.kind == "kr" and it.label in ("none", "no_baseline", "no_target")
        and bool(DELIVERABLE_FIRST.search(it.text)), "task"),
    "kr-baseline-in-note": (
        "a baseline in a note or parentheses counts",
        _kr(("no_baseline", "no_target"), PAREN_OR_NOTE), "none"),
    "kr-referenced-baseline": (
        "a baseline only referenced ('compared to last quarter') does not count",
        _kr("none", REFERENCED), "no_baseline"),
    "kr-implied-baseline": (
        "a baseline only implied by arithmetic ('double X to 400') does not count",
        _kr("none", IMPLIED, unless=rx(r"\bfrom\b|→|->|currently|today")), "no_baseline"),
    "kr-placeholder": (
        "unfilled placeholders ('by X%', 'TBD') are no target",
        _kr(("none", "no_baseline", "task"), PLACEHOLDER), "no_target"),
    "kr-deadline-not-target": (
        "deadlines are not targets ('Increase NPS by Q3')",
        _kr("no_baseline", DEADLINE_ONLY), "no_target"),
    "kr-named-score": (
        "a named score with no number is no_target, not no_metric",
        _kr("no_metric", NAMED_SCORE, unless=NUMBER), "no_target"),
    "kr-staged-targets": (
        "staged targets ('20 demos in Q1, 30 in Q2') are targets without a baseline",
        _kr("none", STAGED, unless=STATED), "no_baseline"),
}


def candidates(rule: str) -> list[Item]:
    check = RULES[rule][1]
    return [it for it in items() if check(it)]


@dataclass
class Decision:
    key: str
    old: str
    new: str
    rule: str


def read_decisions(path: Path) -> list[Decision]:
    out: list[Decision] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 4:
            sys.exit(f"{path}:{n}: want key<TAB>old<TAB>new<TAB>rule")
        key, old, new, rule = (p.strip() for p in parts[:4])
        if rule not in RULES:
            sys.exit(f"{path}:{n}: unknown rule '{rule}'")
        out.append(Decision(key, old, new, rule))
    keys = Counter(d.key for d in out)
    twice = [k for k, c in keys.items() if c > 1]
    if twice:
        sys.exit(f"{path}: decided twice: {', '.join(twice)}")
    return out


_KEY = re.compile(r"^(?P<stem>[^/]+)/(?P<id>.+)/O(?P<o>\d+)(?:\.KR(?P<k>\d+))?$")


def apply(decisions: list[Decision], folder: Path = DATASETS) -> int:
    by_file: dict[str, list[Decision]] = {}
    for d in decisions:
        m = _KEY.match(d.key)
        if m is None:
            sys.exit(f"bad key {d.key}")
        by_file.setdefault(m["stem"], []).append(d)
    changed = 0
    for stem, ds in sorted(by_file.items()):
        path = folder / f"{stem}.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines()
        examples = [json.loads(line) for line in lines]
        texts_before = [_texts(e) for e in examples]
        index = {e["id"]: e for e in examples}
        for d in ds:
            m = _KEY.match(d.key)
            assert m is not None
            obj = index[m["id"]]["objectives"][int(m["o"]) - 1]
            entry = obj if m["k"] is None else obj["key_results"][int(m["k"]) - 1]
            if _label(entry) == d.new:
                continue  # applied already
            if _label(entry) != d.old:
                sys.exit(f"{d.key}: label is {_label(entry)}, the decision says it was {d.old}")
            entry["labels"] = [] if d.new == "none" else [d.new]
            changed += 1
        assert [_texts(e) for e in examples] == texts_before, f"{path}: a text changed"
        path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples), "utf-8")
    return changed


def _texts(example: dict) -> list[str]:
    return [example["id"]] + [t for o in example["objectives"]
                              for t in [o["text"], *(k["text"] for k in o["key_results"])]]


def counts(decisions: list[Decision]) -> str:
    per_rule = Counter(d.rule for d in decisions)
    moves = Counter((d.rule, d.old, d.new) for d in decisions)
    lines = [f"{len(decisions)} items relabeled"]
    for rule in RULES:
        if per_rule[rule]:
            detail = ", ".join(f"{o} -> {n}: {c}" for (r, o, n), c in sorted(moves.items()) if r == rule)
            lines.append(f"  {rule}: {per_rule[rule]} ({detail})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rule", choices=sorted(RULES), help="list the candidates of one rule")
    ap.add_argument("--apply", type=Path, help="apply a decisions file")
    ap.add_argument("--counts", type=Path, help="count a decisions file's relabels per rule")
    ap.add_argument("--undecided", type=Path,
                    help="with --rule: hide candidates that have a decision in this file")
    args = ap.parse_args(argv)
    if args.apply:
        decisions = read_decisions(args.apply)
        print(f"changed {apply(decisions)} labels")
        print(counts(decisions))
        return 0
    if args.counts:
        print(counts(read_decisions(args.counts)))
        return 0
    decided = {d.key for d in read_decisions(args.undecided)} if args.undecided else set()
    for rule in [args.rule] if args.rule else list(RULES):
        says, _, gives = RULES[rule]
        found = [it for it in candidates(rule) if it.key not in decided]
        print(f"## {rule}: {says} (-> {gives}); {len(found)} candidates")
        for it in found:
            context = "" if it.kind == "objective" else f"   [O: {it.objective}]"
            print(f"{it.key}\t{it.label}\t{it.text}{context}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
