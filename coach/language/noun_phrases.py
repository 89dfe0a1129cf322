"""The metric of a key result as a noun phrase: its head noun and the qualifiers that pick
what is counted ("time to restore a 500GB backup", "memory usage for large projects",
"share of invoices paid on time"), never a verb, pronoun, conjunction or punctuation.

The reader walks the KR once as a row of units (words, and the numbers the quantity reader
found, each with its role) and takes the noun phrase the lead verb acts on, or the subject
before it, or the phrase after a leading value ("5 million monthly readers"). A phrase that
does not end in a noun is no metric: `metric_noun_phrase` answers None and the caller asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import takewhile

from ..lexicon import Lexicon, tokenize
from .facts import KrFacts
from .reading import adverb_before_verb, countable, known_verb, looks_plural, starts_name

# Characters between two words that end a phrase ("Reduce churn, and grow NPS").
_BREAK_BETWEEN = re.compile(r"[,;:()\[\]!?—=]|\s[-–]\s|\.\s")  # ("Churn = net negative": "=" gives a value)
_MAX_WORDS = 12
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,5}s")  # "CEs", "SDRs": people by their role's initials
_ASIDE = re.compile(r"(?<=\w) \([^()\[\]]{1,60}\)(?= \w)")
_CLAUSE_MARK = re.compile(r"[\[\](){};:,=\"“”]")  # brackets or clause punctuation: no noun phrase
# a single quote opening a word, and one closing a word (or a plural's possessive: "users'")
_OPEN_QUOTE = re.compile(r"(?:^|(?<=\s))['‘](?=[^\W\d_])")
_CLOSE_QUOTE = re.compile(r"(?<=[^\W\d_])['’](?![^\W\d_])")
# a lower-case letter left for a number ("x cost", "xx% of"); "Competitor X" is a name
_LETTER_LEFT = re.compile(r"(?<![\w./-])(?:x{1,3}|n)(?![\w./-])")
_NEGATION = re.compile(r"no|not|never|\w+n[’']t")  # "spends no time", "doesn’t refer": a clause
_NOT = re.compile(r"not|\w+n[’']t")
_NO_QUOTES = str.maketrans("", "", "\"“”‘")
# "’" between letters is an apostrophe ("who’ve", "customer’s"), kept; elsewhere a quote
_CLOSING_QUOTE = re.compile(r"’(?![a-zA-Z])|(?<![a-zA-Z])’")



# Never changed once made, but not frozen: a frozen dataclass's __init__ sets each field
# through object.__setattr__ (six times the cost), and a review makes tens of thousands.
@dataclass(slots=True)
class Unit:
    start: int
    end: int
    word: str  # the lower-cased word, or "#" and its kind for a number ("#currency")
    role: str  # word | measure | qualifier | deadline


def units_of(facts: KrFacts) -> list[Unit]:
    """Words and numbers in order; a number carries its role (value, qualifier, deadline)."""
    spans: list[Unit] = []
    measures = {(q.start, q.end) for q in facts.measures}
    for q in facts.quantities:
        if q.kind == "placeholder" and q.text.startswith("["):
            continue  # ("by X%" is a value left as a letter: read as a value)
        role = "measure" if (q.start, q.end) in measures else "qualifier"
        spans.append(Unit(q.start, q.end, "#" + q.kind, role))
    spans += [Unit(s, e, "#", "deadline") for s, e in facts.scan.deadlines]
    # The characters the numbers cover: a word that starts or ends inside one is part of it.
    taken = {i for u in spans for i in range(u.start, u.end)}
    units = list(spans)
    for tok, pos in facts.tokens:
        end = pos + len(tok)
        if pos not in taken and end - 1 not in taken:
            units.append(Unit(pos, end, tok, "word"))
    units.sort(key=lambda u: u.start)
    return units


def metric_noun_phrase(facts: KrFacts, lex: Lexicon) -> str | None:
    """The metric in the author's words, or None when the KR names no noun phrase to measure."""
    # ("Finish the 10k in under 45 minutes": the time to finish it)
    found = (f"{facts.race} time" if facts.race else None) or _time_taken(facts, lex) or _scored(facts, lex) or _metric_noun_phrase(facts, lex)
    return _restore_names(_with_stages(found, facts, lex), facts, lex) if found else None


def _scored(facts: KrFacts, lex: Lexicon) -> str | None:
    """'Score 700+ on the GMAT' → 'GMAT score': the score on what is named after the value."""
    m = lex.patterns.scored_opening.match(facts.low) if facts.low.lstrip().startswith("score ") else None
    q = next((q for q in facts.measures if m and q.start == m.end() and q.role == "target"), None)
    on = lex.patterns.scored_on.match(facts.low, q.end) if q else None
    if on is None:
        return None
    return f"{facts.text[on.start('name') : on.end('name')].strip()} score"


def _time_taken(facts: KrFacts, lex: Lexicon) -> str | None:
    """'It takes under 2 days to onboard a new client' → 'time to onboard a new client';
    'Ferry crossing takes under 25 minutes' → 'ferry crossing time': how long a thing takes."""
    m = lex.patterns.time_taken.match(facts.low) if " take" in facts.low else None
    q = next((q for q in facts.measures if m and q.start == m.end() and q.kind == "duration"), None)
    if q is None:
        return None
    rest = facts.text[q.end :].strip().rstrip(".")
    if m.group("it"):
        action = lex.patterns.time_taken_action.fullmatch(rest.lower())
        return f"time to {rest[action.start(1) : action.end(1)].strip()}" if action else None
    subject = facts.text[m.start("subject") : m.end("subject")].strip()
    if rest or subject.split()[0].lower() in lex.union("determiners", "stopwords", "pronoun_subjects"):
        return None  # (more after the time, or no noun phrase before it: read as usual)
    return f"{_sentence_case(subject, force=True)} time"


def _with_stages(phrase: str, facts: KrFacts, lex: Lexicon) -> str:
    """'conversion rate | from free trial to paid': the stages a rate counts between, said in
    words right after its name, are part of the name (not a start and a target)."""
    if phrase.lower().rsplit(" ", 1)[-1] not in lex["stage_heads"].words:
        return phrase
    at = facts.low.find(phrase.lower())
    m = lex.patterns.stage_pair.match(facts.low, at + len(phrase)) if at >= 0 else None
    spans = [(q.start, q.end) for q in facts.quantities] + list(facts.scan.deadlines)
    if m is None or any(m.start() < end and start < m.end() for start, end in spans):
        return phrase
    plain = lex.union("period_words", "time_units", "deadline_periods")
    if not plain.isdisjoint(facts.low[m.start() : m.end()].split()):
        return phrase  # ("from last year to this year": periods compared, no stages)
    return phrase + facts.text[m.start() : m.end()]


def _restore_names(phrase: str, facts: KrFacts, lex: Lexicon) -> str:
    """A word the phrase lower-cased that the draft capitalises mid-sentence is a name
    ('share of Acutians ...'): keep the draft's spelling."""
    opener = facts.tokens[0][1] if facts.tokens else 0
    # Words the lexicon knows as common words (a capital on them is title case, not a name).
    common = lex.union("cadence_words", "people_nouns", "outcome_nouns", "statistics", "metric_terms", "metric_heads", "stopwords")
    out = []
    for word in phrase.split(" "):
        # Only a lower-case word the lexicon does not know can be a name: the draft is
        # searched for those alone.
        if word[:1].islower() and word.lower() not in common:
            at, spelled = _whole_word(word, facts.text)
            if spelled and at != opener and spelled[:1].isupper():
                word = spelled
        out.append(word)
    return " ".join(out)


def _whole_word(word: str, text: str) -> tuple[int, str | None]:
    """Where `text` first holds `word` in any case as a whole word (no word character or "-"
    next to it), and its spelling there; (-1, None) if nowhere."""
    if not (text.isascii() and word.isascii()):
        m = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.I)
        return (m.start(), m.group(0)) if m else (-1, None)
    # ASCII: lower() keeps every offset and is what re.I compares, and isalnum() is \w but
    # "_". A plain search: a pattern built per word was compiled for each new word.
    low, key = text.lower(), word.lower()
    at = low.find(key)
    while at >= 0:
        end = at + len(key)
        if not (at and _joins(low[at - 1])) and not (end < len(low) and _joins(low[end])):
            return at, text[at:end]
        at = low.find(key, at + 1)
    return -1, None


