"""Phrases taken from a key result, shared by findings and rewrites: the metric (in the
author's words), the target with its comparator, the baseline, the deadline, the verb.

One reading for both: a finding's message ("What is the current value of {metric}?") and
the rewrite built for it name the same metric.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..lexicon import Lexicon, tokenize
from ..quantities import DEADLINE_PHRASE_RE, Quantity, may_hold_deadline
from .facts import KrFacts
from .noun_phrases import metric_noun_phrase, says_change
from .reading import looks_plural

if TYPE_CHECKING:
    from ..rubric import Rubric


# The module's own structural patterns, compiled once (a `re.search(source, ...)` call looks
# its pattern up in re's cache each time: a third of a short search's cost). Patterns with
# words are the rubric's (`lex.patterns`, patterns.yaml), word lists its word classes.
_HYPHEN_OR_SLASH = re.compile(r"[-/]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_RANGE_BEFORE = re.compile(r"\d\s*[-–]\s*$")
_SIGN_BEFORE = re.compile(r"(\S*)\s*[+\-−]\s*$")
_PLURAL_AFTER = re.compile(r"\s+([a-z][a-z-]*s)\b")
_DIGIT_IN = re.compile(r"\d")
_ALNUM_RUN = re.compile(r"[a-z0-9]+")


def polarity_verb(metric: str, rubric: Rubric) -> str:
    """Reduce for what is better lower (churn, cost, time), read on the metric's head: "customers
    in the v1 queue" are counted up, whatever the queue."""
    # "number of manual journal entries" is read on what is counted; "kyc passed without
    # manual review" on what comes before "without".
    lex = rubric.lexicon
    counted = lex.patterns.counted_of.match(metric.lower())
    named = metric.lower()[counted.end() :] if counted else metric.lower()
    named = lex.patterns.as_share_of.split(named, maxsplit=1)[0]  # "cost as % of revenue" is a cost
    head = lex.patterns.head_cut.split(f" {named} ")[0]
    toks = [t for t, _ in tokenize(head)]
    lower = lex["lower_is_better"]
    last = toks[-1] if toks else ""
    # Whole words, and the parts of the head word only ("no-shows"): "on-time" holds no "time" to cut.
    phrases = _spans(toks, 4)
    phrases.update(p for p in _HYPHEN_OR_SLASH.split(last) if p)
    higher = lex["higher_is_better"]
    end = _HYPHEN_OR_SLASH.split(last)[-1]  # "cost-savings" are savings
    if last in higher.words or end in higher.words or not higher.phrases.isdisjoint(phrases):
        return "Increase"  # "Claims NPS": a score, whatever it is about; "focus time blocks"
    dealt = lex.union("finish_verbs", "service_verbs", "win_verbs")
    if any((w.endswith("ed") or w in lex.irregular_forms) and lex.lemma_of(w) in dealt for w in toks[1:3]):
        # "Complaints resolved within 5 days", "season tickets sold": the ones dealt with or won, more is better
        return "Increase"
    if lower.has(phrases):
        return "Reduce"
    # "video visits that start late", "customers who churn": the clause says which are counted.
    clause = lex.patterns.clause_cut.split(f" {named} ", maxsplit=1)[1:]
    said = _spans([t for t, _ in tokenize(clause[0])], 2) if clause else set()
    return "Reduce" if lower.has(said) else "Increase"


def _spans(toks: list[str], longest: int) -> set[str]:
    """Every run of up to `longest` words ("late", "start late", …), as a word class holds them."""
    return {" ".join(toks[i:j]) for i in range(len(toks)) for j in range(i + 1, min(len(toks), i + longest) + 1)}


def verb_for(facts: KrFacts, metric: str, rubric: Rubric) -> str:
    """The verb a rewrite of the KR opens with: the KR's own verb of change, else the
    direction it names, else the metric's polarity."""
    # Memoised: each finding's message and the rewrite built for it ask with the same metric.
    return rubric.lexicon.memoised(("verb", facts.text, metric), lambda: _verb_for(facts, metric, rubric))


