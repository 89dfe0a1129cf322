"""Read one key result once: its lead, numbers and their roles, metric words, and task verdict.

`analyze_kr(text, lexicon)` is memoised per lexicon and returns frozen `KrFacts`.
"""

from __future__ import annotations

from dataclasses import replace

from ..lexicon import Lexicon, tokenize
from ..quantities import Quantity
from .facts import KrFacts, Lead
from .leads import after_label, enabled_level, find_lead, metric_name_start, noun_use
from .reading import (
    countable,
    feeling_clause,
    looks_plural,
    object_chunk,
    quality_word,
    race_clock,
    scan_cached,
    starts_with_verb_tokens,
    strip_fillers,
)
from .roles import is_qualifier
from .tasks import task_verdict


def analyze_kr(text: str, lex: Lexicon) -> KrFacts:
    """Facts about one KR. Memoised per lexicon: the same text always gives the same facts
    (rewrite templates and re-reviews repeat texts often)."""
    return lex.memoised(text, lambda: _analyze_kr(text, lex))


def _analyze_kr(text: str, lex: Lexicon) -> KrFacts:
    # A trailing note with no number ("(owner: Carla)", "(stretch)") is not part of the KR;
    # only the tail goes, so every offset into the text stays valid.
    core = lex.patterns.trailing_note.sub("", text)
    # "KR1: Staff survey engagement score 7.2": the item's label, blanked so offsets hold.
    core = lex.patterns.item_label.sub(lambda m: " " * len(m.group(0)), core, count=1)
    # "[Q3-Q4] Site live by Q4", "(P1) ...", "By Week 10, deliver ...": a tag or a deadline
    # before the sentence is no part of what is asked; blanked the same way.
    core = lex.patterns.leading_tag.sub(lambda m: " " * len(m.group(0)), core, count=1)
    low = core.lower()
    tokens = tokenize(low)
    words = lex.grams([t for t, _ in tokens])
    sc = scan_cached(core)
    # read once: the lead and the task verdict start there ("Support: run 3 triage drills": after the label)
    first = after_label(low, tokens, lex) or strip_fillers(low, tokens, lex)
    lead = find_lead(tokens, lex, first)
    if lead and (
        (not sc.quantities and feeling_clause(tokens, lead.index + 2, lex))
        or metric_name_start(tokens, lead, lex)
        or (
            lead.kind in {"delivery", "ambiguous"}
            and noun_use(tokens, lead, lex, bool(sc.quantities), frozenset(q.start for q in sc.quantities))
        )
    ):
        lead = None
    qualitative = not sc.quantities and (
        any(quality_word(t, lex) for t, _ in tokens)
        # "Team leads are better coaches", "Volunteers are more happy": a quality of people
        or bool(lead and lead.lemma == "be" and not words.isdisjoint(lex.union("comparatives", "feeling_words")))
        or feeling_clause(tokens, 1, lex)  # "Devs rave about us"
        or (lead is None and _people_behaviour(tokens, lex))  # "Lecturers embrace digital tools"
    )

    if lead and lead.index > first:
        chunk = object_chunk(tokens[: lead.index], first, lex)  # the subject: "Safety culture improved"
    else:
        chunk = object_chunk(tokens, lead.index + 1 if lead else first, lex)
    if len(chunk) > 1 and chunk[-1] in lex["period_words"].words and lex.patterns.period_over_period.search(low):
        chunk = chunk[:-1]  # "testing results | year on year": the periods a change is counted between
    chunk_words = lex.grams(chunk)
    metric_terms = lex["metric_terms"].found(chunk_words)
    heads = lex["metric_heads"].found(chunk_words)
    vague = lex["vague_nouns"].found(words)
    metric_words = metric_terms + heads + lex.patterns.rate.findall(low)
    statistic = [h for h in heads if h in lex["statistics"].words]
    feeling = not sc.quantities and not lex["feeling_words"].entries.isdisjoint(words)
    # a metric named in full keeps its quality-word head: "Aided brand awareness" is a survey's measure
    named = any(" " in term and chunk and term.split()[-1] == chunk[-1] for term in metric_terms)
    if feeling or (qualitative and not statistic) or (chunk and chunk[-1] in lex["vague_nouns"].words and not (statistic or named)):
        # "Improve pricing discipline": the head is a quality word, whatever modifies it
        # (but "Median download speed" is measured: it names a statistic).
        metric_terms = []
        metric_words = lex.patterns.rate.findall(low)
    # (with a purpose the result is named there: "Improve the onboarding docs to reduce tickets")
    better = not sc.quantities and not heads and _better_work(tokens, first, lead, chunk, lex) and not lex.patterns.purpose.search(low)
    if better:
        # "Better code reviews", "Enhance the weekly reports": a word of quality on the team's
        # own work products asks for better ones, not more or fewer (no quantity named)
        metric_terms = []
        metric_words = lex.patterns.rate.findall(low)
    chunk_metric_words = metric_terms + heads
    if (
        not metric_words
        and lead
        and lead.index > first
        and lead.kind == "change"
        and (
            lead.lemma in lex["quantity_verbs"].words
            or lead.token in lex["value_frames"].words  # "Partner NPS up"
            or lex.patterns.direction_after.match(low, tokens[lead.index][1] + len(lead.token))  # "goes up"
        )
        and chunk
        and (
            chunk[0] in lex.union("people_nouns", "outcome_nouns", "metric_terms")
            or not (lex.verb_classes(chunk[0]) or lex.lemma_of(chunk[0]) in lex["other_verbs"].words)
        )  # "Partner satisfaction goes up", not "Take the brand up a level"
        and lex.lookup("vague_metrics", " ".join(chunk))
    ):
        # "Partner satisfaction goes up over the half-year": a named score that changes,
        # with no value (the contract: no target); "Improve partner satisfaction" names none.
        metric_words = [chunk[-1]]
    nouns = [t for t in chunk if t not in lex["count_words"].words]
    if lead is None and (sc.quantities or lex.patterns.window_words.search(low)) and words.isdisjoint(lex["count_words"].words):
        # "Requests settled within 24h": the participle after the noun is not the head
        # (but "10 tutorials published" declares a deliverable done).
        while len(nouns) > 1 and (
            nouns[-1].endswith("ing")
            or (
                nouns[-1].endswith("ed")
                and nouns[-1] not in lex["done_words"].words
                and "delivery_verbs" not in lex.verb_classes(nouns[-1])
            )
        ):
            nouns.pop()
    # "More engaging lectures" counts no lectures; "the share of engineers who say ... fair" is a share.
    if not metric_words and nouns and not better and not (qualitative and nouns[-1] not in lex["statistics"].words):
        quality = nouns[-1] in lex["vague_nouns"].words or lex["vague_nouns"].has(lex.grams(nouns))
        if lead and lead.lemma in lex["quantity_verbs"].words and not quality:
            metric_words = [nouns[-1]]  # "Reduce repeat victimisation": a quantity
        elif (
            (lead and lead.kind in {"change", "level", "maintain"})
            or (not words.isdisjoint(lex["count_words"].words) and not feeling)  # "Buyers trust sellers more"
            or (
                lead is None
                and not feeling
                and nouns[-1] not in lex["deliverable_nouns"].words
                and words.isdisjoint(lex["quality_comparatives"].words)  # "Smoother handovers": a quality
                and "new" not in words  # "New quickstarts for Go": things to make
                and not lex.patterns.rollout.search(low)  # "Solar panels on the roof": things to put in place
                and not any(lex.lemma_of(t) in lex["other_verbs"].words for t, _ in tokens)
                and not starts_with_verb_tokens(tokens, first, lex)
            )
        ) and countable(nouns[-1], lex) and nouns[0] not in lex["pronoun_subjects"].words:
            # "Site stoppages due to late materials": a plural with no verb names a count.
            metric_words = [nouns[-1]]
    if not metric_words and lead is None and tokens and not words.isdisjoint(lex["cadence_words"].words):
        subject = tokens[0][0]
        if subject in lex.union("people_nouns", "outcome_nouns") or countable(subject, lex):
            metric_words = [subject]  # "Clinicians log in to the video platform weekly": how many do
    if lex.patterns.time_to.match(low):
        metric_words = [*metric_words, "time to"]  # "Time to first successful API call"
    if lex.patterns.share_of.search(low):
        metric_words = [*metric_words, "share"]  # "Zero-result queries as a share of all searches"
    if (
        not metric_words
        and not feeling
        and tokens
        and tokens[-1][0] in lex["metric_heads"].words
        and (len(tokens) < 2 or tokens[-2][0] not in lex["manner_prepositions"].words)  # "delivered on time"
    ):
        metric_words = [tokens[-1][0]]  # "Left without being seen rate"
    vague_words = vague
    # "Resolve all critical alerts within 7 days": the time limit of a service level is
    # its target, not a window that picks what is counted.
    service = bool(lead and lead.lemma in lex["service_verbs"].words)
    # (a list: `q not in qualifiers` then hashes no quantity, and there are seldom any)
    role_lead = enabled_level(tokens, lead, lex) or lead  # "Enable the DAO to | maintain its treasury above CHF 20k"
    qualifiers = [
        q
        for q in sc.quantities
        if is_qualifier(low, q, role_lead, lex)
        and not (service and q.kind == "duration" and lex.patterns.within_before.search(low, 0, q.start))
    ]
    measures = [
        q for q in sc.quantities if (q.kind != "placeholder" or q.role == "target") and q not in qualifiers
    ]
    raced = [q for q in sc.quantities if race_clock(low, q, lex)] if lex["race_events"].has(words) else []
    race = max(lex["race_events"].found(words), key=len) if raced else ""
    if raced:  # "Finish the 10k in under 45 minutes": the time is the value; "10k" names the race
        measures = raced
    # "% of plan achieved": a share names a metric, even with no word for it.
    has_metric = bool(sc.quantities) or bool(metric_words) or bool(lex.patterns.metric_opening.match(low))
    has_target = any(q.role == "target" for q in measures)
    if not has_target and has_metric and lex.patterns.reference_target.search(low):
        # "above the industry average", "to a level above the last 12 months' peak": a target
        # set against a value only referenced (the contract: it counts as no baseline).
        has_target = True
    if not has_target and has_metric and lead is not None and lead.index == first and lead.lemma in lex["zero_verbs"].words:
        # "Eliminate billing errors": none left, a target of zero (the contract's "zero P1 incidents")
        at = tokens[lead.index][1]
        has_target = True
        measures.append(Quantity(at, at + len(lead.token), "zero", "word", "target"))
    everyone = lex.patterns.everyone.match(low)
    if everyone and everyone.group(1) in lex["people_nouns"].words and not has_target:
        # "Every AE certified": a share of 100% (but "Each engineer writes 2 posts a quarter"
        # counts per person: the KR's own value is its target)
        has_metric = has_target = True
        measures.append(Quantity(0, everyone.end(), text[: everyone.end()], "percent", "target"))
    has_baseline = any(q.role == "baseline" and q not in qualifiers for q in sc.quantities)
    maintains = bool(lead and lead.kind == "maintain") or bool(
        lex.patterns.maintain_frame.search(low) or lex.patterns.hold_frame.match(low)
    )
    if maintains and lead and lead.lemma == "hold":
        lead = replace(lead, kind="maintain")
    read = dict(
        text=text, low=low, tokens=tuple(tokens), words=words, scan=sc, lead=lead, first=first,
        has_metric=has_metric, has_target=has_target, has_baseline=has_baseline,
        maintains=maintains, qualitative=qualitative, measures=tuple(measures),
        chunk_metric_words=tuple(chunk_metric_words), metric_words=tuple(metric_words),
        vague_words=tuple(vague_words), compound=_compound(text, lex), race=race,
    )
    # The task verdict reads the other facts; when it finds a task, the frozen facts are made
    # again with it (dataclasses.replace walks every field: 3% of an analysis).
    facts = KrFacts(**read)
    is_task, reason = task_verdict(facts, lex)
    if not is_task and not reason:
        return facts  # what the facts say already
    return KrFacts(**read, is_task=is_task, task_reason=reason)