def _joins(char: str) -> bool:
    return char.isalnum() or char in "_-"


def _metric_noun_phrase(facts: KrFacts, lex: Lexicon) -> str | None:
    units = units_of(facts)
    if not units:
        return None
    text = facts.text
    lead_at = None
    if facts.lead is not None:
        lead_pos = facts.tokens[facts.lead.index][1]
        lead_at = next((i for i, u in enumerate(units) if u.start == lead_pos), None)
    starts: list[int] = []
    fillers = lex["lead_fillers"].words
    words = [u.word for u in units]
    first_word = next(
        (
            i
            for i, u in enumerate(units)
            if not (u.role == "word" and (u.word in fillers or adverb_before_verb(words, i, lex))) or starts_name(words, i, lex)
        ),
        0,
    )  # (past "We will", and a manner word before the order: "Consistently | maintain uptime …")
    if lead_at is not None and lead_at > first_word:
        starts.append(first_word)  # "Memory usage reduced by 30%": the subject
    if lead_at is not None:
        starts.append(lead_at + 1)  # "Reduce churn": the object
    else:
        starts.append(first_word)
    if lead_at is None and _unknown_order(units, first_word, text, lex):
        # "Block 99% of spam messages": an order the lexicon does not know, before a share (not
        # named when the share would lose a condition: "Catch 95% of regressions | before release")
        share = _share_phrase(units, first_word + 1, text, lex, units[first_word].word)
        if share is not None:
            return share if share and _says_all_words(share, units[first_word + 1 :], lex) else None
    stat = _statistic_before_value(units, starts[-1], text, lex)
    if stat:
        return stat  # "Average 700 new signups per week" → "average new signups per week"
    scoped = _share_after_scope(units, text, lex) if lead_at is None else None
    if scoped:
        return scoped  # "After each shift, 65% of drivers complete …"
    for start in starts:
        share = _share_phrase(units, start, text, lex, facts.lead.lemma if facts.lead and start == lead_at + 1 else None)
        if share is not None:
            return share or None  # "": a share whose condition cannot be named
        after_lead = lead_at is not None and start == lead_at + 1
        found = _phrase_from(units, start, text, lex, facts.lead.lemma if after_lead and facts.lead else None)
        if found:
            return found
    return None


def _share_after_scope(units: list[Unit], text: str, lex: Lexicon) -> str | None:
    """'After each shift, 65% of drivers complete a feedback form', 'In the pilot schools, 50%
    of pupils read at grade level': a scope, a comma, then a share; the share's name keeps the
    scope after it ("… complete a feedback form after each shift"). A deadline there ("By the
    end of the year, …") is the rewrite's end, not the name's."""
    k = next((j for j in range(1, min(len(units), 10)) if "," in text[units[j - 1].end : units[j].start]), None)
    if k is None or units[k].role != "measure" or units[0].role != "word":
        return None
    if units[0].word not in lex.union("qualifier_prepositions", "clause_words") or any(u.role == "measure" for u in units[:k]):
        return None
    share = _share_phrase(units, k, text, lex)
    if not share:
        return None
    plain = lex.union("stopwords", "determiners")
    if any(u.role == "deadline" for u in units[:k]) and all(u.role == "deadline" or u.word in plain for u in units[:k]):
        return share  # "By the end of the year": when, the rewrite's own end
    said = text[units[0].start : units[k - 1].end]
    return f"{share} {said[:1].lower()}{said[1:]}"


def _statistic_before_value(units: list[Unit], i: int, text: str, lex: Lexicon) -> str | None:
    """'Average 700 new signups per week', 'An average 4.5 rating on G2': a statistic named
    before its value is of the name after the value ("average rating on G2"); a duration's
    name is left to be asked ("a median of 2 days to first review")."""
    if i >= len(units):
        return None
    m = lex.patterns.statistic_first.match(text.lower(), units[i].start)
    if m is None:
        return None
    j = next((k for k in range(i, len(units)) if units[k].start >= m.end()), len(units))
    if j >= len(units) or units[j].role != "measure" or units[j].word not in ("#number", "#currency", "#percent"):
        return None
    name = _phrase_from(units, j + 1, text, lex)
    return f"{m.group(1)} {name}" if name else None


def _says_all_words(phrase: str, units: list[Unit], lex: Lexicon) -> bool:
    """Does `phrase` keep every content word of `units` (past values and deadlines)?"""
    said = set(phrase.lower().split())
    plain = lex.union("stopwords", "determiners", "value_frames")
    return all(u.word in said or u.word in plain for u in units if u.role == "word")


def _unknown_order(units: list[Unit], i: int, text: str, lex: Lexicon) -> bool:
    """'Block 99% of spam', 'Pass 90% of security audits': a first word the lexicon knows
    neither as a verb nor as a noun, right before a share of things, is the order done to them."""
    if not (i + 2 < len(units) and units[i].role == "word" and units[i + 1].role == "measure" and units[i + 2].word == "of"):
        return False
    word = units[i].word
    known = lex.union("metric_terms", "metric_heads", "people_nouns", "outcome_nouns", "deliverable_nouns", "stopwords", "value_frames")
    return (
        word.isalpha()
        and not lex.verb_classes(word)
        and word not in known
        and text[units[i + 1].start : units[i + 1].end].rstrip().endswith("%")
    )


def _skip_to_phrase(units: list[Unit], i: int, lex: Lexicon) -> tuple[int, Unit | None]:
    """Past determiners, frames and leading values: the first word of the phrase, and the
    value just before it if any ("5 million monthly readers", "2% or lower defect rate")."""
    value = None
    skip = lex.union("determiners", "value_frames", "comparatives", "passive_auxiliaries")
    if i < len(units) and units[i].role == "word" and _past_verb(units[i].word, lex) and not (
        i + 1 < len(units) and f"{units[i].word} {units[i + 1].word}" in lex["metric_terms"].entries
    ) and not _adjective_before_name(units, i, lex):
        i += 1  # "Built pipeline of 10+ SAOs", "Closed 3+ deals": the verb, reported done ("dropped calls" is a name)
    while i < len(units):
        u = units[i]
        if u.role in {"measure", "qualifier"}:
            value = u
        elif value is units[i - 1] and value.word == "#currency" and u.word in lex["money_links"].words:
            # "$480k in new bookings", "$25k worth of open work": the money measures what follows
            i += u.word == "worth" and i + 1 < len(units) and units[i + 1].word == "of"
        elif u.role == "deadline" or (u.role == "word" and u.word not in skip):
            break
        elif u.word == "to" and value is not None and i + 1 < len(units) and lex.verb_classes(units[i + 1].word):
            break  # "24 hours to restore ...": the time to do something
        if i + 1 < len(units) and u.word in {"above", "below"} and units[i + 1].word in lex["statistics"].words:
            i += 1  # "above average": a comparison with a value not written, no part of the name
        i += 1
    return i, value


def _adjective_before_name(units: list[Unit], i: int, lex: Lexicon) -> bool:
    """'Paid team accounts: 1,500', 'Cancelled trips below 3%': a participle before a plain
    noun phrase whose value follows is part of the name ('Closed 3+ deals', 'Built a pipeline
    of 10+ SAOs' report work done: a value, an article or 'of' comes first)."""
    j = i + 1
    while j < len(units) and units[j].role == "word" and units[j].word not in lex.union("stopwords", "determiners"):
        j += 1
    return j > i + 1 and j < len(units) and units[j].role in {"measure", "qualifier"} or (
        j > i + 1 and j < len(units) and units[j].word in lex["value_frames"].words
    )