def _verb_for(facts: KrFacts, metric: str, rubric: Rubric) -> str:
    lead = facts.lead
    lex = rubric.lexicon
    if (
        lead
        and lead.lemma in lex["quantity_verbs"].words  # "Reduce", "Grow"; not "Generate" or "double"
        and lead.lemma not in lex["multiply_verbs"].words
        and lead.lemma == lead.token  # not "reduced", not a direction word
    ):
        return lead.lemma.capitalize()
    if lead and lead.lemma in lex["lower_verbs"].words and lead.lemma == lead.token and not metric.startswith("share of "):
        return "Reduce"  # "Lose weight": what is lost goes down
    if lead and lead.lemma in lex["zero_verbs"].words and not metric.startswith("share of "):
        return "Reduce"  # "Eliminate billing errors": down to none (but "… 100% of the blockers": their share eliminated grows)
    if lead and lead.lemma in lex["recovery_verbs"].words and any(
        q.kind == "currency" and _amount_taken_off(facts.low, q, lex) for q in facts.measures
    ):
        return "Reduce"  # "Save $20k on licence fees": what is spent or owed goes down by as much
    if lead and lead.kind == "change" and lead.token in {"up", "down"}:
        return "Reduce" if lead.token == "down" else "Increase"  # "Customer PPM down from 320"
    later = lex.patterns.direction_later.search(facts.low)
    if later:  # "Sick day rate must go down", "(up from an unknown baseline)"
        return "Reduce" if "down" in (later.group(1), later.group(2)) else "Increase"
    named = facts.text.lower().find(metric.lower().split(" ")[0]) if metric else -1
    before = facts.low[:named].split()[-1:] if named > 0 else []
    direction_before = lex.patterns.direction_opening.match(before[0] + " ") if before else None
    if direction_before:  # "We get less questions from new hires": fewer of them
        return "Reduce" if direction_before.group(1) else "Increase"
    direction = lex.patterns.direction_opening.match(facts.text.strip())
    if direction:
        return "Reduce" if direction.group(1) else "Increase"
    for q in facts.measures:  # not "Invoices overdue > 60 days": that picks the invoices
        if q.role != "target" or q.kind == "placeholder":
            continue
        before = facts.low[max(0, q.start - 14) : q.start]
        if lex.patterns.down_before.search(before):
            return "Reduce"
        if lex.patterns.up_before.search(before):
            return "Increase"
        said = lex.patterns.direction_word_after.match(facts.low, q.end)  # "2% lower than last year", "20% more sign-ups"
        if said:
            return "Reduce" if said.group(1) else "Increase"
    if any(_none_left(q) for q in facts.measures):
        return "Reduce"  # "No P1 incidents", "Get error budget burn to 0": down to none
    if lead and lead.lemma in rubric.lexicon["obtain_verbs"].words:
        return "Increase"  # "Get 10 claims per $": more of what others give ("Get write-offs below 8%" is cut)
    # "90% of claims paid within 5 days", "Critical vulns patched within SLA: 95%": a share
    # the author wants most things in grows, whatever is counted ("claims" alone are cut).
    most = any(q.role == "target" and q.kind == "percent" and _percent(q.text) >= 50 for q in facts.measures)
    if most and (metric.startswith("share of ") or _done_to_them(metric, lex)):
        return "Increase"
    if metric.startswith("share of "):
        return polarity_verb(short_name(metric, lex)[9:], rubric)
    if lex.patterns.zero_or_half.search(facts.low):
        return "Reduce"
    head = lex.patterns.head_cut.split(f" {metric.lower()} ")[0].split()  # ("share of parcels | by weight")
    if lex["two_way_metrics"].has(lex.grams(head[-3:])):
        return "Get"  # "Reach a weight of 75 kg": which way is not said
    return polarity_verb(metric, rubric)


def _none_left(q: Quantity) -> bool:
    """A target of none: "no", or a number that is zero ("0", "0%")."""
    if q.text.lower() == "no":
        return True
    number = _NUMBER.search(q.text) if q.role == "target" and q.kind != "placeholder" else None
    return number is not None and _percent(q.text) == 0


def _done_to_them(metric: str, lex: Lexicon) -> bool:
    """'critical vulns patched within SLA': the things counted, then what is done to them."""
    words = metric.lower().split()
    return any(w.endswith("ed") and lex.lemma_of(w) != w for w in words[1:])


def _percent(text: str) -> float:
    number = _NUMBER.search(text)
    return float(number.group(0).replace(",", ".")) if number else 0.0


