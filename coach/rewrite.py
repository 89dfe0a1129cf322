"""Deterministic rewrites: action · metric · from [baseline] to [target] (by deadline).

A rewrite keeps the author's numbers and writes a bracketed placeholder for
every value the author did not give, with a question asking for it. Each
rewrite is then checked twice before it is returned: by `provenance` (no
number the author did not write) and by the rubric itself (no label finding
other than for its placeholders).
"""

from __future__ import annotations

import re

from .analysis import KrFacts, analyze_kr
from .lexicon import grams, tokenize
from .models import Rewrite, Target
from .provenance import enforce
from .quantities import DEADLINE_PHRASE_RE, Quantity
from .rubric import Rubric

_FRAME_BEFORE = re.compile(
    r"(?:\b(?:from|to|by|up|down|at least|at most|at|of|above|below|under|over|less than|more than|"
    r"fewer than|up to|no more than|no less than|greater than|within|reach|hit|around|about|"
    r"approx\.?|~|≥|≤|>=|<=|<|>|=|:)\s*)+$",
    re.I,
)
_COMPARATOR = re.compile(
    r"(?:at least|at most|above|below|under|over|less than|more than|fewer than|up to|no more than|"
    r"no less than|greater than|within|≥|≤|>=|<=|<|>)\s*$"
)
_LEADING_NOISE = re.compile(
    r"^(?:(?:of|the|our|a|an|in|on|for|with|by|to|at|is|are|be|:|-|–|,)\s+)+", re.I
)
_TRAILING_NOISE = re.compile(
    r"(?:\s+(?:of|the|our|a|an|in|on|for|with|by|to|at|from|and|is|are|be|up|down|vs\.?|versus|"
    r"currently|current|baseline|reach|hit|more|than|less|fewer|least|most|above|below|under|"
    r"over|around|about|approx\.?|per|:|-|–|<|>|≤|≥|<=|>=|=|\+|significantly|dramatically|"
    r"substantially|considerably|materially|meaningfully|massively|further|steadily))+$",
    re.I,
)
_EVERYONE = re.compile(r"^\s*(?:every|all|each)\s+", re.I)
_WEAK_END = frozenset("the a an of to for in on at by with and or who that their our".split())
_COMPARATIVE_START = re.compile(
    r"^(?:(?:faster|slower|better|stronger|clearer|smoother|easier|simpler|tighter|closer|deeper|"
    r"quicker|cheaper|more|less|fewer|greater|higher|lower)\s+)+",
    re.I,
)
_DIRECTION_WORDS = re.compile(
    r"^(?:(fewer|less|lower|smaller|shorter)|(more|higher|greater|bigger|longer))\s+", re.I
)
_SHORT_CUT = re.compile(
    r"\s(?:for|with|on|in|at|across|among|within|under|over|via|through|from|by|per|of|older|[<>≤≥])\s", re.I
)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_CLAUSE_AFTER = re.compile(r",\s|[;(]|\b(?:up from|down from|currently|vs\.?|versus|compared)\b")


def _clean(phrase: str) -> str:
    phrase = _PARENS.sub(" ", phrase)
    phrase = re.sub(r"[(\[][^)\]]*$", " ", phrase)  # a bracket the cut left open: "(currently est."
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,.;:-–—<>≤≥=+")
    for _ in range(3):
        phrase = _LEADING_NOISE.sub("", phrase)
        phrase = _TRAILING_NOISE.sub("", phrase).strip(" ,.;:-–—<>≤≥=+")
    phrase = _DIRECTION_WORDS.sub("", phrase)
    # Sentence case from the draft is not part of the metric's name ("Quota attainment").
    first = phrase.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower():
        phrase = phrase[0].lower() + phrase[1:]
    return phrase


def _polarity_verb(metric: str, rubric: Rubric) -> str:
    text_grams = grams([t for t, _ in tokenize(metric.lower())])
    return "Reduce" if rubric.lexicon["lower_is_better"].has(text_grams) else "Increase"


def _verb(facts: KrFacts, metric: str, rubric: Rubric) -> str:
    lead = facts.lead
    if (
        lead
        and lead.kind == "change"
        and lead.lemma not in {"double", "triple", "quadruple", "halve"}
    ):
        return lead.lemma.capitalize()
    direction = _DIRECTION_WORDS.match(facts.text.strip())
    if direction:
        return "Reduce" if direction.group(1) else "Increase"
    for q in facts.measures:  # not "Invoices overdue > 60 days": that picks the invoices
        if q.role != "target" or q.kind == "placeholder":
            continue
        before = facts.low[max(0, q.start - 14) : q.start]
        if re.search(r"(?:\bdown(?: by)?|\bunder|\bbelow|\bless than|\bfewer than|\bat most|\bno more than|[≤<\-−])\s*$", before):
            return "Reduce"
        if re.search(r"(?:\bup(?: by)?|\babove|\bover|\bat least|\bmore than|\bno less than|[≥>+])\s*$", before):
            return "Increase"
    if metric.startswith("share of "):
        return _polarity_verb(_short(metric)[9:], rubric)
    if re.search(r"\b(?:zero|halve|halved)\b", facts.low):
        return "Reduce"
    return _polarity_verb(metric, rubric)


