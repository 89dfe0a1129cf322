"""Suggestions for a flagged key result: a rewrite the coach is sure of, or an ask.

A rewrite has the form *action · metric · from [baseline] to [target] (deadline)*: the
metric is a noun phrase taken from the KR itself (or, for a task, from what the task is
for), the author's numbers keep the roles they had, and every value the author did not give
is a visible `[placeholder]` with a question asking for it. Before a rewrite is returned it
passes four checks: provenance (no number the author did not write), number roles (no
number moved into a role it did not have), the rubric (the rewrite carries no label
finding), and its metric is a noun phrase. When no rewrite passes, or the coach would be
guessing, the KR gets an *ask* instead: the questions to answer and up to three candidate
metrics, ranked, each with why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

from .language.facts import KrFacts
from .language.key_results import analyze_kr
from .language.labels import kr_label
from .language.names import relative_target, sure_metric
from .language.noun_phrases import (
    is_measurable,
    is_noun_phrase,
    is_verb_phrase,
    unfit_name,
)
from .language.objectives import analyze_objective
from .language.phrases import (
    amount_of,
    baseline_text,
    metric_phrase,
    placeholder_name,
    polarity_verb,
    strip_deadline,
    target_phrase,
    target_scope,
    verb_for,
)
from .language.reading import countable, known_verb, object_chunk
from .language.tasks import outcome_clause
from .lexicon import Lexicon, tokenize
from .models import Ask, CandidateMetric, Rewrite, Target
from .provenance import enforce
from .quantities import Quantity
from .roles import misplaced
from .rubric import Rubric

_PLACEHOLDER = re.compile(r"\[[^\]]+\]")
_DIGIT = re.compile(r"\d")  # what every number provenance and the roles read holds
MAX_CANDIDATES = 3


@dataclass(frozen=True)
class Suggestion:
    """What the coach offers for one flagged KR: a checked rewrite (or None), and the ask
    shown when there is no rewrite (or when the set already uses that rewrite). The ask is
    built only when it is shown: its candidates are each checked like a rewrite."""

    rewrite: Rewrite | None
    build_ask: Callable[[Target], Ask]
    metric: str = ""  # the metric the rewrite measures, to keep two KRs of a set apart
    target: Target | None = None  # where the ask points (None: no item yet)

    @cached_property
    def ask(self) -> Ask:
        return self.build_ask(self.target or Target())


def suggest(
    facts: KrFacts,
    label: str,
    rubric: Rubric,
    sources: list[str],
    rule_ids: list[str],
    objective: str = "",
) -> Suggestion:
    """The suggestion for a KR carrying `label` under `objective` (targets left empty)."""
    drafts, questions, candidates = _drafts(facts, label, rubric, objective)

    clean: list[CandidateMetric] | None = None  # the candidates proven clean, read for the first ask

    def ask(target: Target) -> Ask:
        nonlocal clean
        if clean is None:
            # Each candidate is analysed to prove it clean: only until MAX_CANDIDATES have passed.
            found = (_checked_candidate(c, facts, rubric, sources) for c in candidates)
            clean = list(islice(filter(None, found), MAX_CANDIDATES))
        # Built once for the item it points at (a re-targeted copy cost as much again).
        return Ask(target=target, original=facts.text, questions=questions, candidates=clean, addresses=rule_ids)

    measured = label in {"no_target", "no_baseline"}  # (a task's rewrite names another thing)
    for metric, text, extra in drafts:
        checked = check_rewrite(text, facts, rubric, sources, metric)
        if checked is not None and measured:
            checked = _with_asides(facts, checked, rubric, sources)
        if checked is not None and not (measured and drops_a_condition(facts, checked, rubric.lexicon)):
            rewrite = Rewrite(
                target=Target(),
                original=facts.text,
                text=checked,
                placeholders=sorted(set(_PLACEHOLDER.findall(checked))),
                questions=extra + [q for q in questions if q not in extra],
                addresses=rule_ids,
            )
            return Suggestion(rewrite, ask, metric)
    return Suggestion(None, ask)


def check_rewrite(text: str, facts: KrFacts, rubric: Rubric, sources: list[str], metric: str | None = None) -> str | None:
    """`text` with unsourced numbers replaced, if it passes every check; else None."""
    lex = rubric.lexicon
    named = metric is not None and not metric.startswith("[")
    if named and not is_noun_phrase(metric, lex):
        return None  # the cheap rejection first: no text is read for it
    # A text without a digit has no number to replace or to move into another role.
    digits = _DIGIT.search(text) is not None
    if digits:
        text, _ = enforce(text, sources)
    read = analyze_kr(text, lex)
    if kr_label(read, rubric, slots=True) is not None or (digits and misplaced(facts, read, lex)):
        return None  # the rubric still flags it, or a number moved into another role
    found = metric_phrase(read, lex)
    if not (named and found == metric) and not is_noun_phrase(found, lex):
        return None  # read back, it names no metric: the bar a model's rewrite meets (guard)
    return text


def drops_a_condition(facts: KrFacts, text: str, lex: Lexicon) -> str:
    """The condition on what is counted that `text` leaves out ("NPS of 50+ | with the first
    100 users", "… by 10%, | averaged across a set of wikis", "authentications | using a
    secure credential"), a quarter that picks what is counted ("Q4 renewals at 95%") or a
    second result joined to the first ("… | and grow NPS"), or "": a rewrite without it
    measures something else. How the work is done ("by offering …", "through …") and asides
    in parentheses may go."""
    for m in lex.patterns.quarter_name.finditer(facts.low):
        if not any(s <= m.start() < e for s, e in facts.scan.deadlines) and m.group(0) not in text.lower():
            return m.group(0)
    for m in lex.patterns.joined_order.finditer(facts.low):
        verb = m.group(1)
        if lex.verb_classes(verb) & {"change_verbs", "level_verbs", "quantity_verbs"} and verb not in text.lower():
            return facts.low[m.start() :].strip()
    kept: set[str] | None = None  # (read only when the KR has a condition: most have none)
    plain = lex.union("stopwords", "determiners", "value_frames", "period_words", "time_units")
    for m in lex.patterns.condition.finditer(facts.low):
        if facts.low.count("(", 0, m.start()) > facts.low.count(")", 0, m.start()):
            continue  # an aside in parentheses ("(shows the average user is using it daily)")
        if lex.patterns.compared_period.match(facts.low, max(0, m.start() - 1)):
            continue  # "… 8% vs. last year": the period the change is counted from, the rewrite's start
        kept = kept if kept is not None else set(_WORDS.findall(text.lower()))
        if any(t not in kept and t not in plain for t in _WORDS.findall(m.group(0))):
            return m.group(0).strip()
    return ""


_WORDS = re.compile(r"[a-z][a-z'’-]*")


def kr_is_clean(text: str, rubric: Rubric) -> bool:
    return kr_label(analyze_kr(text, rubric.lexicon), rubric, slots=True) is None


def build_rewrite(
    facts: KrFacts,
    label: str,
    rubric: Rubric,
    target: Target,
    sources: list[str],
    rule_ids: list[str],
    objective: str = "",
) -> Rewrite | None:
    """The checked rewrite for a KR carrying `label`, or None (an ask is due instead)."""
    found = suggest(facts, label, rubric, sources, rule_ids, objective).rewrite
    return found.model_copy(update={"target": target}) if found else None


def _compose(verb: str, metric: str, baseline: str, target: str, deadline: str | None) -> str:
    text = f"{verb} {metric} from {baseline} to {target}"
    return f"{text} {deadline}" if deadline else text


def _checked_candidate(c: CandidateMetric, facts: KrFacts, rubric: Rubric, sources: list[str]) -> CandidateMetric | None:
    text = check_rewrite(c.rewrite, facts, rubric, sources, c.metric)
    return c.model_copy(update={"rewrite": text}) if text else None


def _candidate(metric: str, why: str, rubric: Rubric, deadline: str | None, facts: KrFacts | None = None) -> CandidateMetric:
    m = placeholder_name(metric, rubric.lexicon)
    verb = verb_for(facts, metric, rubric) if facts is not None else polarity_verb(metric, rubric)
    return CandidateMetric(metric=metric, why=why, rewrite=_compose(verb, metric, f"[current {m}]", f"[target {m}]", deadline))


Draft = tuple[str, str, list[str]]  # (metric, rewrite text, questions it answers)


def _drafts(facts: KrFacts, label: str, rubric: Rubric, objective: str) -> tuple[list[Draft], list[str], list[CandidateMetric]]:
    """Rewrites to try in order, the ask's questions, and candidate metrics."""
    if label == "task":
        return _task_drafts(facts, rubric, objective)
    if label == "no_metric":
        return _unmeasured_drafts(facts, rubric)
    lex = rubric.lexicon
    purpose = _purpose_of_change(facts, lex)
    if purpose is not None:
        # "Improve error reporting to minimize open issues": what is measured is the purpose,
        # not the means ("Reduce error reporting …" turned the aim around)
        result = analyze_kr(purpose, lex)
        found = kr_label(result, rubric)
        if found in {"no_target", "no_baseline"} and result.lead is not None and result.lead.kind == "change":
            return _drafts(result, found, rubric, objective)
        return _which_number(facts, label, lex)
    everyone = lex.patterns.everyone_opening.match(facts.text)
    subject = strip_deadline(facts.text[everyone.end() :], lex)[0].strip(" .") if everyone else ""
    if label == "no_baseline" and everyone and len(subject.split()) <= 5 and not re.search(r"[,;:()]", subject):
        # "Every AE certified by Q1": the target is all of them; ask where the share is today.
        deadline = _deadline(facts, lex)
        text = f"Increase the share of {subject} from [current share] to all" + (f" {deadline}" if deadline else "")
        return [(f"share of {subject}", text, [f"What share of them is {subject.split(' ', 1)[-1]} today?"])], [
            f"What share is {subject} today?"
        ], []
    change = _noun_change(facts, lex) if label == "no_baseline" else None
    if change:  # "30% increase in advocates": a change of the metric that follows, by that much
        verb, metric, value = change
        draft = _change_draft(f"{verb} {metric} by {value},", metric, placeholder_name(metric, lex), _deadline(facts, lex))
        return [draft], [f"What is the current {amount_of(metric, lex)}?"], []
    # No one value to keep in its place, or no one metric: the coach would be guessing which
    # is which. The values are told first: the metric is not read for them.
    values = [q for q in facts.measures if q.kind != "placeholder"]
    if _several_values(values, label) or (label == "no_baseline" and not any(q.role == "target" for q in values)):
        return _which_number(facts, label, lex)
    metric = _as_share(facts, sure_metric(facts, lex), lex)
    if not metric or is_verb_phrase(metric, lex) or unfit_name(metric, lex):
        # "deflect more tickets" (an order), "x cost" (a letter left): no metric's name to ask about
        return _which_number(facts, label, lex)
    deadline = _deadline(facts, lex)
    verb = verb_for(facts, metric, rubric)
    m = placeholder_name(metric, lex)
    if deadline and _defines_metric(facts, deadline, metric, lex):
        # "Returns within 6 months under 8%", "40% of visitors return within a month": the
        # window says what is counted; after the target it would read as a deadline.
        metric, deadline = f"{metric} {deadline}", None
    if label == "no_target":
        written = baseline_text(facts)
        baseline = written or f"[current {m}]"
        asked = amount_of(metric, lex)
        questions = [f"What {asked} would count as success at the end of the cycle?"]
        if baseline.startswith("["):
            questions.append(f"What is the current {asked}?")
        if facts.maintains:  # "Maintain customer acquisition cost at Y": the level is kept, not moved
            kept = metric
            while len(kept.split()) > 1 and kept.split()[-1].lower() in lex["level_adjectives"].words:
                kept = kept.rsplit(" ", 1)[0]  # "Keep churn low": the level is the target's, not the name's
            k = placeholder_name(kept, lex)
            text = f"Keep {kept} at [target {k}] (currently {written or f'[current {k}]'})" + (f" {deadline}" if deadline else "")
            return [(kept, text, [])], questions, []
        return [(metric, _compose(verb, metric, baseline, f"[target {m}]", deadline), [])], questions, []
    # no_baseline: the target as written (with its comparator), the start asked for.
    questions = [f"What is the current {amount_of(metric, lex)}?"]
    found = target_phrase(facts, lex)
    if found and found[1].kind == "duration" and (_counts_things(metric, lex) or _window_of_work(found[0], metric, lex)):
        return _which_number(facts, label, lex)  # "Dashboard loads in under 3 seconds": a time, not a count of loads
    if found and found[1].text.lower() == "no" and not _says_all(facts, metric, lex):
        return _which_number(facts, label, lex)  # "No request waits more than a day": what is counted is not named
    drafts: list[Draft] = []
    if facts.maintains and found and not relative_target(found, facts, lex):
        # "Maintain 99.9% uptime": the level is kept, not moved; where is it today? (Where it
        # holds goes with the metric: "Keep resolution rate at the counter at or above 80%".)
        held, where = _stars(target_phrase(facts, lex, scope=False)[0]), target_scope(facts, lex)
        level = re.sub(r"^at (least|most) ", lambda m: "at or above " if m.group(1) == "least" else "at or below ", held)
        keep = level if lex.patterns.comparator_opening.match(level) else f"at {level}"
        keep += _kept_while(facts, found[1].end, f"{metric}{where}", lex)
        text = f"Keep {metric}{where} {keep} (currently [current {m}])" + (f" {deadline}" if deadline else "")
        return [(metric, text, [])], questions, []
    if found and relative_target(found, facts, lex):
        rel, q = found
        fraction = lex.patterns.fraction_word.match(rel) if q.kind == "word" else None
        if fraction:  # "Cut churn by a third", "... in half"
            action = f"{verb} {metric} by {fraction.group(0).lower()},"
        elif q.kind == "word" and lex.patterns.multiply_word.match(q.text.lower()):  # "Double trial sign-ups", "Inventory turns doubled"
            action = f"{lex.patterns.multiply_word.match(q.text.lower()).group(1).capitalize()}e {metric},"  # the verb's stem + "e"
        elif q.kind == "multiplier":
            action = f"{verb} {metric} {rel},"
        else:
            action = f"{verb} {metric} by {rel.lstrip('+-−')},"
        since = lex.patterns.change_reference.match(facts.text, q.end)
        if since:  # "reduced by 5% from FY24Q1": the start is that period's value, asked for by name
            period = since.group(1)
            when = period if period.lower().startswith("last") else f"in {period}"  # "last year", "in FY24Q1"
            draft = _change_draft(action, metric, m, deadline, start=f"[{m} {when}]")
            return [draft], [f"What was the {amount_of(metric, lex)} {when}?"], []
        drafts.append(_change_draft(action, metric, m, deadline))
    target_text = _stars(_without_named_scope(found, metric, lex)) if found else f"[target {m}]"
    drafts.append((metric, _compose(verb, metric, f"[current {m}]", target_text, deadline), []))
    return drafts, questions, []


def _without_named_scope(found: tuple[str, Quantity], metric: str, lex: Lexicon) -> str:
    """The target as found, less a scope after its value that the metric already names ("at
    least 700 | on the GMAT" for the GMAT score)."""
    text, q = found
    at = text.find(q.text)
    rest = text[at + len(q.text) :].lower().split() if at >= 0 else []
    named = set(metric.lower().split()) | lex["determiners"].words
    if rest and rest[0] in lex["qualifier_prepositions"].words and all(w in named for w in rest[1:]):
        return text[: at + len(q.text)]
    return text


def _stars(value: str) -> str:
    """'a 4.5-star rating' as a value a rewrite reaches: '4.5 stars'."""
    for suffix in ("-stars", "-star"):
        if value.endswith(suffix):
            return value[: -len(suffix)] + " stars"
    return value


def _kept_while(facts: KrFacts, after: int, said: str, lex: Lexicon) -> str:
    """The time a level is kept in, written after it (" while volume ramps", " throughout the
    migration"): a condition of the KR, or "" (a deadline, "during Q3", is the rewrite's end;
    a time the name already says is not said twice)."""
    during = lex.patterns.kept_while.search(facts.text, after)
    if (
        during is None
        or during.group(0).strip().lower() in said.lower()
        or any(q.start >= during.start() for q in facts.measures)
        or any(start < during.end() and during.start() < end for start, end in facts.scan.deadlines)
    ):
        return ""
    return during.group(0).rstrip(" .")


def _purpose_of_change(facts: KrFacts, lex: Lexicon) -> str | None:
    """The clause a change is for, when it names a change of its own ("Improve error reporting
    | to minimize the number of open issues"), as a KR of its own; None for any other shape."""
    lead = facts.lead
    if lead is None or lead.kind != "change":
        return None
    means = object_chunk(list(facts.tokens), lead.index + 1, lex)
    measured = lex.union("metric_terms", "metric_heads", "lower_is_better")
    if not means or any(g.split()[-1] == means[-1] for g in lex.grams(means) if g in measured):
        return None  # "Reduce churn to increase revenue": the means is measured itself
    at = outcome_clause(facts, lex, lead, needs_value=False)
    return (_clause_at(facts, at) or None) if at is not None else None


def _change_draft(action: str, metric: str, m: str, deadline: str | None, start: str = "") -> Draft:
    """A relative target's rewrite: the change ("Reduce churn by 20%,"), then where it starts.
    The end follows from the two, as the contract's "Cut page load time by 40% from an average
    of 3.5 s" (a second slot for it asked for a number the author had already given)."""
    text = f"{action.rstrip(',')} from {start or f'[current {m}]'}" + (f" {deadline}" if deadline else "")
    return metric, text, []


def _noun_change(facts: KrFacts, lex: Lexicon) -> tuple[str, str, str] | None:
    """A KR that opens on its one value and a change named as a noun ("40% increase in
    Champions", "A 20% reduction in support tickets"): the verb for that noun, the metric after
    it and the value; None for any other shape, or when what follows is no metric's name."""
    values = [q for q in facts.measures if q.kind != "placeholder"]
    if len(values) != 1 or values[0].role != "target":
        return None
    q = values[0]
    before = facts.low[: q.start].split()
    if before[:1] and before[0] in lex["change_openers"].words:
        before = before[1:]  # "Achieve | a 25% increase in repeat customers"
    if before and not (len(before) == 1 and lex.patterns.article_before.search(f" {before[0]} ")):
        return None
    after = lex.patterns.change_noun_after.match(facts.low, q.end)
    verb = lex.maps["change_nouns"].get(after.group(1)) if after and after.group(2) else None
    if not verb:
        return None
    metric = strip_deadline(facts.text[after.end() :], lex)[0].strip().rstrip(".")
    # "… in organic search sessions | vs Q2": the period compared with goes with the change
    compared = lex.patterns.compared_period.search(metric)
    value = f"{q.text} {compared.group(0).strip()}" if compared else q.text
    metric = metric[: compared.start()] if compared else metric
    if not metric or len(metric.split()) > 6 or any(c in metric for c in ",;:()[]"):
        return None
    if not (is_noun_phrase(metric, lex) and is_measurable(metric, lex)):
        return None
    return verb[0], metric, value



def _says_all(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """Does the metric's name hold the whole text after the KR's absence ("No 8D complaints for
    late delivery"), so that "… to zero" counts what the author meant?"""
    rest = strip_deadline(facts.text, lex)[0].strip().rstrip(".")
    return rest[2:].strip().lower() == metric.lower()


def _counts_things(metric: str, lex: Lexicon) -> bool:
    """Does the metric's name count things ("dashboard loads", "text reminders"), so that a
    duration cannot be its value (not "MTBF", "payback", "wait time", "days to close")?"""
    head = lex.patterns.counted_things_cut.split(f" {metric.lower()} ")[0].split()
    times = lex.union("time_metrics", "time_units", "metric_heads", "lower_is_better")
    return bool(head) and countable(head[-1], lex) and times.isdisjoint(head)


def _window_of_work(target: str, metric: str, lex: Lexicon) -> bool:
    """'All testing complete within 2 business days': a window the work is done in, whose
    share would be the measure; the name holds no time to move to it."""
    return target.lower().startswith("within") and lex.union("time_metrics", "time_units").isdisjoint(metric.lower().split())


def _with_asides(facts: KrFacts, text: str, rubric: Rubric, sources: list[str]) -> str:
    """`text` with the author's short parentheses that say what is counted, after the word
    they follow ("Increase weekly active users (other) from …", "Statin adherence (PDC)", "…
    contributions to Mozilla (or Mozilla supported) from …", "by 15% (kWh)"): graders marked
    rewrites that dropped them bad, a count of something else. Not a note ("(today: 47)",
    "(stretch)"), not one holding the KR's values or one the text has, not a long aside
    ("(shows the average user is …)": a reason), not one whose word the text lost; and only
    if the text with them passes every check again."""
    lex = rubric.lexicon
    out = text
    for m in _PAREN.finditer(facts.text):
        inner = m.group(1).strip()
        before = _LAST_WORD.search(facts.text, 0, m.start())
        if (
            len(inner.split()) > _ASIDE_WORDS
            or inner.lower() in out.lower()
            or before is None
            or lex.patterns.paren_note.search(inner)
            or any(m.start() <= q.start < m.end() for q in facts.measures)  # "(15% of orders)": a value
        ):
            continue
        anchor = re.search(rf"(?<![\w%]){re.escape(before.group(0))}(?![\w%])", out, re.I)
        if anchor is not None and not out[anchor.end() :].lstrip().startswith("("):
            out = f"{out[: anchor.end()]} ({inner}){out[anchor.end() :]}"
    clause = _scope_clause(facts, out, lex)
    if clause:
        out = f"{out.rstrip(' .')}, {clause}"
    channel = _channel(facts, out, lex)
    if channel:  # (before the deadline the rewrite ends on: "… to 200 via referrals by Q3")
        body, deadline = out.rstrip(" ."), _deadline(facts, lex) or ""
        cut = len(body) - len(deadline) if deadline and body.endswith(deadline) else len(body)
        out = " ".join(filter(None, [body[:cut].rstrip(), channel, body[cut:].lstrip()]))
    return text if out == text else check_rewrite(out, facts, rubric, sources) or text


def _channel(facts: KrFacts, text: str, lex: Lexicon) -> str:
    """'… 500 users | through the partner program': the channel the things counted come
    through, kept when the rewrite counts things and lacks it (without it, it counts them all);
    a level moved through something ("churn … through better onboarding") says how, and goes."""
    m = lex.patterns.channel_after.search(facts.low)
    if m is None or _holds_value(facts, m.start(), m.end()):
        return ""
    head = lex.patterns.counted_things_cut.split(f" {sure_metric(facts, lex).lower()} ")[0].split()
    levels = lex.union("time_metrics", "metric_heads", "lower_is_better")
    if not any(countable(w, lex) for w in head) or not levels.isdisjoint(head):
        return ""
    phrase = facts.text[m.start() : m.end()].strip()
    return phrase if _says_more(phrase, text, lex.union("stopwords", "determiners")) else ""


def _scope_clause(facts: KrFacts, text: str, lex: Lexicon) -> str:
    """The KR's last clause when it says in prose what is counted and `text` lacks it ("…,
    for new users in the first month", "…, where active means publishing monthly"), without
    a deadline the rewrite already ends on; else "". Graders marked rewrites that dropped it
    bad: a count of something wider."""
    m = lex.patterns.scope_clause.search(facts.low)
    if m is None or _holds_value(facts, m.start(1), m.end(1)):
        return ""
    clause = " ".join(strip_deadline(facts.text[m.start(1) : m.end(1)], lex)[0].split())
    plain = lex.union("stopwords", "determiners", "period_words", "time_units")
    return clause if len(clause.split()) > 1 and _says_more(clause, text, plain) else ""


def _holds_value(facts: KrFacts, start: int, end: int) -> bool:
    """Does the text between `start` and `end` hold one of the KR's values?"""
    return any(start < q.end and q.start < end for q in facts.measures)


def _says_more(phrase: str, text: str, plain: frozenset[str]) -> bool:
    """Does `phrase` hold a word that is neither plain nor already in `text`?"""
    said = set(_WORDS.findall(text.lower()))
    return any(w not in said and w not in plain for w in _WORDS.findall(phrase.lower()))


_PAREN = re.compile(r"\(([^()]{1,60})\)")
_LAST_WORD = re.compile(r"[\w%]+(?=\s*$)")
_ASIDE_WORDS = 6  # a longer aside is a reason or a note, not a scope


def _defines_metric(facts: KrFacts, deadline: str, metric: str, lex: Lexicon) -> bool:
    """Is the KR's time phrase a window of the metric ("within a month", "in the first 3
    months", "by day 30"), written with the metric rather than after a target or a verb of
    change ("Increase NPS to 50 within 6 months" has a deadline)?"""
    if not lex.patterns.metric_window.match(deadline) or deadline.lower() in metric.lower():
        return False
    if facts.lead is not None and facts.lead.kind in {"change", "maintain", "level"}:
        return False
    at = facts.low.find(deadline.lower())
    return at > 0 and not any(
        q.role == "target" and q.end <= at and facts.low[q.end : at].strip() in {"", ","} for q in facts.measures
    )


def _deadline(facts: KrFacts, lex: Lexicon) -> str | None:
    """The KR's deadline as a rewrite ends on it ("by Q3"), read only for a text written."""
    return strip_deadline(facts.text, lex)[1]


def _which_number(facts: KrFacts, label: str, lex: Lexicon) -> tuple[list[Draft], list[str], list[CandidateMetric]]:
    """No rewrite: the ask for the one number the KR should move. It names what the KR already
    gives (a target, a start), so it asks only for what is missing."""
    what = f'"{quoted(facts.text, lex)}"'
    # (each value once: a row that repeats its target, "Target: +20% … (20%)", names one)
    targets = list(dict.fromkeys(_written_values(facts, "target")))
    starts = list(dict.fromkeys(_written_values(facts, "baseline")))
    each = lex.patterns.distributive_opening.match(_from_first_word(facts))
    if label == "no_baseline" and each and not starts:
        # "Ensure each stallholder represents at least one theme": the "one" is what each must
        # do; the target is every one of them
        question = f"{what} asks it of every one of them: what share of them does it today?"
    elif label == "no_baseline" and len(targets) == 1 and not starts:
        amount = any(q.role == "target" and q.kind not in ("word", "placeholder") for q in facts.measures)
        # (a word is a change or a share, "Double …", "Halve …": what it applies to is named)
        asked = f"what does {targets[0]} count or measure, and where is that today?" if amount else "where is it today?"
        question = f"{what} gives a target ({targets[0]}) but no starting point: {asked}"
    elif label == "no_baseline" and targets:
        # ("numbers", not "targets": one may only pick what is counted, "within 2 days")
        question = f"{what} gives several numbers ({', '.join(targets)}): which one is the target, and where is it today?"
    elif label == "no_target" and starts and not targets:
        question = f"{what} gives a starting point ({', '.join(starts)}) but no target: which number is it, and where should it be at the end of the cycle?"
    else:
        question = f"Which one number should {what} move, where is it today, and where should it be at the end of the cycle?"
    return [], [question], []


def _from_first_word(facts: KrFacts) -> str:
    """The KR from its first word after leading fillers ("Ensure | each stallholder …")."""
    return facts.low[facts.tokens[facts.first][1] :] if facts.first < len(facts.tokens) else ""


def _written_values(facts: KrFacts, role: str) -> list[str]:
    """The KR's values in one role as written ("30", "$100k", "14 days"; "No" is zero, and
    "All leaders …", a share of every one of them, is all)."""
    return [
        "zero" if q.text.lower() == "no" else "all" if q.kind == "percent" and not _DIGIT.search(q.text)
        else q.text.lower() if q.kind == "word" else q.text
        for q in facts.measures
        if q.role == role and q.kind != "placeholder"
    ]


# A long key result is quoted up to its first clause in a question: a coach asking about
# "Plan a kickoff session for new members, …" does not read the whole paragraph back.
_QUOTE_LIMIT = 90
_CLAUSE_END = re.compile(r"[.;:](?=\s)|,\s|\s[-–—]\s|\s\(")


def quoted(text: str, lex: Lexicon) -> str:
    """The key result as a question about what it is for quotes it: whole when short, else
    to its first clause (or last whole word) within the limit, with an ellipsis."""
    text = text.strip().rstrip(".")
    flat = " ".join(text.split())
    if len(flat) <= _QUOTE_LIMIT:
        return text
    end = next((m.start() for m in _CLAUSE_END.finditer(flat, 30, _QUOTE_LIMIT)), 0)
    words = (flat[:end] if end else flat[:_QUOTE_LIMIT].rsplit(" ", 1)[0]).rstrip(",;:-–— ").split()
    while len(words) > 1 and words[-1].lower() in lex["stopwords"].words:
        words.pop()  # "… support inquiries", not "… support inquiries to"
    return " ".join(words) + "…"


def _as_share(facts: KrFacts, metric: str, lex: Lexicon) -> str:
    """'Food cost below 30% of revenue' measures food cost as a share of revenue; the reader
    joins the base to the name ('food cost of revenue'), which a rewrite must not."""
    for q in facts.measures:
        tolerance = lex.patterns.tolerance_before.search(facts.low[max(0, q.start - 8) : q.start])
        if q.role == "target" and q.kind == "percent" and not tolerance and not metric.lower().startswith("share of"):
            base = lex.patterns.share_base_after.match(facts.low[q.end :])
            at = metric.lower().find(f" of {base.group(1)}") if base else -1
            if at > 0 and _order_before(facts, q, lex):
                return ""  # "Spend 90% of the training budget": an order and its share, no name of a whole
            if at > 0:
                return f"{metric[:at]} as a share{metric[at:]}"
    return metric


def _order_before(facts: KrFacts, q: Quantity, lex: Lexicon) -> bool:
    """Is the value the object of the verb the KR opens with ("Spend 90% of ...", "Pay 98% of ...")?"""
    opener = facts.tokens[0] if facts.tokens else None
    return bool(opener) and not facts.low[opener[1] + len(opener[0]) : q.start].strip() and known_verb(opener[0], lex)


def _several_values(values: list, label: str) -> bool:
    """More than one value of the same role ('100% for the web, 70% for the CLI', '20 uploads
    and 100 downloads'): one rewrite cannot keep each in its place."""
    targets = [q for q in values if q.role == "target"]
    bases = [q for q in values if q.role == "baseline"]
    return len(targets) > 1 or len(bases) > 1


def _unmeasured_drafts(facts: KrFacts, rubric: Rubric) -> tuple[list[Draft], list[str], list[CandidateMetric]]:
    """'Improve customer satisfaction': a named measure of it when the lexicon knows one
    ("CSAT"), and always the question which number would show the change."""
    lex = rubric.lexicon
    subject = lex.patterns.comparative_start.sub("", metric_phrase(facts, lex)) or ""
    # The measures the lexicon knows for what the KR is about (its phrase), not for any word
    # in it ("process guides" is not a process to speed up).
    hints = lex.lookup("vague_metrics", subject) if subject else []
    what = f'"{quoted(facts.text, lex)}"'
    questions = [f"Which number would show progress on {what}, and where is it today?"]
    deadline = _deadline(facts, lex) if hints else None
    candidates = [_candidate(h, f"a common measure of {subject or 'this'}", rubric, deadline) for h in hints]
    # A measure the lexicon knows for a quality is a guess about what the author means by it
    # ("awareness" of what?): offered to pick from, never written down as the rewrite.
    return [], questions, candidates


def _task_drafts(facts: KrFacts, rubric: Rubric, objective: str) -> tuple[list[Draft], list[str], list[CandidateMetric]]:
    """A task is kept in the plan; the key result measures what it is for. Candidates, best
    first: the metric the objective names ("Cut churn in our SMB segment ..."), then the
    usual outcomes of the task's deliverable (the lexicon's task_outcomes). The first becomes
    the rewrite only when it comes from the objective or the deliverable; otherwise ask."""
    lex = rubric.lexicon
    deadline = _deadline(facts, lex)
    task = quoted(facts.text, lex)
    questions = [f'What is "{task}" for: which result should it change, and where is that result today?']
    candidates: list[CandidateMetric] = []
    goal, way = _objective_metric(objective, rubric)
    if goal:
        m = placeholder_name(goal, lex)
        candidates.append(CandidateMetric(
            metric=goal,
            why=f'the objective "{objective.strip()}" is about {goal}',
            rewrite=_compose(way, goal, f"[current {m}]", f"[target {m}]", deadline),
        ))
    # What the objective is about, as the lexicon knows to measure it ("Improve customer
    # satisfaction" → CSAT, NPS), then what the task's deliverable usually moves.
    aim = metric_phrase(analyze_kr(objective, lex), lex) if objective.strip() else ""
    aim = aim if aim and is_noun_phrase(aim, lex) and len(aim.split()) <= 5 else ""
    # Named by the word the lexicon knows ("productivity"), not the whole phrase around it.
    key, measures = lex.lookup_key("vague_metrics", aim) if aim else ("", [])
    # A measure of the sales funnel only where the draft sells ("event-sourced pipeline" for a
    # community's meetups, "page conversion rate" for a wiki page: no).
    # (the words of both, read once: the objective's analysis and the KR's facts hold them)
    sells = lex["commercial_words"].has(facts.words) or (
        bool(objective.strip()) and lex["commercial_words"].has(analyze_objective(objective, lex).words)
    )
    fits = lambda measure: sells or not _in_funnel(measure, lex)  # noqa: E731
    for measure in filter(fits, measures):
        if all(c.metric.lower() != measure.lower() for c in candidates):
            candidates.append(_candidate(measure, f'a common measure of {key}, which the objective is about', rubric, deadline))
    for outcome in filter(fits, _deliverable_outcomes(facts, lex)):
        if all(c.metric.lower() != outcome.lower() for c in candidates):
            candidates.append(_candidate(outcome, "what this kind of work usually moves", rubric, deadline))
    # Only the objective's own metric is sure enough to write down, and only when it is named
    # closely enough to stand as a key result of its own ("build times for the monorepo";
    # "Increase revenue" under "Boost revenue" would restate the objective); the usual
    # outcomes of the deliverable are offered to pick from.
    drafts: list[Draft] = [
        (c.metric, c.rewrite, [f"Does {c.metric} show whether the task worked? ({c.why})"])
        for c in candidates[:1]
        if goal and _named_closely(goal, lex)
    ]
    results, asked = _result_drafts(facts, rubric, objective)
    if results:  # the KR names its result: asked only what that result still lacks
        return results + drafts, asked, candidates
    return drafts, questions, candidates


def _in_funnel(measure: str, lex: Lexicon) -> bool:
    """Does a candidate metric (rubric data, a few dozen) measure the sales funnel? Read once."""
    return lex.memoised(
        ("funnel", measure), lambda: lex["funnel_words"].has(lex.grams([t for t, _ in tokenize(measure.lower())]))
    )


def _named_closely(metric: str, lex: Lexicon) -> bool:
    """'build times for the monorepo', 'delivery truck idle time': a result with its scope or
    its kind, not a bare 'revenue' or 'engineering velocity'."""
    words = metric.lower().split()
    return len(words) >= 3 or not lex["qualifier_prepositions"].words.isdisjoint(words)


def _result_drafts(facts: KrFacts, rubric: Rubric, objective: str) -> tuple[list[Draft], list[str]]:
    """'Launch the referral programme to lift referred sign-ups from 15 to 60 a month': the
    result the deliverable is for, in the author's words, is the key result ("Lift referred
    sign-ups from 15 to 60 a month"); read as a key result of its own, it gets that one's
    rewrite when it lacks its start ("… to push DAU to 250k" → "Increase DAU from [current
    DAU] to 250k")."""
    lex = rubric.lexicon
    at = (outcome_clause(facts, lex, facts.lead) or _joined_result(facts, lex)) if facts.lead else None
    if at is None:
        return [], []
    clause = _clause_at(facts, at)
    result = analyze_kr(clause, lex)
    label = kr_label(result, rubric)
    if label is None:
        return [(metric_phrase(result, lex), clause, [])], []
    if label in {"no_baseline", "no_target"}:
        drafts, asked, _ = _drafts(result, label, rubric, objective)
        return drafts, asked
    return [], []


def _joined_result(facts: KrFacts, lex: Lexicon) -> int | None:
    """'Relaunch the newsletter and grow subscribers by 20%': where a result joined to the
    task by "and" starts (a verb of change or level, with a value in its clause), or None."""
    lead = facts.lead
    after = facts.tokens[lead.index][1] if lead else 0
    for m in lex.patterns.joined_order.finditer(facts.low, after):
        if lex.verb_classes(m.group(1)) & {"change_verbs", "level_verbs"} and any(
            q.role == "target" and q.start > m.start(1) for q in facts.measures
        ):
            return m.start(1)
    return None


def _clause_at(facts: KrFacts, at: int) -> str:
    """The purpose clause from `at` as a KR of its own: its first sentence, after a label's
    colon ("…, with the aim to: Improve X by 10%. …"), capitalised."""
    clause = _LABEL_COLON.split(_SENTENCE_END.split(facts.text[at:], maxsplit=1)[0])[-1].strip(" .;,")
    return clause[:1].upper() + clause[1:]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_LABEL_COLON = re.compile(r":\s+")


def _objective_metric(objective: str, rubric: Rubric) -> tuple[str, str]:
    """The measurable thing an objective moves and which way ('Cut churn in our SMB segment
    by fixing onboarding' → ('churn in our SMB segment', 'Reduce')), or ("", "") when it
    names no metric right after a verb of quantity ('Improve our documentation', 'Stop
    losing customers', 'Make the portal the single place students go')."""
    if not objective.strip():
        return "", ""
    lex = rubric.lexicon
    facts = analyze_kr(objective, lex)
    lead = facts.lead
    if lead is None or lead.lemma not in lex["quantity_verbs"].words | lex["objective_multipliers"].words:
        return "", ""
    metric = metric_phrase(facts, lex)
    named = lex.union("metric_terms", "metric_heads", "lower_is_better", "time_metrics")
    head = lex.patterns.objective_head_cut.split(f" {metric.lower()} ")[0].split()
    after = facts.low[facts.tokens[lead.index][1] + len(lead.token) :].split()
    right_after = bool(after) and (after[0] in lex["determiners"].words or after[0] == head[0] if head else False)
    if not metric or facts.qualitative or named.isdisjoint(head) or not right_after or not is_noun_phrase(metric, lex):
        return "", ""  # only a named metric ("churn", "cycle time"), not "the team" or "our community"
    return metric, "Reduce" if lead.lemma in lex["lower_verbs"].words else "Increase"


def _deliverable_outcomes(facts: KrFacts, lex: Lexicon) -> list[str]:
    """What the task's deliverable usually moves (the lexicon's task_outcomes), read on the
    head of the task's object only: 'Launch the customer portal' → portal, not any word."""
    if facts.lead is None:
        return []
    chunk = object_chunk(list(facts.tokens), facts.lead.index + 1, lex)
    return lex.lookup("task_outcomes", chunk[-1]) if chunk else []
