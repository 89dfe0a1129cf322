"""`coach.lazy_re`: a pattern compiled at its first use answers as `re.compile` would."""

from __future__ import annotations

import pickle
import re

from coach.lazy_re import LazyPattern, lazy_compile

SOURCE = r"(?P<num>\d+)\s*(?P<unit>%|pp)?"
TEXT = "from 12 % to 30pp, then 7"


def _answers(rx) -> list[object]:
    return [
        rx.search(TEXT).span(),
        rx.search(TEXT, 10).groupdict(),
        rx.match(TEXT, 5).group(0),
        rx.match(TEXT),
        rx.fullmatch("42%").groups(),
        [m.span() for m in rx.finditer(TEXT)],
        rx.findall(TEXT),
        rx.sub("N", TEXT),
        rx.subn(lambda m: m["num"] * 2, TEXT, count=1),
        rx.split(TEXT, maxsplit=1),
        rx.pattern,
        rx.flags,
    ]


def test_every_method_answers_as_the_compiled_pattern():
    for flags in (0, re.I):
        assert _answers(lazy_compile(SOURCE, flags)) == _answers(re.compile(SOURCE, flags))
        calls = {"search": (TEXT,), "match": ("7 %",), "fullmatch": ("7",), "finditer": (TEXT,),
                 "findall": (TEXT,), "sub": ("N", TEXT), "subn": ("N", TEXT), "split": (TEXT,)}  # fmt: skip
        for method, args in calls.items():  # each method as the first call made
            ours = getattr(lazy_compile(SOURCE, flags), method)(*args)
            theirs = getattr(re.compile(SOURCE, flags), method)(*args)
            if method in ("search", "match", "fullmatch"):
                ours, theirs = ours.span(), theirs.span()
            elif method == "finditer":
                ours, theirs = [m.span() for m in ours], [m.span() for m in theirs]
            assert ours == theirs, method


def test_compiled_at_the_first_call_then_the_patterns_own_methods():
    rx = lazy_compile(SOURCE)
    assert isinstance(rx, LazyPattern) and "search" not in vars(rx)  # nothing compiled yet
    rx.findall(TEXT)
    assert vars(rx)["search"] == re.compile(SOURCE).search  # bound to the compiled pattern


def test_a_bad_pattern_fails_at_its_first_use():
    rx = lazy_compile("(unclosed")
    try:
        rx.search("x")
    except re.error:
        pass
    else:
        raise AssertionError("re.error expected")


def test_pickled_as_its_source_before_and_after_use():
    rx = lazy_compile(SOURCE, re.I)
    for _ in range(2):
        back = pickle.loads(pickle.dumps(rx))
        assert isinstance(back, LazyPattern) and "search" not in vars(back)
        assert _answers(back) == _answers(re.compile(SOURCE, re.I))
        rx.search(TEXT)