def _phrase_from(units: list[Unit], i: int, text: str, lex: Lexicon, verb: str | None = None) -> str | None:
    i0 = i
    i, value = _skip_to_phrase(units, i, lex)
    if i >= len(units):
        return None
    # "Less than 24 hours to restore a 500GB backup": the time to do something.
    if units[i].word == "to":
        if value is None or not _is_duration(text[value.start : value.end], lex):
            return None
        rest = _collect(units, i + 1, text, lex, allow_verbs=True)
        if rest and _ends_in_noun(rest, lex):
            return "time to " + _slice(text, rest)
        return None
    words = _collect(units, i, text, lex)
    if not words:
        return None
    timed = _timed_action(units, i0, i, words, text, lex)
    if timed:
        return timed
    if words[0].word in lex["chunk_breakers"].words:
        return None
    # A qualifier after the value belongs to the metric ("Startup time is under 200ms on a
    # cold cache", "Memory usage reduced by 30% for large projects").
    trail = _trailing_qualifier(units, i + len(words), text, lex)
    if not (_ends_in_noun(words, lex) or _done_to_plural(words, lex)):
        return None
    phrase = _slice(text, words)
    # "Invoices processed within 5 days": what happens to the things counted, and the window.
    k = i + len(words)
    relative = _relative_clause(units, k, text, lex)
    if relative:
        return _sentence_case(f"{phrase} {relative}")  # "readers who open the newsletter 3+ days a week"
    aux = k < len(units) and units[k].word in lex["passive_auxiliaries"].words
    after = _collect(units, k + 1, text, lex, allow_verbs=True) if aux else _collect(units, k, text, lex, allow_verbs=True)
    if aux and after:
        after = [units[k], *after]  # "12 resellers are early users of the portal"
    if after and _finite_verb(after[0].word, lex) and any(u.role == "qualifier" for u in after):
        return _sentence_case(phrase + " " + _slice(text, after))
    # "25 members publish a talk", "12 resellers are early users": what the counted do.
    if value is not None and after and not any(u.role != "word" for u in after) and _plural(words[-1].word, lex) and (
        _base_verb(after[0].word, lex) or after[0].word in lex["passive_auxiliaries"].words
    ) and _ends_in_noun(after, lex) and len(words) + len(after) < 14 and _whole_clause(units, k + len(after), text, lex):
        who = _relative_pronoun(words[-1].word, lex)
        return _sentence_case(f"{phrase} {who} {_slice(text, after)}")
    # "Onboard 40 clinics in the pilot region": the things counted, and what is done to them.
    split = next((k for k, u in enumerate(words) if u.word in lex["qualifier_prepositions"].words or u.word == "to"), len(words))
    # (Money is no count of the things: "Close $480k in new bookings" measures the bookings.)
    counted = value is not None and value.word != "#currency"
    done = participle(verb, lex) if verb and counted and split and _plural(words[split - 1].word, lex) else ""
    if done and (_done_by_order(verb or "", lex) or verb in lex["win_verbs"].words):  # ("deals closed", "developers converted")
        head, tail = words[:split], words[split:]
        phrase = _slice(text, head) + f" {done}" + (f" {_slice(text, tail)}" if tail else "")
    if trail and _ends_in_noun(trail, lex) and len(words) + len(trail) <= _MAX_WORDS:
        phrase += " " + _slice(text, trail)
    return _sentence_case(phrase)


def _relative_clause(units: list[Unit], k: int, text: str, lex: Lexicon) -> str:
    """'who open the morning newsletter 3+ days a week', 'that end in a ticket': a restrictive
    clause right after the counted things says which are counted, so the name keeps it whole
    (or has none: the clause must end where the sentence or a value does)."""
    if not (k + 1 < len(units) and units[k].word in {"who", "that", "whose"} and units[k].role == "word"):
        return ""
    if _BREAK_BETWEEN.search(text[units[k - 1].end : units[k].start]):
        return ""  # ", who ...": an aside
    clause = _collect(units, k + 1, text, lex, allow_verbs=True)
    if not clause or len(clause) >= _MAX_WORDS or not _ends_at(units, k + 1 + len(clause), text):
        return ""
    return f"{units[k].word} {_slice(text, clause)}"


def _reduced_relative(units: list[Unit], i: int, lex: Lexicon) -> bool:
    """After a time named so far and who spends it (unit i), does their verb follow, so that a
    relative clause with no "that" starts at i ("time | families wait", "time | we take")?"""
    nxt = units[i + 1] if i + 1 < len(units) else None
    return nxt is not None and nxt.role == "word" and nxt.word in lex["common_verbs"].words and _base_verb(nxt.word, lex)


def _clause_ends(units: list[Unit], k: int, text: str) -> bool:
    """Does a clause end before unit k: where `_ends_at` says, or before the value of a change
    or a start ("… wait for a callback | by 20%", "… | from [current …]")?"""
    if _ends_at(units, k, text):
        return True
    u = units[k]
    return u.word in {"from", "by"} and (
        (k + 1 < len(units) and units[k + 1].role == "measure") or text[u.end :].lstrip().startswith("[")
    )


def _whole_clause(units: list[Unit], k: int, text: str, lex: Lexicon) -> bool:
    """Does a clause read up to unit k end there or before a function word ("customers
    upgrade | to the new plan"), not inside a phrase ("… to make effective | decisions")?"""
    return _ends_at(units, k, text) or units[k].word in lex["stopwords"].words


def _ends_at(units: list[Unit], k: int, text: str) -> bool:
    """Does a phrase that runs up to unit k end there: the sentence, a value, a deadline or a
    break comes next?"""
    return k == len(units) or units[k].role in {"measure", "deadline"} or bool(
        _BREAK_BETWEEN.search(text[units[k - 1].end : units[k].start])
    )


def participle(lemma: str, lex: Lexicon) -> str:
    """The past participle of a verb: 'onboard' → 'onboarded', 'win' → 'won', 'write' → 'written'."""
    forms = [form for form, base in lex.irregular_forms.items() if base == lemma]
    if forms:
        return max(forms, key=lambda f: (f.endswith("n"), len(f)))
    if lemma.endswith("ed") and (lex.lemma_of(lemma) != lemma or not known_verb(lemma, lex)):
        return lemma  # already one ("We've sourced 20% of …": "sourced", not "sourceded")
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and lemma[-2:-1] not in set("aeiou"):
        return lemma[:-1] + "ied"
    if _SHORT_CVC.fullmatch(lemma):
        return lemma + lemma[-1] + "ed"  # "shipped", "flagged", "planned"
    return lemma + "ed"


_SHORT_CVC = re.compile(r"[^aeiou]{1,2}[aeiou][b-df-hj-np-tvz]")  # one syllable, one vowel, one final consonant


def _timed_action(units: list[Unit], i0: int, i: int, words: list[Unit], text: str, lex: Lexicon) -> str | None:
    """'A 500GB backup restored in under 4 hours': a thing, what is done to it, and how long
    it may take is the time to do it: 'time to restore a 500GB backup'."""
    j = i + len(words)
    if not (j < len(units) and _finite_verb(units[j].word, lex) and units[j].word.endswith("ed")):
        return None
    k = j + 1
    while k < len(units) and units[k].role == "word" and units[k].word in lex["value_frames"].words | {"in"}:
        k += 1
    if not (k < len(units) and units[k].role == "measure" and _is_duration(text[units[k].start : units[k].end], lex)):
        return None
    # The thing with what describes it ("a 500GB backup"), but no value to reach.
    start = next((k for k in range(i0, i) if units[k].role != "measure"), i)
    thing = _slice(text, [units[start], words[-1]])
    return f"time to {lex.lemma_of(units[j].word)} {_sentence_case(thing)}"


def _trailing_qualifier(units: list[Unit], j: int, text: str, lex: Lexicon) -> list[Unit]:
    """After the phrase: a verb or frame words, the value, then a qualifying prepositional
    phrase that is no deadline and no clause."""
    skip = lex.union("value_frames", "passive_auxiliaries", "comparatives")
    seen_value = False
    while j < len(units):
        u = units[j]
        if u.role == "measure":
            seen_value = True
        elif u.role == "deadline":
            return []
        elif u.word in lex["qualifier_prepositions"].words and seen_value:
            return _collect(units, j, text, lex, allow_leading_prep=True)
        elif not (u.word in skip or lex.verb_classes(u.word)):
            return []
        j += 1
    return []


