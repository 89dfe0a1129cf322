"""Is a key result the team's own work (a task) rather than an outcome? And why.

`task_verdict` is the one reader of that question; the contract's hard cases decide its
order: the team's own work in the voices real drafts use first, then the lead verb and
its object, then done-states and deliverables named without a verb.
"""

from __future__ import annotations

import re
from itertools import takewhile

from ..lexicon import Lexicon
from ..quantities import Quantity
from .facts import KrFacts, Lead
from .leads import enabled_level
from .reading import (
    countable,
    counted_events,
    duration_at_cadence,
    head_chunk,
    is_quality_adjective,
    known_verb,
    looks_plural,
    object_chunk,
    scan_cached,
    starts_with_verb,
    verb_kind,
)


def _rate_object(facts: KrFacts, lead: Lead, lex: Lexicon) -> bool:
    """'Deliver 95% of orders on time': the object is a rate, so this is an outcome;
    but 'Complete 100% of the layout & design', 'Move 60% of services to the cloud' is a
    share of the team's own work, done (no service window, nobody else's action)."""
    after = facts.tokens[lead.index + 1 : lead.index + 3]
    if not after:
        return False
    pos = after[0][1]
    rate = any(
        q.start >= pos and q.kind in {"percent", "rating", "currency"} and q.start - pos < 12
        for q in facts.scan.quantities
    )
    return rate and not _own_share(facts, lead, lex)


def _counted_passive(facts: KrFacts, lead: Lead, lex: Lexicon) -> bool:
    """'Get featured in 5 startup publications', 'Get mentioned in 10 podcasts': notice the
    team gets from others (press, reviewers), counted, is a result; with no count it is a
    milestone, and what the team gets done is its own work ('Get 20 staff trained')."""
    nxt = facts.tokens[lead.index + 1 : lead.index + 2]
    return (
        lead.lemma == "get"
        and bool(nxt)
        and nxt[0][0] in lex["coverage_words"].words
        and any(q.role == "target" and q.kind in {"number", "word"} for q in facts.measures)
    )


def _change_as_object(facts: KrFacts, lead: Lead, lex: Lexicon) -> bool:
    """'Deliver a 20% increase in demo requests', 'Deliver X% growth in sign-ups': what is
    delivered is a change of a measure, a result (not a thing shipped)."""
    after = facts.tokens[lead.index + 1 : lead.index + 3]
    if after and after[0][0] in lex["determiners"].words:
        after = after[1:]  # "Deliver a 20% increase …"
    q = next((q for q in facts.quantities if after and q.start == after[0][1]), None)
    noun = next((t for t, pos in facts.tokens if pos >= q.end), "") if q else ""
    return noun in lex.maps["change_nouns"]


def _own_share(facts: KrFacts, lead: Lead, lex: Lexicon) -> bool:
    """A share of the team's own work done ("Complete 60% of the upgrades") or of people the
    team reaches out to ("Contact 100% of past sponsors", as "Call every lapsed account");
    not what people do ("Convert 15% of donors") or a service level ("… within 24 hours")."""
    chunk = object_chunk(facts.tokens, lead.index + 1, lex)
    return (
        _reaches_out(facts, lead, lex)
        or (lead.lemma in lex["finish_verbs"].words and not (chunk and chunk[-1] in lex.union("outcome_nouns", "people_nouns")))
    ) and not _service_level(facts, lex)


def _service_level(facts: KrFacts, lex: Lexicon) -> bool:
    """'… within 24 hours', '… same day': a time the work is done in, a level measured."""
    return any(q.kind == "duration" for q in facts.quantities) or lex["service_windows"].has(facts.words)


def _object_of(facts: KrFacts, lead: Lead, q: Quantity, lex: Lexicon) -> bool:
    """Is the value the lead verb's object, after at most its particles ("Contact | 100% of …",
    "Reach out to | 100% of …"; not "First contact resolution | 75%")?"""
    between = facts.low[facts.tokens[lead.index][1] + len(lead.token) : q.start].split()
    return all(t == "to" or t in lex.union("verb_particles", "qualifier_prepositions") for t in between)


def _reaches_out(facts: KrFacts, lead: Lead, lex: Lexicon) -> bool:
    """'Contact …', 'Reach out to …': the lead verb (or its phrase) reaches out to people."""
    said = [lead.token, *(t for t, _ in facts.tokens[lead.index + 1 : lead.index + 3])]
    return lead.lemma in lex["outreach_verbs"].words or lex["outreach_verbs"].has(lex.grams(said))


def outcome_clause(facts: KrFacts, lex: Lexicon, lead: Lead, needs_value: bool = True) -> int | None:
    """Where the measured outcome a delivery verb is for starts ("Launch the referral programme
    to | lift sign-ups from 15 to 60"), or None; with `needs_value` False, also one that names
    no value ("Improve error reporting to | minimize open issues")."""
    rest_start = facts.tokens[lead.index][1]
    for m in lex.patterns.purpose.finditer(facts.low, rest_start):
        at = m.end()
        clause = facts.low[at:]
        first = clause.split(" ", 1)[0].strip(",.;:")
        kinds = lex.verb_classes(first)
        trigger = m.group(0).split()[0]
        if trigger.endswith("ing") and lex.verb_classes(trigger) & {"change_verbs", "level_verbs"}:
            kinds = lex.verb_classes(trigger)
            at = m.start()
            clause = facts.low[at:]
        # "... so that 60% of loans are self-service" ("Talk to 50 owners" is no purpose clause)
        purpose = kinds & {"change_verbs", "level_verbs"} or (first[:1].isdigit() and trigger != "to")
        if purpose and (not needs_value or any(q.role == "target" for q in scan_cached(clause).quantities)):
            return at
    return None


def _order_object(facts: KrFacts, lead: Lead, lex: Lexicon) -> list[str]:
    """The object of the lead's order, past a second verb joined to it ("Complete and publish
    | the docs") and to the head after modifiers joined before it ("user and developer |
    documentation")."""
    toks = facts.tokens
    at = lead.index + 1
    if at + 1 < len(toks) and toks[at][0] in {"and", "&", "or"} and known_verb(toks[at + 1][0], lex):
        at += 2
    chunk = object_chunk(toks, at, lex)
    if not chunk:
        return chunk
    end = next((j + 1 for j in range(at, len(toks)) if toks[j][0] == chunk[-1]), len(toks))
    if end + 1 < len(toks) and toks[end][0] in {"and", "or"} and not known_verb(toks[end + 1][0], lex):
        more = object_chunk(toks, end + 1, lex)
        if more and more[-1] in lex["deliverable_nouns"].words:
            return [*chunk, *more]
    return chunk


def _counted_object(facts: KrFacts, lead: Lead) -> bool:
    """'Sign 25 fleet contracts': the verb's object is what the number counts."""
    nxt = facts.tokens[lead.index + 1 : lead.index + 2]
    return bool(nxt) and any(q.role == "target" and q.start == nxt[0][1] for q in facts.scan.quantities)


def _deliverable_singular(chunk: list[str], lex: Lexicon) -> bool:
    """'Sign the contract': one named thing, not a count."""
    return bool(chunk) and chunk[-1] in lex["agreement_nouns"].words


def _after(toks: list[str], first: int, lex: Lexicon) -> frozenset[str]:
    """The phrases after the verb: read by three of `_own_work`'s tests only, so built when
    one of them gets that far (most KRs stop earlier; the grams were 2% of a review)."""
    return lex.grams(toks[first + 1 :])


def _hiring(verb: str, lemma: str, opening: frozenset[str], toks: list[str], first: int, lex: Lexicon) -> bool:
    """Does the verb add people ("hire", "bring on board")? Asked of an order only, and the
    phrasal forms are built only when the verb and its opening phrases are no hire verb."""
    hire = lex["hire_verbs"]
    if lemma in hire.words or hire.has(opening):
        return True
    # "Bring 3 new maintainers on board": a phrasal hire verb whose particle comes later (the
    # rest of the KR is joined only for a verb that has such a form).
    phrasal = [p for p in lex["hire_particles"].entries if f"{verb} {p}" in hire.entries]
    if not phrasal:
        return False
    rest = f" {' '.join(toks[first + 1 :])}"
    return any(f" {p}" in rest for p in phrasal)


def _learning_said_how_well(toks: list[str], first: int, lex: Lexicon) -> bool:
    """'Better understand how members use the library', 'Deeper understanding of why donors
    leave', 'Get a shared understanding of …': learning with a word for how well (a
    comparative, or one adjective after "a"); the learning is still the deliverable."""
    i = first + (toks[first] in lex["obtain_verbs"].words)
    if toks[i : i + 1] in (["a"], ["an"]):
        i += 2  # "a shared | understanding", "a clear | picture"
    elif toks[i : i + 1] and toks[i] in lex["comparatives"].words:
        i += 1
    else:
        return False
    said = frozenset(" ".join(toks[i : i + k]) for k in (1, 2, 3))
    verb, learned = (toks[i : i + 2] + ["", ""])[:2]
    # a verb, then what is learned ("understand | how …", "… | the lifecycle"); not a quality
    # of outputs ("Better research outputs")
    return lex["learning_nouns"].has(said) or (
        verb == lex.lemma_of(verb)
        and verb in lex["learning_verbs"].words
        and learned in lex.union("determiners", "question_words", "people_nouns")
    )