def _strip_deadline(text: str) -> tuple[str, str | None]:
    m = DEADLINE_PHRASE_RE.search(text.lower())
    if not m:
        return text, None
    phrase = text[m.start() : m.end()].strip(" ,.;")
    if not re.match(
        r"(?i)(by|before|until|till|in|within|during|for|no later than|at|end|start|after)\b",
        phrase,
    ):
        phrase = f"by {phrase}"
    # Blank the deadline out in place: offsets into the text must stay valid.
    return (text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]), phrase


def metric_phrase(facts: KrFacts) -> str:
    """The thing measured, in the author's words: 'Increase NPS to 50' → 'NPS'."""
    if "metric" not in facts.cache:
        facts.cache["metric"] = _metric_phrase(facts)
    return facts.cache["metric"]  # type: ignore[return-value]


def _metric_phrase(facts: KrFacts) -> str:
    text, _ = _strip_deadline(facts.text)
    low = text.lower()
    start = 0
    if facts.lead is not None:
        tok, pos = facts.tokens[facts.lead.index]
        start = pos + len(tok)
    # Qualifiers belong to the metric's name ("Invoices overdue > 60 days"): cut at values only.
    quantities = [q for q in facts.measures if q.start >= start and q.end <= len(text)]
    if not quantities:
        cut = _CLAUSE_AFTER.search(low, start)
        return _clean(text[start : cut.start() if cut else len(text)])
    first, last = quantities[0], quantities[-1]
    share = re.match(r"\s*of\s+(.+)", text[first.end :])
    if first.kind == "percent" and first.start - start < 3 and share:
        # "90% of claims paid within 5 days" measures a share.
        rest = share.group(1)
        cut = _CLAUSE_AFTER.search(rest.lower())
        return "share of " + _clean(rest[: cut.start() if cut else len(rest)])
    before = _clean(_FRAME_BEFORE.sub("", text[start : first.start]))
    if len(re.findall(r"[A-Za-z]{2,}", before)) >= 1:
        return before
    after = text[last.end :]
    cut = _CLAUSE_AFTER.search(after.lower())
    return _clean(after[: cut.start() if cut else len(after)])


def _short(metric: str) -> str:
    """A short name for placeholders: '[current average processing time]'."""
    if not metric or "[" in metric:
        return "value"
    if metric.startswith("share of "):
        words = metric[9:].split()[:3]
        while len(words) > 1 and words[-1].lower() in _WEAK_END:
            words.pop()
        return "share of " + " ".join(words)
    head = _SHORT_CUT.split(f" {metric} ", maxsplit=1)[0].strip()
    words = head.split()[:5]
    while len(words) > 1 and words[-1].lower() in _WEAK_END:
        words.pop()
    return " ".join(words) or "value"


def _target_phrase(facts: KrFacts) -> tuple[str, Quantity] | None:
    targets = [q for q in facts.quantities if q.role == "target" and q.kind != "placeholder"]
    if not targets:
        return None
    q = targets[-1]
    if metric_phrase(facts).startswith("share of ") and targets[0].kind == "percent":
        q = targets[0]  # "90% of claims paid within 5 days": the share is the target
    if q.text.lower() == "zero":
        return "zero", q
    before = facts.text[max(0, q.start - 16) : q.start]
    comp = _COMPARATOR.search(before.lower())
    prefix = before[comp.start() :].strip() + " " if comp else ""
    return prefix + q.text, q


def _baseline_text(facts: KrFacts) -> str | None:
    bases = [q for q in facts.quantities if q.role == "baseline" and q.kind != "placeholder"]
    return bases[0].text if bases else None


def describe(facts: KrFacts, rubric: Rubric) -> dict[str, str]:
    """Fields the rule messages use: {metric}, {verb}, {target}, {metric_hint}."""
    metric = metric_phrase(facts) or "the metric"
    target = _target_phrase(facts)
    hints = rubric.lexicon.lookup("vague_metrics", facts.text)
    return {
        "metric": metric,
        "verb": _verb(facts, metric, rubric).lower(),
        "target": target[0] if target else "[target]",
        "metric_hint": ", ".join(hints) if hints else "a count, a rate, a time or a score",
    }


def _compose(verb: str, metric: str, baseline: str, target: str, deadline: str | None) -> str:
    text = f"{verb} {metric} from {baseline} to {target}"
    return f"{text} {deadline}" if deadline else text


