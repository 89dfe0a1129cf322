"""Hypothesis strategies: OKR-ish pastes built from a grammar of lines and markers."""

from __future__ import annotations

from hypothesis import strategies as st

INDENTS = ["", " ", "  ", "   ", "    ", "\t", "\t\t", "      ", "\u00a0"]
MARKERS = [
    "",
    "",
    "",
    "- ",
    "* ",
    "+ ",
    "• ",
    "– ",
    "◦ ",
    "1. ",
    "2) ",
    "1.1 ",
    "1.2. ",
    "a) ",
    "(b) ",
    "ii. ",
    "I. ",
    "🎯 ",
    "📈 ",
    "✅ ",
    "1️⃣ ",
    "- [ ] ",
    "[x] ",
    "# ",
    "## ",
    "### ",
    "> ",
    "-",
    "o\t",
    "#",
]
LABELS = [
    "",
    "",
    "",
    "Objective: ",
    "Objective 1: ",
    "O1: ",
    "O2 - ",
    "Obj 2. ",
    "KR1: ",
    "KR 1.2: ",
    "KR: ",
    "Key result: ",
    "Key Result 3 - ",
    "kr2 – ",
    "**Objective 1:** ",
    "Goal: ",
    "We are working on ",
    "Because we believe ",
    "Because we believe that ",
    "As measured by: ",
    "As measured by ",
    "Owner: ",
    "Team: ",
    "Why: ",
    "Notes:",
    "Key results:",
    "Objectives",
    "OKRs Q3 2025",
    "objecitve: ",
    "KRs: ",
    "OKR 1: ",
    "OKR 2024B: ",
    "O: ",
    "(O) ",
    "(KR1) ",
    "[KR 2] ",
    "Marketing OKRs 2025 Q3",
    "Target: ",
]
WORDS = [
    "Grow",
    "revenue",
    "in",
    "DACH",
    "Increase",
    "NPS",
    "from",
    "32",
    "to",
    "50",
    "churn",
    "5%",
    "3%",
    "Launch",
    "portal",
    "Delight",
    "customers",
    "ARR",
    "€1.2M",
    "$2M",
    "by",
    "Q3",
    "Let",
    "me",
    "know",
    "what",
    "you",
    "think!",
    "Hi",
    "team,",
    "thanks",
    ";",
    ":",
    ",",
    ".",
    "…",
    "—",
    "**",
    "__",
    "(",
    ")",
    "[",
    "]",
    "#",
    "|",
    '"',
    "'",
    "✓",
    "🚀",
    "café",
    "ß",
    "because we believe",
    "as measured by",
    "\u200b",
    "\ufeff",
    "e.g.",
    "1.5",
    "2025",
    "1.4",
    "22%",
    "H1",
    "in H1",
    "(done)",
    "✅",
    "— 60%",
    "– 0.7",
    "(in progress)",
    ":white_check_mark:",
    "<br>",
    "\\|",
]
# Whole lines of Markdown tables (a header row needs the delimiter row under it).
TABLE_LINES = [
    "| Objective | Key result | Status |",
    "| Key result | Target | H1 |",
    "| Metric | H1 | H2 |",
    "| Region | Lead |",
    "|---|---|---|",
    "| --- | :---: |",
    "|---|---|",
    "| Grow revenue | ARR from 1M to 2M | done |",
    "| | Win 10 logos | 40% |",
    "| Churn | 3% | 4% |",
    "| | | |",
    "| a | b<br>c |",
]
NEWLINES = ["\n", "\n", "\n", "\r\n", "\r", "\n\n", "\n \n"]


@st.composite
def okr_lines(draw: st.DrawFn) -> str:
    indent = draw(st.sampled_from(INDENTS))
    if draw(st.integers(0, 9)) == 0:
        return indent + draw(st.sampled_from(TABLE_LINES))
    marker = draw(st.sampled_from(MARKERS))
    label = draw(st.sampled_from(LABELS))
    words = draw(st.lists(st.sampled_from(WORDS), max_size=8))
    trailing = draw(st.sampled_from(["", "", " ", "\t", ":", ";", ",", "  "]))
    return indent + marker + label + " ".join(words) + trailing


@st.composite
def okr_drafts(draw: st.DrawFn) -> str:
    lines = draw(st.lists(okr_lines(), min_size=1, max_size=25))
    out = []
    for line in lines:
        out.append(line)
        out.append(draw(st.sampled_from(NEWLINES)))
    if draw(st.booleans()):
        out.insert(0, "\ufeff")
    return "".join(out)