def _own_work(facts: KrFacts, first: int, lex: Lexicon) -> str:
    """The voices real drafts use for the team's own work, read before the lead verb's
    finer rules: adding people to the team, learning and deciding, setting up
    measurement, a state of the world to reach ("There is a prototype ...", "Users can
    export ..."), and "Have X merged". The reason, or "" when none applies."""
    if facts.has_target and facts.has_baseline:
        return ""  # a move from a baseline is a result, whoever does the work
    toks = [t for t, _ in facts.tokens]
    if first >= len(toks):
        return ""
    verb = toks[first].split("/")[0]  # "launch/test 3 tools": the first of two verbs
    lemma = lex.lemma_of(verb)
    valued = any(q.role == "target" and q.kind != "number" for q in facts.measures)
    imperative = verb == lemma  # "Hiring manager satisfaction" names a metric, not an order
    # Phrases that start with the verb: "bring on board", "look into", "start tracking" (read
    # of an order only).
    opening = frozenset(" ".join([verb, *toks[first + 1 : first + k]]) for k in (1, 2, 3)) if imperative else frozenset()
    if imperative and _hiring(verb, lemma, opening, toks, first, lex) and lex["staff_nouns"].has(_after(toks, first, lex)):
        return f"'{verb}' adds people to the team: the team's own work"
    if facts.has_target and ((imperative and lex["measuring_verbs"].has(opening)) or lex.patterns.tracked_in.search(facts.low)):
        return "sets up measurement, bundled with the level it should show: the set-up comes first"
    if imperative and (lemma in lex["learning_verbs"].words or lex["learning_verbs"].has(opening)) and not valued:
        said = (lex["learning_verbs"].found(opening) or [verb])[0]  # "come up with", not "come"
        return f"'{said}' names learning, deciding or setting up measurement: a deliverable"
    there = toks[first : first + 2] in (["there", "is"], ["there", "are"], ["there", "will"])
    if there and not facts.measures:
        # (a number that only picks what it covers is no value: "... up to date for the next 1-2 releases")
        return "a state to reach ('there is ...'): a deliverable, not a result"
    if there and _own_things_there(facts, lex):
        return "a count of the team's own things or people ('there are N ...'): its own work"
    window = toks[first + 1 : first + 5]
    can = next((i for i, t in enumerate(window) if t in lex["capability_words"].words), None)
    if (
        can is not None  # "Users can export ...", "Users are able to query ..."
        and lex["feeling_words"].words.isdisjoint(toks[: first + 1 + can])
        and lex["comparatives"].words.isdisjoint(toks)  # "... in less time than the CLI": measured
        # with a number, only a system's capacity ("The API can ingest 500+ records/s"), not
        # what people can do in a time ("Users can check out in under 2 minutes")
        and (not facts.quantities or lex.union("people_nouns", "outcome_nouns", "pronoun_subjects").isdisjoint(toks[: first + 1 + can]))
    ):
        return "a capability to build: a deliverable, not a result"
    if lemma == "have" and not valued and lex["done_words"].has(_after(toks, first, lex)):
        return "a done state of the team's own work"
    if verb in ("have", "has") and not facts.qualitative and lex["comparatives"].words.isdisjoint(toks):
        # The order itself: "Have a report on layout performance", "Have the new build pass all
        # tests", "Have 4 meetings"; not what people or the market have ("Have customers
        # recommend us", "Have 500 paying customers").
        had = object_chunk(facts.tokens, first + 1, lex)
        counted = all(q.kind == "number" for q in facts.measures) and had[-1:] and had[-1] in lex["deliverable_nouns"].words
        # (but "We have no undesired churn": none of a metric is a result, as "Zero churn" is)
        none_of_a_metric = toks[first + 1 : first + 2] in (["no"], ["zero"]) and bool(facts.metric_words)
        if had and had[0] not in lex.union("people_nouns", "outcome_nouns") and (not facts.quantities or counted) and not none_of_a_metric:
            return "a state to reach ('have ...'): a deliverable, not a result"
    if (
        # (a filler before the lead: "Ensure that bugs get filed" is read from "bugs")
        (lex["assurance_verbs"].has(opening) or not lex["assurance_verbs"].words.isdisjoint(toks[:first]))
        and not facts.measures
        and not any(q.kind == "duration" for q in facts.quantities)  # "Ensure all APIs respond within 400ms": a level
        and not facts.qualitative
        and lex.union("feeling_words", "level_adjectives", "comparatives").isdisjoint(toks)
        and _secured_thing(object_chunk(facts.tokens, first if toks[first] not in lex["assurance_verbs"].words else first + 1, lex), lex)
    ):
        return "a state to secure ('ensure ...'), done or not: a deliverable"
    if not facts.quantities and lex["learning_nouns"].has(frozenset(" ".join(toks[first : first + k]) for k in (1, 2, 3))):
        return "a learning deliverable ('understanding of ...', 'ability to ...')"
    if not facts.quantities and _learning_said_how_well(toks, first, lex):
        return "learning, said with how well ('better understand ...', 'a shared understanding of ...'): a deliverable"
    if (
        not facts.quantities
        and not facts.qualitative
        and lex.union("comparatives", "quality_comparatives").isdisjoint(toks)  # "The app has better reviews"
        and _state_of_the_world(toks, first, lex)
    ):
        return "a state of the product to reach: a deliverable, not a result"
    if imperative and "delivery_verbs" in lex.verb_classes(verb) and lex["measurement_nouns"].has(_after(toks, first, lex)) and not valued:
        return f"'{verb}' sets up measurement: a deliverable"  # "Establish engagement metrics, set targets"
    leads = facts.lead is not None and facts.lead.index == first
    if imperative and _times_counted(facts, lex):
        if leads and "delivery_verbs" in lex.verb_classes(verb):
            return f"'{verb}' counts how often the team does something"  # "Post 5 times a week"
        if _plain_order(verb, lex) and not _done_by_others(facts, toks, first, lex):
            return f"'{verb}' counts how often the author does something"  # "Do yoga 2x a week"
    if imperative and lemma in lex["contribution_verbs"].words and any(
        q.role == "target" and q.kind in {"currency", "percent"} for q in facts.measures
    ):
        return f"'{verb}' puts in the author's or team's own money: its own doing"  # "Fully fund my Roth account with $7,000"
    often = lex.patterns.occasions.search(facts.low) if not facts.has_baseline else None
    if often and _own_occasions(facts, often.start(), lex):
        return "how often the author or team does something ('5 nights a week'): its own activity"
    if imperative and not (leads and facts.lead.kind not in {"delivery", "ambiguous"}) and _counted_order(facts, first, verb, lex):
        return f"'{verb}' counts the things the author does or makes"  # "Take 4 pottery classes"
    if not valued and _passive_done(toks, lex):
        return "a done state ('... are determined and documented'): a deliverable"
    if _time_spent(facts, toks, first, lex):
        return "time spent on an activity each day or week: the author's or team's own work"
    if _time_budget(facts, lex):
        return "hours set aside for the author's own work: an effort, not a result"
    if _share_of_own_work(facts, toks, first, lemma, lex):
        return "a share of the team's own work items"
    if _in_place_for_all(facts, toks, first, lex):
        return "a thing in place for every one of them: a done state, not a result"
    if imperative and lemma in lex["expansion_verbs"].words and _expands_an_output(facts, first, lex):
        return f"'{verb}' widens what the team offers or covers: work to do"
    if _counted_output(facts, lex):
        return "a count of things the team makes or does: its own work"
    joined = _joined_delivery(facts, first, lex)
    if joined:
        return f"'{joined}' names the deliverable the first verb's aim comes with"
    if verb != toks[first] and "delivery_verbs" in lex.verb_classes(verb) and not valued:
        return f"'{verb}' names an activity or deliverable"
    return ""


def _own_occasions(facts: KrFacts, at: int, lex: Lexicon) -> bool:
    """'Cook dinner at home 5 nights a week', 'Strength training twice a week': what is done
    that often, at `at`, is the author's or team's own doing. Not what others do ('Members
    log in 3 days a week'), nor a metric or a level held ('Incidents fewer than twice a month'); a
    limit on it is the author's habit still ('Never spend more than 3 evenings a week on admin')."""
    before = [t for t, pos in facts.tokens if pos < at]
    if not before or _participle_word(before[-1], lex) or any(q.end <= at for q in facts.measures):
        return False  # "Datasets downloaded 10,000 times a month", "200 publishers, each publishing once a month": others'
    if _people_subject(before, lex):
        return False
    measured = lex.union("metric_terms", "metric_heads", "lower_is_better", "feeling_words", without=("people_nouns",))
    return measured.isdisjoint(before) and not facts.qualitative


