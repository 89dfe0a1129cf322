"""`review()`: the one pipeline every front end calls.

draft → parse → facts → rule checks ─────────────────────────┐
                      └→ LLM verdict (optional, one call) → merge → findings → rewrites (guarded) → Review

With no model configured (and none passed in), every mode but an explicit
`llm` is a rules-only review that says so in `provenance.llm_status`. A model
that fails (timeout, rate limit, refusal, invalid output, ...) never fails the
review: it falls back to the rules' findings and says what happened.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from ._version import __version__
from .checks import CHECKS, SetContext, build_context
from .errors import CoachError, ConfigError
from .guard import guard_rewrite
from .llm.cache import CachedClient, ResponseStore, client_model
from .llm.client import ChatClient, ChatResult, run_all, run_sync
from .llm.errors import LLMError
from .llm.factory import as_client, configured_client
from .llm.settings import LLMSettings, get_llm_settings
from .llm.verdict import RepairVerdict, SetVerdict, kr_id
from .merge import Merged, looks_injected, merge
from .models import (
    Finding,
    LLMUsage,
    OkrSet,
    Provenance,
    Review,
    Rewrite,
    Summary,
    Target,
)
from .parse import parse
from .prompting import prompt_version, repair_messages, review_messages
from .rewrite import build_rewrite
from .rubric import Rubric, Rule, load_rubric
from .scoring import score

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

    async def run() -> Review:
        try:
            return await _llm_review(draft, plan, rubric, select, ignore, cache, suggest_numbers)
        finally:
            close = getattr(plan.client, "aclose", None)
            if close is not None:
                await close()  # this event loop ends here; its connections must too

    return run_sync(run)


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
    return await _llm_review(draft, plan, rubric, select, ignore, cache, suggest_numbers)


async def areview_many(
    drafts: Iterable[Draft], *, concurrency: int | None = None, **options: Any
) -> list[Review | CoachError]:
    """Review many drafts with at most `concurrency` model calls in flight
    (default `OKR_COACH_LLM_CONCURRENCY`). Results come in input order; a draft
    that cannot be reviewed (a parse error, ...) gets its `CoachError` in its place."""
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
    options = {**options, "llm": plan.client}
    return run_sync(run)


def _try(call: Any) -> Review | CoachError:
    try:
        return call()
    except CoachError as exc:
        return exc


# -- planning: which mode, which model ------------------------------------------


def uses_model(mode: str | None, llm: Any = None, settings: LLMSettings | None = None) -> bool:
    """Whether a review in `mode` would call a model (raises ConfigError as `review` would)."""
    return _plan(mode, llm, settings).client is not None


class _Plan:
    def __init__(self, mode: str, client: ChatClient | None, status: str, settings: LLMSettings):
        self.mode = mode
        self.client = client
        self.status = status
        self.settings = settings


def _plan(mode: str | None, llm: Any, settings: LLMSettings | None) -> _Plan:
    if mode not in (None, "rules", "llm", "hybrid"):
        raise ConfigError(f"unknown mode '{mode}'; use rules, llm or hybrid")
    if mode == "rules":
        return _Plan("rules", None, RULES_ONLY, settings or LLMSettings.model_construct())
    settings = settings if settings is not None else get_llm_settings()
    client = as_client(llm, settings) if llm is not None else configured_client(settings)
    if client is not None:
        return _Plan(mode or "hybrid", client, "", settings)
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
    return _assemble(ctx, findings, _rewrites(ctx, findings), Provenance(
        okr_coach_version=__version__,
        mode=plan.mode,  # type: ignore[arg-type]
        rubric=rb.name,
        rubric_version=rb.full_version,
        llm_status=plan.status,
    ))


def _assemble(ctx: SetContext, findings: list[Finding], rewrites: list[Rewrite], provenance: Provenance,
              disagreements: list[Any] | None = None) -> Review:
    return Review(
        okr_set=ctx.okr_set,
        findings=findings,
        rewrites=rewrites,
        summary=_summary(ctx.okr_set, findings, ctx.rubric),
        provenance=provenance,
        disagreements=disagreements or [],
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
) -> Review:
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
        result = await client.complete(messages, SetVerdict, name="okr_review")
    except LLMError as exc:
        provenance.usage = _usage_of_error(exc, plan.settings, provenance.model)
        provenance.llm_status = f"failed ({exc.kind}): {exc.message} Rules-only review."
        findings = run_checks(ctx, rules)
        return _assemble(ctx, findings, _rewrites(ctx, findings), provenance)
    provenance.usage = _usage_of(result)
    provenance.model = result.model
    verdict = SetVerdict.model_validate(result.parsed)
    distrust = plan.mode == "hybrid" and looks_injected(okr_set)
    merged = merge(ctx, verdict, rules, mode=plan.mode, distrust_model=distrust)
    ctx.kr_labels, ctx.aspirations, ctx.tasks = merged.kr_labels, merged.aspirations, merged.tasks
    findings = _annotate(run_checks(ctx, rules), merged)
    notes = ["used (from cache)" if result.from_cache else "used"]
    if distrust:
        notes.append("the draft seems to address the reviewer, so the model could add findings but not remove any")
    if merged.skipped:
        notes.append(f"the model gave no verdict on {merged.skipped} item(s): the rules decided them")
    rewrites, repair_note = await _model_rewrites(
        ctx, findings, verdict, client, messages, result, provenance, suggest
    )
    if repair_note:
        notes.append(repair_note)
    provenance.llm_status = "; ".join(notes)
    return _assemble(ctx, findings, rewrites, provenance, merged.disagreements)


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
) -> tuple[list[Rewrite], str]:
    """The model's rewrites that pass the guard; the rubric's own for the rest.

    A rewrite the rubric still flags is sent back to the model once, with the
    reason (one call for the whole set); what still fails is replaced by the
    deterministic rewrite.
    """
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
            repair = await client.complete(
                repair_messages(messages, result.raw, items), RepairVerdict, name="okr_repair"
            )
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
        asked.append(
            "The suggestion had numbers you did not give ("
            + ", ".join(g.replaced)
            + "): what are the real values?"
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
    findings: list[Finding] = []
    for rule in rules:
        for hit in CHECKS[rule.check](ctx, rule):
            fields = _SafeDict(hit.fields)
            findings.append(
                Finding(
                    rule_id=rule.id,
                    rule_name=rule.name,
                    severity=rule.severity,
                    label=rule.label,
                    target=hit.target,
                    message=rule.message.format_map(fields),
                    why=" ".join(rule.why.split()),
                    fix=" ".join(rule.fix.format_map(fields).split()),
                    span=hit.span,
                    questions=[q.format_map(fields) for q in rule.questions],
                )
            )
    findings.sort(key=_order)
    return findings


def _order(f: Finding) -> tuple[int, int, int, str]:
    t = f.target
    return (
        -1 if t.objective is None else t.objective,
        -1 if t.key_result is None else t.key_result,
        -f.severity.rank,
        f.rule_id,
    )


class _SafeDict(dict):
    """Rule messages are data; a placeholder a check does not fill stays visible."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _rewrites(ctx: SetContext, findings: list[Finding]) -> list[Rewrite]:
    okr_set, rb = ctx.okr_set, ctx.rubric
    out: list[Rewrite] = []
    for f in findings:
        t = f.target
        if f.label is None or t.key_result is None or t.objective is None:
            continue
        obj = okr_set.objectives[t.objective]
        kr = obj.key_results[t.key_result]
        # A rewrite depends only on the KR, its label and the objective (number provenance):
        # memoise it with the lexicon's analyses, and re-target the copy.
        facts = ctx.key_results[t.objective][t.key_result]
        rw = rb.lexicon.memoised(
            ("rewrite", kr.text, f.label, obj.text, f.rule_id),
            lambda: build_rewrite(facts, f.label, rb, Target(), [kr.text, obj.text], [f.rule_id]),  # noqa: B023
        )
        if rw is not None:
            out.append(rw.model_copy(update={"target": Target(objective=t.objective, key_result=t.key_result)}))
    return out



def _summary(okr_set: OkrSet, findings: list[Finding], rb: Rubric) -> Summary:
    n_krs = sum(len(o.key_results) for o in okr_set.objectives)
    flagged_krs = {
        (f.target.objective, f.target.key_result)
        for f in findings
        if f.label in ("task", "no_metric", "no_target", "no_baseline")
    }
    return Summary(
        score=score(okr_set, findings, rb),
        objectives=len(okr_set.objectives),
        key_results=n_krs,
        outcome_key_results=n_krs - len(flagged_krs),
        findings=len(findings),
        by_severity=dict(Counter(f.severity.value for f in findings)),
        by_label=dict(Counter(f.label for f in findings if f.label)),
        by_rule=dict(Counter(f.rule_id for f in findings)),
    )
