"""Sharper phrasings for an objective that is a slogan or a plain direction.

For an objective flagged as an aspiration or a generic direction, up to three phrasings
that keep the author's objective word for word and add the choice its own key results
already make: the result one of them moves ("… by reducing first response time") or the
lever one of them pulls ("… by launching the self-service portal"), with the questions
that decide between them.

Nothing is invented. The words after "by" come from a key result of the same objective
(its metric, as the KR rewrites read it, or the task itself), a phrase with a number in
it is never used (a number must not move from a key result into an objective), the verb
is the key result's own or its metric's direction, and a verb is only used where its -ing form
follows from its spelling. An objective whose key results name neither a metric nor a lever gets the
questions alone.
"""

from __future__ import annotations

import re

from .checks import SetContext
from .language.facts import KrFacts
from .language.names import sure_metric
from .language.noun_phrases import holds_letter, is_noun_phrase, participle
from .language.phrases import polarity_verb, strip_deadline, verb_for
from .language.reading import countable
from .lexicon import Lexicon, tokenize
from .lexicon import gerund as gerund_of
from .models import Finding, ObjectiveSuggestion, Target
from .provenance import numbers_in
from .rubric import Rubric

MAX_OPTIONS = 3
MAX_PHRASE_WORDS = 7  # longer and the objective reads like its key result pasted in
# The checks whose objectives get suggestions (by check, so a custom rubric's ids work too).
SUGGESTED_FOR = frozenset({"aspiration", "generic_direction"})
_VALUE = re.compile(r"(\d+(?:\.\d+)?)\s?(k|m|mm|mn|bn|b|million|billion|thousand)?")
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}


def suggest_objectives(ctx: SetContext, findings: list[Finding]) -> list[ObjectiveSuggestion]:
    rb = ctx.rubric
    flagged: dict[int, list[str]] = {}
    for f in findings:
        t = f.target
        rule = rb.rules.get(f.rule_id)
        if t.objective is not None and t.key_result is None and rule is not None and rule.check in SUGGESTED_FOR:
            flagged.setdefault(t.objective, []).append(f.rule_id)
    if not flagged:
        return []  # no objective to rephrase: the author's numbers need no reading
    # The numbers the author wrote, read once per set and only when a phrasing holds one: reading
    # every text again for each option made a large draft quadratic (a 1 MB draft spent 94% of
    # its time here).
    known: set[str] = set()

    def sourced(focus: str) -> bool:
        numbers = numbers_in(focus)
        if numbers and not known:
            known.update(n for o in ctx.okr_set.objectives for t in (o.text, *(k.text for k in o.key_results)) for n in numbers_in(t))
        return known.issuperset(numbers)

    out = []
    for oi, rule_ids in sorted(flagged.items()):
        text = ctx.okr_set.objectives[oi].text
        # Nor to learning: nobody understands a customer "by increasing NPS" (asked instead).
        learning = _learning(ctx.objectives[oi].low, rb.lexicon)
        focuses = [] if learning else _focuses(ctx.key_results[oi], ctx.objectives[oi].words, rb)
        base = text.strip().rstrip(".!;:,").strip()
        # "… by reducing churn" attaches to an order or a name, not to a sentence ("Customer
        # success is everyone's job") or an objective that already says how.
        sentence = rb.lexicon.patterns.already_how.search(base) or _declarative(ctx.objectives[oi].low, rb.lexicon)
        # No number the author did not write: the objective's own are, so only the focus is read.
        options = [] if sentence else [f"{base} by {focus}" for focus in focuses if sourced(focus)]
        out.append(
            ObjectiveSuggestion(
                target=Target(objective=oi),
                original=text,
                options=options,
                questions=[_LEARNING_QUESTION] if learning else _questions(focuses),
                addresses=rule_ids,
            )
        )
    return out


