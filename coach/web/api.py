"""JSON API, versioned under /v1.

Routes hold no review logic: they read the request, call `coach.review()`,
keep the result in the store and render it. Every /v1 request first passes
the gate (API key, rate limit; `security.py`); a request with a body must be
UTF-8 JSON (`Content-Type: application/json`) before FastAPI validates it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from functools import lru_cache, partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from starlette.requests import ClientDisconnect

from ..config import Settings
from ..docs import rule_doc
from ..errors import StoreError, UnknownRuleError
from ..models import OkrSet
from ..parse import parse
from ..pipeline import review
from ..resources import rubrics_dir
from ..rubric import Rubric, Rule, load_rubric
from .problems import Problem
from .schemas import (
    MAX_ITEM_CHARS,
    RUBRIC_NAME,
    ProblemDetails,
    ReviewOptions,
    ReviewRequest,
    RuleDetail,
    RuleExamplesOut,
    RuleList,
    RuleSummary,
    StoredReviewOut,
)
from .security import MAX_IDEMPOTENCY_KEY, Caller, Gate, caller_of

JSON = "application/json"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

_PROBLEM_TEXT = {
    400: "Malformed JSON (`malformed-json`), with the line, column and position of the error",
    401: "No API key, or one that is unknown or revoked (`unauthorized`); "
    "sent with `WWW-Authenticate: Bearer`",
    404: "No such review or rule (`not-found`, `unknown-rule`); a review another key made "
    "is not found either",
    409: "The Idempotency-Key was used before for a different request (`idempotency-conflict`)",
    413: "The body is over the size limit (`request-too-large`)",
    415: "The body is not `application/json` (`unsupported-media-type`)",
    422: "The request is well-formed JSON but cannot be reviewed: `invalid-request` "
    "(missing or wrong fields), `parse-error`, `limit-exceeded`, `unknown-rule`, "
    "`unknown-rubric`, `config-error`",
    429: "Rate limited (`rate-limited`); retry after `Retry-After` seconds",
    503: "The store is unavailable (`store-unavailable`)",
}


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": ProblemDetails, "description": _PROBLEM_TEXT[c]} for c in codes}


class ApiRoute(APIRoute):
    """A /v1 route: the gate first, then (for a body) the JSON checks, then FastAPI's handler."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            gate: Gate = request.app.state.gate
            await gate.check(request)
            if request.method in _BODY_METHODS:
                await _read_json(request)
            return await handler(request)

        return guarded