def _people_behaviour(tokens: list[tuple[str, int]], lex: Lexicon) -> bool:
    """'Lecturers embrace digital tools', 'Players have a blast': people, then what they do
    or feel, with no number and no cadence to count."""
    if len(tokens) < 3 or any(t in lex["cadence_words"].words for t, _ in tokens):
        return False
    first, verb = tokens[0][0], tokens[1][0]
    people = lex.union("people_nouns", "outcome_nouns", without=("metric_terms",))
    if first not in people and not countable(first, lex):
        return False
    return verb in lex["behaviour_verbs"].words or (
        lex.lemma_of(verb) == verb and (verb in lex["other_verbs"].words or verb in lex["aspiration_verbs"].words)
    )


def _compound(text: str, lex: Lexicon) -> bool:
    parts = lex.patterns.compound_split.split(text.lower())
    if len(parts) < 2:
        return False
    measured = 0
    for part in parts:
        toks = tokenize(part)
        if not toks:
            continue
        classes = lex.verb_classes(toks[0][0])
        if classes & {"change_verbs", "level_verbs", "maintain_verbs"} and (
            scan_cached(part).quantities or lex["metric_terms"].has(lex.grams([t for t, _ in toks]))
        ):
            measured += 1
    return measured >= 2


def _better_work(tokens: list[tuple[str, int]], first: int, lead: Lead | None, chunk: list[str], lex: Lexicon) -> bool:
    """Does the KR open with a word of quality ("Improve", "Enhance", "Better") on things the
    team makes ("code reviews", "weekly reports", "onboarding sessions")?"""
    opener = tokens[first][0] if first < len(tokens) else ""
    quality = (lead is not None and lead.index == first and lead.lemma in lex["quality_verbs"].words) or (
        lead is None and opener in lex["quality_comparatives"].words
    )
    return quality and bool(chunk) and looks_plural(chunk[-1]) and chunk[-1] in lex["deliverable_nouns"].words
