"""Which numbers of a key result are values to reach, and which only pick what is counted.

"Reduce tickets older than 30 days": 30 days is a qualifier (a window); "deals under
EUR 50k", "Accounts using 3+ modules" pick segments. Qualifiers are neither targets nor
baselines.
"""

from __future__ import annotations

import re

from ..lexicon import Lexicon
from ..quantities import Quantity
from .facts import Lead
from .reading import MEASURE_CLASSES


def _plus_target(q: Quantity, after: str, lex: Lexicon) -> bool:
    """'4.6+ Google rating': a value and the metric it is for, not a segment ('3+ modules')."""
    following = re.findall(r"[a-z][a-z-]*", after)[:3]
    if following and following[0].split("-")[0] in lex["time_units"].words:
        return False  # "30+ days-past-due rate": the days pick the loans counted
    return "." in q.text or any(w in lex["metric_heads"].words and w not in lex["time_units"].words for w in following)


def _small_int(text: str) -> bool:
    return text.isdigit() and int(text) <= 120


def is_qualifier(low: str, q: Quantity, lead: Lead | None, lex: Lexicon) -> bool:
    """'Reduce tickets older than 30 days', 'deals under €50k': the value picks what is
    counted; it is not the target."""
    if q.kind == "placeholder":
        return False
    window = low[max(0, q.start - 40) : q.start]
    after = low[q.end : q.end + 24]
    if (
        q.kind in {"number", "duration"}
        and lex.patterns.word_after.match(after)  # (matched at one place: before the search of the window)
        and (art := lex.patterns.article_before.search(window))
        and not set(window[: art.start()].split()[-1:]) & lex["value_frames"].words  # not "from a 3 to a 1"
        and lex.union("metric_heads", "metric_terms").isdisjoint(re.findall(r"[a-z][a-z-]*", after)[:3])
    ):
        return True  # "to restore a 500GB backup", "within a 30-day window": the value describes a thing
    # "Accounts using 3+ modules", "the 10 most frequent routes": the number picks a segment.
    if (
        q.kind == "number"
        and lex.patterns.plus_after.match(after)
        and not window.endswith("from ")  # "from 20+ days → <3 days": where it starts
        and (
            lex.patterns.plus_share_or_time.match(after)  # "4+ of 5", "30+ days"
            or (lex.patterns.segment_before_plus.search(window) and not _plus_target(q, after, lex))
        )
    ) or (
        window.endswith("the ") and lex.patterns.most_after.match(after)
    ):
        return True
    if q.kind in {"number", "duration"} and lex.patterns.age_after.match(after):
        return True  # "vulnerabilities 90-180 days old": an age picks what is counted
    if q.kind == "word" and lead is None and window.endswith("every ") and set(after.split()[:1]) & lex["time_units"].words:
        return True  # "every two weeks": a cadence, read as "every 2 weeks" is
    if q.kind == "duration" and (
        lex.patterns.window_before.search(window)
        or (lead is None and window.endswith(("every ", "(>", "(<", "( >", "( <")))
        # "Bugs open > 30 days", "Repeat buyers in 90 days": an age or a window of what is counted
        or (lead is None and lex.patterns.open_age_before.search(window))
        or (lead is None and (g := lex.patterns.state_age_before.search(window)) and g.group(1) in lex["aged_words"].words)
    ):
        # "in their first 6 weeks", "over the past 30 days", "repositioned every 2 hours",
        # "Late orders (>45 min)": a window or a standard that defines what is counted.
        return True
    if (
        (s := lex.patterns.segment_bound.search(window))
        and not lex.verb_classes(s.group(1)) & MEASURE_CLASSES  # "scoring at least 4.5": a target
        and s.group(1) not in lex.union("metric_heads", "metric_terms")  # "rating at least 4.5/5"
    ):
        return True  # "Students attending at least one session": the count picks who is counted
    if (
        lead is None
        and q.kind == "number"
        and (a := lex.patterns.age_bound.search(window))
        and a.group(1) in lex.union("people_nouns", "outcome_nouns")
        and _small_int(q.text)
    ):
        return True  # "Readers under 30", "patients over 65": an age band, not a target
    if q.kind == "duration":
        # "Tickets resolved within 24 hours", "vulnerabilities open longer than 30 days":
        # a time window that defines what is counted; after a time metric ("Lead time
        # under 2 days") it is the target.
        d = lex.patterns.duration_qualifier.search(window)
        if (
            d
            and d.group(1) not in lex["not_qualifier_words"].words
            and d.group(1) not in lex["time_metrics"].words
            and (lead is None or lead.kind == "change" or d.group(1).endswith("ed"))
        ):
            return True
    if lex.patterns.with_bound.search(window) or lex.patterns.among_bound.search(window):
        return True  # "ANR rate on devices with < 3 GB RAM", "churn among farms <50 ha": who is counted
    if q.kind == "number" and lex.patterns.each_of_before.search(window):
        return True  # "Calculate the error for each of the 8 files": the whole they are picked from
    if lead is None and lex.patterns.paren_bound.search(window):
        return True  # "Short-connection bags (under 45 min) that make the flight"
    if (
        q.kind == "number"
        and "." not in q.text
        and "range" not in after
        # (the window, not all the text before the value: a range's first end is just before it)
        and (lex.patterns.range_after.match(low, q.end) or lex.patterns.range_before.search(window))
    ):
        return True  # "hospitals with 200-1,000 beds", "18-34 share", "belts 3-6": a range picks a segment
    m = lex.patterns.qualifier.search(window) if lex.patterns.qualifier_hint.search(window) else None
    if not m or m.group(1) in lex["not_qualifier_words"].words or m.group(1) in lex["time_metrics"].words:
        return False  # "... to bring average queue time under 4 minutes": the time's target
    if lead is not None and m.group(1) == lead.token:
        return False  # "Handling time drops below 6 minutes": the verb itself, then its target
    noun = m.group(1)
    if q.kind == "percent" and not lex.patterns.segment_words.search(window):
        return False  # "write-offs on fixed-fee matters below 8% of billed fees": the level to reach
    plural = len(noun) > 3 and noun.endswith("s") and not noun.endswith("ss")
    if lead is None or lead.kind == "level":
        # With no verb of change a value after a noun is usually its target ("Write-offs
        # under 5%"); only a segment introduced by "among" is picked by it.
        if q.kind == "percent" and "among" in window:
            return False  # "Visa refusal rate among admitted students under 8%": the target
        # "Churn among accounts under $20k ARR", "Chargebacks on orders over €100": a segment
        # (but "Time to hire for Lisbon roles below 40 days", "LCOE ... below €42/MWh": targets).
        currency = q.kind == "currency" and not after.lstrip().startswith("/")
        if currency and plural and noun not in lex["metric_terms"].words and window[: m.start(1)].strip() == "":
            return True  # "Grants over £1m awarded": the grants counted ("Bookings over $2M" is a target)
        preps = "among|on|for|from|of" if currency else "among"
        return plural and bool(
            re.search(rf"\b(?:{preps})\s+(?:[a-z-]+\s+){{0,3}}$", window[: m.end(1)] + " ")
        )
    if lead.kind not in {"change", "delivery", "ambiguous"}:
        return False
    return lead.kind != "change" or plural