def _done_by_order(verb: str, lex: Lexicon, *, won: bool = False) -> bool:
    """Does the order's participle name what is done to the things counted ("customers
    onboarded", "invoices collected"; with `won`, "accounts converted"), not what others
    give ("sign-ups got")?"""
    classes = lex.verb_classes(verb)
    if not classes:
        return won and verb.isalpha()  # an order the lexicon does not know ("Block 99% of spam")
    acts = bool(classes & {"delivery_verbs", "ambiguous_delivery_verbs"}) or (won and verb in lex["win_verbs"].words)
    # with `won`, also what is kept or turned ("members retained"): a change verb that moves
    # no quantity ("Cut 30% of costs" is a change of the costs, no share)
    kept = won and "change_verbs" in classes and verb not in lex["quantity_verbs"].words
    return (acts or kept) and verb not in lex["obtain_verbs"].words


def _share_phrase(units: list[Unit], i: int, text: str, lex: Lexicon, verb: str | None = None) -> str | None:
    """'90% of invoices are paid on time' → 'share of invoices paid on time';
    '80% of managers complete the training' → 'share of managers who complete the training'."""
    bounds = lex["value_bounds"].words  # "at least 75% of members", "75% or more of members"
    while i < len(units) and units[i].role == "word" and (units[i].word in lex["determiners"].words or units[i].word in bounds):
        i += 1
    while i + 2 < len(units) and units[i].role == "measure" and units[i + 1].word == "or" and units[i + 2].word in bounds:
        units = [*units[: i + 1], *units[i + 3 :]]
    if not (
        i + 1 < len(units)
        and units[i].role == "measure"
        and text[units[i].start : units[i].end].rstrip().endswith("%")
        and (units[i + 1].word == "of" or units[i + 1].role == "word")
    ):
        return None
    of = 2 if units[i + 1].word == "of" else 1  # "60% Team Captains are active": a share too
    if verb and of == 2 and verb in lex["quantity_verbs"].words:
        return ""  # "Cut 30% of costs" is a change of the costs by 30%, no share of them: unread
    words = _collect(units, i + of, text, lex)
    # "70% of volunteers (excluding board members) complete …": an aside in parentheses after
    # the things counted stays with them; what they do is read after it
    aside, resume = _parenthesised_aside(units, words, i + of, text)
    # "100% of monthly releases ship on time": a plural, then its verb, starts the clause
    # (the subject may carry a qualifier: "tutors on the site | message another tutor")
    # (not a last word after a singular noun: "customers on a suitable payment plan" ends on
    # the compound's head)
    verb_at = next(
        (
            j
            for j in range(1, len(words))
            if (
                _base_verb(words[j].word, lex)
                and _counted_plural(_subject_head(words, j, lex).word, lex)
                and not (j + 1 == len(words) and not _plural(words[j - 1].word, lex))
            )
            or _people_rate(words[j - 1].word, words[j].word, lex)
            or _verb_before_object(words, j, lex)
        ),
        None,
    )
    words = words[:verb_at]
    causing = verb is not None and lex.lemma_of(verb) in lex.union("obtain_verbs", "enabling_verbs")
    if causing and not aside:
        # ("trial users | to invite a teammate": after the people, "to" opens what they do)
        to = next(
            (
                j for j in range(1, len(words) - 1)
                if words[j].word == "to" and _counted_plural(_subject_head(words, j, lex).word, lex) and _verb_like(words[j + 1].word, lex)
            ),
            None,
        )
        words = words[:to]
    if not words or not (_ends_in_noun(words, lex) or _done_to_plural(words, lex)):
        return None
    if len(words) < len(units) - i - of and units[i + of + len(words)].word in lex["modal_verbs"].words:
        return ""  # "10% of new users will publish a doc": what they will do is the share's, and unread
    head = words[: next((k for k, u in enumerate(words) if u.word in lex["qualifier_prepositions"].words), len(words))]
    if head and (head[-1].word in lex["plan_nouns"].words or words[-1].word in lex["plan_nouns"].words):
        return ""  # "200% of the SMB plan", "100% of quota": attainment of a plan, no share of things
    # (people counted are a share whatever else counts them: "75% team members are confident")
    people = bool(head) and head[-1].word in lex["people_nouns"].words
    if of == 1 and (
        not head
        or not _plural(head[-1].word, lex)
        or (not people and not lex.union("metric_terms", "metric_heads").isdisjoint(u.word for u in head))
    ):
        return None  # "95% uptime", "a 65% DAU/MAU ratio", "90% participation in ...": the value of a metric
    k = resume if aside else i + of + len(words)
    if k + 1 < len(units) and units[k].word in lex["list_joiners"].words:
        # "80% of designers and engineers know …": both are counted, and both do it
        more = _collect(units, k + 1, text, lex)
        if more and _plural(more[-1].word, lex) and all(u.role == "word" for u in more):
            words = [*words, units[k], *more]
            k += 1 + len(more)
    phrase = _slice(text, words) + (f" {aside}" if aside else "")
    linked = ""
    # "Get 60% of members | to renew online", "Help 70% of learners to pass": after an order
    # that gets people to act, "to" opens what they do ("members who renew online")
    acting = (
        causing
        and k + 1 < len(units)
        and units[k].word == "to"
        and units[k + 1].role == "word"
        and units[k + 1].word not in lex.union("determiners", "stopwords")
        and _verb_like(units[k + 1].word, lex)  # ("invoices | to paid status", "accounts to first value": where they go)
        and _counted_plural(_subject_head(words, len(words), lex).word, lex)
    )
    if acting:
        k += 1
    if k < len(units) and units[k].word in lex["passive_auxiliaries"].words:
        k += 1  # "invoices are paid": the participle alone reads as English
        if k < len(units) and not units[k].word.endswith("ed") and units[k].word not in lex.irregular_forms:
            linked = units[k - 1].word  # "Student Leaders are active": "who are active"
    rest = _collect(units, k, text, lex, allow_verbs=True, allow_leading_prep=bool(linked))
    after = k + len(rest)
    if rest and after + 1 < len(units) and units[after].word in lex["list_joiners"].words:
        # "rate the reviews useful | or very useful": the other choice belongs to what they do
        more = _collect(units, after + 1, text, lex, allow_verbs=True)
        if more and all(u.role == "word" for u in more):
            rest = [*rest, units[after], *more]
            after += 1 + len(more)
    if rest and after < len(units) and units[after].word == "by" and is_participle(rest[-1].word, lex):
        return ""  # "invoices generated | by the new service": who does it picks them, and is unread
    if linked and not rest:
        return None  # "70% of activities are ..." with a condition we cannot keep: no share to name
    if linked and after + 1 < len(units) and units[after].word in lex["qualifier_prepositions"].words:
        return ""  # "books are available | through the site with highlighting": the rest of the condition, unread
    if _unread_predicate(units, k + len(rest), text, lex):
        # "90% of tickets received via email are resolved within 24 hours": the share is of
        # tickets *resolved*; naming it "share of tickets received" would change what is counted.
        return ""
    # "Deliver 97% of parcels next day", "Collect 90% of invoices within terms": the share is
    # of the things the order is done to, named with its participle after them (the count's
    # form: "customers onboarded"); only where a plural ends them and a qualifier may follow
    if verb and not linked and _done_by_order(verb, lex, won=True) and not (
        rest and (_base_verb(rest[0].word, lex) or rest[0].word in {"who", "that"})
    ):
        plain = next((k for k, u in enumerate(head) if k and u.word in lex.union("stopwords", "chunk_breakers")), len(head))
        # (or the whole of a mass noun: "Allocate 18% of sprint capacity" → "… capacity allocated")
        things = max((k for k, u in enumerate(head[:plain]) if _plural(u.word, lex)), default=-1) + 1 or len(head[:plain])
        # (its complement stays after the participle: "uploaders converted into creators")
        if things and (things == len(words) or words[things].word in lex["qualifier_prepositions"].words | {"into", "to", "onto"}):
            tail = words[things:]
            phrase = _slice(text, words[:things]) + f" {participle(verb, lex)}" + (f" {_slice(text, tail)}" if tail else "")
    if rest:
        lead_word = rest[0].word
        object_follows = len(rest) > 1 and rest[1].word in lex["determiners"].words and lead_word not in lex["qualifier_prepositions"].words
        subject = (head or words)[-1].word  # "managers in EMEA": the managers do it
        if (acting or linked or _base_verb(lead_word, lex) or object_follows or _people_rate(subject, lead_word, lex)) and _counted_plural(subject, lex):
            phrase += f" {_relative_pronoun(subject, lex)}"  # "managers who complete the training"
            phrase += f" {linked}" if linked else ""
        phrase += " " + _slice(text, rest)
    return "share of " + _sentence_case(phrase, force=True)