def _people_subject(words: list[str], lex: Lexicon) -> bool:
    """Do people head the words a KR opens with ("Forum members who post once a month",
    "Active users open the app 4 days a week")? Not "Read to my kids 3 nights a week" or
    "Family dinner twice a week": the author's doing."""
    subject = list(takewhile(lambda t: not (t in lex["stopwords"].words or known_verb(t, lex)), words))
    return bool(subject) and subject[-1] in lex.union("people_nouns", "outcome_nouns", "pronoun_subjects", without=("first_person",))


def _own_things_there(facts: KrFacts, lex: Lexicon) -> bool:
    """'There are at least 100 KRs we are tracking', 'There are four P5 employees in the team':
    a count of things the team makes or of its own staff; not of customers or a measure
    ('There are 500 paying customers')."""
    q = next((q for q in facts.measures if q.role == "target"), None)
    if q is None or q.kind not in ("number", "word") or facts.has_baseline:
        return False
    chunk = _chunk_after(facts, q, lex)
    counted = [t for t in chunk if t not in lex.union("metric_terms", "metric_heads", "outcome_nouns")]
    return bool(chunk) and counted == chunk and chunk[-1] in lex.union("deliverable_nouns", "staff_nouns")


def _counted_output(facts: KrFacts, lex: Lexicon) -> bool:
    """'Elevate 1 process to the foundation', 'Evolve at least 1 program component', '40 new
    articles written': a bare count of things the team makes or does, whatever verb comes before
    it, is its own work; not what others do ('Users create 100 events'), not what is won,
    gained or served ('Book 20 demos', 'Get 10 reviews', 'Help 300 families'), not a metric
    ('Grow weekly sessions to 5,000')."""
    if facts.has_baseline or (facts.lead is not None and facts.lead.kind == "level"):
        return False  # ("Reach 5 integrations": a level reached, framed as a result)
    targets = [q for q in facts.measures if q.role == "target"]
    if len(targets) != 1 or targets[0].kind not in ("number", "word") or lex.patterns.rate.search(facts.low):
        return False
    q = targets[0]
    if q.kind == "word" and q.text.lower().split("-")[0] not in lex["number_words"].words:
        return False
    before = [t for t, pos in facts.tokens[facts.first :] if pos < q.start]
    taken = lex.union("obtain_verbs", "win_verbs", "aid_verbs")
    others = lex.union("people_nouns", "outcome_nouns", "pronoun_subjects", "comparatives")
    if any(lex.lemma_of(t) in taken for t in before) or not others.isdisjoint(before):
        return False  # ("Everyone takes at least one course": people doing it, counted)
    # what is counted ends at the clause ("1 process, practice or program", "1 component
    # annually (e.g. …)": the thing, not the examples) and at its first plural
    end = next((m.start() for m in re.finditer(r"[(,;:]", facts.low) if m.start() >= q.end), len(facts.low))
    chunk = _to_first_count(object_chunk([(t, pos) for t, pos in facts.tokens if q.end <= pos < end], 0, lex), lex)
    while chunk and chunk[-1].endswith("ly"):
        chunk.pop()  # "… component annually"
    measured = lex.union("metric_terms", "metric_heads", "people_nouns", "outcome_nouns", "time_units")
    if not chunk or chunk[-1] not in lex["deliverable_nouns"].words or not measured.isdisjoint(chunk):
        return False
    # the counted things as a subject: "At least 1 program completes the assessments"
    return not any(_acts_here(t, lex) for t in chunk[1:])


def _own_events(facts: KrFacts, head: list[str], lex: Lexicon) -> bool:
    """'Monthly community calls', '12 monthly leadership development sessions', 'New project
    onboarding sessions quarterly': events the team runs, named by their kind, held or counted
    (what a value counts is the events themselves, not who comes: 'Community calls attended by
    50 people'); not 'user sessions' or 'customer calls', counts of what others do."""
    while head and head[-1] in lex["cadence_words"].words:
        head = head[:-1]  # "… sessions quarterly": when they are held
    if len(head) < 2 or head[-1] not in lex["event_nouns"].words or head[-2] not in lex["event_kinds"].words:
        return False
    if not lex["comparatives"].words.isdisjoint(facts.words):
        return False  # ("More community calls": a direction, judged on measurability)
    targets = [q for q in facts.measures if q.role == "target"]
    return all(q.kind in ("number", "word") and _chunk_after(facts, q, lex)[-1:] == head[-1:] for q in targets)


def _acts_here(tok: str, lex: Lexicon) -> bool:
    """'completes', 'runs': a verb in the present after what is counted (no noun it could be)."""
    lemma = lex.lemma_of(tok)
    return tok.endswith("s") and lemma != tok and known_verb(lemma, lex) and tok not in lex["deliverable_nouns"].words


def _chunk_after(facts: KrFacts, q: Quantity, lex: Lexicon) -> list[str]:
    """The noun phrase right after a value: what it counts ("3 planning sessions")."""
    after = next((i for i, (_, pos) in enumerate(facts.tokens) if pos >= q.end), len(facts.tokens))
    return object_chunk(facts.tokens, after, lex)


def _state_of_the_world(toks: list[str], first: int, lex: Lexicon) -> bool:
    """'The GUI runs on macOS and Windows', 'Service A and B interoperate', 'The SDK has a
    migration tool': a product or system (not people) in a state to reach."""
    for j in range(first + 1, min(len(toks), first + 7)):
        tok = toks[j]
        if tok in lex["state_verbs"].words or any(" ".join(toks[j : j + n]) in lex["state_verbs"].entries for n in (2, 3)) or (
            _built_property(toks, j, lex)
        ):
            subject = [t for t in toks[first:j] if t not in lex["stopwords"].words]
            named = [t for t in subject if t not in lex["comparatives"].words and t not in lex["quality_comparatives"].words]
            people = lex.union("people_nouns", "outcome_nouns", "feeling_words")
            # A verb's plain form agrees with a plural or joined subject ("API docs exist",
            # "Go and JS interoperate"); after one singular noun it is a noun ("Reduce
            # support tickets", "Integration support tickets").
            agrees = tok.endswith("s") or "and" in toks[first:j] or looks_plural(subject[-1] if subject else "")
            # the thing in that state is a product or system, not "Our brand has …" (a quality)
            thing = bool(named) and named[-1] not in lex.union("vague_nouns", without=("deliverable_nouns",))
            return thing and people.isdisjoint(subject) and agrees
        if tok in lex["chunk_breakers"].words and tok not in {"and", "or"}:
            # a qualifier in the subject: only a built property reads past it ("Ingestion on
            # self-hosted deployments is horizontally scalable", "Builds on main are reproducible")
            return any(
                _built_property(toks, k, lex) and lex.union("people_nouns", "feeling_words").isdisjoint(toks[first:k])
                for k in range(j + 1, min(len(toks), j + 6))
            )
    return False


def _built_property(toks: list[str], j: int, lex: Lexicon) -> bool:
    """'is private', 'are horizontally scalable', 'is backwards compatible': a copula, then
    (past a manner word) a property a system is built to have."""
    if toks[j] not in ("is", "are"):
        return False
    k = j + 1
    if k < len(toks) and toks[k].endswith("ly"):
        k += 1  # "horizontally scalable", "fully compatible"
    return k < len(toks) and lex["capability_adjectives"].has(lex.grams(toks[k : k + 2]))


def _secured_thing(chunk: list[str], lex: Lexicon) -> bool:
    """What an 'ensure' order secures is a thing of the team's work ("gitbase works", "health
    insurance coverage"), not people doing something ("customers renew") nor a quality
    ("data quality")."""
    return bool(chunk) and chunk[0] not in lex.union("people_nouns", "outcome_nouns") and (
        chunk[-1] not in lex.union("vague_nouns", without=("deliverable_nouns",))
    )


def _times_counted(facts: KrFacts, lex: Lexicon) -> bool:
    """A target counted in times ('5 times a week', 'up to 50 times', '2 or more times monthly',
    '2x a week', 'twice every week'): how often it is done."""
    return any(
        q.role == "target"
        and (
            lex.patterns.times_after.match(facts.low, q.end)
            or (q.kind == "multiplier" and lex.patterns.cadence.match(facts.low, q.end + 1))
            or q.text.lower() in lex["frequency_words"].words
        )
        for q in facts.measures
    )