async def _read_json(request: Request) -> None:
    """Refuse what is not UTF-8 JSON with a problem that says where; keep the parsed value.

    FastAPI reads `request.json()`, which returns the value kept here: the body is parsed once.
    """
    content_type = request.headers.get("content-type", "")
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    charset = next(
        (
            value.strip().strip('"').lower()
            for name, _, value in (p.partition("=") for p in params.split(";"))
            if name.strip().lower() == "charset"
        ),
        "utf-8",
    )
    if not (media == JSON or (media.startswith("application/") and media.endswith("+json"))):
        raise Problem(
            415,
            f"send the body as JSON with 'Content-Type: application/json' "
            f"(got {media or 'no Content-Type'})",
            kind="unsupported-media-type",
            headers={"Accept-Post": JSON},
        )
    if charset not in ("utf-8", "utf8"):
        raise Problem(
            415,
            f"JSON is sent as UTF-8; got charset={charset}",
            kind="unsupported-media-type",
            headers={"Accept-Post": JSON},
        )
    try:
        body = await request.body()
    except ClientDisconnect:
        # Nobody will read the answer; say so without a traceback in the log.
        raise Problem(
            400, "the client went away before the body was sent", kind="bad-request"
        ) from None
    if not body.strip():
        raise Problem(
            400,
            "the body is empty; send a JSON object",
            kind="malformed-json",
            position=0,
            line=1,
            column=1,
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(
            400,
            f"the body is not UTF-8 text (binary data?): byte {exc.start} cannot be read",
            kind="malformed-json",
            position=exc.start,
        ) from None
    try:
        value = json.loads(text[1:] if text.startswith("\ufeff") else text)
    except json.JSONDecodeError as exc:
        raise Problem(
            400,
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            kind="malformed-json",
            position=exc.pos,
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise Problem(400, "the JSON is nested too deeply to read", kind="malformed-json") from None
    request._json = value  # Starlette's cache of request.json()


# Documents the Bearer scheme in OpenAPI; the gate does the checking.
_bearer = HTTPBearer(
    auto_error=False,
    description="An API key from `okr-coach keys create`; needed once any key exists.",
)

router = APIRouter(
    tags=["api"],
    route_class=ApiRoute,
    dependencies=[Depends(_bearer)],
    responses=_problems(401, 422, 429, 503),
)


# -- reviews --------------------------------------------------------------------


@router.post(
    "/reviews",
    status_code=201,
    response_model=StoredReviewOut,
    response_model_exclude_none=False,
    summary="Review a draft and keep the review",
    responses={
        200: {
            "model": StoredReviewOut,
            "description": "A retry with a known Idempotency-Key: the review stored the first time",
        },
        201: {
            "description": "The review, kept under a permalink (see `Location`)",
            "headers": {
                "Location": {"schema": {"type": "string"}, "description": "/v1/reviews/{id}"}
            },
        },
        **_problems(400, 409, 413, 415, 422),
    },
)
async def create_review(
    body: ReviewRequest,
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=MAX_IDEMPOTENCY_KEY,
            pattern=r"^[!-~]+$",
            description="Makes a retried POST return the review stored the first time "
            "(200); the same key with a different draft, mode or rubric is a 409",
        ),
    ] = None,
) -> Response:
    """Review a draft (`text`, pasted in any format the coach reads, or a structured
    `okr_set`) with the given options and keep it under a permalink.

    Limits: the body size (`max_request_bytes`), objectives and key results per set
    (`max_objectives`, `max_key_results`) and 2,000 characters per objective or key result.
    """
    settings: Settings = request.app.state.settings
    store = _store(request)
    opts = body.options
    rubric = bundled_rubric(opts.rubric)
    for rule_id in (*opts.select, *opts.ignore):
        _known_rule(rubric, rule_id)
    if body.text is not None:
        draft: str | dict[str, Any] = body.text
        draft_text = body.text
    else:
        assert body.okr_set is not None
        draft = body.okr_set.model_dump(exclude_none=True)
        draft_text = json.dumps(draft, ensure_ascii=False, indent=2)
    try:
        draft_text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Problem(
            422,
            f"the draft is not valid Unicode text: an unpaired surrogate escape (\\u{ord(exc.object[exc.start]):04x}) "
            f"at character {exc.start}",
            kind="parse-error",
        ) from None
    check_size(draft, settings)
    job = partial(
        _review_and_keep,
        store,
        settings,
        draft,
        draft_text,
        opts,
        rubric,
        caller_of(request),
        idempotency_key,
    )
    # The review is CPU-bound: it runs in a worker thread (REVIEW_THREADS per process, in
    # arrival order) while the event loop stays free to read and answer other requests.
    return await anyio.to_thread.run_sync(job, limiter=request.app.state.review_limiter)


def _review_and_keep(
    store,  # noqa: ANN001
    settings: Settings,
    draft: str | dict[str, Any],
    draft_text: str,
    opts: ReviewOptions,
    rubric: Rubric,
    caller: Caller,
    idempotency_key: str | None,
) -> Response:
    api_key_id = caller.key_id
    if idempotency_key is not None:
        earlier = store.find_idempotent(api_key_id, idempotency_key)
        if earlier is not None:
            return _replay(earlier, draft_text, opts.mode, rubric)
    okr_set = parse(draft)
    check_limits(okr_set, settings)
    result = review(
        okr_set,
        mode=opts.mode,
        rubric=rubric,
        select=opts.select or None,
        ignore=opts.ignore or None,
        suggest_numbers=opts.suggest_numbers,
        cache=store,  # the model's response cache: an identical re-review costs no call
    )
    saved = store.save_review(
        result,
        draft=draft_text,
        api_key_id=api_key_id,
        idempotency_key=idempotency_key,
        principal=caller.principal,
    )
    if saved.review is not result:
        # Another request with the same Idempotency-Key was saved first.
        return _replay(saved, draft_text, opts.mode, rubric)
    return Response(
        _review_json(saved, with_draft=False),
        status_code=201,
        media_type=JSON,
        headers={"Location": f"/v1/reviews/{saved.id}"},
    )


