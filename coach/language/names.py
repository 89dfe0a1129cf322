"""Names a key result can be measured by, sure enough to show a user: the metric a rewrite
writes and a finding's message names ("Increase NPS to 50" → "NPS"), or none when the coach
cannot tell what the numbers count ("500 employees use the copilot weekly"), and the fields
the rule messages read (`Described`). Findings and rewrites read them here, so both name a
KR's metric the same way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..lexicon import Lexicon, tokenize
from ..quantities import Quantity
from .facts import KrFacts
from .noun_phrases import (
    clause_after_plural,
    is_measurable,
    is_noun_phrase,
    is_participle,
    name_head,
    opens_unclosed_quote,
    unfit_name,
)
from .phrases import amount_word, is_relative, metric_phrase, target_phrase, verb_for
from .reading import duration_at_cadence, known_verb, looks_plural

if TYPE_CHECKING:
    from ..rubric import Rubric


def sure_metric(facts: KrFacts, lex: Lexicon) -> str:
    """The metric the KR's numbers measure, when the coach can tell ("Increase NPS to 50" →
    "NPS"), else "" ("500 employees use the copilot weekly": all employees would be counted).
    Read once per text: a KR's rewrite and its objective's phrasings both ask."""
    return lex.memoised(("sure metric", facts.text), lambda: _sure_metric(facts, lex))


def _sure_metric(facts: KrFacts, lex: Lexicon) -> str:
    metric = metric_phrase(facts, lex)
    if (
        not metric
        or metric.lower() in lex["statistics"].words  # "Average <5 unassigned incidents": the average of what?
        or (len(metric.split()) <= 2 and metric.lower().split()[-1] in lex["measurement_nouns"].words)  # "Pipeline metrics": which?
        or not (
            is_measurable(metric, lex)
            or _measured_by_its_value(facts, metric, lex)
            or _counted_by_clause(facts, metric, lex)
            or _money_held(facts, metric, lex)
        )
        or _counts_something_else(facts, metric, lex)
        or _metric_elsewhere(facts, metric, lex)
        or _drops_what_they_do(facts, metric, lex)
        or _cut_inside_marks(metric)  # "usage of `utility` plugins linked to `BI` or `analyze": cut mid-name
        or _unclear_count(facts, metric, lex)
        or _cut_at_a_join(facts, metric)  # "revenue | and margin": one of two, the other dropped
        or _change_named_after_value(facts, metric, lex)
        or _measure_after_value(facts, metric, lex)
        or _heading_of_details(facts, metric, lex)
        or _money_for_people(facts, metric, lex)
        or _cut_before_its_object(facts, metric, lex)
    ):
        return ""
    share = _share_of_people(facts, metric, lex)
    if share is not None:
        return share
    # "current support cost": "current" says where it is now, no part of the name
    # ("[current current support cost]"); not of who is counted ("current customers")
    words = metric.split()
    if len(words) > 1 and words[0].lower() == "current" and words[1].lower() not in lex.union("people_nouns", "outcome_nouns"):
        return " ".join(words[1:])
    return metric


def _cut_before_its_object(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'volunteers reporting | more than a fair amount of burnout': a name ending on a verb's
    -ing form, cut where its object goes on in the KR; named without it, it counts others."""
    last = metric.rsplit(" ", 1)[-1].lower()
    stem = last[:-3]
    if not (last.endswith("ing") and len(stem) > 2 and any(known_verb(v, lex) for v in (stem, stem + "e", stem[:-1]))):
        return False
    at = facts.low.find(metric.lower())
    rest = facts.low[at + len(metric) :].split(maxsplit=3) if at >= 0 else []
    if rest[:2] in (["more", "than"], ["less", "than"], ["fewer", "than"]):
        return len(rest) > 2 and rest[2].isalpha()  # "… more than a fair amount of burnout", not "more than 3 times"
    return bool(rest) and rest[0].isalpha() and rest[0] not in lex.union("stopwords", "qualifier_prepositions")