def _concrete_order(facts: KrFacts, toks: list[str], first: int, verb: str, lex: Lexicon) -> bool:
    """'Execute elections according to charter', 'Pay down outstanding invoices': an everyday
    verb as an order, no number and no quality in it, is work to do ('Improve collaboration',
    'Build trust', 'Delight customers' and 'Make onboarding easier' are aims, judged as
    unmeasured)."""
    if not (_plain_order(verb, lex) or _unknown_order(toks, first, lex)) or lex.lemma_of(verb) in lex.union(
        "slogan_verbs", "aspiration_verbs", "aim_verbs"
    ):
        return False
    # (a vague word that is also a thing made is no aim: "Re-sequence the loading process")
    vague = lex.union("vague_nouns", without=("deliverable_nouns",))
    made = lex["deliverable_nouns"].entries
    if facts.qualitative or facts.metric_words:
        return False
    # what the order acts on is vague ("Build trust with regulators"), not a word beside it
    # ("Solve the performance impact limitation": a limitation, solved or not)
    obj = object_chunk(list(facts.tokens), first + 1, lex)
    if not obj or (obj[-1] in vague and obj[-1] not in made):
        return False
    plain = lex.union("comparatives", "quality_comparatives", "feeling_words", "quality_words")
    return len(toks) > first + 1 and plain.isdisjoint(toks)


def _done_by_others(facts: KrFacts, toks: list[str], first: int, lex: Lexicon) -> bool:
    """'Open datasets downloaded 10,000 times': a participle before the count says what is
    done to the thing, by others; the first word was no order."""
    count = next((q.start for q in facts.measures if q.role == "target"), len(facts.low))
    # (a participle the lexicon may not know: "downloaded"; not "speed")
    return any(
        _participle(t, lex) or (t.endswith("ed") and not t.endswith("eed") and len(t) > 4)
        for t, pos in facts.tokens[first + 1 :]
        if pos < count
    )


def _expands_an_output(facts: KrFacts, first: int, lex: Lexicon) -> bool:
    """'Expand the API reference for partners', 'Expand to Ireland': with no number, widening
    an output or the places served is work to do; widening a measure or a following is a
    direction ('Expand our reach', 'Expand our customer base')."""
    if facts.quantities or facts.qualitative:
        return False
    toks = [t for t, _ in facts.tokens]
    if toks[first + 1 : first + 2] == ["to"]:
        return True  # "Expand to Ireland": a place to open
    chunk = object_chunk(facts.tokens, first + 1, lex)
    measured = lex.union(
        "metric_terms", "metric_heads", "time_metrics", "vague_nouns", "people_nouns", "outcome_nouns", "relationship_nouns",
        without=("deliverable_nouns",),  # ("documentation" is vague to improve, an output to expand)
    )
    return bool(chunk) and measured.isdisjoint(chunk) and lex.union("comparatives", "quality_words").isdisjoint(toks)


def _zero(q: Quantity) -> bool:
    return q.text.lower() in ("zero", "0")


def _joined_delivery(facts: KrFacts, first: int, lex: Lexicon) -> str:
    """'Improve and relaunch the intranet', 'Simplify & clearly document our release checklist': an
    aim joined to a delivery verb, with nothing to measure, is the deliverable. The verb, or ""."""
    tokens = facts.tokens
    opener = tokens[first][0] if first < len(tokens) else ""
    if facts.quantities or first + 2 >= len(tokens) or not (known_verb(opener, lex) or opener in lex["aim_verbs"].words):
        return ""
    gap = facts.low[tokens[first][1] + len(tokens[first][0]) : tokens[first + 1][1]]
    at = first + 1
    if tokens[at][0] in lex["list_joiners"].words:
        at += 1
    elif "&" not in gap:
        return ""
    if tokens[at][0].endswith("ly") and at + 1 < len(tokens):
        at += 1  # "& clearly define"
    verb = tokens[at][0]
    return verb if verb_kind(lex.verb_classes(verb)) == "delivery" and verb == lex.lemma_of(verb) else ""


def _counted_order(facts: KrFacts, first: int, verb: str, lex: Lexicon) -> bool:
    """'Take 4 pottery classes', 'Do 3 planning sessions', 'Find three local
    suppliers', 'Choose 10 of them': an everyday order and a bare count of the things it makes,
    does or picks (not of people or what they give: 'Help 500 families', 'Get 500 sign-ups';
    not a measure: 'Lose 10 kg')."""
    if facts.has_baseline or not _plain_order(verb, lex) or lex.lemma_of(verb) in lex["aid_verbs"].words:
        return False  # ("Help 300 newcomers ...", "Support 400 concurrent users": those served, counted)
    q = next((q for q in facts.measures if q.role == "target"), None)
    written = q.text.lower().split() if q is not None else []
    distance = len(written) > 1 and written[-1] in lex["distance_units"].words  # "5,000 miles"
    counted = q is not None and (
        (q.kind == "number" and written[0].replace(",", "").isdigit() and (len(written) == 1 or distance))
        or (q.kind == "word" and q.text.lower().split("-")[0] in lex["number_words"].words)
    )
    if q is None or not counted:
        return False
    # the count follows the order, with at most its frames or a joined order between ("Do at
    # least 4 ...", "Find and use 3 ...")
    between = [t for t, pos in facts.tokens[first + 1 :] if pos < q.start]
    joins = lex.union("value_frames", "list_joiners")
    if not all(t in joins or (t == lex.lemma_of(t) and _plain_order(t, lex)) for t in between):
        return False
    if lex.patterns.picked_of.match(facts.low, q.end):
        return True  # "Choose 10 of them": the things picked are named before
    if distance:
        return True  # "Bike 5,000 miles": how far the author goes, their own activity
    chunk = _chunk_after(facts, q, lex)
    # (the things counted end at the first plural: "2 new recipes | a week"; right after a
    # count a plural is a noun, even one that is also a verb: "3 podcast interviews")
    chunk = _to_first_count(chunk, lex)
    others = lex.union("people_nouns", "outcome_nouns", "plural_metric_heads", "time_units")
    # a metric's name alone ("Make 100 sales") is measured; "3 planning sessions" names a kind
    # of work, and so does "8 user research activities" (who it is about is no part of the count)
    measured = len(chunk) == 1 and chunk[0] in lex.union("metric_terms", "metric_heads")
    return bool(chunk) and _counted_noun(chunk[-1], lex) and not measured and chunk[-1] not in others


def _to_first_count(chunk: list[str], lex: Lexicon) -> list[str]:
    """The things counted end at the first plural: "2 new recipes | a week"."""
    return chunk[: next((i + 1 for i, t in enumerate(chunk) if _counted_noun(t, lex)), len(chunk))]


def _counted_noun(word: str, lex: Lexicon) -> bool:
    """Right after a count a plural is a noun, even one that is also a verb ("3 podcast interviews")."""
    return countable(word, lex) or (looks_plural(word) and word in lex["deliverable_nouns"].words)


def _unknown_order(toks: list[str], first: int, lex: Lexicon) -> bool:
    """'Re-sequence the baggage loading process', 'Compete in a tennis tournament': a word the
    lexicon has in no class, right before a determiner (or a preposition and one), is an order
    it does not know ("Women in senior roles", "Checkouts of new titles" name what is counted)."""
    word = toks[first]
    at = first + 2 if toks[first + 1 : first + 2] and toks[first + 1] in lex["qualifier_prepositions"].words else first + 1
    return (
        at < len(toks)
        and toks[at] in lex["determiners"].words  # ("Compete in a tournament", "Publication of the strategy")
        and toks[at] != "there"
        and not looks_plural(word)
        and word not in lex.union(*lex)  # (in no word class of the rubric's)
    )


def _plain_order(verb: str, lex: Lexicon) -> bool:
    """An everyday verb as an order ('Do yoga', 'Help strangers', 'Bike to work'): none that
    moves, reaches, keeps or wins a number ('Grow', 'Hit', 'Keep', 'Get')."""
    classes = lex.verb_classes(verb)
    if classes & {"change_verbs", "level_verbs", "maintain_verbs", "quantity_verbs"}:
        return False
    if lex.lemma_of(verb) in lex.union("obtain_verbs", "win_verbs"):
        return False
    return known_verb(verb, lex)


def _time_spent(facts: KrFacts, toks: list[str], first: int, lex: Lexicon) -> bool:
    """'Meditate 10 minutes every morning', 'Spend 1hr every week on personal projects', 'Lift
    weights 3 days/week': a duration of doing, at a cadence ('Downtime 10 minutes per month'
    and 'Reduce handling time to 4 minutes a call' measure)."""
    if not any(q.role == "target" and q.kind == "duration" for q in facts.measures):
        return False  # no duration to reach (what `duration_at_cadence` asks first): most KRs stop here
    measured = lex.union("metric_terms", "metric_heads", "time_metrics", "lower_is_better", "outcome_nouns", "people_nouns")
    lead = facts.lead
    if lead is not None and lead.kind not in {"delivery", "ambiguous"} and not measured.isdisjoint(
        object_chunk(facts.tokens, lead.index + 1, lex)
    ):
        return False  # a change to something measured ("Reduce handling time"), not "Lift weights"
    # (a first word that is measured names the metric: "Downtime 10 minutes per month"; but an
    # order right before its duration is the doing: "Spend 1hr every week on …")
    ordered = first + 1 < len(facts.tokens) and any(
        q.role == "target" and q.start == facts.tokens[first + 1][1] for q in facts.measures
    ) and toks[first] in lex["common_verbs"].words
    if (toks[first] in measured and not ordered) or toks[first].endswith("s"):
        return False
    if lead is None and _people_subject(toks[first:], lex):
        return False  # "Active users open the app 4 days a week": what they do, counted
    ordered_first = lead is None and toks[first] == lex.lemma_of(toks[first]) and known_verb(toks[first], lex)
    # (a limit is the author's own habit too: "Work no more than 45 hours a week"; and the
    # cadence may come first: "Meditate each day, at least 20 minutes")
    return any(
        duration_at_cadence(facts, q, lex)
        or (ordered_first and q.role == "target" and q.kind == "duration" and lex.patterns.cadence.search(facts.low, 0, q.start))
        for q in facts.measures
    )