def _people_rate(prev: str, word: str, lex: Lexicon) -> bool:
    """'managers rate the reviews', 'users score the app': after people counted, a measure's
    word is what they do (no name: "manager rate", not "managers rate")."""
    return word in lex["metric_heads"].words and prev in lex.union("people_nouns", "outcome_nouns") and _plural(prev, lex)


def _verb_like(word: str, lex: Lexicon) -> bool:
    """After "to": a verb's plain form, known or in no class of the lexicon ("to renew", "to
    invite"), not a participle or a word of another kind ("to paid status", "to first value")."""
    if not word.isalpha() or is_participle(word, lex):
        return False
    # (a verb of any of the lexicon's verb classes, or a word in none of its classes)
    return _base_verb(word, lex) or any(word in lex[name].words for name in lex if name.endswith("_verbs")) or word not in lex.union(*lex)


def _relative_pronoun(noun: str, lex: Lexicon) -> str:
    """'managers who …', 'tickets that …': outcome nouns name people and things alike."""
    people = lex.union("people_nouns", "outcome_nouns", without=("thing_outcomes",))
    return "who" if noun in people else "that"


def _unread_predicate(units: list[Unit], k: int, text: str, lex: Lexicon) -> bool:
    """Does the sentence go on to a linking verb ("are", "is") the share's phrase stopped before?"""
    auxiliaries = lex["passive_auxiliaries"].words
    for j in range(k, len(units)):
        if units[j].role == "deadline" or (j > k and _BREAK_BETWEEN.search(text[units[j - 1].end : units[j].start])):
            return False
        if units[j].role == "word" and units[j].word in auxiliaries:
            return True
    return False


def _collect(
    units: list[Unit],
    i: int,
    text: str,
    lex: Lexicon,
    *,
    after_to: bool = False,
    allow_leading_prep: bool = False,
    allow_verbs: bool = False,
) -> list[Unit]:
    """The run of phrase units from i: words, qualifier numbers and inner prepositions, up to
    a value, a deadline, a clause, a finite verb or punctuation."""
    out: list[Unit] = []
    stops = lex.union("relative_pronouns", "passive_auxiliaries", "clause_words")
    preps = lex["qualifier_prepositions"].words
    people = lex.union("people_nouns", "outcome_nouns")
    times, spenders = lex.union("time_metrics", "time_heads"), lex.union("people_nouns", "outcome_nouns", "pronoun_subjects")
    capped = False
    while i < len(units):
        if len(out) >= _MAX_WORDS:
            capped = units[i].role == "word"  # the phrase goes on past the longest name kept
            break
        u = units[i]
        if out and u.word in spenders and out[-1].word in times and u.role == out[-1].role == "word" and _reduced_relative(units, i, lex):
            # "the time families wait for an assessment", "the time we take to patch": who
            # waits or takes is part of the name, kept whole to where the clause ends, or none
            clause = _collect(units, i + 1, text, lex, allow_verbs=True)
            return [*out, u, *clause] if clause and _clause_ends(units, i + 1 + len(clause), text) else []
        gap = text[out[-1].end : u.start] if out else " "
        # (one space, the usual gap, is no break; "valid, payable claims": modifiers of one head go on)
        if gap != " " and _BREAK_BETWEEN.search(gap) and not (gap == ", " and _modifier_list(out, units, i, lex)):
            break
        if u.role in {"measure", "deadline"}:
            break
        if out and u.word in lex["period_words"].words and lex.patterns.period_over_period.match(text.lower(), u.start):
            break  # "sessions on our website | year over year": how the change is counted, no part of the name
        if u.role == "qualifier":
            out.append(u)
            i += 1
            continue
        w = u.word
        if "/" in w and w[:1].isdigit():
            break  # "< 20/week": a value the scan did not read is no part of a name
        if w == "than" and out and i + 1 < len(units) and (units[i + 1].role == "qualifier" or units[i + 1].word[:1].isdigit()):
            out.append(u)  # "tickets older than 30 days": the age picks the tickets
            i += 1
            continue
        if w == "and" and out and i + 1 < len(units) and (
            any(v.word == "between" for v in out)  # "dropout rate between DTP1 and DTP3"
            or (text[out[-1].start : out[-1].start + 1].isupper() and text[units[i + 1].start : units[i + 1].start + 1].isupper())
        ):
            out.append(u)  # "Friends and Family Test score": one name
            i += 1
            continue
        if w == "as" and out and lex.patterns.as_share_of.match(text, u.start):
            out.append(u)  # "cloud cost as % of revenue": the ratio is the metric
            i += 1
            continue
        if w in {"vs", "versus"} and out and out[-1].word in lex["metric_heads"].words and i + 1 < len(units) and (
            units[i + 1].role == "word" and text[u.end : units[i + 1].start].strip() in {"", "."}
            and not lex.patterns.period_name.fullmatch(units[i + 1].word) and units[i + 1].word not in lex["period_words"].words
        ):
            out += [u, units[i + 1]]  # "win rate vs. Competitor X": the rival is part of what is measured
            i += 2
            continue
        if w in {"before", "after", "by"} and out and i + 1 < len(units) and _plain_noun(units[i + 1], lex):
            # "corrections after publication", "repeat visits by local members": which ones (a date
            # would be a deadline, a value a change: "by Q3", "by 20%")
            out.append(u)
            i += 1
            continue
        if w in {"and", "or"} and (_conjunct(out, units, i + 1, text, lex) or _modifier_list(out, units, i + 1, lex)):
            out.append(u)  # "for damp and mould", "rated good or better": one qualifier
            i += 1
            continue
        if w in stops or w in {"and", "or", "&", "versus", "than"} or (w == "vs" and text[u.start : u.end] != "VS"):
            break  # ("VS Code" is a name)
        if w == "from":
            break  # a starting value, or a source a rewrite's own "from [current ...]" would clash with
        if out and _base_verb(w, lex) and _plural(out[-1].word, lex) and (
            w in lex["behaviour_verbs"].words or w in lex["common_verbs"].words
        ) and w not in lex.union("metric_terms", "metric_heads", "outcome_nouns", "deliverable_nouns"):
            break  # "Globexers have a growth plan", "daily jobs succeed": the predicate starts
        # (a participle before "to" is read only when "to" comes: "waste sent to landfill")
        if (
            w == "to"
            and not (after_to and not out)
            and not (out and _is_time_head(out, lex))
            and not (out and out[-1].role == "word" and is_participle(out[-1].word, lex))
            and not _destination(units, i + 1, lex, text)
        ):
            break  # but "minutes attributed to baggage", "waste sent to landfill", "waste to landfill" go on
        if w in preps or w == "to":
            if not out and not allow_leading_prep and not after_to:
                break
            out.append(u)
            i += 1
            continue
        if out and _moves_to_a_value(out[-1].word, w, units[i + 1 : i + 2], lex):
            break  # "churn | falls to 2%", "handling time | falls below 6 minutes" (but "patient falls")
        if out and w.endswith("ly") and len(w) > 5 and i + 1 < len(units) and (
            units[i + 1].word == "at" or lex.patterns.comparator_opening.fullmatch(units[i + 1].word)
        ):
            break  # "Apdex scores | consistently above 0.85": how the level holds, no part of the name
        if out and " ".join([out[-1].word, w, *(v.word for v in units[i + 1 : i + 2])]) in lex["metric_terms"].phrases:
            out.append(u)  # "marketing qualified leads": a metric's name, its participle inside
            i += 1
            continue
        if out and not allow_verbs and _finite_verb(w, lex) and out[-1].word not in preps:  # "with automated evidence"
            if len(out) == 1 and out[0].word.endswith("ed") and is_participle(out[0].word, lex) and looks_plural(w):
                out.append(u)  # "flagged outputs", "signed contracts": a participle, then the plural it describes
                i += 1
                continue
            nxt = units[i + 1] if i + 1 < len(units) else None
            if not _base_verb(out[-1].word, lex) and out[-1].word not in lex["stopwords"].words and nxt is not None and nxt.role == "word" and (
                nxt.word in lex["qualifier_prepositions"].words or nxt.word in {"to", "online", "offline"}
            ) and nxt.word != "from":
                out.append(u)  # "transactions completed online", "seats added per account"
                i += 1
                continue
            break
        if out and _base_verb(w, lex) and (
            (out[-1].word in people and _plural(out[-1].word, lex))
            or _ACRONYM_PLURAL.fullmatch(text[out[-1].start : out[-1].end])  # "CEs document …", "AEs run …"
        ):
            break  # "managers complete the training": the subject ends before its verb
        if _verb_after_qualified_subject(out, w, units[i + 1] if i + 1 < len(units) else None, text, lex):
            break  # "managers in EMEA complete the training": so does a subject a place qualifies
        out.append(u)
        i += 1
    if capped:
        return []  # a phrase longer than any name kept: cut, it would lose what it goes on to say
    dangling = lex.union("determiners", "value_frames")
    while out and (
        out[-1].word in preps
        or out[-1].word in dangling
        or out[-1].word == "to"
        # "revisions … larger | than 0.2 points" (but "rated good or better" is one qualifier)
        or (out[-1].word in lex["comparatives"].words and not (len(out) > 1 and out[-2].word in {"or", "and"}))
        # "pipeline sourced" (but "speed on trains": after a preposition, its noun)
        or (len(out) > 1 and out[-1].role == "word" and is_participle(out[-1].word, lex) and out[-2].word not in preps)
    ):
        out.pop()
    return out