def is_relative(low: str, q: Quantity, lex: Lexicon) -> bool:
    """'by 20%', 'up 3 points', '2x sign-ups': a change, not a level ('take-up 75%', 'eNPS of
    +30' and 'ROAS ≥ 3x' are levels)."""
    before = low[max(0, q.start - 8) : q.start]
    if q.kind == "multiplier":
        return not lex.patterns.multiplier_level_before.search(before)
    before = low[max(0, q.start - 16) : q.start]
    if lex.patterns.change_before.search(low[max(0, q.start - 28) : q.start]) and not _phrasal_up(before, lex):
        return True  # "by 20%", "by >= 200 hours", "by an average of 1 second"
    if q.kind == "currency" and _amount_taken_off(low, q, lex):
        return True  # "Cut $50k in cloud costs", "Recover €18,000 in overdue fees": by that much
    if q.kind in {"percent", "points"} and _right_after_changed_name(low, q, lex):
        return True  # "Increase newsletter subscribers 50%", "Grow revenue 20% this year": by that much
    if lex.patterns.compared_after.match(low, q.end):
        return True  # "2% lower than last quarter", "churn 2% lower": a change from a level
    if lex.patterns.period_over_period.match(low, q.end) and not lex.patterns.multiplier_level_before.search(before) and any(
        lex.lemma_of(t) in lex["change_verbs"].words or t in ("up", "down") for t, at in tokenize(low) if at < q.start
    ):
        return True  # "Grow revenue 10% year over year": a growth rate ("Retention 80% year on year" is a level)
    noun = lex.patterns.change_noun_after.match(low, q.end)
    if noun and noun.group(1) in lex.maps["change_nouns"]:
        return True  # "a 30% increase in advocates": the change named as a noun after it
    if _RANGE_BEFORE.search(before):
        return False  # the far end of a range ("5-10 years"), not a change
    sign = _SIGN_BEFORE.search(before)
    return bool(sign) and sign.group(1) not in lex["level_before_sign"].written and not sign.group(1).endswith(":")


def _amount_taken_off(low: str, q: Quantity, lex: Lexicon) -> bool:
    """Is the amount what a verb of cutting or recovering takes off what follows ("Cut $50k
    in cloud costs", "Save $20k on licence fees", "Collect £3,500 of unpaid dues"), not a
    level of it ("Cut cloud costs to $50k")?"""
    words = [t for t, at in tokenize(low) if at < q.start]
    said = " ".join(words[-2:])
    taken = words and (lex.lemma_of(words[-1]) in lex.union("lower_verbs", "recovery_verbs") or said in lex["recovery_verbs"].phrases)
    return bool(taken) and _TAKEN_FROM.match(low, q.end) is not None


_TAKEN_FROM = re.compile(r"\s+(?:in|of|on|from)\s+[a-z]")


def _phrasal_up(before: str, lex: Lexicon) -> bool:
    """'Sign up 30 partners', 'Set up 4 labs': "up" ends a phrasal verb, it is no change."""
    words = before.split()
    return len(words) >= 2 and words[-1] == "up" and words[-2] in lex["phrasal_verbs"].words


def _right_after_changed_name(low: str, q: Quantity, lex: Lexicon) -> bool:
    """Does the value follow the name a change verb orders, with no word that links a level
    ("to", "at", "of", "reach") between: "Increase leads 20%", "… plan to grow leads 20%",
    not "Increase leads to 20%"?"""
    words = [t for t, at in tokenize(low) if at < q.start]
    moves = lex["quantity_verbs"].words - lex["multiply_verbs"].words  # "increase", "cut"; not "win", "double"
    if len(words) > 1 and lex.lemma_of(words[-1]) in moves:
        return True  # "Churn reduced 2%", "Costs cut 10%": the change, right after its verb
    verbs = [j for j, w in enumerate(words) if w in moves]  # base forms: an order
    if not verbs or verbs[-1] == len(words) - 1:
        return False
    return words[-1] not in lex.union("value_links", "stopwords") and not low[: q.start].rstrip().endswith((":", "(", "=", "≥", "≤", ">", "<", "~"))


