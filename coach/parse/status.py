"""Status notes written after an objective or key result: "(done)", "✅", "— 60%".

OKR.md files are kept up to date in place, so their items end with how they are
going: a word ("(in progress)", "[DONE]", "— on track"), a mark ("✅", "❌",
":white_check_mark:"), a progress share ("— 60%", "(50%)") or a 0–1 score ("– 0.7",
"(.75)"). None of it is part of what the item says, and a progress share read as
the item's own number would pass a task off as a measured outcome. So the parser
takes such a note off the item's text and span, as it takes off a checkbox:

- a word or a mark always;
- a share or a score only where it cannot be the item's own number: the item
  has a number of its own before it ("Run 300 km — 70%"), or, for a 0–1 score, the
  draft ends two or more items that way (a score column). "Churn rate — 3%" alone
  keeps its 3%: it may be the target.
"""

from __future__ import annotations

import re

from ..lazy_re import lazy_compile

WORD = "word"  # a status word or mark: always a note
SHARE = "share"  # "60%": a note when the item has a number of its own
SCORE = "score"  # "0.7": a note then, or when two or more items of the draft end so

_STATUS_WORDS = frozenset(
    w.strip()
    for w in (
        "done|complete|completed|achieved|finished|shipped|met|exceeded|in progress|ongoing"
        "|started|not started|on track|off track|at risk|behind|blocked|delayed|missed"
        "|dropped|cancelled|canceled|postponed|deferred|paused|on hold|descoped|abandoned"
        "|carried over|partially done|partially achieved|partly done|partly achieved"
        "|not achieved|not met|not done|wip|todo|to do|✓|✔|✗|✘"
    ).split("|")
)
_WORDED = lazy_compile(
    r"(?:status|progress|score|grade|graded)\s*[:=\-–—]?\s*(?P<value>\S.*)"
    r"|\d{1,3}(?:[.,]\d+)?\s?%\s*(?:done|complete|completed|achieved|finished|there)",
    re.I,
)
_SHARE = lazy_compile(r"\d{1,3}(?:[.,]\d+)?\s?%")
_SCORE = lazy_compile(r"0?[.,]\d{1,2}|[01](?:[.,]0{1,2})?")
_MARKS = frozenset("✅☑✔✓❌✖✗✘❎⚠🟢🟡🟠🔴⚪⚫🔵🚧⏳⌛🏁🔄⏸⛔🛑")  # marks of a state, not decoration
_MARK_TAIL = frozenset("\ufe0f\ufe0e\u200d")
# GitHub / Slack shortcodes of those marks (the closing ":" may be gone as trailing noise)
_SHORTCODES = (
    "white_check_mark heavy_check_mark ballot_box_with_check check x heavy_multiplication_x "
    "negative_squared_cross_mark warning construction hourglass hourglass_flowing_sand "
    "green_circle yellow_circle orange_circle red_circle white_circle black_circle "
    "large_blue_circle checkered_flag arrows_counterclockwise no_entry stop_sign"
).split()
_SHORTCODE = lazy_compile(r"\s:(?:" + "|".join(_SHORTCODES) + r"):?$")
# the last word of a line that ends with a note in words: of a status word, "60% there",
# a shortcode whose closing ":" is gone
LAST_WORDS = frozenset(
    {w.rsplit(" ", 1)[-1] for w in _STATUS_WORDS if w.isascii()}
    | {"there"}
    | {":" + code for code in _SHORTCODES}
)
ENDINGS = tuple(LAST_WORDS)
_DASHES = (" — ", " – ", " - ", " -- ", " | ", "—")
_DASH_CHARS = frozenset("—–-|")
_CLOSERS = {")": "(", "]": "["}
# a number of the item's own: not the digit of a period ("Q3", "H1", "FY25", "2025")
_DIGIT = lazy_compile(r"(?<!\w)(?!(?:q[1-4]|h[12]|fy\d{2,4}|(?:19|20)\d{2})\b)[$€£¥]?\d", re.I)
_BETWEEN = " \t:;,-–—|"  # what may stand between an item and its note
_NOISE = " \t:;,：；，"  # after it
_ALNUM = re.compile(r"[^\W_]")


def _kind(note: str) -> str | None:
    note = note.strip().rstrip(".!").strip()
    low = note.lower()
    if low in _STATUS_WORDS:
        return WORD
    first = low[:1]
    # (each pattern below starts with a digit, a point or one of the letters s, p, g)
    if first.isdigit() or first in ".,":
        if _SHARE.fullmatch(note):
            return SHARE
        if _SCORE.fullmatch(note):
            return SCORE
    elif first not in "spgſ":  # (ſ: a long s, which re.I matches as s)
        return None
    worded = _WORDED.fullmatch(note)
    if worded:  # "Status: on track", "progress 60%", "60% done"
        value = worded.group("value")
        if value is None or _kind(value) is not None:
            return WORD
    return None


def last(text: str) -> tuple[int, str] | None:
    """The last status note of `text`: (where it starts, its kind), or None."""
    end = len(text)
    if not end:
        return None
    ch = text[-1]
    if ch in _MARKS or ch in _MARK_TAIL:
        i = end
        while i > 0 and (text[i - 1] in _MARKS or text[i - 1] in _MARK_TAIL):
            i -= 1
        if i < end and (i == 0 or text[i - 1].isspace()):
            return i, WORD
        return None
    tail = text[-40:]
    if ":" in tail:
        m = _SHORTCODE.search(text, max(0, end - 32))
        if m:
            return m.start() + 1, WORD
    if ch in _CLOSERS:
        i = text.rfind(_CLOSERS[ch], max(0, end - 40))
        if i <= 0 or not text[i - 1].isspace():
            return None
        kind = _kind(text[i + 1 : end - 1])
        return (i, kind) if kind else None
    if ch.isalpha():
        if not tail[-12:].lower().endswith(ENDINGS):  # (most items end so: no note)
            return None
    elif not (ch.isdigit() or ch in "%.!"):
        return None
    if _DASH_CHARS.isdisjoint(tail):
        return None
    for dash in _DASHES:
        i = tail.rfind(dash)
        if i < 0:
            continue
        kind = _kind(tail[i + len(dash) :])
        if kind:
            return end - len(tail) + i, kind
    return None


def notes(text: str) -> tuple[int, int]:
    """Where `text` ends without its status notes, and where it ends without a 0–1 score
    that is a note only if other lines end with one too (-1: there is none).

    (len(text), -1) when it has no note."""
    cut = len(text)
    found = last(text.rstrip(_NOISE))
    score = -1
    while found is not None:
        at, kind = found
        rest = text[:at].rstrip(_BETWEEN)
        if not _ALNUM.search(rest):
            break  # the note is all there is: keep it
        if kind != WORD and not _DIGIT.search(rest):
            if kind == SCORE:
                score = len(rest)  # a score column, if two or more lines end so
            break  # "Churn rate — 3%": the share may be its target
        cut = len(rest)
        found = last(rest)
    return cut, score