def _focuses(krs: list[KrFacts], objective_words: frozenset[str], rb: Rubric) -> list[str]:
    """'reducing first response time', 'launching the self-service portal': what the set's
    key results move or do, results first (an objective is about a result), in set order."""
    lex = rb.lexicon
    seen: list[set[str]] = []
    out: list[str] = []

    def add(phrase: str) -> None:
        # "boosting NPS" and "increasing NPS", "growing research income" and "increasing
        # income": one result, named once.
        named = _content(phrase.split(" ", 1)[1], lex)
        if not any(named <= other or other <= named for other in seen):
            seen.append(named)
            out.append(phrase)

    results = 0
    for facts in krs:
        if len(out) == MAX_OPTIONS:
            break  # the later key results could add no option: none is read
        if not facts.is_task and facts.quantities:  # a KR with no number names an aim, not a result to build on
            result = _result(facts, objective_words, rb)
            if result:
                results += 1
                add(result)
    # A lever only where the key results name fewer than two results to build on.
    if results < 2:
        for facts in krs:
            if len(out) == MAX_OPTIONS:
                break
            lever = _lever(facts, lex) if facts.is_task else ""
            if lever:
                add(lever)
    return out


def _result(facts: KrFacts, objective_words: frozenset[str], rb: Rubric) -> str:
    """'reducing first response time': the KR's metric with its direction, or ""."""
    lex = rb.lexicon
    metric = sure_metric(facts, lex)  # the metric a KR rewrite would name, or none
    if not _usable(metric) or not is_noun_phrase(metric, lex):
        return ""
    if _content(metric, lex) <= objective_words:
        return ""  # "Improve customer satisfaction by increasing customer satisfaction score"
    lead = facts.lead
    done = f" {participle(lead.lemma, lex)}" if lead and lead.index == 0 else ""
    if done.strip() and metric.endswith(done):
        metric = metric[: -len(done)]  # "Sell 300 bikes": the bikes, sold by selling more of them
    words = lex.patterns.objective_split_head.split(metric.lower(), maxsplit=1)[0].split()  # the head: "google rating" of "... across all venues"
    last = metric.lower().split()[-1]
    if not words or words[0] in lex["pronoun_subjects"].words or (
        last.endswith("ing") and lex.lemma_of(last) != last  # "share of departments finishing": cut short
    ):
        return ""
    head = words[-1]
    counted = (
        (countable(head, lex) or head in lex["value_first_nouns"].words)
        and head not in lex["metric_heads"].words
        and not re.search(r"[A-Z]", metric.split()[-1][1:])  # "eNPS", "KPIs": a name, not a count
    )
    # "Sell 500 bikes", "Sign 10 customers": the KR's own verb of doing (not "Increase", "Reach").
    doing = (
        lead
        and lead.index == 0
        and lead.token == lead.lemma
        and lead.kind not in {"level", "maintain"}
        and lead.lemma not in lex["quantity_verbs"].words
        and gerund_of(lead.lemma)
    )
    if doing and counted and not lex.patterns.objective_counted.match(metric):
        return f"{gerund_of(lead.lemma)} more {metric}"  # "Sell 500 bikes": selling more bikes
    # The KR's own verb ("Cut", "Grow"), else the metric's direction; "lower" has no
    # spelling-safe -ing form, so its direction's verb stands in.
    verb = "reduce" if _falls(facts) else (verb_for(facts, metric, rb) or polarity_verb(metric, rb)).lower()
    gerund = gerund_of(verb) or gerund_of(polarity_verb(metric, rb).lower())
    if lex.patterns.objective_counted.match(metric):
        metric = "the " + metric  # "reducing the number of avoidable calls"
    elif counted:
        metric = "the number of " + metric  # "Reach 5,000 children": the number of children
    return f"{gerund} {metric}" if gerund else ""