def _plain_noun(u: Unit, lex: Lexicon) -> bool:
    """'publication', 'noon', 'go-live': a word that can only name a thing (no verb, gerund or determiner)."""
    return u.role == "word" and not (
        _base_verb(u.word, lex)
        or u.word.endswith("ing")
        or u.word in lex.union("determiners", "stopwords", "time_units")  # "by year end": a deadline
        or u.word in {"quarter", "end"}
    )


def _modifier_list(out: list[Unit], units: list[Unit], j: int, lex: Lexicon) -> bool:
    """'valid, payable claims', 'malicious or copyrighted links': the word before the comma
    or conjunction is no noun, only a modifier of a head that follows (a plural word within
    two), so the phrase goes on; 'churn, revenue' and 'revenue and margin' are two heads."""
    if not out or out[-1].role != "word" or j >= len(units):
        return False
    last = out[-1].word
    nouns = lex.union("metric_terms", "metric_heads", "outcome_nouns", "deliverable_nouns", "people_nouns", "vague_nouns", "time_units")
    if last in nouns or _plural(last, lex) or last in lex.union("stopwords", "qualifier_prepositions") or lex.verb_classes(last):
        return False
    ahead = units[j : j + 3]
    return all(u.role == "word" for u in ahead[:2]) and any(_plural(u.word, lex) for u in ahead[1:])


def _conjunct(out: list[Unit], units: list[Unit], j: int, text: str, lex: Lexicon) -> bool:
    """'repeat visits for damp | and mould', 'lessons rated good | or better': inside a
    qualifier (after a preposition or a participle), up to three words joined to the last one and
    ending the phrase, not a second metric ('revenue and margin') or a second order."""
    preps = lex["qualifier_prepositions"].words
    if not any(u.word in preps or (k and is_participle(u.word, lex)) or u.word.endswith("ing") for k, u in enumerate(out[1:], 1)):
        return False
    k = j
    while k < len(units) and k < j + 3 and units[k].role == "word" and not _base_verb(units[k].word, lex) and (
        units[k].word not in lex.union("stopwords", "clause_words", "determiners")
    ):
        k += 1
    return k > j and (_ends_at(units, k, text) or units[k].word in {"to", "from", "by"})


def _destination(units: list[Unit], j: int, lex: Lexicon, text: str) -> bool:
    """'to landfill', 'to the executive team', 'to about.gitlab.com': "to" names where things
    go, not the value to reach (a value, a verb or nothing after it: "to 50", "time to
    restore", "to [target]")."""
    while j < len(units) and units[j].role == "word" and units[j].word in lex["determiners"].words:
        j += 1
    if j >= len(units) or units[j].role != "word":
        return False
    w = units[j].word
    if text[units[j].end : units[j].end + 1] == "." and text[units[j].end + 1 : units[j].end + 2].isalpha():
        return True  # a web address or file name ("about.gitlab.com"), whatever its first word
    if _base_verb(w, lex) or w in lex.union("stopwords", "clause_words", "value_frames", "comparatives") or w[:1].isdigit():
        return False
    # "new volunteers to the club | learn why …": a verb after it, so a clause, not a place
    nxt = units[j + 1] if j + 1 < len(units) else None
    return not (nxt is not None and nxt.role == "word" and _base_verb(nxt.word, lex) and nxt.word not in lex["deliverable_nouns"].words)


def _verb_after_qualified_subject(out: list[Unit], w: str, nxt: Unit | None, text: str, lex: Lexicon) -> bool:
    """'managers in EMEA | complete the training', 'cardiologists in target hospitals | prescribe
    Cardiolix': people, a qualifier, then a base verb with its object (a determiner or a name
    next, so 'users in the trial plan' stays one phrase)."""
    if nxt is None or not _base_verb(w, lex):
        return False
    if nxt.word not in lex["determiners"].words and not (nxt.role == "word" and text[nxt.start].isupper()):
        return False
    preps = lex["qualifier_prepositions"].words
    at = next((j for j, u in enumerate(out) if u.word in preps), None)
    if not at:
        return False
    head = out[at - 1].word
    return head in lex.union("people_nouns", "outcome_nouns") and _plural(head, lex)


def _finite_verb(word: str, lex: Lexicon) -> bool:
    """'reduced', 'grows', 'improves': an inflected verb ends the noun phrase before it."""
    irregular = word in lex.irregular_forms
    if not irregular and word not in lex.verb_class:
        return False  # most words: no form of a verb the lexicon knows
    lemma = lex.lemma_of(word)
    if irregular and lemma != word and word not in lex.union("people_nouns", "outcome_nouns"):
        return True  # "held", "sent": a past form the lexicon knows
    if not lex.verb_classes(word) or lemma == word:
        return False
    return word.endswith(("ed", "s")) and not word.endswith(("ss", "ness")) and word not in lex.union(
        "metric_terms", "metric_heads", "outcome_nouns", "deliverable_nouns", "people_nouns"
    )


def _moves_to_a_value(prev: str, word: str, nxt: list[Unit], lex: Lexicon) -> bool:
    """A change verb after a measure's head, then a value frame: the verb of the sentence, even
    one that names a measure of its own elsewhere ("falls": patient falls)."""
    base = lex.lemma_of(word) == word
    return (
        bool(nxt)
        and nxt[0].word in lex["value_frames"].words
        and "change_verbs" in lex.verb_classes(word)
        and prev in lex.union("metric_terms", "metric_heads", "time_metrics", "time_heads", "lower_is_better", "higher_is_better")
        # and agrees with it: "scores go up", "churn falls" (not "inventory shrink down to 0.8%": a noun)
        and (not base or looks_plural(prev))
    )