def strip_deadline(text: str, lex: Lexicon) -> tuple[str, str | None]:
    low = text.lower()
    m = DEADLINE_PHRASE_RE.search(low) if may_hold_deadline(low) else None
    if not m or lex.patterns.reference_before.search(low, max(0, m.start() - 16), m.start()):
        return text, None  # (none, or "higher than in 2024", "from CY19-Q4": the period compared with)
    defined = lex.patterns.definition_opening.search(low, 0, m.start())
    if defined:
        return text, None  # ", as measured by returning visitors this week …": the metric's definition
    end = m.end()
    after = lex.patterns.event_after.match(low, end)
    if after and low[m.start() : m.start() + 6] == "within":
        end = after.end()  # "within 6 months of finishing": the window runs from an event
    nxt = re.match(r"\s+([A-Za-z][\w-]*)", text[end:])
    if nxt and nxt.group(1).lower() in lex["deadline_periods"].words:
        end += nxt.end()  # "in the September intake": the intake is part of when
    phrase = text[m.start() : end].strip(" ,.;")
    if phrase[:1].isupper() and phrase[1:2].islower() and lex.patterns.deadline_opening.match(phrase.lower()):
        phrase = phrase[:1].lower() + phrase[1:]  # "By Q3, reach …": "… to 500 by Q3", not "By Q3"
    if not lex.patterns.deadline_opening.match(phrase):
        # "Nov–Feb" is a period the level holds over; "Q3" a date to reach it by
        phrase = f"over {phrase}" if re.search(r"\w\s*[–-]\s*\w", phrase) else f"by {phrase}"
    # Blank the deadline out in place: offsets into the text must stay valid.
    return (text[: m.start()] + " " * (end - m.start()) + text[end:]), phrase


def metric_phrase(facts: KrFacts, lex: Lexicon) -> str:
    """The thing measured, as a noun phrase in the author's words ('Increase NPS to 50' →
    'NPS'), or "" when the KR names none (the caller asks instead of guessing)."""
    return lex.memoised(("metric", facts.text), lambda: _spelled(_without_change_verb(metric_noun_phrase(facts, lex) or "", facts, lex), lex))


def _spelled(metric: str, lex: Lexicon) -> str:
    """'# of open bugs' is the number of open bugs, and 'sign-ups each week' sign-ups per
    week, as a rewrite writes them (a count's period, not a time it is reached by)."""
    metric = _NUMBER_SIGN.sub("number of ", metric)
    cadence = lex.patterns.cadence_spelled.search(metric)
    counted = metric[: cadence.start()].split() if cadence else []
    # (only right after a short name of things counted: "who post at least once a month" is
    # how often each of them does it, and stays as written)
    if cadence and 0 < len(counted) <= 3 and looks_plural(counted[-1].lower()):
        return f"{metric[: cadence.start()]} per {cadence.group(1)}"
    return metric


_NUMBER_SIGN = re.compile(r"^#\s*of\s+")


def _without_change_verb(metric: str, facts: KrFacts, lex: Lexicon) -> str:
    """'Handoff time cut in half' measures 'handoff time', and 'Churn cut by a third for
    self-serve accounts' 'churn for self-serve accounts': a verb of change after the noun,
    followed in the text by 'by' or 'in', or inflected at the end ('costs halved'), is no
    part of the name ('cost per drop', 'inventory shrink of sales' and 'the fibre cut' are)."""
    words = metric.split()
    verbs = lex.union("quantity_verbs", "lower_verbs")
    toks = [t for t, _ in facts.tokens]
    keep = []
    for i, w in enumerate(words):
        low = w.lower()
        lemma = lex.lemma_of(low)
        if i and lemma in verbs and low in toks:
            k = toks.index(low)
            nxt = toks[k + 1] if k + 1 < len(toks) else ""
            if nxt in ("by", "in") or (not nxt and low != lemma):
                continue
        keep.append(w)
    keep = _without_direction(keep, lex)
    return " ".join(keep) if len(keep) < len(words) else metric


def _without_direction(words: list[str], lex: Lexicon) -> list[str]:
    """'Revenue grow', 'Lesson ratings improve' name 'revenue', 'lesson ratings'; 'Steady or
    increasing fill rates' names 'fill rates': the direction is the rewrite's verb, not a word
    of the name."""
    at = next((i for i, w in enumerate(words) if says_change(w.lower(), lex)), None)
    if at is None:
        return words
    if at and at == len(words) - 1:
        return words[:at]
    before = [w.lower() for w in words[:at]]
    if at + 1 < len(words) and (not before or (len(before) == 2 and before[1] in lex["list_joiners"].words)):
        return words[at + 1 :]
    return words


