"""Deterministic rewrites: action · metric · from [baseline] to [target] (by deadline).

A rewrite keeps the author's numbers and writes a bracketed placeholder for
every value the author did not give, with a question asking for it. Each
rewrite is then checked twice before it is returned: by `provenance` (no
number the author did not write) and by the rubric itself (no label finding
other than for its placeholders).
"""

from __future__ import annotations

import re

from .language.facts import KrFacts
from .language.key_results import analyze_kr
from .language.labels import kr_label
from .language.phrases import (
    COMPARATIVE_START,
    EVERYONE,
    baseline_text,
    metric_phrase,
    polarity_verb,
    short_name,
    strip_deadline,
    target_phrase,
    verb_for,
)
from .models import Rewrite, Target
from .provenance import enforce
from .rubric import Rubric


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
    return kr_label(analyze_kr(text, rubric.lexicon), rubric) is None


def _candidates(facts: KrFacts, label: str, rubric: Rubric):
    """Rewrites from the most specific to the most generic; the first that passes wins."""
    _, deadline = strip_deadline(facts.text)
    if label == "task":
        outcomes = rubric.lexicon.lookup("task_outcomes", facts.text)
        task = facts.text.strip().rstrip(".")
        ask = f'What is "{task}" for: which result should it change?'
        if outcomes:
            ask += " Candidates: " + "; ".join(outcomes) + "."
            metric = outcomes[0]
            m = short_name(metric)
            yield (
                _compose(
                    polarity_verb(metric, rubric),
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
    metric = metric_phrase(facts, rubric.lexicon)
    if label == "no_metric":
        hints = rubric.lexicon.lookup("vague_metrics", facts.text)
        subject = COMPARATIVE_START.sub("", metric) or "this"
        if hints:
            m = hints[0]
            alt = f" Alternatives: {', '.join(hints[1:])}." if len(hints) > 1 else ""
            yield (
                _compose(
                    polarity_verb(m, rubric),
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
    everyone = EVERYONE.match(facts.text)
    if label == "no_baseline" and everyone:
        # "Every AE certified by Q1": the target is all of them; ask where the share is today.
        subject = strip_deadline(facts.text[everyone.end() :])[0].strip(" .")
        yield (
            f"Increase the share of {subject} from [current share] to all" + (f" {deadline}" if deadline else ""),
            [],
            [f"What share of them is {subject.split(' ', 1)[-1]} today?"],
        )
    metric = metric or "[metric]"
    verb = verb_for(facts, metric, rubric)
    m = short_name(metric)
    if label == "no_target":
        baseline = baseline_text(facts) or f"[current {m}]"
        questions = [f"What {metric} would count as success at the end of the cycle?"]
        if baseline.startswith("["):
            questions.append(f"What is the current {metric}?")
        yield _compose(verb, metric, baseline, f"[target {m}]", deadline), [], questions
    elif label == "no_baseline":
        found = target_phrase(facts, rubric.lexicon)
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
