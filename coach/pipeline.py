"""`review()`: the one pipeline every front end calls.

draft → parse → facts → rule checks ─────────────────────────┐
                      └→ LLM verdict (optional, one call) → merge → findings → rewrites (guarded) → Review

With no model configured (and none passed in), every mode but an explicit
`llm` is a rules-only review that says so in `provenance.llm_status`. A model
that fails (timeout, rate limit, refusal, invalid output, ...) never fails the
review: it falls back to the rules' findings and says what happened.

The model is a guest: everything it writes that a person sees (reasons,
questions, rewrites) is number-guarded (`coach.guard`), what the rules are
certain of stays whatever it says, and a draft that talks to the reviewer
keeps it from removing findings (`coach.merge`). The synchronous `review()`
computes on the caller's thread and makes its model calls in the process's
model pool (`coach.llm.pool`): bounded, with a deadline, and off the caller's
review slot while it waits.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._version import __version__
from .checks import CHECKS, SetContext, build_context
from .english import language_notice
from .errors import CoachError, ConfigError
from .guard import guard_prose, guard_rewrite
from .language.phrases import measure_words, measured_by
from .models import (
    Ask,
    Finding,
    LLMUsage,
    OkrSet,
    Provenance,
    Review,
    Rewrite,
    Summary,
    Target,
)
from .objective_rewrite import suggest_objectives
from .parse import parse
from .rewrite import Suggestion, suggest
from .rubric import Rubric, Rule, load_rubric
from .scoring import score

# The model's side (coach.llm, the merge, the prompts) is imported where a review first
# needs a model: a rules-only review (`okr-coach check` in a pre-commit hook) never pays
# for the HTTP client, Jinja or the settings loader.
if TYPE_CHECKING:
    from .llm.cache import ResponseStore
    from .llm.client import ChatClient, ChatResult
    from .llm.errors import LLMError
    from .llm.settings import LLMSettings
    from .llm.verdict import SetVerdict
    from .merge import Merged

Mode = Literal["rules", "llm", "hybrid"]
Draft = str | bytes | dict[str, Any] | list[Any] | OkrSet

RULES_ONLY = "not used: rules-only"  # asked for
NO_MODEL = "rules-only: no LLM configured"  # the default mode, with no model to ask


def review(
    draft: Draft,
    *,
    mode: Mode | None = None,
    rubric: str | Path | Rubric | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    llm: Any = None,
    cache: ResponseStore | None = None,
    suggest_numbers: bool = False,
    settings: LLMSettings | None = None,
) -> Review:
    """Review a draft OKR set (pasted text, JSON/CSV text, a dict, or an OkrSet).

    `mode`: `rules` (offline), `llm` (the model labels, the rules check its
    rewrites) or `hybrid` (both, merged by the rubric's policy); None picks
    `hybrid` when a model is configured or passed in, else `rules`.
    `llm`: a `coach.llm.ChatClient` or any LangChain chat model; default: the
    OpenAI-compatible endpoint of the `OKR_COACH_LLM_*` settings.
    `cache`: a store whose response cache answers identical requests.
    `suggest_numbers`: keep numbers the model proposes, marked `[suggested: N]`.
    `select` keeps only the given rule ids; `ignore` drops rule ids.
    """
    plan = _plan(mode, llm, settings)
    if plan.client is None:
        return _rules_review(draft, plan, rubric, select, ignore)
    from .llm.pool import model_pool

    pool = model_pool(plan.settings.concurrency)
    timeout = plan.settings.review_timeout_s

    def call(ask: _Ask) -> ChatResult:
        return pool.run(lambda: ask.client.complete(ask.messages, ask.schema, name=ask.name), timeout=timeout)

    try:
        return _drive(_llm_review(draft, plan, rubric, select, ignore, cache, suggest_numbers, _Ask), call)
    finally:
        close = getattr(plan.client, "aclose", None)
        if close is not None and not plan.shared:
            # A client passed in is closed on the loop it used; the configured one stays
            # open in the pool, its connections kept for the next review.
            pool.run(close, timeout=timeout)


async def areview(
    draft: Draft,
    *,
    mode: Mode | None = None,
    rubric: str | Path | Rubric | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    llm: Any = None,
    cache: ResponseStore | None = None,
    suggest_numbers: bool = False,
    settings: LLMSettings | None = None,
) -> Review:
    """`review()` for code that runs an event loop (many reviews at once: `areview_many`)."""
    plan = _plan(mode, llm, settings)
    if plan.client is None:
        return _rules_review(draft, plan, rubric, select, ignore)
    return await _llm_review(draft, plan, rubric, select, ignore, cache, suggest_numbers, _direct)


async def areview_many(
    drafts: Iterable[Draft], *, concurrency: int | None = None, **options: Any
) -> list[Review | CoachError]:
    """Review many drafts with at most `concurrency` model calls in flight
    (default `OKR_COACH_LLM_CONCURRENCY`). Results come in input order; a draft
    that cannot be reviewed (a parse error, ...) gets its `CoachError` in its place."""
    from .llm.client import run_all
    from .llm.settings import get_llm_settings

    settings = options.get("settings") or get_llm_settings()
    limit = concurrency or settings.concurrency

    async def one(draft: Draft) -> Review | CoachError:
        try:
            return await areview(draft, **options)
        except CoachError as exc:
            return exc

    return await run_all((one(d) for d in drafts), limit)  # type: ignore[return-value]


def review_many(
    drafts: Iterable[Draft], *, concurrency: int | None = None, **options: Any
) -> list[Review | CoachError]:
    """The synchronous twin of `areview_many`."""
    drafts = list(drafts)
    plan = _plan(options.get("mode"), options.get("llm"), options.get("settings"))

    async def run() -> list[Review | CoachError]:
        try:
            return await areview_many(drafts, concurrency=concurrency, **options)
        finally:
            close = getattr(plan.client, "aclose", None)
            if close is not None:
                await close()

    if plan.client is None:
        return [_try(lambda d=d: review(d, **options)) for d in drafts]
    from .llm.client import run_sync

    options = {**options, "llm": plan.client}
    return run_sync(run)


def _try(call: Any) -> Review | CoachError:
    try:
        return call()
    except CoachError as exc:
        return exc


# -- model calls: awaited directly, or handed to the pool by a synchronous driver ---------


class _Ask:
    """One model call a review needs. Awaited inside `_llm_review` under `_drive`, it is
    passed out to the driver, which makes the call elsewhere and sends the answer back in."""

    def __init__(self, client: ChatClient, messages: list[dict[str, Any]], schema: type, name: str):
        self.client, self.messages, self.schema, self.name = client, messages, schema, name

    def __await__(self):  # noqa: ANN204
        return (yield self)


def _direct(client: ChatClient, messages: list[dict[str, Any]], schema: type, name: str) -> Any:
    """The model call of an async review: awaited on the caller's own event loop."""
    return client.complete(messages, schema, name=name)


def _drive(review_steps: Any, call: Any) -> Review:
    """Run the review coroutine on this thread; each `_Ask` it awaits is made by `call`
    (the model pool), whose answer or LLMError goes back in where it was awaited."""
    from .llm.errors import LLMError

    answer: Any = None
    error: LLMError | None = None
    while True:
        try:
            ask = review_steps.throw(error) if error is not None else review_steps.send(answer)
        except StopIteration as done:
            return done.value
        answer, error = None, None
        try:
            answer = call(ask)
        except LLMError as exc:
            error = exc


# -- planning: which mode, which model ------------------------------------------


def uses_model(mode: str | None, llm: Any = None, settings: LLMSettings | None = None) -> bool:
    """Whether a review in `mode` would call a model (raises ConfigError as `review` would)."""
    return _plan(mode, llm, settings).client is not None


class _Plan:
    def __init__(
        self, mode: str, client: ChatClient | None, status: str, settings: LLMSettings | None,
        shared: bool = False,
    ):
        self.mode = mode
        self.client = client
        self.status = status
        self.settings = settings
        self.shared = shared  # the process's configured client (kept open), not one passed in


def _plan(mode: str | None, llm: Any, settings: LLMSettings | None) -> _Plan:
    if mode not in (None, "rules", "llm", "hybrid"):
        raise ConfigError(f"unknown mode '{mode}'; use rules, llm or hybrid")
    if mode == "rules":
        return _Plan("rules", None, RULES_ONLY, settings)
    from .llm.factory import as_client, configured_client
    from .llm.settings import get_llm_settings

    settings = settings if settings is not None else get_llm_settings()
    client = as_client(llm, settings) if llm is not None else configured_client(settings)
    if client is not None:
        return _Plan(mode or "hybrid", client, "", settings, shared=llm is None)
    missing = " and ".join(settings.missing())
    if mode == "llm":
        raise ConfigError(
            f"mode 'llm' needs a language model, and none is configured: set {missing}; "
            "or use mode 'rules' (or 'hybrid', which falls back to rules)"
        )
    if mode is None:
        return _Plan("rules", None, NO_MODEL, settings)
    return _Plan("hybrid", None, f"rules-only review: no LLM configured; set {missing}", settings)


# -- the rules-only review -------------------------------------------------------


def _rules_review(
    draft: Draft, plan: _Plan, rubric: Any, select: list[str] | None, ignore: list[str] | None
) -> Review:
    rb = load_rubric(rubric)
    okr_set = parse(draft)
    rules = _active_rules(rb, select, ignore)
    ctx = build_context(okr_set, rb)
    findings = run_checks(ctx, rules)
    # Once per review: rewrites and asks both come from it (a draft too large for the memo
    # would otherwise build every suggestion twice).
    suggestions = _suggestions(ctx, findings)
    return _assemble(ctx, findings, _rewrites(ctx, findings, suggestions), Provenance(
        okr_coach_version=__version__,
        mode=plan.mode,  # type: ignore[arg-type]
        rubric=rb.name,
        rubric_version=rb.full_version,
        llm_status=plan.status,
    ), suggestions=suggestions)


def _count_review(mode: str) -> None:
    """Count the review in the Prometheus metrics where they can be read: in a process that
    serves them (it has loaded `coach.metrics`), or one that shares them through files
    (PROMETHEUS_MULTIPROC_DIR, or its old lower-case name). Elsewhere (`okr-coach check` in a hook, `review`) the count
    would die unread with the process, and importing prometheus_client costs ~40 ms."""
    # (Two lookups, not a copy of the whole environment into a set, on every review.)
    if "coach.metrics" in sys.modules or any(k in os.environ for k in ("PROMETHEUS_MULTIPROC_DIR", "prometheus_multiproc_dir")):
        from .metrics import observe_review

        observe_review(mode)


def _assemble(ctx: SetContext, findings: list[Finding], rewrites: list[Rewrite], provenance: Provenance,
              disagreements: list[Any] | None = None,
              suggestions: dict[tuple[int, int], Suggestion] | None = None) -> Review:
    _count_review(provenance.mode)
    return Review(
        okr_set=ctx.okr_set,
        findings=findings,
        rewrites=rewrites,
        asks=_asks(ctx, findings, rewrites, suggestions),
        objective_suggestions=suggest_objectives(ctx, findings),
        summary=_summary(ctx.okr_set, findings, ctx.rubric),
        provenance=provenance,
        disagreements=disagreements or [],
        notices=[n for n in (language_notice(ctx.okr_set),) if n],
    )


# -- the review with a model -------------------------------------------------------


async def _llm_review(
    draft: Draft,
    plan: _Plan,
    rubric: Any,
    select: list[str] | None,
    ignore: list[str] | None,
    cache: ResponseStore | None,
    suggest: bool,
    ask: Any,
) -> Review:
    from .llm.cache import CachedClient, client_model
    from .llm.errors import LLMError, LLMRefusalError
    from .llm.verdict import SetVerdict
    from .merge import merge
    from .prompting import prompt_version, review_messages

    rb = load_rubric(rubric)
    okr_set = parse(draft)
    rules = _active_rules(rb, select, ignore)
    ctx = build_context(okr_set, rb)
    client = plan.client
    assert client is not None
    if cache is not None:
        client = CachedClient(client, cache)
    messages = review_messages(okr_set, rb)
    provenance = Provenance(
        okr_coach_version=__version__,
        mode=plan.mode,  # type: ignore[arg-type]
        rubric=rb.name,
        rubric_version=rb.full_version,
        prompt_version=prompt_version(rb),
        model=client_model(client),
        usage=LLMUsage(),
    )
    try:
        result = await ask(client, messages, SetVerdict, "okr_review")
    except LLMError as exc:
        provenance.usage = _usage_of_error(exc, plan.settings, provenance.model)
        message = exc.message
        if isinstance(exc, LLMRefusalError):  # the model's own words
            message = guard_prose(message, _author_texts(okr_set), keep=_names(okr_set, rb))
        provenance.llm_status = f"failed ({exc.kind}): {message} Rules-only review."
        findings = run_checks(ctx, rules)
        return _assemble(ctx, findings, _rewrites(ctx, findings), provenance)
    provenance.usage = _usage_of(result)
    provenance.model = result.model
    verdict = _guarded_verdict(SetVerdict.model_validate(result.parsed), okr_set, rb)
    merged = merge(ctx, verdict, rules, mode=plan.mode)
    ctx.kr_labels, ctx.aspirations, ctx.tasks = merged.kr_labels, merged.aspirations, merged.tasks
    findings = _annotate(run_checks(ctx, rules), merged)
    notes = ["used (from cache)" if result.from_cache else "used"]
    if merged.injections:
        where = ", ".join(f'{i.item} ("{_excerpt(i.text)}")' for i in merged.injections[:3])
        notes.append(
            f"possible prompt injection: the draft seems to address the reviewer ({where}), "
            "so the model could add findings but not remove any"
        )
    elif merged.cleared:
        notes.append(
            f"possible prompt injection: the model cleared all {merged.cleared} findings of the rules, "
            "so it could add findings but not remove any"
        )
    if merged.skipped:
        notes.append(f"the model gave no verdict on {merged.skipped} item(s): the rules decided them")
    rewrites, repair_note = await _model_rewrites(
        ctx, findings, verdict, client, messages, result, provenance, suggest, ask
    )
    if repair_note:
        notes.append(repair_note)
    provenance.llm_status = "; ".join(notes)
    return _assemble(ctx, findings, rewrites, provenance, merged.disagreements)


def _author_texts(okr_set: OkrSet) -> list[str]:
    """What the author wrote: the numbers in it are the only ones a person may be shown."""
    return [t for o in okr_set.objectives for t in (o.text, *(k.text for k in o.key_results))]


def _names(okr_set: OkrSet, rb: Rubric) -> list[str]:
    """Tokens with digits that name something: the set's item ids and the rubric's rule ids."""
    from .llm.verdict import kr_id, objective_id

    names = [r.id for r in rb.rules.values()] if isinstance(getattr(rb, "rules", None), dict) else []
    for oi, o in enumerate(okr_set.objectives):
        names.append(objective_id(oi))
        for ki in range(len(o.key_results)):
            names += [kr_id(oi, ki), f"KR{ki + 1}"]
    return names


def _guarded_verdict(verdict: SetVerdict, okr_set: OkrSet, rb: Rubric) -> SetVerdict:
    """The model's answer with every reason and question number-guarded before anything
    uses it: no number the author did not write reaches a finding, a disagreement or a
    question. (Rewrites are guarded on their own, with the KR's own numbers.)"""
    sources, keep = _author_texts(okr_set), _names(okr_set, rb)

    def prose(text: str) -> str:
        return guard_prose(text, sources, keep=keep)

    return verdict.model_copy(update={
        "objectives": [v.model_copy(update={"reason": prose(v.reason)}) for v in verdict.objectives],
        "key_results": [
            v.model_copy(update={"reason": prose(v.reason), "questions": [prose(q) for q in v.questions]})
            for v in verdict.key_results
        ],
    })


def _excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _annotate(findings: list[Finding], merged: Merged) -> list[Finding]:
    """Who found each labelled finding, with the model's reason and confidence."""
    for f in findings:
        t = f.target
        if f.label is None or t.objective is None:
            continue
        d = (
            merged.objectives[t.objective]
            if t.key_result is None
            else merged.key_results[t.objective][t.key_result]
        )
        f.source = d.source  # type: ignore[assignment]
        f.llm_reason, f.confidence = d.llm_reason, d.confidence
    return findings


def _usage_of(result: ChatResult) -> LLMUsage:
    if result.from_cache:
        return LLMUsage(cache_hits=1)
    u = result.usage
    return LLMUsage(
        calls=result.attempts,
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        cached_tokens=u.cached_tokens,
        cost_usd=result.cost_usd or 0.0,
        latency_s=result.latency_s,
    )


def _usage_of_error(exc: LLMError, settings: LLMSettings, model: str | None) -> LLMUsage:
    u = exc.usage
    if u is None:
        return LLMUsage(calls=exc.attempts)
    return LLMUsage(
        calls=exc.attempts,
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        cached_tokens=u.cached_tokens,
        cost_usd=u.cost(settings.price_for(model)),
    )


async def _model_rewrites(
    ctx: SetContext,
    findings: list[Finding],
    verdict: SetVerdict,
    client: ChatClient,
    messages: list[dict[str, str]],
    result: ChatResult,
    provenance: Provenance,
    suggest: bool,
    ask: Any,
) -> tuple[list[Rewrite], str]:
    """The model's rewrites that pass the guard; the rubric's own for the rest.

    A rewrite the rubric still flags is sent back to the model once, with the
    reason (one call for the whole set); what still fails is replaced by the
    deterministic rewrite.
    """
    from .llm.errors import LLMError
    from .llm.verdict import RepairVerdict, kr_id
    from .prompting import repair_messages

    okr_set, rb = ctx.okr_set, ctx.rubric
    deterministic = {(r.target.objective, r.target.key_result): r for r in _rewrites(ctx, findings)}
    wanted: dict[tuple[int, int], list[str]] = {}
    for f in findings:
        t = f.target
        if f.label is not None and t.objective is not None and t.key_result is not None:
            wanted.setdefault((t.objective, t.key_result), []).append(f.rule_id)

    chosen: dict[tuple[int, int], Rewrite] = {}
    failing: dict[tuple[int, int], tuple[str, str]] = {}  # (model text, problem)
    for (oi, ki), rule_ids in wanted.items():
        v = verdict.key_result(oi, ki)
        if v is None or not (v.rewrite or "").strip():
            continue
        rw, problem = _guarded(okr_set, oi, ki, v.rewrite or "", v.questions, rule_ids, rb, suggest)
        if problem is None:
            chosen[(oi, ki)] = rw
        else:
            failing[(oi, ki)] = (rw.text, problem)

    note = ""
    if failing:
        items = [{"id": kr_id(oi, ki), "rewrite": text, "problem": problem}
                 for (oi, ki), (text, problem) in failing.items()]
        try:
            repair = await ask(client, repair_messages(messages, result.raw, items), RepairVerdict, "okr_repair")
        except LLMError as exc:
            provenance.usage = provenance.usage + _usage_of_error(exc, _settings_of(client), provenance.model)  # type: ignore[operator]
            note = f"repair of {len(failing)} rewrite(s) failed ({exc.kind}): rubric rewrites used"
        else:
            provenance.usage = provenance.usage + _usage_of(repair)  # type: ignore[operator]
            answer = RepairVerdict.model_validate(repair.parsed)
            repaired = 0
            for (oi, ki) in failing:
                text = answer.for_id(kr_id(oi, ki))
                if text:
                    v = verdict.key_result(oi, ki)
                    rw, problem = _guarded(okr_set, oi, ki, text, v.questions if v else [],
                                           wanted[(oi, ki)], rb, suggest)
                    if problem is None:
                        chosen[(oi, ki)] = rw
                        repaired += 1
            note = f"{repaired} of {len(failing)} rewrite(s) repaired by the model"
            if repaired < len(failing):
                note += ", rubric rewrites used for the rest"

    rewrites = []
    for key in wanted:
        rw = chosen.get(key) or deterministic.get(key)
        if rw is not None:
            rewrites.append(rw)
    return rewrites, note


def _settings_of(client: Any) -> LLMSettings:
    from .llm.settings import get_llm_settings

    return getattr(client, "settings", None) or get_llm_settings()


def _guarded(
    okr_set: OkrSet,
    oi: int,
    ki: int,
    text: str,
    questions: list[str],
    rule_ids: list[str],
    rb: Rubric,
    suggest: bool,
) -> tuple[Rewrite, str | None]:
    obj = okr_set.objectives[oi]
    kr = obj.key_results[ki]
    g = guard_rewrite(text, [kr.text, obj.text], rb, suggest=suggest)
    asked = [q.strip() for q in questions if q.strip()]
    if g.replaced:
        # Never quote the invented numbers back: they would be shown after all.
        asked.append(
            "The suggestion had numbers you did not give, now shown as placeholders: "
            "what are the real values?"
        )
    return (
        Rewrite(
            target=Target(objective=oi, key_result=ki),
            original=kr.text,
            text=g.text,
            placeholders=g.placeholders,
            questions=asked,
            addresses=rule_ids,
            source="llm",
            suggested=g.suggested,
        ),
        g.problem,
    )


def _active_rules(rb: Rubric, select: list[str] | None, ignore: list[str] | None) -> list[Rule]:
    chosen = rb.resolve(select) if select else None
    dropped = rb.resolve(ignore)
    return [
        r for r in rb.enabled_rules() if (chosen is None or r.id in chosen) and r.id not in dropped
    ]


def run_rules(okr_set: OkrSet, rb: Rubric, rules: list[Rule]) -> list[Finding]:
    return run_checks(build_context(okr_set, rb), rules)


def run_checks(ctx: SetContext, rules: list[Rule]) -> list[Finding]:
    keyed: list[tuple[tuple[int, int, int, str], Finding]] = []
    for rule in rules:
        rank = -rule.severity.rank
        why = _flat(rule.why)  # the same for every hit of the rule
        # A template with no field in it is the same for every hit too: rendered once.
        message = None if _has_fields(rule.message) else rule.message
        fix = None if _has_fields(rule.fix) else _flat(rule.fix)
        questions = None if any(_has_fields(q) for q in rule.questions) else rule.questions
        for hit in CHECKS[rule.check](ctx, rule):
            fields = _SafeFields(hit.fields)
            t = hit.target
            finding = Finding(
                rule_id=rule.id,
                rule_name=rule.name,
                severity=rule.severity,
                label=rule.label,
                target=t,
                message=message if message is not None else rule.message.format_map(fields),
                why=why,
                fix=fix if fix is not None else " ".join(rule.fix.format_map(fields).split()),
                span=hit.span,
                # (validation copies the list: the rule's own is never shared)
                questions=questions if questions is not None else [q.format_map(fields) for q in rule.questions],
            )
            # The set's findings first, then each item's in order; worst first, then by rule.
            oi, ki = t.objective, t.key_result
            keyed.append(((-1 if oi is None else oi, -1 if ki is None else ki, rank, rule.id), finding))
    keyed.sort(key=itemgetter(0))
    return [f for _, f in keyed]


@lru_cache(maxsize=256)
def _flat(template: str) -> str:
    """A rule's text on one line (rubric data, the same for every draft)."""
    return " ".join(template.split())


def _has_fields(template: str) -> bool:
    """Whether format_map could change `template` (a field, or an escaped brace)."""
    return "{" in template or "}" in template


class _SafeFields:
    """Rule messages are data; a placeholder a check does not fill stays visible. A field is
    read only when a message names it (a KR's phrases are read on demand: `Described`)."""

    def __init__(self, fields: dict[str, object]):
        self.fields = fields

    def __getitem__(self, key: str) -> object:
        try:
            return self.fields[key]
        except KeyError:
            return "{" + key + "}"


def _suggestions(ctx: SetContext, findings: list[Finding]) -> dict[tuple[int, int], Suggestion]:
    """The suggestion for each flagged KR, in the set's order; two KRs of one set never get
    the same rewrite (the later one gets its ask instead)."""
    okr_set, rb = ctx.okr_set, ctx.rubric
    wanted: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for f in findings:
        t = f.target
        if f.label is None or t.key_result is None or t.objective is None:
            continue
        label, rule_ids = wanted.setdefault((t.objective, t.key_result), (f.label, []))
        rule_ids.append(f.rule_id)
    out: dict[tuple[int, int], Suggestion] = {}
    used: set[str] = set()
    words: dict[int, list[frozenset[str]]] = {}  # each objective's KRs, read once when first asked

    def measured_by_sibling(oi: int, ki: int, key: str) -> bool:
        # "Composting contract awarded" under "Halve food waste sent to landfill", beside
        # "Food waste to landfill in tonnes": the objective's metric is already a KR.
        if oi not in words:
            words[oi] = [measure_words(f.words) for f in ctx.key_results[oi]]
        return measured_by(key, (w for j, w in enumerate(words[oi]) if j != ki), rb.lexicon)

    for (oi, ki), (label, rule_ids) in sorted(wanted.items()):
        obj = okr_set.objectives[oi]
        kr = obj.key_results[ki]
        facts = ctx.key_results[oi][ki]
        # A suggestion depends only on the KR, its label and the objective: memoise it with
        # the lexicon's analyses, and re-target the copy.
        found = rb.lexicon.memoised(
            ("suggestion", kr.text, label, obj.text, tuple(rule_ids)),
            lambda: suggest(facts, label, rb, [kr.text, obj.text], rule_ids, obj.text),  # noqa: B023
        )
        target = Target(objective=oi, key_result=ki)
        rewrite = found.rewrite
        key = (found.metric or (rewrite.text if rewrite else "")).lower()
        # Another KR of the objective already measures this metric ("QA guild formed" under
        # "Halve customer-reported bugs", beside "Customer-reported bugs from 40 to 20").
        if rewrite is not None and (key in used or (label == "task" and measured_by_sibling(oi, ki, key))):
            rewrite = None  # the set already measures this: ask what this KR is for instead
        if rewrite is not None:
            used.add(key)
            rewrite = rewrite.model_copy(update={"target": target})
        out[(oi, ki)] = Suggestion(rewrite, found.build_ask, found.metric, target)
    return out


def _rewrites(ctx: SetContext, findings: list[Finding],
              suggestions: dict[tuple[int, int], Suggestion] | None = None) -> list[Rewrite]:
    found = _suggestions(ctx, findings) if suggestions is None else suggestions
    return [s.rewrite for s in found.values() if s.rewrite is not None]


def _asks(ctx: SetContext, findings: list[Finding], rewrites: list[Rewrite],
          suggestions: dict[tuple[int, int], Suggestion] | None = None) -> list[Ask]:
    """An ask for every flagged KR left without a rewrite."""
    done = {(r.target.objective, r.target.key_result) for r in rewrites}
    found = _suggestions(ctx, findings) if suggestions is None else suggestions
    return [s.ask for key, s in found.items() if key not in done]


def _summary(okr_set: OkrSet, findings: list[Finding], rb: Rubric) -> Summary:
    n_krs = sum(len(o.key_results) for o in okr_set.objectives)
    # A KR with a [placeholder] left is unfinished work, never an outcome.
    unfinished = {r.id for r in rb.rules.values() if r.check == "unfilled_placeholder"}
    flagged_krs = set()
    # The counts in one pass over the findings, each key in the order first found.
    by_severity: dict[str, int] = {}
    by_label: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    for f in findings:
        label, rule_id = f.label, f.rule_id
        if label in _MEASURABILITY or rule_id in unfinished:
            flagged_krs.add((f.target.objective, f.target.key_result))
        severity = f.severity.value
        by_severity[severity] = by_severity.get(severity, 0) + 1
        if label:
            by_label[label] = by_label.get(label, 0) + 1
        by_rule[rule_id] = by_rule.get(rule_id, 0) + 1
    return Summary(
        score=score(okr_set, findings, rb),
        objectives=len(okr_set.objectives),
        key_results=n_krs,
        outcome_key_results=n_krs - len(flagged_krs),
        findings=len(findings),
        by_severity=by_severity,
        by_label=by_label,
        by_rule=by_rule,
    )


# The labels that say a KR is no outcome measure.
_MEASURABILITY = frozenset(("task", "no_metric", "no_target", "no_baseline"))
