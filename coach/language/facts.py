"""What a reader learned about one objective or key result: frozen, shared by findings and rewrites.

Facts are computed once per text and rubric (`key_results.analyze_kr`,
`objectives.analyze_objective`) and never change afterwards, so one review
cannot leak state into another through a memoised value.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..quantities import TO_DECIDE_RE, Quantity, Scan


@dataclass(frozen=True, slots=True)
class Lead:
    """The verb (or verbless direction word) that leads a key result."""

    index: int
    token: str
    lemma: str
    kind: str  # delivery | ambiguous | change | level | maintain


@dataclass(frozen=True, slots=True)
class KrFacts:
    text: str
    low: str
    tokens: tuple[tuple[str, int], ...]
    words: frozenset[str]
    scan: Scan
    lead: Lead | None
    first: int = 0  # the first token after leading fillers ("We will", "Successfully")
    is_task: bool = False
    task_reason: str = ""
    has_metric: bool = False
    has_target: bool = False
    has_baseline: bool = False
    maintains: bool = False
    compound: bool = False
    qualitative: bool = False  # no number, and a quality word: "More engaging lectures"
    measures: tuple[Quantity, ...] = ()  # the quantities that are values, not qualifiers
    chunk_metric_words: tuple[str, ...] = ()
    metric_words: tuple[str, ...] = ()
    vague_words: tuple[str, ...] = ()
    race: str = ""  # the race a time to finish in is set for ("Finish the 10k in under 45 minutes": "10k")

    @property
    def quantities(self) -> tuple[Quantity, ...]:
        return self.scan.quantities

    @property
    def unfilled(self) -> frozenset[str]:
        """The roles ("target", "baseline") whose only values are left as letters or TBD ("by
        X%", "from X to Y", "Baseline: [TBD]"): unfilled in a draft, slots to fill in a
        rewrite. Another bracketed placeholder ("[current NPS]") is KR08's: unfinished work,
        not a missing value."""
        roles = set()
        for role in ("target", "baseline"):
            values = [q for q in self.measures if q.role == role] or [q for q in self.quantities if q.role == role]
            if values and all(q.kind == "placeholder" and (not q.text.startswith("[") or TO_DECIDE_RE.search(q.text)) for q in values):
                roles.add(role)
        return frozenset(roles)



@dataclass(frozen=True, slots=True)
class ObjectiveFacts:
    text: str
    low: str
    words: frozenset[str]
    scan: Scan
    aspiration_words: tuple[str, ...]
    specific_words: tuple[str, ...]
    choice_words: tuple[str, ...]
    lead_lemma: str | None
    concrete_change: bool = False
    # A slogan's marks: a slogan verb leads ("Delight", "Foster", "Be") or slogan words appear.
    slogan: bool = False
    slogan_lead: bool = False
    slogan_words: tuple[str, ...] = ()  # aspiration words that are not mere lofty adjectives
    superlative: bool = False  # "best", "most fun", "friendliest": a superlative of no dimension
    # Generic words that still name a dimension ("satisfaction", "costs"): a plain direction.
    dimension_words: tuple[str, ...] = ()
    # The objective is itself a project ("Launch the mobile app", "Define our pricing strategy").
    project: bool = False
    # No verb leads and no slogan word ("Company", "Community growing"): a heading naming an area.
    heading: bool = False
    # Nothing narrower than the whole named: "Grow the business", "Scale sustainably" (not
    # "Grow our brand", "Engage the community": a plain direction on a named area).
    whole_scope: bool = False
    # What a plain direction acts on, in the author's case: its last dimension word, else its
    # last content word ("revenue" in "Increase revenue", "brand" in "Grow our brand").
    area: str = ""
    # "Become a better engineer", "Be healthier": to be more of a named thing, a direction on
    # it (not "Become a better version of myself": the whole self is no area).
    becoming_more: bool = False
    # Only a lofty word on the whole offering, given to everyone: "Provide a great user
    # experience", "Deliver excellent public services to all residents" (not "Make checkout a
    # delightful experience": checkout is chosen).
    lofty_offering: bool = False
    # A role in the author's own life ("Be a patient grandmother") or a thing they make by craft
    # ("Write gripping one-act plays"): lofty words on it sit on a real focus.
    personal_focus: bool = False