def _opening_target(facts: KrFacts) -> Quantity | None:
    """The target a KR opens with ("8 meetups attended", "25 hours design"), or None."""
    if facts.first >= len(facts.tokens):
        return None
    at = facts.tokens[facts.first][1]
    return next((q for q in facts.measures if q.role == "target" and q.start == at), None)


def _time_budget(facts: KrFacts, lex: Lexicon) -> bool:
    """'25 hours design', 'Ten hours in analysis and development', 'XX hours coding': a time
    opening a verbless KR, then the work it is for; not a time that is measured ('2 hours
    average response time', '48 hours to first reply', '10 minutes of downtime')."""
    budget = _opening_target(facts)
    if budget is None or facts.has_baseline or facts.lead is not None:
        return False
    rest = [t for t, pos in facts.tokens if pos >= budget.end]
    if budget.kind in ("word", "placeholder") and rest[:1] and rest[0] in lex["time_units"].words:
        rest = rest[1:]  # "Ten hours in …", "XX hours planning" (the hours left to fill in)
    elif budget.kind != "duration":
        return False
    measured = lex.union("metric_terms", "metric_heads", "lower_is_better", "time_metrics", "outcome_nouns", "people_nouns")
    return bool(rest) and rest[0] not in lex["span_openers"].words and measured.isdisjoint(rest)


def _own_cadence(facts: KrFacts, head: list[str], lex: Lexicon, opening: bool = True) -> bool:
    """'20 freelance pomodoros per week', '3x exercise sessions per week', 'Two meetups a
    month': things the team itself does, counted per day or week ('500 sign-ups per week',
    'user sessions per week' count what others do)."""
    cadence = lex.patterns.cadence.search(facts.low) if head and facts.has_target and not facts.has_baseline else None
    if cadence is None:
        return False
    opener = cadence.group(0).split()[0]
    if opener in head:
        head = head[: head.index(opener)]  # "20 pushups | each day": what is counted
        if not head:
            return False
    if any(q.role == "target" and q.kind not in {"number", "word", "multiplier"} for q in facts.measures):
        return False  # "80% of calls answered daily": a rate
    if opening and _opening_target(facts) is None:
        return False  # the count opens the KR and counts its noun ("Story points per sprint to 40" is a level)
    others = lex.union("outcome_nouns", "people_nouns", "lower_is_better")
    # At a cadence, a count of anything nobody else makes or does is the author's own doing
    # ("20 pushups each day", "2 videos/week"); what is measured stays a result ("500 sign-ups
    # per week", "orders per day", "20 demos a month": what prospects book).
    measured = lex.union("metric_terms", "metric_heads", "time_metrics", "vague_nouns", without=("deliverable_nouns",))
    return (
        others.isdisjoint(head)
        and (head[-1] in lex["deliverable_nouns"].words or (countable(head[-1], lex) and measured.isdisjoint(head)))
        and not counted_events(head, lex)
        and not facts.qualitative
    )


def _passive_done(toks: list[str], lex: Lexicon) -> bool:
    """'Running costs are estimated and written up', 'The forum module is ready for
    release': the main clause declares work done (not 'contributors whose PR is merged')."""
    done, auxiliaries = lex["done_words"].words, lex["passive_auxiliaries"].words
    if auxiliaries.isdisjoint(toks):
        return False  # no "is" or "are": one set test for the whole KR

    def done_word(tok: str) -> bool:
        # a done word, or the participle of any delivery verb ("Core APIs are refactored")
        return tok in done or (
            (tok.endswith("ed") or tok in lex.irregular_forms) and "delivery_verbs" in lex.verb_classes(tok)
        )  # ("all tests are run automatically": a participle like its verb)

    for j, tok in enumerate(toks[:-1]):
        if tok in auxiliaries and (
            done_word(toks[j + 1]) or (j + 2 < len(toks) and done_word(toks[j + 2]) and toks[j + 1].endswith("ly"))
        ):
            return lex["relative_pronouns"].words.isdisjoint(toks[:j])
    return False


def _share_of_own_work(facts: KrFacts, toks: list[str], first: int, lemma: str, lex: Lexicon) -> bool:
    """'Complete 60% of the upgrades', 'Resolve half of the action items from the survey',
    '> 50% of identified issues resolved': a share of the team's own work items."""
    # (or what the team planned for itself, done: "100% of scheduled 1:1s held", "Hold 90% of
    # planned coaching sessions")
    # (a change by a percent is no share: "Number of stories finished is increased by 15%")
    share = any(
        q.kind == "percent" and q.role == "target" and facts.low[max(0, q.start - 3) : q.start] != "by "
        for q in facts.measures
    ) or bool({"half", "third", "quarter", "all"} & set(toks))
    if not share:
        return False  # (most KRs: nothing below is read for them)
    planned = _planned_share(facts, first, lex) and not lex["service_windows"].has(facts.words) and any(
        lex.verb_classes(t) & {"delivery_verbs", "ambiguous_delivery_verbs"} or lex.lemma_of(t) in lex["activity_verbs"].words
        for t in toks
    )
    # (the grams of all its tokens; or items the team's own review turned up: "50% of issues
    # from the component audit")
    if not planned and not lex["work_items"].has(facts.words) and not lex.patterns.from_review.search(facts.low):
        return False
    finishing = planned or lemma in lex["finish_verbs"].words or not lex["finish_verbs"].words.isdisjoint(
        lex.lemma_of(t) for t in toks
    ) or lex["done_words"].has(facts.words)
    # "95% of critical findings fixed within 7 days" is a service level, measured: not a task.
    windowed = any(q.kind == "duration" for q in facts.quantities)
    return finishing and not facts.has_baseline and not windowed


def _planned_share(facts: KrFacts, first: int, lex: Lexicon) -> bool:
    """Does the KR open on a share of what the team planned ('100% of scheduled 1:1s', 'Hold
    90% of planned sessions'), not name one inside a measure ('downtime below 5% of scheduled time')?"""
    m = lex.patterns.planned_share.search(facts.low) if "%" in facts.low else None
    if m is None:
        return False
    opening = {pos for _, pos in facts.tokens[first : first + 2]}
    return any(q.kind == "percent" and q.end - 1 <= m.start() <= q.end and q.start in opening for q in facts.quantities)


def _in_place_for_all(facts: KrFacts, toks: list[str], first: int, lex: Lexicon) -> bool:
    """'100% of services have a runbook', 'Every function has a career framework', '80% of
    plugins carry a changelog': a feature in place on (a share of) the team's own things,
    a done state of its work. Not what customers or users have ('100% of customers have a
    CSM' is theirs), nor people having done something ('100% of engineers have completed the
    training': a behaviour, counted)."""
    share = first < len(toks) and toks[first].isdigit() and any(
        q.kind == "percent" and q.start == facts.tokens[first][1] for q in facts.measures
    )
    full = share and toks[first] == "100"
    start = first + 2 if share and toks[first + 1 : first + 2] == ["of"] else first + 1
    if not share and toks[first : first + 1] not in (["all"], ["every"], ["each"]):
        return False
    having = lex["possession_verbs"].words
    for j in range(start, min(len(toks) - 1, start + 6)):
        if toks[j] in ("are", "is") and _participle_word(toks[j + 1], lex) and (full or not share):
            # "100% of our services are listed in the catalogue": done to every one of the
            # team's things (not people: "100% of engineers are trained" is what they did)
            subject = set(toks[start:j]) - lex["stopwords"].words
            return bool(subject) and subject.isdisjoint(lex.union("people_nouns", "outcome_nouns", "feeling_words")) and not any(
                q.role == "target" and q.start > facts.tokens[j][1] for q in facts.measures
            )
        if toks[j] not in having:
            if toks[j] in lex["chunk_breakers"].words:
                return False
            continue
        subject = set(toks[start:j]) - lex["stopwords"].words
        nxt = toks[j + 1]
        if not subject or not subject.isdisjoint(lex.union("outcome_nouns", "feeling_words")):
            return False
        if nxt in lex["stopwords"].words - lex["determiners"].words:  # "have been", "have to"
            return False
        at = facts.tokens[j][1]
        if any(q.role == "target" and q.start > at and "(" not in facts.low[at : q.start] for q in facts.measures):
            # "100% of systems have an incident-free time of 99.8%": a level each must hold (but "All
            # forms have CSRF protection (100% coverage)" says "all" again)
            return False
        if share and not full and (
            not subject.isdisjoint(lex["people_nouns"].words) or any(q.start > at for q in facts.quantities)
        ):
            return False  # "40% of users have 2FA on", "60% of tickets have a reply within a day": theirs, or a level
        return not (nxt.endswith("ed") and not subject.isdisjoint(lex["people_nouns"].words))
    return False