@router.get(
    "/reviews/{review_id}",
    response_model=StoredReviewOut,
    summary="A stored review, with its draft",
    responses=_problems(404),
)
def get_review(
    request: Request,
    review_id: Annotated[str, Path(description="the permalink id")],
) -> Response:
    """A review made by the caller (with keys: by this key); any other is 404, like a missing one."""
    saved = _store(request).get_review(review_id, principal=caller_of(request).principal)
    return Response(_review_json(saved, with_draft=True), media_type=JSON)


# -- rules ----------------------------------------------------------------------

RubricName = Annotated[str, Query(pattern=RUBRIC_NAME, description="the name of a bundled rubric")]


@router.get(
    "/rules", response_model=RuleList, summary="The rules of a rubric", responses=_problems(422)
)
def list_rules(rubric: RubricName = "default") -> RuleList:
    rb = bundled_rubric(rubric)
    return RuleList(
        rubric=rb.name,
        rubric_version=rb.full_version,
        rules=[_summary(r) for r in rb.rules.values()],
    )


@router.get(
    "/rules/{rule_id}",
    response_model=RuleDetail,
    summary="One rule and its documentation",
    responses=_problems(404, 422),
)
def get_rule(
    rule_id: Annotated[str, Path(description="a rule id such as KR01, or its name")],
    rubric: RubricName = "default",
) -> RuleDetail:
    rule = bundled_rubric(rubric).rule(rule_id)  # UnknownRuleError: 404 unknown-rule
    return RuleDetail(
        **_summary(rule).model_dump(),
        message=rule.message,
        why=" ".join(rule.why.split()),
        fix=" ".join(rule.fix.split()),
        questions=rule.questions,
        examples=RuleExamplesOut(
            flagged=rule.examples.flagged, not_flagged=rule.examples.not_flagged
        ),
        params=rule.params,
        aliases=[rule.name, *rule.aliases],
        doc=rule_doc(rule),
    )


# -- helpers --------------------------------------------------------------------


def _store(request: Request):  # noqa: ANN202
    store = request.app.state.store
    if store is None:
        raise StoreError("the store is not open")
    return store


@lru_cache(maxsize=1)
def bundled_rubrics() -> tuple[str, ...]:
    """Names of the rubrics that ship with okr-coach (folders under rubrics/)."""
    root = rubrics_dir()
    return tuple(sorted(p.name for p in root.iterdir() if (p / "rubric.yaml").is_file()))


def bundled_rubric(name: str) -> Rubric:
    """A bundled rubric by name; never a path from the network."""
    if name not in bundled_rubrics():
        raise Problem(
            422,
            f"unknown rubric '{name}'; bundled rubrics: {', '.join(bundled_rubrics())}",
            kind="unknown-rubric",
            rubric=name,
        )
    return load_rubric(name)  # the bundled default is cached for the process


def _known_rule(rubric: Rubric, rule_id: str) -> Rule:
    try:
        return rubric.rule(rule_id)
    except UnknownRuleError as exc:
        # In a request body an unknown id is invalid content (422), not a missing resource.
        raise Problem(422, exc.message, kind="unknown-rule", rule=rule_id) from None


def max_lines(settings: Settings) -> int:
    """Non-blank lines a pasted draft may have: room for the largest set within the limits,
    pretty-printed JSON included. More cannot be a set the service reviews, and parsing
    it would only burn CPU."""
    return 4 * (settings.max_objectives + settings.max_key_results) + 100