def build_rewrite(
    facts: KrFacts,
    label: str,
    rubric: Rubric,
    target: Target,
    sources: list[str],
    rule_ids: list[str],
) -> Rewrite | None:
    """A checked rewrite for a KR carrying `label`, or None when none passes the checks."""
    for text, placeholders, questions in _candidates(facts, label, rubric):
        text, replaced = enforce(text, sources)
        if replaced:
            placeholders.append("[value]")
        if kr_is_clean(text, rubric):
            return Rewrite(
                target=target,
                original=facts.text,
                text=text,
                placeholders=sorted(set(re.findall(r"\[[^\]]+\]", text))),
                questions=questions,
                addresses=rule_ids,
            )
    return None


def kr_is_clean(text: str, rubric: Rubric) -> bool:
    from .checks import kr_label  # local: checks imports rewrite

    return kr_label(analyze_kr(text, rubric.lexicon), rubric) is None


def _candidates(facts: KrFacts, label: str, rubric: Rubric):
    """Rewrites from the most specific to the most generic; the first that passes wins."""
    _, deadline = _strip_deadline(facts.text)
    if label == "task":
        outcomes = rubric.lexicon.lookup("task_outcomes", facts.text)
        task = facts.text.strip().rstrip(".")
        ask = f'What is "{task}" for: which result should it change?'
        if outcomes:
            ask += " Candidates: " + "; ".join(outcomes) + "."
            metric = outcomes[0]
            m = _short(metric)
            yield (
                _compose(
                    _polarity_verb(metric, rubric),
                    metric,
                    f"[current {m}]",
                    f"[target {m}]",
                    deadline,
                ),
                [],
                [ask, f"What is the current {metric}?", f"What {metric} would count as success?"],
            )
        yield (
            _compose(
                "Increase",
                "[outcome metric this task should move]",
                "[baseline]",
                "[target]",
                deadline,
            ),
            [],
            [ask, "What is its current value, and what value would count as success?"],
        )
        return
    metric = metric_phrase(facts)
    if label == "no_metric":
        hints = rubric.lexicon.lookup("vague_metrics", facts.text)
        subject = _COMPARATIVE_START.sub("", metric) or "this"
        if hints:
            m = hints[0]
            alt = f" Alternatives: {', '.join(hints[1:])}." if len(hints) > 1 else ""
            yield (
                _compose(
                    _polarity_verb(m, rubric),
                    f"{subject} ({m})",
                    f"[current {m}]",
                    f"[target {m}]",
                    deadline,
                ),
                [],
                [
                    f"Is {m} the right measure of {subject}?{alt}",
                    f"What is the current {m}?",
                    f"What {m} would count as success?",
                ],
            )
        yield (
            _compose("Increase", f"[metric for {subject}]", "[baseline]", "[target]", deadline),
            [],
            [
                f"Which number would show that {subject} changed?",
                "What is its current value and the target?",
            ],
        )
        return
    everyone = _EVERYONE.match(facts.text)
    if label == "no_baseline" and everyone:
        # "Every AE certified by Q1": the target is all of them; ask where the share is today.
        subject = _strip_deadline(facts.text[everyone.end() :])[0].strip(" .")
        yield (
            f"Increase the share of {subject} from [current share] to all" + (f" {deadline}" if deadline else ""),
            [],
            [f"What share of them is {subject.split(' ', 1)[-1]} today?"],
        )
    metric = metric or "[metric]"
    verb = _verb(facts, metric, rubric)
    m = _short(metric)
    if label == "no_target":
        baseline = _baseline_text(facts) or f"[current {m}]"
        questions = [f"What {metric} would count as success at the end of the cycle?"]
        if baseline.startswith("["):
            questions.append(f"What is the current {metric}?")
        yield _compose(verb, metric, baseline, f"[target {m}]", deadline), [], questions
    elif label == "no_baseline":
        found = _target_phrase(facts)
        questions = [f"What is the current {metric}?"]
        relative = found is not None and (
            (
                found[1].kind in {"percent", "points", "currency", "number"}
                and re.search(
                    r"(?:\bby|\bup|\bdown|[+\-−])\s*$",
                    facts.text[max(0, found[1].start - 6) : found[1].start].lower(),
                )
            )
            or found[1].kind == "multiplier"
            or (found[1].kind == "word" and found[0] != "zero")
        )
        if found and relative:
            rel, q = found
            if q.kind == "word":  # "Double trial sign-ups"
                action = f"{rel.capitalize()} {metric},"
            elif q.kind == "multiplier":
                action = f"{verb} {metric} {rel},"
            else:
                action = f"{verb} {metric} by {rel.lstrip('+-−')},"
            yield (
                f"{action} from [current {m}] to [target {m}]" + (f" {deadline}" if deadline else ""),
                [],
                questions + [f"What {metric} does that change mean in absolute terms?"],
            )
        target_text = found[0] if found else f"[target {m}]"
        yield _compose(verb, metric, f"[current {m}]", target_text, deadline), [], questions
    # Last resort for any label: the generic form always passes the rubric.
    yield (
        _compose(
            verb,
            f"[metric for: {facts.text.strip().rstrip('.')[:60]}]",
            "[baseline]",
            "[target]",
            deadline,
        ),
        [],
        ["Which number shows progress here, where is it today, and where should it be?"],
    )