def _participle_after(words: list[str], i: int, prefix: str, lex: Lexicon) -> bool:
    """'share of invoices | being paid': a participle after a share's noun starts what picks
    them; 'share of new customer onboarding calls' has a noun after it (a compound)."""
    nxt = words[i + 1].lower() if i + 1 < len(words) else ""
    return bool(prefix) and words[i].lower().endswith("ing") and not (nxt.endswith("s") and nxt not in lex["clause_starts"].words)


def _participle_of_plural(words: list[str]) -> bool:
    """A name cut short after a plural and its participle ('customers taking | the bundle',
    'reviews mentioning | p2w'): the participle wants what was cut; the plural alone names them."""
    last = words[-1].lower()
    return len(last) > 5 and last.endswith("ing") and looks_plural(words[-2].lower())


def _irregular_past(word: str, lex: Lexicon) -> bool:
    """'spent', 'held', 'sent': a past form the lexicon lists, no end for a name."""
    return word in lex.irregular_forms and lex.lemma_of(word) != word


def short_name(metric: str, lex: Lexicon) -> str:
    """A short name for placeholders ('[current average processing time]'): the metric up to
    its first qualifier or clause, never ending on a function word, a verb or a number."""
    if not metric or "[" in metric:
        return "value"
    metric = metric.split(" as a share of ")[0]  # "[current food cost]", not "[current food cost as]"
    prefix = ""
    counted = lex.patterns.counted_head.match(metric)
    if counted:  # "share of invoices paid on time", "number of avoidable support calls"
        prefix, metric = f"{counted.group(1).lower()} of ", metric[counted.end() :]
    written = len(metric.split())
    words = lex.patterns.short_cut.split(f" {metric} ", maxsplit=1)[0].strip().split()
    starts = lex["clause_starts"].words
    cut = next((i for i, w in enumerate(words) if i and (w.lower() in starts or _participle_after(words, i, prefix, lex))), len(words))
    whole = len(words)
    cap = 3 if prefix else 5
    if not lex["list_joiners"].words.isdisjoint(w.lower() for w in words[1:cap]):
        cap += 2  # "[current share of invoices and credit notes]": both things, whole
    if cap < min(cut, whole):  # cut by its length: a rate keeps a whole base or none
        low_words = [w.lower() for w in words]
        if low_words[cap - 1] == "per":
            cap += 1  # "[current number of recordings viewed per user]"
        elif low_words[cap] != "per" and "per" in low_words[1:cap]:
            cap = max(i for i in range(1, cap) if low_words[i] == "per")  # not "per open senior | role"
    words = words[: min(cut, cap)]
    for _ in range(2):  # pop a weak end, and again after a cut short name is cut back
        while len(words) > 1 and (
            words[-1].lower() in lex["weak_name_ends"].words
            or any(c.isdigit() for c in words[-1])
            or words[-1].lower().endswith("ed")
            or _irregular_past(words[-1].lower(), lex)  # "[current hours per week spent]"
            or not any(c.isalnum() for c in words[-1])  # "write-offs as %"
            or (len(words) < written and _participle_of_plural(words))  # "[current customers taking]"
        ):
            words.pop()
        if len(words) < whole:
            # Cut short: the name ends before its qualifier, not inside it ("[current win rate]",
            # not "[current win rate against incumbent on-prem]"); "time to repair" keeps its verb.
            qualifiers = lex["name_qualifier_words"].written
            at = next((i for i, w in enumerate(words) if i and w.lower() in qualifiers), len(words))
            if (
                at + 1 < len(words)
                and words[at].lower() == "to"
                and words[at - 1].lower() in lex["time_heads"].words  # "time to repair"; not "days lost to late"
                and words[at + 1].lower() not in lex["not_verbs_after_to"].words
            ):
                at += 3 if at + 2 < len(words) and words[at + 2].lower() in lex["verb_particles"].words else 2  # "time to set up"
            words = words[:at]
    if len(words) == 1 and words[0].lower() in lex["statistics"].words and written > 1:
        return prefix + metric  # "[current average on boarding time]", never "[current average]"
    return prefix + " ".join(words) if words else "value"