def _measured_by_its_value(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'Hand hygiene compliance ≥ 95%', 'Developer docs satisfaction of 4.5/5', '90%
    participation in the survey': a quality or an abstract noun is measured when its value is
    written right beside it (alone, "Improve compliance" names no number to move)."""
    words = [t for t, _ in tokenize(metric.lower())]
    head = name_head(words, lex)
    last = head[-1] if head else ""
    if _ACRONYM.fullmatch(metric):
        return _value_beside(facts, metric, lex)  # "Increase SWAUs by 25%", "lower my BMI to 25": a named measure
    if not (last in lex["vague_nouns"].words or lex.patterns.abstract_noun.search(last)) or last in lex.maps["change_nouns"]:
        return False  # ("1% improvement for all tasks": a change, not a level of something)
    if not lex.union("determiners", "clause_words").isdisjoint(head):
        return False  # "staff reporting the phishing test", "food binned before distribution": a clause
    if not lex["plan_nouns"].words.isdisjoint(words):
        return False  # "running consistency with a goal of 20 miles": the value is the goal's, no level of it
    return _value_beside(facts, metric, lex)


def _counted_by_clause(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'500 influencers sharing our content', '5 communities that use our data', 'Bills issued
    within 5 days: 95%': things a clause picks, counted when their count is written right
    before them or a share of them is the target (without a value, "Containers held beyond
    72h", which way is better is not said)."""
    words = [t for t, _ in tokenize(metric.lower())]
    i = clause_after_plural(words, lex)
    if not i or words[i - 1] in lex["vague_nouns"].words:
        return False
    at = facts.low.find(" ".join(words[:i]))  # (the clause may read "that" into the name: "… that use …")
    return at >= 0 and any(
        q.role == "target"
        and (q.kind == "percent" or (q.kind in {"number", "word"} and q.end <= at and not facts.low[q.end : at].strip()))
        for q in facts.measures
    )


def _money_held(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'scholarship pool', 'reserve fund', 'spare budget': money held, measured by an amount
    (or a change of it in percent) the KR gives it."""
    words = [t for t, _ in tokenize(metric.lower())]
    head = name_head(words, lex)
    # (the whole name: in "balanced budget with general reserves" the amount is the reserves')
    return bool(head) and head == words and head[-1] in lex["money_pools"].words and any(
        q.role == "target" and q.kind in {"currency", "percent"} for q in facts.measures
    )


_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,5}s?")  # as written: "BMI", "SWAUs", "NRR"


def _value_beside(facts: KrFacts, metric: str, lex: Lexicon, before: bool = True) -> bool:
    """Is a target value written right after the metric's name, joined only by a link ("≥",
    "of", "reaches", "kept under"), or (`before`) right before it ("90% participation")?"""
    at = facts.low.find(metric.lower())
    end = at + len(metric)
    return at >= 0 and any(
        (q.start >= end and _links_only(facts.low[end : q.start], lex))
        or (before and q.end <= at and not facts.low[q.end : at].strip())
        for q in facts.measures
        if q.role == "target" and q.kind != "placeholder"
    )


def _links_only(gap: str, lex: Lexicon) -> bool:
    """A few link words and comparison marks, no clause: "of", " ≥ ", ": kept under "."""
    words = _WORD.findall(gap)
    return len(words) <= 5 and not any(c in gap for c in ",;.") and lex["value_links"].words.issuperset(words)


_WORD = re.compile(r"[a-z]+")


def _heading_of_details(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'Pack goldens: snapshot + one op per pack in CI': a name, a colon and what it holds
    is a heading of work to do, no metric ("Retention: 45%" gives its values after it)."""
    at = facts.low.find(metric.lower())
    rest = facts.low[at + len(metric) :] if at >= 0 else ""
    if not rest.lstrip().startswith(":"):
        return False
    colon = at + len(metric) + rest.index(":") + 1
    # ("Scholarship learners: 60% → 75%", "Vaccine stock-outs: none": values, the name's own)
    return not any(q.start >= colon and _links_only(facts.low[colon : q.start], lex) for q in facts.quantities)


def _change_named_after_value(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'a 20% cost reduction', 'a 5 kg weight loss': the value is a change, the name ends on
    the change's noun; a rewrite would make the change a level of it ("reduce cost reduction")."""
    if metric.lower().split()[-1] not in lex.maps["change_nouns"]:
        return False
    at = facts.low.find(metric.lower())
    return at > 0 and any(q.end <= at and not facts.low[q.end : at].strip() for q in facts.measures)


def _measure_after_value(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'NFC authentication >98% success rate', 'wallet connection >95% reliability': what the
    value measures is named after it; the name before it is only what it is about, and a
    rewrite of that name alone would lose the measure."""
    at = facts.low.find(metric.lower())
    if at < 0:
        return False
    end = at + len(metric)
    # the first target right after the name, past comparison marks only (not a multiple:
    # "Pipeline coverage 3x quota" is coverage, in quotas)
    q = next(
        (q for q in facts.measures if q.role == "target" and q.start >= end and not facts.low[end : q.start].strip(" <>≤≥~")),
        None,
    )
    if q is None or q.kind == "multiplier":
        return False
    word = (facts.low[q.end :].split(maxsplit=1) or [""])[0].strip(".,;:()")
    return word in lex.union("metric_heads", "metric_terms", "vague_nouns")


_JOIN_AFTER = re.compile(r"\s+(?:and|or|&)\s+(?![\d$€£])[a-z]")


def _cut_at_a_join(facts: KrFacts, metric: str) -> bool:
    """Does the name stop at an 'and' that goes on ("time to generate | and deploy release
    builds", "revenue | and margin")? A rewrite of the first part would drop the second."""
    last = metric.lower().split()[-1]
    at = facts.low.find(last, facts.low.find(metric.lower().split()[0]))
    return at >= 0 and _JOIN_AFTER.match(facts.low, at + len(last)) is not None


def _cut_inside_marks(metric: str) -> bool:
    """Does the name open a quote, backtick or bracket it never closes (read up to a cut inside
    a quoted or bracketed part of the KR)?"""
    return (
        any(metric.count(mark) % 2 for mark in ('`', '"'))
        or metric.count("(") != metric.count(")")
        or metric.count("[") != metric.count("]")
        or opens_unclosed_quote(metric)  # "current support cost for 'free users"
    )


def _counts_something_else(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'Found buyers in 12+ Nordic cities', 'Help neighbours up to 40 times': the value
    counts another noun than the metric (countries, times); a rewrite would move it."""
    named = set(metric.lower().split())
    for q in facts.measures:
        if q.role == "target" and q.kind == "percent":
            of = lex.patterns.share_whole_after.match(facts.low[q.end :])
            if of and of.group(1) not in named and not metric.startswith("share of"):
                return True  # ">99% of places" is a share of places, not of the review effort
            continue
        if duration_at_cadence(facts, q, lex) and named.isdisjoint(lex.union("time_metrics", "time_units")):
            return True  # "Lift weights 3 days/week": the days of doing it, not an amount of weights
        if q.role != "target" or q.kind != "number":
            continue
        after = re.findall(r"[a-z][a-z-]*", facts.low[q.end : q.end + 40])[:4]
        after = [w for w in after if w not in lex["determiners"].words]
        if after and after[0] in lex["qualifier_prepositions"].words:
            continue  # "an NPS of 65 among pet owners", "0.5 per 1,000 line days": where it holds
        one = q.text.lower() in {"1", "one"}  # "1 privacy project investment": one counts a singular
        noun = next((w for w in after if (one or w.endswith("s")) and w not in lex["value_frames"].words), None)
        if noun and noun not in named and (after[0] == noun or after[0] not in named):
            return True
    return False


def _money_for_people(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'First paying customer ($60+/month)': an amount of money is no count of customers; it
    says which ones count (or what they pay), so a rewrite would give the price the count's role."""
    if not any(q.role == "target" and q.kind == "currency" for q in facts.measures):
        return False  # (most KRs: no name to read)
    head = name_head([t for t, _ in tokenize(metric.lower())], lex)
    return bool(head) and head[-1] in lex["people_nouns"].words


def _share_of_people(facts: KrFacts, metric: str, lex: Lexicon) -> str | None:
    """'Referral candidates reaching onsite interview: 50%' is a share of them ("share of …"
    when the name is read whole); 'Patients rating care good | or very good: 90%' (cut) and
    'Budget holders rating finance support at least 4/5' (the score they give) get "" (ask).
    None: not counted things doing something, with a percent or a rating as their value."""
    if metric.lower().startswith("share of"):
        return None
    words = metric.lower().split()
    # counted things, then what they do or what is done to them: "patients rating care",
    # "customers using the app", "critical vulns patched within SLA", "newcomers who come back"
    # (a clause read in the name's head only: "renewal rate | for customers who …" is a rate)
    doing = any(
        looks_plural(a) and b.endswith(("ing", "ed")) and len(b) > 4 for a, b in zip(words, words[1:-1], strict=False)
    ) or clause_after_plural(name_head(words, lex), lex) > 0
    found = target_phrase(facts, lex) if doing else None  # "… citing performance down 60%": a change of the count
    if not found or found[1].kind not in {"percent", "rating"} or relative_target(found, facts, lex):
        return None
    end = facts.low.find(metric.lower())
    rest = facts.low[end + len(metric) :].lstrip() if end >= 0 else "?"
    whole = not rest or rest[0] in ":≥>(" or rest[0].isdigit() or rest.startswith(("at least", "over", "above"))
    return f"share of {metric}" if whole and found[1].kind == "percent" else ""


def _drops_what_they_do(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'25 members publish a talk', 'At least 10 Reps tell us they understand ...': the
    metric would count all members, not those who do the thing; ask instead."""
    last = metric.lower().split()[-1] if metric else ""
    words = [t for t, _ in facts.tokens]
    if last not in words or _value_beside(facts, metric, lex, before=False):
        return False  # ("Monthly burn kept under $90k": what follows is the value, nothing dropped)
    k = words.index(last)  # where the counted thing is first named
    if lex.patterns.list_after.match(facts.low, facts.tokens[k][1] + len(last)):
        return True  # "Sales, engineering, and product have a working process": one name of a list
    after = words[k + 1 : k + 3]
    if after[:1] == ["because"]:
        return True  # "Failed deliveries because address is wrong": the reason picks the deliveries
    if after[:1] == ["from"] and len(after) > 1 and not after[1][:1].isdigit():
        return True  # "MQLs from webinars": a source that defines what is counted would be lost
    if after and is_participle(after[0], lex) and not metric.lower().endswith(after[0]):
        return True  # "pipeline sourced from attendees", "companies committed to ...": a condition
    if (
        after
        and after[0] in lex["relative_pronouns"].words
        and f" {after[0]} " not in f" {metric.lower()} "
        and "," not in facts.text[facts.tokens[k][1] : facts.tokens[k + 1][1]]  # ", where counted means ...": an aside
    ):
        return True  # "readers who open the newsletter 3+ days a week", "searches that end in a ticket"
    verbs = lex.union("common_verbs", "other_verbs", "behaviour_verbs")
    following = facts.tokens[k + 1 : k + 4]
    if following[:1] and following[0][0] in ("have", "has", "had", "is", "are", "was", "were") and len(following) > 1:
        moved = lex.verb_classes(following[1][0])
        if moved & {"change_verbs", "level_verbs", "quantity_verbs"} and following[1][0] != lex.lemma_of(following[1][0]):
            return False  # "Newsletter signups have reached 4,000", "… is increased by 15%": the metric's own move
    for nxt, pos in following:  # "new volunteers to the club learn why ...": within a few words
        base = lex.lemma_of(nxt) == nxt
        if base and (nxt in verbs or lex.verb_classes(nxt)) and nxt not in lex["quantity_verbs"].words:
            return not lex.patterns.direction_later.match(facts.low, pos)  # ("Sick day rate must go down")
        if nxt in lex["stopwords"].words and nxt != "to":
            return False
    return False


def _unclear_count(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'12 monthly sessions' (12 in all, or 12 a month?), '10 awards or fellowships' (which is
    counted?), '(4)' after a name: the coach cannot tell what the number counts."""
    named = metric.lower().split()
    head = (name_head(named, lex) or named or [""])[-1]  # "monthly visitors | to the docs site"
    for q in facts.measures:
        after = facts.low[q.end : q.end + 60].split()
        if after and after[0] in lex["cadence_words"].words and head in lex["deliverable_nouns"].words:
            return True  # "12 monthly sessions": 12 in all, or 12 a month? ("5 million monthly readers" is clear)
        if len(after) > 1 and after[1] in lex["list_joiners"].written:
            return True
        if q.kind == "word" and q.role == "target" and _number_word_elsewhere(facts, q, metric, lex):
            return True
    return bool(lex.patterns.name_count.search(facts.low))


def _number_word_elsewhere(facts: KrFacts, q: Quantity, metric: str, lex: Lexicon) -> bool:
    """A number in words counts the metric only right before it ("Ten new clients in the
    segment"); "the bottom two bands", "for two consecutive months" and "three quarters of
    the managers" count something else."""
    low = q.text.lower()
    before = facts.low[max(0, q.start - 3) : q.start]
    if low == "zero" or lex.patterns.multiply_word.match(low) or lex.patterns.fraction_word.match(q.text) or before.endswith(("to ", "→ ")):
        return False  # zero, a change ("double"), or a cadence or level after "to" ("to daily")
    after = facts.low[q.end :].split()
    first = metric.lower().split()[:1]
    fraction = bool(after) and after[0] in lex["fraction_plurals"].words  # a share
    return fraction or not (after and first and after[0] == first[0])


def _metric_elsewhere(facts: KrFacts, metric: str, lex: Lexicon) -> bool:
    """'Mentors who are active report an eNPS of 40': a named metric outside the
    phrase found (here NPS) is what the value belongs to; the coach asks rather than guess."""
    named = lex.union("metric_terms", "metric_heads", without=("time_units",))
    inside = {w.lower() for w in re.findall(r"[\w/-]+", metric)}
    if not inside.isdisjoint(named):
        return False
    if _value_beside(facts, metric, lex, before=False):
        # "Weekly active teams reach 1,500": the link to the value ("reach") names nothing
        inside |= lex["value_links"].words
    values = " ".join(q.text.lower() for q in facts.quantities)
    lead = facts.lead.token if facts.lead else ""  # "Reach 5,000 teams": the verb, not the metric "reach"
    # Only the text's metric terms are tried (a set intersection, not a lookup per word), and
    # none of how the change is made ("… by 12% | by reducing vendor fees"): that may go
    words = facts.words
    method = lex.patterns.method_clause.search(facts.low)
    if method and words & lex["metric_terms"].words:
        words = frozenset(t for t, _ in tokenize(facts.low[: method.start()]))
    return any(w not in inside and w not in values and w != lead for w in words & lex["metric_terms"].words)


def relative_target(found: tuple[str, Quantity], facts: KrFacts, lex: Lexicon) -> bool:
    """Is the target as found (`target_phrase`) a change ("by 20%", "double"), not a level?"""
    _, q = found
    # Words that say a change, not a level: "double", "halved", "by a third", "in half". A
    # number word ("ten new clients", "two workshops") is a level, like a figure.
    if q.kind == "word":
        return bool(lex.patterns.multiply_word.match(q.text.lower()) or lex.patterns.fraction_word.match(q.text))
    return is_relative(facts.low, q, lex)


class Described(dict):
    """Fields the rule messages use: {metric}, {amount} ('number' or 'value'), {verb},
    {target}, {start_and_target}, {metric_hint}, each read from the KR when a message first asks for it (a task's
    message names none of them, and reading the metric is most of a finding's cost). Other
    keys start in the dict."""

    def __init__(self, facts: KrFacts, rubric: Rubric, **fields: object):
        super().__init__(fields)
        self._facts, self._rubric = facts, rubric

    def __missing__(self, key: str) -> str:
        facts, lex = self._facts, self._rubric.lexicon
        if key == "metric":
            # the name a rewrite would use, or none: a finding's text never shows a verb, a
            # cut phrase or a letter left for a number as a metric ("increase choose ...")
            found = sure_metric(facts, lex)
            value = found if found and is_noun_phrase(found, lex) and not unfit_name(found, lex) else "the metric"
        elif key == "amount":
            value = amount_word(self["metric"], lex)
        elif key == "verb":
            value = verb_for(facts, self["metric"], self._rubric).lower()
        elif key == "target":
            target = target_phrase(facts, lex)
            value = target[0] if target else "[target]"
        elif key == "start_and_target":
            # a change keeps its role ("by 15% from [current]": the end follows), a level is the end
            target = target_phrase(facts, lex)
            if target is None or not relative_target(target, facts, lex):
                value = f"from [current] to {self['target']}"
            else:
                written, q = target
                change = written if q.kind == "word" or written.lower().startswith(("by ", "in ")) else f"by {written}"
                value = f"{change} from [current]"
        elif key == "metric_hint":
            hints = lex.lookup("vague_metrics", facts.text)
            value = ", ".join(hints) if hints else "a count, a rate, a time or a score"
        else:
            raise KeyError(key)
        self[key] = value
        return value