def _participle_word(tok: str, lex: Lexicon) -> bool:
    """'listed', 'documented', 'written': a past participle (no adjective in -ed the lexicon
    reads as a quality)."""
    return (tok.endswith("ed") or (tok in lex.irregular_forms and lex.lemma_of(tok) != tok)) and tok not in lex.union(
        "feeling_words", "quality_words", "comparatives"
    )


def _own_output(facts: KrFacts, lead: Lead, lex: Lexicon) -> bool:
    """The thing the change verb acts on, or what the target counts, is a deliverable."""
    deliverables = lex["deliverable_nouns"]
    measured = lex.union("metric_terms", "metric_heads", "lower_is_better", "outcome_nouns")
    chunk = object_chunk(facts.tokens, lead.index + 1, lex)
    if len(chunk) == 1 and chunk[0] in lex["count_nouns"].words:
        # "Increase the number of case studies from 3 to 10": what is counted follows "of".
        at = next((i for i, (t, _) in enumerate(facts.tokens) if i > lead.index and t == "of"), None)
        counted = object_chunk(facts.tokens, at + 1, lex) if at is not None else []
        # ("the number of active SaaS vendors": who is active is measured, not produced)
        chunk = counted if lex["count_modifiers"].words.isdisjoint(counted) else chunk
    strong = lex.union("metric_terms", "metric_heads", "lower_is_better", "time_units")
    if (chunk and chunk[-1] in measured) or not strong.isdisjoint(chunk) or any(q.kind != "number" for q in facts.measures):
        return False  # "page load time", "crash-free sessions", "$1.4M": a metric, measured
    # what the target counts, named after it, decides first ("Grow the newsletter from 2,000
    # to 5,000 subscribers" counts readers, not issues; "… to 80 articles" counts the team's own)
    units = [[t for t, pos in facts.tokens if pos >= q.end][:1] for q in facts.measures if q.role == "target"]
    if any(unit and (unit[0] in measured or unit[0] in lex["people_nouns"].words) for unit in units):
        return False
    return bool(chunk and chunk[-1] in deliverables.words) or any(unit and unit[0] in deliverables.words for unit in units)


def _count_follows(facts: KrFacts, lead: Lead, lex: Lexicon) -> bool:
    """'Grow the help centre to 80 articles': the value to reach follows the thing it counts,
    with nothing done or measured between ('… system as measured by no more than 1 delay')."""
    q = next((q for q in facts.measures if q.role == "target"), None)
    return q is not None and not facts.has_baseline and not any(
        t == "as" or _participle(t, lex) or t.endswith("ing") for t, pos in facts.tokens[lead.index + 1 :] if pos < q.start
    )


def _made_with_qualities(facts: KrFacts, lex: Lexicon) -> bool:
    """'Clear & public PR evaluation process', 'A transparent and clear process for the
    engineering team': a thing the team makes, named with the qualities it should have (the
    contract's 'Clear picture of the requirements'); not a quality compared ('Fairer promotion
    process', 'Smoother RFQ form'), nor a feeling, nor what people do or are."""
    toks = [t for t, _ in facts.tokens]
    first = facts.first
    if first >= len(toks) or known_verb(toks[first], lex):
        return False
    breakers = lex.union("qualifier_prepositions", "chunk_breakers", without=("list_joiners",))
    end = next((i for i in range(first, len(toks)) if toks[i] in breakers), len(toks))
    named = [t for t in toks[first:end] if t not in lex.union("determiners", "list_joiners")]
    if len(named) < 2 or not any(is_quality_adjective(t, lex) for t in named[:-1]):
        return False  # (with no quality word, the plain reading of a named thing decides)
    compared = lex.union("comparatives", "quality_comparatives", "feeling_words")
    others = lex.union("people_nouns", "outcome_nouns", "relationship_nouns")
    return (
        named[-1] in lex["deliverable_nouns"].words
        and compared.isdisjoint(toks)
        and not any(t.endswith("er") and is_quality_adjective(t, lex) for t in named)  # "Smarter internal tools"
        and others.isdisjoint(named)  # (who it is for may follow: "… for the engineering team")
        and all(w in lex["deliverable_nouns"].entries for w in facts.metric_words)
    )


def _kept_output(facts: KrFacts, lead: Lead, lex: Lexicon) -> bool:
    """'Keep the docs up to date', 'Maintain the style guide', 'Keep the changelog in the
    repo': what is kept is a thing the team makes, then nothing, a done state or where it is;
    not a quality or a level ('Keep the website fast', 'Keep churn low', 'Keep customers happy')."""
    made = lex["deliverable_nouns"].words
    toks = [t for t, _ in facts.tokens]
    breakers = lex["chunk_breakers"].words
    end = next((i for i in range(lead.index + 1, len(toks)) if toks[i] in breakers), len(toks))
    things = [i for i in range(lead.index + 1, end) if toks[i] in made]
    if not things or facts.qualitative:
        return False
    thing, rest = toks[things[-1]], toks[things[-1] + 1 :]
    plain = lex.union("comparatives", "quality_words", "feeling_words", "people_nouns", "outcome_nouns")
    where = bool(rest) and rest[0] in lex["qualifier_prepositions"].words
    return (
        (not rest or where or lex["done_words"].has(lex.grams(rest)))
        and thing not in lex["relationship_nouns"].words  # "Maintain our partnerships": a relationship
        and plain.isdisjoint(toks)
        and all(w in made for w in facts.metric_words)
    )


def _done_state(facts: KrFacts, lead: Lead, lex: Lexicon) -> str:
    """'Blog: up and running', 'Enhanced support offering ready for launch': a done state,
    read past a change word that is no order (a word of the state itself, or a participle
    describing the thing: "enhanced"); "" when there is none."""
    found = lex["done_words"].found(facts.words)
    if not found or not (lead.token in found[0].split() or lead.token != lead.lemma):
        return ""
    compared = not lex["comparatives"].words.isdisjoint(facts.words - {lead.token})
    return "" if compared else found[0]  # ("faster builds in production": a quality moved)