def placeholder_name(metric: str, lex: Lexicon) -> str:
    """The name a placeholder carries: the short name, but for a share cut short just "share"
    ("[current share]"; "[current share of members]" would drop who is counted: "… satisfied
    with the membership requirements")."""
    name = short_name(metric, lex)
    if name.startswith("share of ") and name.split() != metric.split():
        return "share"
    # a short name that drops a condition counts something else ("[current streams]" for
    # "streams with guests"): a short metric keeps its whole name
    rest = metric[len(name) :].strip() if metric.lower().startswith(name.lower()) else ""
    if rest and lex.patterns.condition.match(rest) and len(metric.split()) <= 5:
        return metric
    return name


def target_phrase(facts: KrFacts, lex: Lexicon, scope: bool = True) -> tuple[str, Quantity] | None:
    """The target as written, with its comparator, rate and unit ("at least 90%", "2% a
    month") and, unless `scope` is False, where it holds ("… for every rep")."""
    # Values only: a qualifier ("a 500GB backup") is never the target.
    targets = [q for q in facts.measures if q.role == "target" and q.kind != "placeholder"]
    if not targets:
        return None
    q = targets[-1]
    if metric_phrase(facts, lex).startswith("share of ") and targets[0].kind == "percent":
        q = targets[0]  # "90% of claims paid within 5 days": the share is the target
    if q.text.lower() in {"zero", "no"}:
        return "zero", q  # ("No P1 incidents": none of them, a target of zero)
    before = facts.text[max(0, q.start - 16) : q.start]
    sign = "+" if before.endswith("+") and q.kind != "word" else ""
    before = before[: len(before) - len(sign)]  # "at least +35": the comparator, then the sign
    comp = lex.patterns.comparator_before.search(before.lower())
    prefix = before[comp.start() :].strip().lower() if comp else ""
    prefix += " " if prefix and not prefix.endswith("±") else ""  # "within ±5%"
    # A number in words is the author's value, read mid-sentence: "Ten new clients" → "to ten".
    value = q.text.lower() if q.kind == "word" else sign + q.text
    metric = metric_phrase(facts, lex).lower()
    end = q.end
    rate = lex.patterns.rate_after.match(facts.low, end) or lex.patterns.period_over_period.match(facts.low, end)
    if rate and rate.group(0).strip() not in metric:
        value += facts.text[end : rate.end()]  # "to 2% a month", "by 25% YoY": the rate stays with its number
        end = rate.end()
        more = _PLURAL_AFTER.match(facts.low, end) if _DIGIT_IN.search(rate.group(0)) else None
        if more and more.group(1) not in lex["stopwords"].words:
            value += facts.text[end : more.end()]  # "below 0.5 per 1,000 line days": the whole base
            end = more.end()
    elif (
        not rate
        and lex["period_words"].has(facts.words)
        and (earlier := lex.patterns.period_over_period.search(facts.low))
        and earlier.group(0).strip() not in metric.lower()
    ):
        value += " " + facts.text[earlier.start() : earlier.end()].strip()  # "… year over year by 5%": the same rate
    unit = lex.patterns.unit_after.match(facts.low, end) if q.kind == "number" and not rate else None
    if unit and unit.group(0).strip() not in metric:
        value += facts.text[end : unit.end()]  # "below 40 µg/m³": the unit the reader does not know stays
        end = unit.end()
    after = lex.patterns.bound_after.match(facts.low, end)
    if after and not prefix:
        # "NPS 50+", "4.5/5 or higher": the bound is part of the target ("to 50", not more).
        prefix = "at most " if after.group(1) else "at least "
        end = after.end()
    return prefix + value + (_scope(facts, end, metric, lex) if scope else ""), q


def target_scope(facts: KrFacts, lex: Lexicon) -> str:
    """Where the target holds, as `target_phrase` appends it (" at the permit counter"), or ""."""
    full, bare = target_phrase(facts, lex), target_phrase(facts, lex, scope=False)
    return full[0][len(bare[0]) :] if full and bare else ""


