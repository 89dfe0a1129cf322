"""Named regular-expression patterns, declared as data in a rubric's `patterns.yaml`.

The readers never compile a pattern of their own: they ask the rubric's lexicon for one by
name (`lex.patterns.rate.search(low)`). A rubric file is checked when it loads: a pattern
that does not compile, or a name the readers need that is missing, is a `RubricError`
naming the file and the key. A custom rubric may replace a pattern under the same name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import RubricError

# The names the readers use (a test keeps this equal to the names the code reads).
REQUIRED_PATTERNS = frozenset(
    """abstract_noun age_bound aging article_before each_of_before bundle_after cadence as_share_of change_noun_after among_bound bound_after compound_split counted_subject direction_after direction_later duration_qualifier everyone
    hold_frame item_label leading_tag level_before list_after maintain_frame metric_opening most_after name_count now open_age_before
    paren_bound period_over_period picked_of place_before plus_after plus_share_or_time purpose qualifier qualifier_hint
    quality_suffix range_after range_before rate rate_after reference_target rollout scope_after scope_emissions segment_before_plus
    segment_bound segment_words share_of state_age_before superlative_phrase time_to times_after top_rank unit_after
    trailing_note us_market value_comes_first value_first version window_before window_words
    with_bound within_before word_after definition_opening reference_before tracked_in segment_for age_after
    change_before clause_cut comparative_start comparator_before compared_after counted_head counted_of counted_prefix
    deadline_opening direction_opening distributive_opening direction_word_after down_before event_after everyone_opening head_cut
    multiplier_level_before name_cut short_cut up_before zero_or_half
    already_how comparator_opening counted_things_cut duration_value fraction_word metric_window multiply_word
    objective_counted objective_head_cut objective_split_head share_base_after share_whole_after tolerance_before condition planned_share period_name compared_period change_reference paren_note kept_while from_review scope_clause stage_pair channel_after statistic_first cadence_spelled method_clause occasions of_activity quarter_name time_taken race_clock_before joined_order scored_opening scored_on time_taken_action""".split()
)


class Patterns:
    """Compiled patterns by name: `patterns.rate` is a `re.Pattern`."""

    def __init__(self, compiled: Mapping[str, re.Pattern[str]], source: Mapping[str, str]):
        self._compiled = dict(compiled)
        self.source = dict(source)  # name -> regex text, for the rubric digest and docs
        # Each pattern as a plain attribute: the readers look them up ~30 times per KR.
        self.__dict__.update(self._compiled)

    @classmethod
    def load(cls, data: object, where: str) -> Patterns:
        """Compile a `name: regex` mapping; `where` names the file in errors."""
        if not isinstance(data, Mapping):
            raise RubricError(f"{where}: patterns must map names to regular expressions")
        compiled: dict[str, re.Pattern[str]] = {}
        for name, regex in data.items():
            if not isinstance(regex, str) or not regex:
                raise RubricError(f"{where}: {name}: a pattern is a non-empty string")
            try:
                compiled[str(name)] = re.compile(regex)
            except re.error as exc:
                raise RubricError(f"{where}: {name}: not a valid pattern: {exc}") from exc
        missing = sorted(REQUIRED_PATTERNS - set(compiled))
        if missing:
            raise RubricError(f"{where}: missing pattern {missing[0]!r} (the readers use it)")
        return cls(compiled, {str(k): str(v) for k, v in data.items()})

    def merged(self, overrides: object, where: str) -> Patterns:
        """These patterns with some replaced by name (a custom rubric's `patterns:`)."""
        if not isinstance(overrides, Mapping):
            raise RubricError(f"{where}: 'patterns' must map pattern names to regular expressions")
        unknown = sorted(set(map(str, overrides)) - set(self.source))
        if unknown:
            raise RubricError(f"{where}: patterns.{unknown[0]}: unknown pattern; known: {', '.join(sorted(self.source))}")
        return Patterns.load({**self.source, **{str(k): v for k, v in overrides.items()}}, where)

    def __reduce__(self) -> tuple[object, tuple[dict[str, str]]]:
        # Pickled (the rubric kept by coach.diskcache) as the sources alone, which compiled
        # when they were loaded: each is compiled again when a reader first asks for it.
        return _compiled_when_read, (self.source,)

    def __getattr__(self, name: str) -> re.Pattern[str]:
        found = self.__dict__.get("_compiled", {}).get(name)
        if found is not None:
            return found
        regex = self.__dict__.get("source", {}).get(name)
        if regex is None:
            raise AttributeError(f"no pattern {name!r}: add it to REQUIRED_PATTERNS and patterns.yaml")
        found = self._compiled[name] = self.__dict__[name] = re.compile(regex)
        return found


def _compiled_when_read(source: dict[str, str]) -> Patterns:
    """Patterns whose sources compiled before (see `Patterns.__reduce__`)."""
    return Patterns({}, source)