def task_verdict(facts: KrFacts, lex: Lexicon) -> tuple[bool, str]:
    if facts.race:
        return False, ""  # "Finish the 10k in under 45 minutes": a performance to reach, measured
    first = facts.first
    own = _own_work(facts, first, lex)
    if own:
        return True, own
    lead, words, measures = facts.lead, facts.words, facts.measures
    if lead and lead.lemma in lex["obtain_verbs"].words and re.match(
        r"\s*\d", facts.low[facts.tokens[lead.index][1] + len(lead.token) :]
    ) and not lex["done_words"].has(words):
        if _own_cadence(facts, object_chunk(facts.tokens, lead.index + 2, lex), lex, opening=False):
            return True, "a count of what the author does each day or week: its own activity"  # "Get 8K steps per day"
        return False, ""  # "Get 500 sign-ups", "Attract 40 sponsors": what others do, counted
    deliverables = lex["deliverable_nouns"]
    done = lex["done_words"]
    moves = facts.has_target and facts.has_baseline
    rate_target = any(
        q.role == "target"
        and q.kind in {"percent", "rating", "currency", "multiplier", "duration", "points"}
        for q in measures
    )
    if lead and lead.kind in {"delivery", "ambiguous"}:
        if _rate_object(facts, lead, lex) or _change_as_object(facts, lead, lex) or _counted_passive(facts, lead, lex):
            return False, ""
        if not moves and _reaches_out(facts, lead, lex) and not _service_level(facts, lex) and any(
            q.role == "target" and q.kind == "percent" and _object_of(facts, lead, q, lex) for q in measures
        ):
            return True, f"'{lead.token}' reaches out to a share of people: the team's own activity"
        clause_at = outcome_clause(facts, lex, lead) if lead.kind == "delivery" else None
        if clause_at is not None and enabled_level(facts.tokens, lead, lex) is not None:
            # "Enable the team to achieve 100% quality on CSI code", "Enable the DAO to maintain
            # its treasury above CHF 20k": who is enabled reaches or keeps the level, the result
            return False, ""
        if clause_at is not None:
            # "Launch the referral programme to lift sign-ups from 15 to 60": a deliverable
            # bundled with the result it is for; the contract puts the deliverable first.
            return True, f"'{lead.token}' names a deliverable, bundled with the result it is for"
        if lead.lemma in lex["service_verbs"].words and any(
            q.kind == "duration" and lex.patterns.within_before.search(facts.low, 0, q.start) for q in facts.quantities
        ):
            return False, ""  # "Resolve all critical alerts within 7 days": a service level, measured
        # (a value only in a later clause is the result the deliverable comes with: "Publish a
        # game, make $1 from a stranger" is the game first, as the contract bundles them)
        clause = facts.low.find(",", facts.tokens[lead.index][1])
        own_clause = [q for q in measures if clause < 0 or q.start < clause]
        if any(q.role == "target" and q.kind == "currency" for q in own_clause):
            return False, ""  # "Build a pipeline of SEK 8M": an amount of money is a result
        if moves or any(q.role == "target" and _zero(q) and not facts.low[: q.start].endswith("with ") for q in measures):
            # a move from a baseline, or an absence ("Ship with zero P1 regressions" is bundled:
            # the deliverable first), is a result ("Achieve zero P1 regressions")
            return False, ""
        chunk = _order_object(facts, lead, lex)
        obj = lex.grams(chunk)
        has_deliverable = bool(chunk) and (
            chunk[-1] in deliverables.words or not deliverables.phrases.isdisjoint(obj)
        )
        if has_deliverable:
            return True, f"'{lead.token}' with a deliverable as its object"
        # "Build trust", "Embed a learning culture": a vague aim, judged as unmeasured.
        if (
            chunk
            and lead.lemma in lex["aspiration_verbs"].words
            and chunk[-1] in lex["vague_nouns"].words
            and not facts.quantities
        ):
            return False, ""
        if moves and rate_target:
            return False, ""
        if lead.kind == "delivery":
            return True, f"'{lead.token}' names an activity or deliverable"
        if lead.lemma in lex["activity_verbs"].words and re.match(
            r"\s*(?:every|all|each)\b", facts.low[facts.tokens[lead.index][1] + len(lead.token) :]
        ):
            return True, f"'{lead.token}' names the team's own activity"  # "Call every account over $100k ARR"
        if lead.lemma in lex["activity_verbs"].words and facts.has_target and not moves and not rate_target:
            # "Run 4 employer open days", "Make 60 calls a day": a count of the team's own work.
            return True, f"'{lead.token}' counts the team's own activity"
        outcomes = lex["outcome_nouns"].entries
        if (
            chunk
            and not facts.quantities
            and lead.lemma in lex["win_verbs"].words
            and not countable(chunk[-1], lex)
            and words.isdisjoint(lex["comparatives"].words)
        ):
            # "Secure Series B funding", "Close the seed round": one thing won, done or not.
            return True, f"'{lead.token}' names one thing to win: a milestone"
        if chunk and (chunk[-1] in outcomes or " ".join(chunk[-2:]) in outcomes):  # the head: "Run 6 partner bootcamps" is a task
            return False, ""
        if lead.lemma in {"get", "bring"} and any(
            lex.patterns.level_before.search(facts.low[max(0, q.start - 10) : q.start])
            for q in facts.quantities
            if q.role == "target"
        ):
            return False, ""  # "Get write-offs ... below 8% of billed fees": a level to reach
        if lead.lemma in lex["win_verbs"].words and _counted_object(facts, lead) and not _deliverable_singular(chunk, lex):
            return False, ""  # "Sign 25 fleet contracts", "Secure 2 new services": deals won
        if not facts.quantities and chunk and (facts.qualitative or is_quality_adjective(facts.tokens[-1][0], lex)):
            return False, ""  # "Make EV charging stress-free": a quality, judged as unmeasured
        if moves or (facts.has_target and facts.chunk_metric_words):
            return False, ""
        after = {t for t, _ in facts.tokens[lead.index + 1 :]}
        if not has_deliverable and not after.isdisjoint(lex["comparatives"].words):
            return False, ""
        return True, f"'{lead.token}' names an activity or deliverable"
    if lead and lead.kind == "change" and lead.index == first and (moves or _count_follows(facts, lead, lex)) and _own_output(facts, lead, lex):
        # "Cut the signup form from 12 fields to 5", "Grow the help centre from 40 to 80
        # articles": from/to on an output the team controls is still the team's own work, and
        # so is a count of it to reach ("Grow the help centre to 80 articles").
        return True, f"'{lead.token}' changes an output the team controls"
    if lead and lead.kind == "maintain" and not facts.quantities and _kept_output(facts, lead, lex):
        return True, f"'{lead.token}' keeps a thing the team makes in order: ongoing work to do"
    done_state = _done_state(facts, lead, lex) if lead and lead.kind == "change" and not facts.quantities else ""
    if done_state:
        return True, f"'{done_state}' declares a deliverable done"
    stated_now = lead is None and facts.has_baseline and lex.patterns.now.search(facts.low)
    if (lead and lead.kind in {"change", "maintain"}) or moves or stated_now:
        return False, ""  # a change, or a metric with its current value ("(today: 47)")
    if any(q.role == "target" and _zero(q) for q in measures):
        return False, ""  # "Zero never events", "0 crash reports": an absence is a result, not a deliverable
    head = head_chunk(facts, lex)
    if lead is None and not facts.quantities and _made_with_qualities(facts, lex):
        return True, "a thing to deliver, with the qualities it should have"
    if lead is None and _own_cadence(facts, head, lex):
        return True, "a count of what the author or team does each day or week: its own activity"
    if lead is None and not facts.has_baseline and _own_events(facts, head, lex):
        return True, "events the team runs, held or counted: its own work"
    metric_nouns = lex.union("metric_heads", "metric_terms")
    if head and (head[0] in lex["metric_heads"].words or head[-1] in metric_nouns):
        return False, ""
    metric_target = facts.has_target and (bool(facts.metric_words) or rate_target)
    if lead is None and facts.has_target and not moves and not rate_target and _people_at_work(facts, lex):
        return True, "the team's own people doing their own work, counted"
    counted = lex.patterns.counted_subject.match(facts.low)
    if counted and (
        counted.group(1) in lex.union("outcome_nouns", "people_nouns") or _acts(facts, counted.end(), lex)
    ):
        return False, ""  # "15,000 customers upgrade to the new plan": what customers do
    done_hit = [w for w in done.found(words) if _declared(facts, w, lex)]
    # "Containers held beyond 72h": a window defines what is counted, nothing is declared done.
    windowed = bool(facts.quantities) and not measures
    # "Referral programme shipped with 30% adoption": the deliverable applies first
    bundled = bool(done_hit) and _bundled_with_result(facts, done_hit[0], head, lex)
    if (
        done_hit
        and not windowed
        and not facts.qualitative  # "Patrons feel confident online"
        and (bundled or not lex.patterns.rate.search(facts.low))  # "Certified admins per account": a rate
        and not lex.patterns.metric_opening.match(facts.low)  # "% of plan achieved"
        and not re.search(rf"\bfe(?:el|els|lt)\s+{re.escape(done_hit[0])}\b", facts.low)  # "Managers feel equipped"
        and (bundled or not metric_target)
        and not (lead and lead.kind == "level" and facts.has_target)
        and words.isdisjoint(lex["comparatives"].words)
    ):
        return True, f"'{done_hit[0]}' declares a deliverable done"
    if lead is None and _rolled_out(facts, lex):
        return True, "a thing rolled out to a number of places or people, not a result"
    if lead is None or lead.kind == "level":
        # "8 meetups attended this quarter": a count opening the KR counts what it names first
        named = _named_part(head, lex) if _opening_target(facts) else head
        noun = named[-1] if named else ""
        if (
            (noun in deliverables.words or not deliverables.phrases.isdisjoint(lex.grams(named)))
            and not rate_target
            and not facts.qualitative  # "Managers who are happier in their roles"
            and not lex.patterns.rate.search(facts.low)  # "Phishing reports per 100 employees": a rate
            and words.isdisjoint(lex["comparatives"].words)
        ):
            return True, f"'{noun}' is a deliverable, not a result"
        if (
            lead is None
            and head
            and not starts_with_verb(facts, lex)
            and (head[0] not in lex["pronoun_subjects"].words or deliverables.has(words))  # "Everyone pulls in one direction"
            and not facts.has_target
            and not facts.metric_words
            and not facts.vague_words
            and words.isdisjoint(lex["comparatives"].words)
            and not any(is_quality_adjective(t, lex) for t in words)  # "Friendlier tone", "Happier devs"
            and not counted_events(head, lex)
            and not lex.patterns.metric_opening.match(facts.low)  # "x% of employees …": a share, unfilled
            and not facts.qualitative  # "Devs rave about us on Twitter"
            # "Short-connection bags (under 45 min) that make the flight": counted (but "tech
            # talks every 2 weeks" is a cadence of the team's own work)
            and not (windowed and "every" not in words)
        ):
            return True, f"'{' '.join(head)}' names a thing to deliver, not a result"
    toks = [t for t, _ in facts.tokens]
    verb = toks[first] if first < len(toks) else ""
    if verb and verb == lex.lemma_of(verb) and not facts.quantities and _concrete_order(facts, toks, first, verb, lex):
        return True, f"'{verb}' names something to do, with nothing to measure"
    if _unmeasured_statement(facts, toks, first, lex):
        return True, "a statement of work done or in place, with no direction and nothing to measure"
    return False, ""