def check_size(draft: str | dict[str, Any], settings: Settings) -> None:
    """The counts that can be known before parsing: 422 `limit-exceeded` early."""
    if isinstance(draft, str):
        lines = sum(1 for line in draft.splitlines() if line.strip())
        if lines > max_lines(settings):
            raise Problem(
                422,
                f"the draft has {lines:,} non-blank lines; the limit is {max_lines(settings):,} "
                f"(room for {settings.max_objectives} objectives and "
                f"{settings.max_key_results} key results)",
                kind="limit-exceeded",
                limit="max_lines",
                max=max_lines(settings),
                actual=lines,
            )
        return
    objectives = draft.get("objectives") or []
    n_krs = sum(len(o.get("key_results") or []) for o in objectives)
    _check_counts(len(objectives), n_krs, settings)


def _check_counts(n_obj: int, n_krs: int, settings: Settings) -> None:
    if n_obj > settings.max_objectives:
        raise Problem(
            422,
            f"the draft has {n_obj} objectives; the limit is {settings.max_objectives} per set",
            kind="limit-exceeded",
            limit="max_objectives",
            max=settings.max_objectives,
            actual=n_obj,
        )
    if n_krs > settings.max_key_results:
        raise Problem(
            422,
            f"the draft has {n_krs} key results; the limit is {settings.max_key_results} per set",
            kind="limit-exceeded",
            limit="max_key_results",
            max=settings.max_key_results,
            actual=n_krs,
        )


def check_limits(okr_set: OkrSet, settings: Settings) -> None:
    """Objectives and KRs per set, characters per item: 422 `limit-exceeded` naming the limit."""
    _check_counts(
        len(okr_set.objectives), sum(len(o.key_results) for o in okr_set.objectives), settings
    )
    for i, obj in enumerate(okr_set.objectives):
        items = [(f"objectives[{i}].text", obj.text)]
        items += [
            (f"objectives[{i}].key_results[{j}].text", kr.text)
            for j, kr in enumerate(obj.key_results)
        ]
        for where, text in items:
            if len(text) > MAX_ITEM_CHARS:
                raise Problem(
                    422,
                    f"{where} has {len(text):,} characters; the limit is {MAX_ITEM_CHARS:,} "
                    "per objective or key result",
                    kind="limit-exceeded",
                    limit="max_item_chars",
                    max=MAX_ITEM_CHARS,
                    actual=len(text),
                    path=where,
                )


def _replay(earlier, draft_text: str, mode: str | None, rubric: Rubric) -> Response:  # noqa: ANN001
    """The stored answer to a retried POST, or 409 when the key was used for something else."""
    prov = earlier.review.provenance
    kept = draft_text.replace("\x00", "\ufffd")  # as the store keeps text (no NUL)
    mode_differs = mode is not None and prov.mode != mode  # unset: whatever the service chose
    if earlier.draft != kept or mode_differs or prov.rubric != rubric.name:
        raise Problem(
            409,
            "this Idempotency-Key was used before with a different draft or options; "
            "use a new key for a new request",
            kind="idempotency-conflict",
            review_id=earlier.id,
        )
    return Response(
        _review_json(earlier, with_draft=False),
        status_code=200,
        media_type=JSON,
        headers={"Location": f"/v1/reviews/{earlier.id}", "Idempotent-Replayed": "true"},
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _review_json(saved, *, with_draft: bool) -> bytes:  # noqa: ANN001
    """`StoredReviewOut` as bytes: its head, then the Review JSON as pydantic writes it."""
    head: dict[str, Any] = {
        "id": saved.id,
        "created_at": _iso(saved.created_at),
        "parent_id": saved.parent_id,
        "links": {"self": f"/v1/reviews/{saved.id}", "html": f"/reviews/{saved.id}"},
    }
    if with_draft:
        head["draft"] = saved.draft
    prefix = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    return (prefix[:-1] + "," + saved.review.model_dump_json()[1:]).encode()


def _summary(rule: Rule) -> RuleSummary:
    return RuleSummary(
        id=rule.id,
        name=rule.name,
        label=rule.label,
        severity=rule.severity,
        scope=rule.scope,
        summary=rule.summary,
        enabled=rule.enabled,
    )