def is_participle(word: str, lex: Lexicon) -> bool:
    """'attributed', 'sent', 'completed': a past participle, known to the lexicon or not."""
    return _finite_verb(word, lex) or (len(word) > 5 and word.endswith("ed") and word not in lex["stopwords"].words)


def _past_verb(word: str, lex: Lexicon) -> bool:
    """'closed', 'built', 'gathered': a verb in the past (reported done)."""
    return bool(lex.verb_classes(word) or word in lex.irregular_forms) and (
        (word.endswith("ed") and lex.lemma_of(word) != word) or word in lex.irregular_forms
    )


def _plural(word: str, lex: Lexicon) -> bool:
    """A plural noun ('partners', 'sign-ups'), even one that could be read as a verb."""
    return countable(word, lex) or (
        word.endswith("s") and not word.endswith("ss") and word in lex.union("people_nouns", "outcome_nouns", "deliverable_nouns")
    )


def _counted_plural(word: str, lex: Lexicon) -> bool:
    """After 'N% of', a word ending like a plural is the plural counted ('flagged outputs |
    include …'), even one the lexicon also knows as a verb; 'sales' is an amount."""
    return _plural(word, lex) or (looks_plural(word) and word not in lex["mass_plurals"].words)


def _subject_head(words: list[Unit], j: int, lex: Lexicon) -> Unit:
    """The head of the words before j: the word before their first qualifier preposition
    ("tutors | on the site"), else the last of them."""
    at = next((k for k in range(1, j) if words[k].word in lex["qualifier_prepositions"].words), j)
    return words[at - 1]


def _parenthesised_aside(units: list[Unit], words: list[Unit], i: int, text: str) -> tuple[str, int]:
    """An aside in parentheses right after the things counted (`words`, from unit i): its
    text ("(excluding board members)") and the unit after it; or ("", 0)."""
    n = len(words)
    if not n or i + n >= len(units):
        return "", 0
    gap = text[words[-1].end : units[i + n].start]
    close = text.find(")", words[-1].end)
    if gap.strip() != "(" or close < 0 or close - words[-1].end > 60:
        return "", 0
    resume = next((j for j in range(i + n, len(units)) if units[j].start > close), len(units))
    return text[words[-1].end : close + 1].strip(), resume


def _verb_before_object(words: list[Unit], j: int, lex: Lexicon) -> bool:
    """'trial users | invite a teammate': after a plural, a word the lexicon does not know as
    a verb, then an article or a possessive, is the verb (its object follows)."""
    word = words[j].word
    return (
        j + 1 < len(words)
        and words[j + 1].word in lex["determiners"].words
        and word.isalpha()
        and not word.endswith("s")
        and word not in lex.union("stopwords", "qualifier_prepositions", "determiners")
        and _plural(words[j - 1].word, lex)
    )


def _base_verb(word: str, lex: Lexicon) -> bool:
    return lex.lemma_of(word) == word and known_verb(word, lex)


def _is_time_head(words: list[Unit], lex: Lexicon) -> bool:
    return words[-1].word in lex.union("time_metrics", "time_units") or words[-1].word in {"cost", "costs"}


def _done_to_plural(words: list[Unit], lex: Lexicon) -> bool:
    """'tickets resolved (within 24 hours)', 'calls answered': the things a share counts, then
    what is done to them (a window after it picks them)."""
    k = len(words)
    while k and (words[k - 1].role == "qualifier" or words[k - 1].word in lex["qualifier_prepositions"].words):
        k -= 1
    return k >= 2 and words[k - 1].word.endswith("ed") and is_participle(words[k - 1].word, lex) and _plural(words[k - 2].word, lex)


def _ends_in_noun(words: list[Unit], lex: Lexicon) -> bool:
    """The phrase's last word can head a noun phrase: not a function word, adverb, verb
    form, comparative or bare adjective of quality."""
    # "invoices overdue > 60 days", "tickets older than 30 days": a qualifier at the end picks
    # what the head counts; the head is what must be a noun.
    k = len(words)
    if words[-1].role == "qualifier":
        while k and (words[k - 1].role == "qualifier" or words[k - 1].word in lex.union("aged_words", "value_frames", "qualifier_prepositions") or words[k - 1].word in {"older", "younger", "longer"}):
            k -= 1
    if not k:
        return False
    last = words[k - 1]
    if last.role != "word":
        return False
    w = last.word
    bad = lex.union(
        "stopwords", "chunk_breakers", "determiners", "value_frames", "comparatives", "quality_comparatives",
        "relative_pronouns", "passive_auxiliaries", "clause_words",
    )
    if w in bad or w.endswith("ly") or w.isdigit():
        return False
    classes = lex.verb_classes(w)
    nounish = w in lex.union("metric_terms", "metric_heads", "outcome_nouns", "deliverable_nouns", "people_nouns", "vague_nouns", "verb_nouns", "time_units")
    if classes and not nounish and (w.endswith("ed") or lex.lemma_of(w) == w and len(words) == 1):
        return False  # "reduced", or a bare verb alone ("improve")
    return not (w in lex["quality_words"].words and not nounish)


def _slice(text: str, words: list[Unit]) -> str:
    """The words as written, without quotes, each run of whitespace one space."""
    written = text[words[0].start : words[-1].end].translate(_NO_QUOTES)
    return " ".join((_CLOSING_QUOTE.sub("", written) if "’" in written else written).split())


def _sentence_case(phrase: str, force: bool = False) -> str:
    """Lower-case a first word the draft capitalised only because it opened the sentence
    (callers pass phrases that start where the KR starts, or a known common word)."""
    # Sentence case from the draft is not part of the metric's name ("Quota attainment"),
    # but an acronym or a name is ("NPS", "MySQL").
    words = phrase.split(" ")
    first = words[0]
    # "Student Leaders", "Net Promoter Score", "Friends and Family Test": a name, kept as written
    title = len(words) > 1 and any(w[:1].isupper() for w in words[1:3])
    if first in {"A", "An", "The"} or (len(first) > 1 and first[0].isupper() and first[1:].islower() and not title):
        return phrase[0].lower() + phrase[1:]
    return phrase


def _is_duration(value: str, lex: Lexicon) -> bool:
    return bool(lex.patterns.duration_value.search(value.lower()))


def name_head(words: list[str], lex: Lexicon) -> list[str]:
    """The words of a name before its first qualifier preposition or "to" ("monthly visitors
    | to the docs site", "churn | in our SMB segment")."""
    stops = lex["qualifier_prepositions"].words
    return list(takewhile(lambda w: w not in stops and w != "to", words))


def clause_after_plural(words: list[str], lex: Lexicon) -> int:
    """Where a clause after a plural says which of them are meant ("influencers | sharing our
    content", "builders | involved in …", "communities | that use our data"), or 0."""
    for i in range(1, len(words)):
        word = words[i]
        if looks_plural(words[i - 1]) and (
            word in lex["relative_pronouns"].words
            or (word.endswith("ing") and lex.lemma_of(word) != word)
            or is_participle(word, lex)
        ):
            return i
    return 0


def is_measurable(phrase: str, lex: Lexicon) -> bool:
    """Does the phrase name something counted or measured ('weekly active users', 'churn in
    our SMB segment', 'time to restore a backup'), not an entity or a quality ('the Jsgenesis
    team', 'building power')? Read on the words before its first preposition."""
    body = phrase[9:] if phrase.startswith("share of ") else phrase
    if phrase.startswith(("share of ", "time to ", "number of ")):
        return True
    head = name_head([t for t, _ in tokenize(body.lower())], lex)
    if not head:
        return False
    measured = lex.union("metric_terms", "metric_heads", "lower_is_better", "outcome_nouns", "time_metrics")
    plural = looks_plural(head[-1])
    return not measured.isdisjoint(head) or (
        plural
        and head[-1] not in lex["vague_nouns"].words
        # "the teams" is an entity; "weekly active teams" is a count of them
        and (head[-1] not in lex["entity_nouns"].words or not lex["count_modifiers"].words.isdisjoint(head[:-1]))
    )