def _learning(low: str, lex: Lexicon) -> bool:
    """'Understand our customer', 'Learn Rust', 'Figure out pricing': an objective to learn."""
    toks = [t for t, _ in tokenize(low)]
    opening = frozenset(" ".join(toks[:k]) for k in (1, 2, 3))
    return bool(toks) and lex["learning_verbs"].has(opening)


def _declarative(low: str, lex: Lexicon) -> bool:
    """'Customer happiness is our mission', 'Everyone goes home safe', 'Every animal deserves
    love': a subject and its verb, not an order or a name."""
    toks = [t for t, _ in tokenize(low)]
    if not toks:
        return False
    if toks[0] in lex["pronoun_subjects"].words or toks[0] in {"every", "each"} & lex["determiners"].words:
        return True
    finite = lex["passive_auxiliaries"].words - {"be", "been"}
    return any(
        t in finite or (t.endswith("s") and t != lex.lemma_of(t) and bool(lex.verb_classes(t)))
        for t in toks[1:]
    )


def _falls(facts: KrFacts) -> bool:
    """The author's own numbers go down ("Claims portal NPS 52 → 40"): the direction is theirs,
    whatever the metric's usual one."""
    base = [q for q in facts.measures if q.role == "baseline"]
    goal = [q for q in facts.measures if q.role == "target"]
    if len(base) != 1 or len(goal) != 1 or base[0].kind != goal[0].kind:
        return False
    a, b = _value(base[0].text), _value(goal[0].text)
    return a is not None and b is not None and b < a


def _value(text: str) -> float | None:
    m = _VALUE.search(text.lower().replace(",", ""))
    if not m:
        return None
    return float(m.group(1)) * _SCALE.get(m.group(2) or "", 1.0)


def _content(phrase: str, lex: Lexicon) -> set[str]:
    return {t for t, _ in tokenize(phrase.lower())} - lex["stopwords"].words - lex["metric_heads"].words


def _lever(facts: KrFacts, lex: Lexicon) -> str:
    """'Launch the new customer portal' → 'launching the new customer portal': a task that
    starts with its own verb, short and without numbers; "" otherwise. Learning and setting
    up measurement ("Create a user survey") are no lever an objective is built on."""
    lead = facts.lead
    if lead is None or lead.index != 0 or lead.token != lead.lemma or lead.kind not in {"delivery", "ambiguous"}:
        return ""
    if lead.lemma in lex["learning_verbs"].words or lex["measurement_nouns"].has(facts.words):
        return ""
    gerund = gerund_of(lead.lemma)
    start = facts.tokens[0][1] + len(lead.token)
    rest, _ = strip_deadline(facts.text[start:], lex)
    rest = rest.strip().rstrip(".!;:,").strip()
    return f"{gerund} {rest}" if gerund and _usable(rest) else ""


def _usable(phrase: str) -> bool:
    words = phrase.split()
    return (
        0 < len(words) <= MAX_PHRASE_WORDS
        and not any(c.isdigit() for c in phrase)  # no number moves into the objective
        and not holds_letter(phrase)  # nor a letter left for one ("implementing x processes")
        and "[" not in phrase
        and not re.search(r"[()\"“”:;]", phrase)  # a note or a quote does not belong in an objective
    )


_LEARNING_QUESTION = (
    "What will the team decide or do differently once it knows this, and which result "
    "should that move this cycle?"
)


def _questions(focuses: list[str]) -> list[str]:
    if not focuses:
        return [
            "None of this objective's key results names a result or a lever to build it on: "
            "which result should it move this cycle, and for whom?"
        ]
    picks = [f"“{f}”" for f in focuses]
    if len(picks) == 1:
        choice = f"Is {picks[0]} the choice the team makes this cycle? If not, which result is?"
    else:
        listed = ", ".join(picks[:-1]) + " or " + picks[-1]
        choice = f"Which of these is the choice the team makes this cycle: {listed}? The others can stay key results."
    return [choice]  # the finding's own questions ask for the segment, product or lever