def _unmeasured_statement(facts: KrFacts, toks: list[str], first: int, lex: Lexicon) -> bool:
    """'The plugin is used at every team demo', 'The protocol is a sound solution for DApps',
    'The treasurer position is not filled in by the founder anymore': a subject, then
    a finite verb saying what is done or in place, with no number, no metric, no direction
    and no feeling. Not an order with nothing to deliver ('Streamline procurement', 'Be
    bolder': aims, unmeasured), nor a quality said of a thing ('The handbook is fast to
    browse'), nor what people or users do or perceive ('Team members rely on the handbook'),
    nor things counted by what happens to them ('Departures delayed by ground handling')."""
    if facts.quantities or facts.metric_words or facts.qualitative or facts.has_metric:
        return False
    # (after "We", "We've", "I": the author's own statement, whose verb comes first once the
    # pronoun is read as a filler: "We've paid all outstanding debt", "we can deliver mail")
    said_by_author = first > 0 and toks[0] in lex["first_person"].words
    if first >= len(toks) or (starts_with_verb(facts, lex) and not said_by_author):
        return False
    plain = lex.union(
        "comparatives", "quality_comparatives", "feeling_words", "quality_words", "direction_verbs", "vague_nouns", "aspiration_words"
    )
    lemmas = {lex.lemma_of(t) for t in toks}
    if not plain.isdisjoint(toks) or not lex["becoming_verbs"].words.isdisjoint(lemmas - {"be"}):
        return False  # ("Self-serve becomes the norm": a change of habit, unmeasured)
    if any(is_quality_adjective(t, lex) for t in toks) or counted_events(head_chunk(facts, lex), lex):
        return False
    if not lex.union("people_nouns", "outcome_nouns").isdisjoint(toks[first : first + 3]):
        return False
    auxiliaries, determiners = lex["passive_auxiliaries"].words, lex["determiners"].words
    for j in range(first if said_by_author else first + 1, len(toks)):
        tok = toks[j]
        if tok in auxiliaries:
            k = j + 2 if toks[j + 1 : j + 2] == ["not"] else j + 1
            nxt = toks[k] if k < len(toks) else ""
            # what follows the copula says which: a thing ("is a sound solution"), a place or a
            # state it is built to be in ("is in place", "are part of") or a done form ("is used
            # at", "is not filled in"); not a quality ("is fast to browse", "is not full of spam")
            return (
                nxt in determiners
                or nxt in lex["qualifier_prepositions"].words
                or lex["state_verbs"].has(lex.grams(toks[j : j + 3]))
                or _participle(nxt, lex)
                or (nxt.endswith("ed") and len(nxt) > 3)
            )
        if tok in lex["modal_verbs"].words or tok in ("has", "have"):
            return True  # "The SDK can export to CSV"
        if tok != lex.lemma_of(tok) and tok.endswith(("s", "ed")) and known_verb(lex.lemma_of(tok), lex):
            return True  # "The transition complied with all the legal requirements"
    return False


def _declared(facts: KrFacts, done_word: str, lex: Lexicon) -> bool:
    """Is the done word said of something ('Portal launched in Q3', 'audit completed')? Not
    an adjective between a count and its noun ('3 qualified developers building apps':
    people counted) nor a word of a metric's definition ('… level (as defined by DORA)')."""
    if " " in done_word:
        return True  # a phrase ("set up", "in use") is said, never an adjective
    toks = [t for t, _ in facts.tokens]
    plain = lex.union("stopwords", "qualifier_prepositions", "chunk_breakers")
    for i, (tok, pos) in enumerate(facts.tokens):
        if tok != done_word:
            continue
        if lex.patterns.definition_opening.search(facts.low, max(0, pos - 12), pos + len(tok) + 4):
            continue
        before, nxt = toks[i - 1] if i else "", toks[i + 1] if i + 1 < len(toks) else ""
        if before in lex["negations"].words:
            continue  # "Baseline: not tracked yet": said not done, of where the KR starts
        counted = before[:1].isdigit() or before in lex["determiners"].words
        if not (counted and nxt.isalpha() and nxt not in plain):
            return True
    return False


def _bundled_with_result(facts: KrFacts, done_word: str, head: list[str], lex: Lexicon) -> bool:
    """'Referral programme shipped with 30% adoption', '10 components created with 100% test
    coverage': a thing declared done, then the result it comes with; every value is in that
    result, or counts the things done."""
    named = _named_part(head, lex)
    if not named or named[-1] in lex.union("people_nouns", "outcome_nouns"):
        return False  # "Customers onboarded with …": what is done for them
    said = re.search(rf"\b{re.escape(done_word)}\b", facts.low)
    if said is None or not lex.patterns.bundle_after.match(facts.low, said.end()):
        return False
    targets = [q for q in facts.measures if q.role == "target"]
    # the count of the things done, at the start or after a determiner ("All 6 automation types
    # coded and tested, with 100% test coverage")
    opening = next((q for q in targets if q.start < said.start()), None)
    if opening is not None and not lex["determiners"].words.issuperset(t for t, pos in facts.tokens[facts.first :] if pos < opening.start):
        opening = None
    # (a rate or a level: "signed with 15 companies" names who signed, a count of deals)
    after = [q for q in targets if q.start >= said.end()]
    return bool(after) and all(q.kind not in {"number", "word"} for q in after) and all(
        q.start >= said.end() or (q is opening and q.kind == "number") for q in targets
    )


def _named_part(head: list[str], lex: Lexicon) -> list[str]:
    """The thing a verbless KR names, before what is said of it: '6 case studies | published',
    '8 meetups | attended this quarter', '4 speaking engagements | this quarter'."""
    for i, tok in enumerate(head[1:], 1):
        if tok in lex["determiners"].words or _participle(tok, lex):
            return head[:i]
    return head


def _participle(tok: str, lex: Lexicon) -> bool:
    """'published', 'written', 'spoken': a verb's past participle (not 'need', 'has')."""
    lemma = lex.irregular_forms.get(tok)
    if lemma is not None:
        return lemma != tok and tok not in lex["passive_auxiliaries"].words and not tok.endswith("s")
    return tok.endswith("ed") and bool(lex.verb_classes(tok))


def _acts(facts: KrFacts, end: int, lex: Lexicon) -> bool:
    """'200 new pros complete onboarding': counted things, then a verb in the present."""
    nxt = next((t for t, pos in facts.tokens if pos >= end), "")
    return bool(nxt) and lex.lemma_of(nxt) == nxt and bool(lex.verb_classes(nxt)) and countable(
        facts.low[:end].split()[-1], lex
    )


def _rolled_out(facts: KrFacts, lex: Lexicon) -> bool:
    """'Mobile clinics in 6 districts', 'Bid-writing bootcamp for 30 researchers': no metric
    anywhere, and every number says where or for whom something is put in place."""
    targets = [q for q in facts.measures if q.role == "target"]
    if (
        not targets
        or facts.has_baseline
        or lex.patterns.rate.search(facts.low)
        or lex.patterns.top_rank.search(facts.low)  # "Top-3 ranking for 20 priority keywords"
        or not facts.words.isdisjoint(lex.union("metric_terms", "metric_heads"))
    ):
        return False
    return all(
        q.kind == "number" and lex.patterns.place_before.search(facts.low[max(0, q.start - 12) : q.start])
        for q in targets
    )


def _people_at_work(facts: KrFacts, lex: Lexicon) -> bool:
    """'Sales reps visit 25 bars per week', 'SDRs do 50 dials daily': staff, then an activity;
    'Each member of the team performs …', 'Every portfolio identifies 2 decisions a quarter':
    each of the team's own people or units, then its activity (the count is per each)."""
    people = lex.union("people_nouns", without=("outcome_nouns",))  # staff, not customers
    toks = [t for t, _ in facts.tokens[:6]]
    each = lex.patterns.distributive_opening.match(facts.low) is not None
    outcomes = lex["outcome_nouns"].words
    for i, tok in enumerate(toks[: 5 if each else 2]):
        if each and tok in outcomes:
            return False  # "Every customer gets …": what is done for customers, a result
        if each and i and tok not in people and lex.verb_classes(tok) and tok != lex.lemma_of(tok):
            return _activity(tok, lex)  # "Every OCTO portfolio identifies": the subject's verb
        if tok in people and i and toks[i - 1][:1].isdigit():
            return False  # "25k people share their stories": people counted, what they do a result
        if tok in people and i + 1 < len(toks) and toks[i + 1] != "of":
            return _activity(toks[i + 1], lex)
    return False


def _activity(verb: str, lex: Lexicon) -> bool:
    return lex.lemma_of(verb) in lex["activity_verbs"].words or "delivery_verbs" in lex.verb_classes(verb)