def _scope(facts: KrFacts, end: int, metric: str, lex: Lexicon) -> str:
    """Where the target holds, written after it ("98% in the top 50 stores"), when the metric's
    name does not already say it and nothing in it is a value or a deadline."""
    m = lex.patterns.scope_after.match(facts.low, end)
    words = m.group(0).split() if m else []
    if not m or " ".join(words[:3]) in metric or " ".join(words[1:4]).lower() in metric:
        # said in the name: "Cut manual work across key accounts by 150 hours", "$480k in
        # new bookings" (the name without its preposition)
        return ""
    if any(m.start() < q.end and q.start < m.end() for q in facts.measures) or any(
        m.start() < e and s < m.end() for s, e in facts.scan.deadlines
    ):
        return ""
    return facts.text[m.start() : m.end()].rstrip()


def baseline_text(facts: KrFacts) -> str | None:
    bases = [q for q in facts.measures if q.role == "baseline" and q.kind != "placeholder"]
    return bases[0].text if bases else None


def _plural_head(metric: str, lex: Lexicon) -> tuple[list[str], bool]:
    words = short_name(metric, lex).split()
    head = words[-1]
    # Read in the author's case: "ROAS" ends in a capital S, an acronym and no plural.
    plural = len(head) > 2 and looks_plural(head)  # "sign ups", "PRs", "CVs"
    return [w.lower() for w in words], plural


def amount_word(metric: str, lex: Lexicon) -> str:
    """'number' for a count ("the current number of posts on the forum"), 'value' for the
    rest ("the current value of overall revenue", "... of share of tickets deflected")."""
    if not metric or lex.patterns.counted_prefix.match(metric):
        return "value"
    # The head of a metric phrase is a noun, so a plural is a count even where the word is
    # also a verb ("partners", "signs"); not a quality word ("relations") or an amount
    # ("sales"), nor a measure named before the counted noun ("uptime of storage providers").
    words, plural = _plural_head(metric, lex)
    amount = words[-1] in lex["vague_nouns"].words or words[-1] in lex["mass_plurals"].words
    # Each of the metric's few words is looked up (building the union of the two classes
    # walked every metric term: 36 µs a call).
    heads, terms = lex["metric_heads"].words, lex["metric_terms"].words
    measured = any(w in heads or (w in terms and not w.endswith("s")) for w in words)
    return "number" if plural and not amount and not measured else "value"


def amount_of(metric: str, lex: Lexicon) -> str:
    """The metric as the object of a question: "number of posts on the forum", "value of
    sales", "overall revenue" (a singular needs no word before it)."""
    if not metric or lex.patterns.counted_prefix.match(metric) or " as a share of " in metric or not _plural_head(metric, lex)[1]:
        return metric  # "food cost as a share of revenue" already says what kind of amount
    return f"{amount_word(metric, lex)} of {metric}"


def measure_words(text_words: frozenset[str]) -> frozenset[str]:
    """A key result's words as `measured_by` compares them: split at hyphens, plurals read
    as singular ("customer-reported bugs" → customer, reported, bug)."""
    return frozenset(_stem(w) for t in text_words for w in _ALNUM_RUN.findall(t))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and looks_plural(word) else word


def measured_by(metric: str, others: Iterable[frozenset[str]], lex: Lexicon) -> bool:
    """Does one of the key results whose `measure_words` are `others` already measure
    `metric`? The metric's head noun is among its words, and so are at least half of the
    metric's content words: 'food waste sent to landfill' ~ 'Food waste to landfill in
    tonnes', 'sick days' ~ 'Sick day rate must go down'; but 'customer churn' is not
    'customer satisfaction from 7 to 8'."""
    stop = lex["stopwords"].words
    name = short_name(metric, lex).lower()
    counted = re.match(r"(\w+) of (.+)", name)
    if counted and counted.group(1) in lex["count_nouns"].words:
        name = counted.group(2)  # "number of clubs" is measured by "250 active clubs"
    mine = [_stem(w) for w in _ALNUM_RUN.findall(name) if w not in stop]
    # The head: the last noun of the name's first chunk ("waste" in "food waste sent to
    # landfill"), not a participle ("sent") nor past a preposition.
    chunk = lex.patterns.name_cut.split(f" {name} ")[0]
    head = [w for w in _ALNUM_RUN.findall(chunk) if w not in stop and lex.lemma_of(w) in (w, _stem(w))]
    if not mine or not head:
        return False
    key = _stem(head[-1])
    return any(key in theirs and 2 * sum(w in theirs for w in mine) >= len(mine) for theirs in others)