def is_verb_phrase(phrase: str, lex: Lexicon) -> bool:
    """'deflect more tickets', 'realise a salary audit': a verb, then its object opened by a
    determiner or a comparative, read as a metric's name ('repeat guests', 'open DSARs' and
    'win rate' are names)."""
    words = phrase.lower().split()
    # (or its -ing form: "offering more classes", "adding the integrations")
    gerund = words[0].endswith("ing") and lex.lemma_of(words[0]) != words[0] if words else False
    return (
        len(words) >= 2
        and (_base_verb(words[0], lex) or gerund)
        and words[1] in lex.union("determiners", "comparatives")
    )


def says_change(word: str, lex: Lexicon) -> bool:
    """'grow', 'increasing', 'improves': a direction verb, not its noun ('increase', 'growth')
    or its participle ('improved')."""
    return (
        lex.lemma_of(word) in lex["direction_verbs"].words
        and word not in lex.maps["change_nouns"]
        and not word.endswith("ed")
    )


def holds_letter(phrase: str) -> bool:
    """'x cost', 'implementing x processes': a lower-case letter left for a number."""
    return _LETTER_LEFT.search(phrase) is not None


def unfit_name(phrase: str, lex: Lexicon) -> bool:
    """A name no question or rewrite may use: a letter left for a number ('x cost'), a
    direction verb ('ratings improve') or a negated clause ('leadership spends no time …')."""
    # Memoised: a metric's name is asked about by its rewrite, its questions and the eval.
    return lex.memoised(("unfit name", phrase), lambda: _unfit_name(phrase, lex))


def _unfit_name(phrase: str, lex: Lexicon) -> bool:
    if holds_letter(phrase):
        return True
    toks = [t for t, _ in tokenize(phrase.lower())]
    return any(
        says_change(t, lex)
        or (k and _NEGATION.fullmatch(t) and toks[k - 1] not in lex["qualifier_prepositions"].words)
        or (not k and _NOT.fullmatch(t))  # "not spend more than …" ("never events" is a name)
        for k, t in enumerate(toks)
    )


def opens_unclosed_quote(text: str) -> bool:
    """Does `text` open a single quote it never closes ("cost for 'free users": cut inside
    the author's quote)? An apostrophe inside a word or after a plural is no quote."""
    return ("'" in text or "‘" in text) and len(_OPEN_QUOTE.findall(text)) > len(_CLOSE_QUOTE.findall(text))


def is_noun_phrase(phrase: str, lex: Lexicon) -> bool:
    """Is `phrase` (a metric a rewrite names) a noun phrase a coach would write: no brackets
    or clause punctuation, and a noun at its head? Used by the eval to count garbled phrases."""
    # Memoised: a rewrite's metric is read again in each check of it and of its candidates.
    return lex.memoised(("noun phrase", phrase), lambda: _is_noun_phrase(phrase, lex))


def _is_noun_phrase(phrase: str, lex: Lexicon) -> bool:
    # an aside in parentheses after a word ("volunteers (excluding board members) who …") is
    # no part of the phrase's grammar; the rest must be a noun phrase without it
    phrase = _ASIDE.sub("", phrase)
    if not phrase or _CLAUSE_MARK.search(phrase) or opens_unclosed_quote(phrase) or unfit_name(phrase, lex):
        return False
    if " as a share of " in phrase:  # "food cost as a share of revenue": two noun phrases
        return all(is_noun_phrase(part, lex) for part in phrase.split(" as a share of ", 1))
    body = phrase[9:] if phrase.startswith("share of ") else phrase
    toks = tokenize(body.lower())
    if not toks:
        return False
    units = [Unit(p, p + len(t), t, "word") for t, p in toks]
    if any(lex.patterns.version.match(u.word) for u in units):
        return False  # "health score v1": a version of a deliverable, not a metric
    if "&" in body or units[0].word in lex.union("chunk_breakers", "relative_pronouns", "determiners"):
        return False
    if adverb_before_verb([u.word for u in units], 0, lex):
        return False  # "consistently maintain uptime": a manner and an order, no name
    named = lex.union("metric_terms", "metric_heads")
    preps = lex["qualifier_prepositions"].words | {"to", "than", "and", "or"}
    periods = lex["time_units"].words | {"quarter", "shift", "sprint"}
    clause_opened = False  # after "to", "that", "who": "time to restore a backup", "teams that have a roadmap"
    comparatives = lex["comparatives"].words
    for k, (a, b) in enumerate(zip(units, units[1:], strict=False), start=1):
        clause_opened = clause_opened or a.word in {"to", "that", "who", "which"}
        if a.word in named and body[b.start : b.start + 1].isupper() and body[a.start : a.start + 1].islower():
            return False  # "uptime Storage Providers": a metric, then a name with no "of"
        per_period = b.word in {"a", "an", "per"} and k + 1 < len(units) and units[k + 1].word.rstrip("s") in periods
        # "customers taking the premium bundle" (but "a board outlining the key efforts"
        # describes a deliverable: no count or measure of it)
        gerund = a.word.endswith("ing") and not (k >= 2 and units[k - 2].word in lex["deliverable_nouns"].words)
        if (
            b.word in lex["determiners"].words
            and a.word not in preps
            and a.word not in lex["determiners"].words
            and not (clause_opened or per_period or gerund)
        ):
            return False  # "price our members", "rate the game": a verb and its object, a clause
        if b.word in comparatives and _base_verb(a.word, lex) and not (k + 1 < len(units) and units[k + 1].word == "than"):
            return False  # "videos we publish get more views": a verb and its comparison, a clause
    # No verb before the first preposition: "submit minutes", "understand our customer".
    nouns = lex.union("metric_terms", "metric_heads", "outcome_nouns", "deliverable_nouns", "people_nouns", "verb_nouns")
    # "change failure rate", "win rate", "pick accuracy": a verb-like first word that a
    # metric's head ends is a modifier of it, not an order.
    first_chunk = next((k for k, u in enumerate(units) if u.word in lex["qualifier_prepositions"].words), len(units))
    heads = lex.union("metric_heads", "metric_terms")
    orders = lex.union("delivery_verbs", "obtain_verbs", "maintain_verbs", "level_verbs", "activity_verbs")
    head_at = next((j for j in (1, 2) if j < first_chunk and units[j].word in heads), 0)
    modified = bool(head_at) and not (  # "wow customers": a slogan's object
        units[0].word in lex["slogan_verbs"].words and units[head_at].word in lex.union("outcome_nouns", "people_nouns")
    )
    if units[0].word in orders:
        # An order verb names a metric only with its head alone after it: "build time (for the
        # monorepo)", "deploy frequency"; not "hold p99 checkout latency", "submit minutes".
        modified = modified and head_at == 1 == first_chunk - 1 and units[1].word not in lex["time_units"].words
    for k, u in enumerate(units):
        if u.word in lex["qualifier_prepositions"].words or u.word in {"who", "that", "to"}:
            break
        if u.word in nouns or (k == 0 and modified):
            continue
        # "invoices paid on time", "users activated": a participle after what it describes
        post_modifier = k > 0 and (k + 1 < len(units) or _plural(units[k - 1].word, lex)) and is_participle(u.word, lex)
        # "same-week repairs", "store visits": a plural head after its modifier, not a verb
        plural_head = (
            k > 0
            and k + 1 == len(units)
            and u.word.endswith("s")
            and not _plural(units[k - 1].word, lex)
            and not lex.verb_classes(u.word) & {"change_verbs", "quantity_verbs", "level_verbs"}  # "revenue grows"
        )
        # "sign ups", "check ins", "drop offs": a phrasal noun written open, no order
        open_noun = k + 1 < len(units) and units[k + 1].word in lex["phrasal_noun_ends"].words
        if (k == 0 and _base_verb(u.word, lex) and not open_noun) or (
            _finite_verb(u.word, lex) and not post_modifier and not plural_head and not open_noun
        ):
            return False
        if k > 0 and u.word in lex["common_verbs"].words and _plural(units[k - 1].word, lex):
            return False  # "daily jobs succeed": a clause, not a name
    return _ends_in_noun(units, lex) or _done_to_plural(units, lex)  # ("users activated")
