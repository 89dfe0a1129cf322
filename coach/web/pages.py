"""The server-rendered web form: paste a draft, get a review with a permalink, edit, review again.

Works with JavaScript off; `static/app.js` adds copy buttons, the example
loader, a size check and a live preview while the author fills in the
placeholders of a rewrite or of a candidate metric (without it, the fill form
posts to `/reviews/{id}/fill` and the page comes back with the text filled). Every page is Jinja2 with autoescape on, served with a
Content-Security-Policy that allows scripts and styles only from /static.

The routes hold no review logic: they call `coach.review()`, keep the result in
the store and lay it out (`_layout`) for the templates.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from .. import review as run_review
from .._version import __version__
from ..checks import unfilled_placeholders
from ..errors import CoachError, NotFoundError, StoreError
from ..language.key_results import analyze_kr
from ..lexicon import Lexicon
from ..llm.settings import get_llm_settings
from ..models import Ask, Finding, Review, Rewrite
from ..parse.labels import is_prose
from ..provenance import enforce
from ..render import review_markdown
from ..render.common import disagreement_line, kr_questions, source_note, unique, usage_line
from ..resources import data_dir, rubrics_dir
from ..rubric import load_rubric
from ..store import StoredReview
from . import csrf
from .security import Caller, caller_of

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

TEMPLATES = Path(__file__).parent / "templates"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,  # every template, whatever its name: user text is always escaped
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["source_note"] = source_note  # the same wording as the text and Markdown reports
templates = Jinja2Templates(env=_env)

# No inline script or style anywhere: JS and CSS come from /static only.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

MODES = ("rules", "hybrid", "llm")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def max_draft_bytes(settings: Any) -> int:
    """The largest draft the form takes, in UTF-8 bytes.

    A quarter of the request limit: a form post URL-encodes the draft (line
    breaks become %0D%0A, other bytes up to three characters), and the whole
    encoded post must stay under the request limit for the form to be able to
    answer with the user's text kept.
    """
    return max(1024, int(settings.max_request_bytes) // 4)


@lru_cache(maxsize=1)
def example_draft() -> str:
    """The bundled example draft (examples/draft.md), or "" when it is not installed."""
    try:
        return (data_dir("examples") / "draft.md").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return ""


def bundled_rubrics() -> list[str]:
    root = rubrics_dir()
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "rubric.yaml").is_file())
    return sorted(names, key=lambda n: n != "default")  # the default first


def llm_configured() -> bool:
    """Whether the process has a model (OKR_COACH_LLM_* settings): the form offers hybrid and llm."""
    return get_llm_settings().configured()


def default_mode() -> str:
    return "hybrid" if llm_configured() else "rules"


# -- responses ------------------------------------------------------------


def _secret(request: Request) -> bytes:
    """Signs form tokens and sessions: OKR_COACH_SECRET_KEY (the same on every replica),
    else the install's file in the data directory (one machine)."""
    settings = request.app.state.settings
    return settings.secret_bytes() or csrf.install_secret(settings.data_dir)


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    token: str | None = None,
) -> Response:
    caller = getattr(request.state, "caller", None)
    ctx = {
        "root": request.scope.get("root_path", ""),
        "version": __version__,
        # Who is signed in, for the header (nobody on an open service).
        "signed_in": caller if isinstance(caller, Caller) and caller.via != "open" else None,
        **context,
    }
    response = templates.TemplateResponse(request, template, ctx, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    if token is not None:
        # The page carries a form: its token must not be cached or shared.
        response.headers["Cache-Control"] = "no-store"
        response.set_cookie(
            csrf.COOKIE,
            token,
            max_age=csrf.MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def _form(
    request: Request,
    *,
    draft: str = "",
    error: str | None = None,
    status: int = 200,
    rubric: str = "default",
    mode: str | None = None,
    parent: str | None = None,
    fresh_token: bool = False,
) -> Response:
    token = _token(request, fresh=fresh_token)
    settings = request.app.state.settings
    rubrics = bundled_rubrics()
    context = {
        "draft": draft,
        "error": error,
        "rubrics": rubrics,
        "rubric": rubric if rubric in rubrics else "default",
        "mode": mode if mode in MODES else default_mode(),
        "llm_configured": llm_configured(),
        "parent": parent,
        "csrf_field": csrf.FIELD,
        "csrf_token": token,
        "example": example_draft(),
        "max_bytes": max_draft_bytes(settings),
        "max_kb": max_draft_bytes(settings) // 1024,
    }
    return _page(request, "form.html", context, status=status, token=token)


def _not_found(request: Request, review_id: str) -> Response:
    return _page(request, "not_found.html", {"review_id": review_id}, status=404)


def _unavailable(request: Request, message: str) -> Response:
    return _page(request, "unavailable.html", {"message": message}, status=503)


# -- routes ---------------------------------------------------------------


@router.get("/")
def form_page(request: Request, example: str | None = None) -> Response:
    """The paste box. `/?example=1` puts the example draft in it (for browsers without JS)."""
    draft = example_draft() if example else ""
    return _form(request, draft=draft)


@router.get("/reviews")
def reviews_index() -> Response:
    return RedirectResponse("/", status_code=303)


@router.post("/reviews")
async def submit(request: Request) -> Response:
    form = await request.form()
    draft = _text(form.get("draft"))
    rubric = _text(form.get("rubric")) or "default"
    mode = _text(form.get("mode")) or default_mode()
    parent = _text(form.get("parent_id")).strip() or None
    redo = {"draft": draft, "rubric": rubric, "mode": mode, "parent": parent}

    problem = csrf.check_form(_secret(request), request, form)
    if problem:
        return _form(request, error=problem, status=403, fresh_token=True, **redo)

    settings = request.app.state.settings
    limit = max_draft_bytes(settings)
    size = len(draft.encode("utf-8", "surrogatepass"))
    if size > limit:
        return _form(
            request,
            error=f"The draft is {_kb(size)}; the form takes up to {_kb(limit)}. "
            "Shorten it (or review it in parts) and submit again.",
            status=413,
            **redo,
        )
    if not draft.strip():
        return _form(
            request,
            error="The draft is empty: paste your objectives and key results, one per line.",
            status=422,
            **redo,
        )
    if rubric not in bundled_rubrics():
        return _form(
            request,
            error=f"Unknown rubric '{rubric}': choose one from the list.",
            status=422,
            **redo,
        )
    if mode not in MODES:
        return _form(
            request, error=f"Unknown review mode '{mode}': choose rules, hybrid or llm.", status=422, **redo
        )

    store = request.app.state.store
    caller = caller_of(request)
    try:
        stored = await run_in_threadpool(
            _review_and_save, store, draft, rubric, mode, parent, caller
        )
    except StoreError as exc:
        return _form(
            request,
            error=f"{exc.message}. Your text is kept: try again shortly.",
            status=503,
            **redo,
        )
    except CoachError as exc:
        status = exc.status if exc.status in (413, 422) else 422
        return _form(request, error=exc.message, status=status, **redo)
    return RedirectResponse(
        f"{request.scope.get('root_path', '')}/reviews/{stored.id}", status_code=303
    )


def _review_and_save(
    store: Any, draft: str, rubric: str, mode: str, parent: str | None, caller: Caller
) -> Any:
    # Browsers send line breaks as CRLF; keep the draft (and the spans into it) as LF.
    draft = draft.replace("\r\n", "\n").replace("\r", "\n")
    # The store doubles as the model's response cache: an identical re-review costs no call.
    result = run_review(draft, mode=mode, rubric=rubric, cache=store)  # type: ignore[arg-type]
    owner = {"api_key_id": caller.key_id, "principal": caller.principal}
    try:
        return store.save_review(result, draft=draft, parent_id=parent, **owner)
    except NotFoundError:
        # The review it was edited from is gone, someone else's, or the field was tampered
        # with: keep the new one.
        return store.save_review(result, draft=draft, **owner)


async def _load(request: Request, review_id: str) -> StoredReview | Response:
    """The caller's stored review, or the page that says why there is none (another
    caller's review is not found either: its id says nothing)."""
    principal = caller_of(request).principal
    try:
        return await run_in_threadpool(
            partial(request.app.state.store.get_review, review_id, principal=principal)
        )
    except NotFoundError:
        return _not_found(request, review_id)
    except StoreError as exc:
        return _unavailable(request, exc.message)


@router.get("/reviews/{review_id}")
async def review_page(request: Request, review_id: str) -> Response:
    stored = await _load(request, review_id)
    if isinstance(stored, Response):
        return stored
    return await _result_page(request, stored)


@router.post("/reviews/{review_id}/fill")
async def fill_page(request: Request, review_id: str) -> Response:
    """The fill form of a rewrite or a candidate metric, without JavaScript: the result page
    again, with that key result's placeholders filled in with the author's values."""
    form = await request.form()
    stored = await _load(request, review_id)
    if isinstance(stored, Response):
        return stored
    posted = Posted(_text(form.get("fill")), [_text(v) for v in form.getlist("value")])
    problem = csrf.check_form(_secret(request), request, form)
    if problem:
        # Nothing is filled in; the values typed stay in their boxes to send again.
        return await _result_page(
            request, stored, posted=posted.refused(problem), status=403, fresh_token=True
        )
    return await _result_page(request, stored, posted=posted)


async def _result_page(
    request: Request,
    stored: StoredReview,
    *,
    posted: Posted | None = None,
    status: int = 200,
    fresh_token: bool = False,
) -> Response:
    store = request.app.state.store
    parent = None
    if stored.parent_id:
        try:
            parent = await run_in_threadpool(
                partial(store.get_review, stored.parent_id, principal=stored.principal)
            )
        except (NotFoundError, StoreError):
            parent = None
    layout = _layout(stored.review, stored.draft or "", posted)
    if posted is not None and status == 200:
        status = layout.fill_status
    token = _token(request, fresh=fresh_token)
    context = {
        "stored": stored,
        "review": stored.review,
        "layout": layout,
        "comparison": compare(parent.review, stored.review) if parent else None,
        "parent": parent,
        "provenance": _provenance_label(stored.review),
        "usage": usage_line(stored.review.provenance),
        "disagreements": [disagreement_line(stored.review, d) for d in stored.review.disagreements],
        "csrf_field": csrf.FIELD,
        "csrf_token": token,
        "max_fill": MAX_FILL_CHARS,
    }
    return _page(request, "review.html", context, status=status, token=token)


def _token(request: Request, *, fresh: bool = False) -> str:
    """The form token of this browser (its cookie, while valid), or a new one."""
    secret = _secret(request)
    cookie = request.cookies.get(csrf.COOKIE)
    return cookie if not fresh and csrf.token_is_valid(secret, cookie) else csrf.new_token(secret)


@router.get("/reviews/{review_id}/edit")
async def edit_page(request: Request, review_id: str, improved: str | None = None) -> Response:
    """The form again, with this review's draft (or its improved OKRs) to edit and re-review."""
    stored = await _load(request, review_id)
    if isinstance(stored, Response):
        return stored
    if improved:
        draft = improved_text(stored.review)
    else:
        draft = stored.draft or improved_text(stored.review, rewrites=False)
    return _form(
        request,
        draft=draft,
        rubric=stored.review.provenance.rubric,
        mode=stored.review.provenance.mode,
        parent=stored.id,
    )


@router.get("/reviews/{review_id}/markdown")
async def review_markdown_page(request: Request, review_id: str) -> Response:
    stored = await _load(request, review_id)
    if isinstance(stored, Response):
        return stored
    return Response(
        review_markdown(stored.review),
        media_type="text/markdown; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'inline; filename="okr-review-{stored.id}.md"',
        },
    )


# -- layout: what the result page shows where -----------------------------


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n >= 10 * 1024 else f"{n / 1024:,.1f} KB"


@dataclass
class Item:
    """One objective or key result as the result page shows it."""

    kind: str  # "objective" | "key_result"
    oi: int
    ki: int | None
    text: str
    span: Any
    findings: list[Finding]
    rewrite: Rewrite | None = None
    # Needs your input: no rewrite the coach is sure of, the questions and candidate metrics.
    ask: Ask | None = None
    questions: list[str] = field(default_factory=list)
    # An objective's sharper phrasings (a slogan or a plain direction), from its own KRs.
    sharper: list[str] = field(default_factory=list)
    # What the author can finish on the page: the rewrite, or each candidate metric of the ask.
    fills: list[Fill] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"o{self.oi + 1}" if self.ki is None else f"o{self.oi + 1}-kr{self.ki + 1}"

    @property
    def name(self) -> str:
        return f"Objective {self.oi + 1}" if self.ki is None else f"KR {self.oi + 1}.{self.ki + 1}"

    @property
    def worst(self) -> str | None:
        if not self.findings:
            return None
        return min((f.severity.value for f in self.findings), key=SEVERITY_ORDER.__getitem__)

    @property
    def rewrite_pieces(self) -> list[tuple[str, bool]]:
        return (
            placeholder_pieces(self.rewrite.text, self.rewrite.placeholders) if self.rewrite else []
        )

    @property
    def filled(self) -> Fill | None:
        """The fill the author posted (or the candidate picked), if it is one of this KR's."""
        return next((f for f in self.fills if f.posted), None)


# The longest value a placeholder takes: a number with its unit, or a short phrase.
MAX_FILL_CHARS = 200
# What a KR with an ask carries in the improved OKRs: unfinished, kept as the author wrote it.
# Written as a trailing "(label: note)", which the reader leaves out of the KR it reads.
NEEDS_INPUT_NOTE = "(needs your input: see the questions)"
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,80}\]")


@dataclass
class Posted:
    """What the fill form sent: which template (`fill`) and a value per placeholder."""

    fill: str
    values: list[str]
    error: str | None = None

    def refused(self, problem: str) -> Posted:
        return Posted(self.fill, self.values, problem)


@dataclass
class Fill:
    """A template the author finishes on the page: a rewrite, or a candidate metric's rewrite.

    `id` names it in the page and in the form ("o1-kr2-rw", "o1-kr1-c2"); each distinct
    placeholder gets one value, and every occurrence of it takes that value.
    """

    id: str
    item: str  # the KR's anchor
    template: str
    placeholders: list[str]
    sources: list[str]  # what the author wrote (the KR, its objective): the numbers allowed
    metric: str = ""
    why: str = ""
    values: list[str] = field(default_factory=list)
    posted: bool = False
    error: str | None = None

    def __post_init__(self) -> None:
        self.values = (self.values + [""] * len(self.placeholders))[: len(self.placeholders)]

    @property
    def pieces(self) -> list[tuple[str, int | None]]:
        """The template cut into text and placeholders (with the index of their value)."""
        index = {p: i for i, p in enumerate(self.placeholders)}
        return [(t, index[t] if ph else None) for t, ph in placeholder_pieces(self.template, self.placeholders)]

    @property
    def applied(self) -> list[str]:
        """The values in use: none when the post was refused (they only stay in their boxes)."""
        return [""] * len(self.placeholders) if self.error else self.values

    @property
    def text(self) -> str:
        """The key result as filled so far: each value in place of its placeholder, the
        placeholders left empty as they are. A value is the author's own text, so its
        numbers are the author's: the provenance check takes them as sources."""
        values = self.applied
        filled = "".join(t if i is None else (values[i] or t) for t, i in self.pieces)
        return enforce(filled, [*self.sources, *values, *self.missing])[0]

    @property
    def missing(self) -> list[str]:
        return [p for p, v in zip(self.placeholders, self.applied, strict=True) if not v]

    @property
    def labels(self) -> list[str]:
        return [p.strip("[]").strip() for p in self.placeholders]

    @property
    def status(self) -> str:
        if not self.placeholders:
            return ""
        if not self.missing:
            return "All filled in: copy your key result."
        if len(self.missing) == len(self.placeholders):
            return f"{len(self.placeholders)} to fill in."
        return f"Still to fill in: {', '.join(self.missing)}."

    def fill_with(self, values: list[str], refused: str | None = None) -> None:
        """Take the posted values (one per placeholder, each on one line, at most
        MAX_FILL_CHARS), unless the post was `refused` or a value is too long: then nothing
        is filled in and the values stay in their boxes, cut to the limit, to send again."""
        self.posted = True
        clean = [" ".join(v.split()) for v in values][: len(self.placeholders)]
        clean += [""] * (len(self.placeholders) - len(clean))
        too_long = next((v for v in clean if len(v) > MAX_FILL_CHARS), None)
        if refused:
            self.error = refused
        elif too_long is not None:
            self.error = (
                f"A value is {len(too_long):,} characters; a placeholder takes up to "
                f"{MAX_FILL_CHARS}. Nothing was filled in."
            )
        self.values = [v[:MAX_FILL_CHARS] for v in clean]


def _in_order(text: str, placeholders: Iterable[str] | None = None) -> list[str]:
    """The distinct placeholders of `text` in the order they first occur."""
    found = [m.group(0) for m in _PLACEHOLDER.finditer(text)]
    if placeholders is not None:
        wanted = set(placeholders)
        found = [p for p in found if p in wanted] + sorted(wanted - set(found))
    return unique(found)


def _fills(item: Item, sources: list[str], lexicon: Lexicon | None) -> list[Fill]:
    if item.rewrite is not None:
        rw = item.rewrite
        return [Fill(f"{item.anchor}-rw", item.anchor, rw.text, _in_order(rw.text, rw.placeholders), sources)]
    if item.ask is not None:
        return [
            Fill(f"{item.anchor}-c{n}", item.anchor, c.rewrite, _in_order(c.rewrite), sources, c.metric, c.why)
            for n, c in enumerate(item.ask.candidates, 1)
        ]
    # A KR that still has placeholders of its own (a suggestion pasted back): fill them in place,
    # the ones its finding is about (a tag before the KR, "[Q3] ...", is none of them).
    if lexicon is not None and any(f.rule_name == UNFILLED for f in item.findings):
        own = unfilled_placeholders(analyze_kr(item.text, lexicon))
        if own:
            return [Fill(f"{item.anchor}-kr", item.anchor, item.text, own, sources)]
    return []


def _lexicon(review: Review) -> Lexicon | None:
    """The lexicon of the rubric the review was made with, to read its KRs as the checks did;
    None when that rubric cannot be loaded here (then no KR is filled in place)."""
    try:
        return load_rubric(review.provenance.rubric).lexicon
    except CoachError:
        return None


@dataclass
class Layout:
    objectives: list[tuple[Item, list[Item]]]
    set_findings: list[Finding]
    lines: list[list[tuple[str, Item | None, bool]]]  # per draft line: (text, item, first piece)
    warning_lines: set[int]
    improved: str
    improved_html: Markup = field(default_factory=Markup)
    # Values that were refused (shown at their form), or a post naming nothing on the page.
    fill_error: str | None = None
    page_error: str | None = None

    @property
    def fill_status(self) -> int:
        return 422 if self.fill_error else 200


def _layout(review: Review, draft: str, posted: Posted | None = None) -> Layout:
    objectives: list[tuple[Item, list[Item]]] = []
    items: list[Item] = []
    fills: dict[str, Fill] = {}
    lexicon = _lexicon(review) if any(f.rule_name == UNFILLED for f in review.findings) else None
    for oi, obj in enumerate(review.okr_set.objectives):
        head = Item("objective", oi, None, obj.text, obj.span, review.findings_for(oi))
        head.questions = unique(q for f in head.findings for q in f.questions)
        if (sharper := review.objective_suggestion_for(oi)) is not None:
            head.sharper = sharper.options
            head.questions = unique([*sharper.questions, *head.questions])
        krs = []
        for ki, kr in enumerate(obj.key_results):
            it = Item("key_result", oi, ki, kr.text, kr.span, review.findings_for(oi, ki))
            it.rewrite = review.rewrite_for(oi, ki)
            it.ask = None if it.rewrite else review.ask_for(oi, ki)
            it.questions = kr_questions(review, oi, ki)
            it.fills = _fills(it, [kr.text, obj.text], lexicon)
            fills.update((f.id, f) for f in it.fills)
            krs.append(it)
        objectives.append((head, krs))
        items += [head, *krs]
    fill_error = page_error = None
    if posted is not None:
        chosen = fills.get(posted.fill)
        if chosen is None or not chosen.placeholders:
            fill_error = page_error = "this review has no such suggestion to fill in."
        else:
            chosen.fill_with(posted.values, refused=posted.error)
            fill_error = chosen.error
    # The improved OKRs take what was filled in (a candidate only once it has a value).
    filled = {
        it.anchor: it.filled
        for _, krs in objectives
        for it in krs
        if it.filled and any(it.filled.applied)
    }
    return Layout(
        objectives=objectives,
        set_findings=[f for f in review.findings if f.target.objective is None],
        lines=draft_lines(draft, items),
        warning_lines={w.line for w in review.okr_set.warnings},
        improved=improved_text(review),
        improved_html=improved_html(review, filled),
        fill_error=fill_error,
        page_error=page_error,
    )


def placeholder_pieces(text: str, placeholders: list[str]) -> list[tuple[str, bool]]:
    """Split a rewrite into (text, is_placeholder) pieces, so placeholders can be marked."""
    pieces: list[tuple[str, bool]] = []
    marks = sorted({p for p in placeholders if p}, key=len, reverse=True)
    rest = text
    while rest:
        hits = [(rest.find(p), p) for p in marks if p in rest]
        if not hits:
            pieces.append((rest, False))
            break
        at, ph = min(hits, key=lambda h: (h[0], -len(h[1])))
        if at:
            pieces.append((rest[:at], False))
        pieces.append((ph, True))
        rest = rest[at + len(ph) :]
    return pieces


def draft_lines(draft: str, items: list[Item]) -> list[list[tuple[str, Item | None, bool]]]:
    """The draft cut into lines of pieces; a piece is plain text or (part of) an item's span.

    Only flagged items are marked. Spans that fall outside the draft, are empty
    or overlap an earlier one are left unmarked rather than trusted.
    """
    marks = sorted(
        (
            it
            for it in items
            if it.findings
            and it.span is not None
            and 0 <= it.span.start < it.span.end <= len(draft)
        ),
        key=lambda it: (it.span.start, it.span.end),
    )
    segments: list[tuple[str, Item | None]] = []
    pos = 0
    for it in marks:
        if it.span.start < pos:
            continue
        if it.span.start > pos:
            segments.append((draft[pos : it.span.start], None))
        segments.append((draft[it.span.start : it.span.end], it))
        pos = it.span.end
    if pos < len(draft):
        segments.append((draft[pos:], None))

    if not draft.strip():
        return []
    lines: list[list[tuple[str, Item | None, bool]]] = [[]]
    for text, it in segments:
        for n, part in enumerate(text.split("\n")):
            if n:
                lines.append([])
            if part:
                lines[-1].append((part, it, n == 0))
    if len(lines) > 1 and not lines[-1]:
        lines.pop()  # the draft's final line break
    return lines


def improved_text(review: Review, *, rewrites: bool = True) -> str:
    """The whole set with each rewrite in place of its key result, in a shape the form reads back.

    A KR that needs the author's input (an ask) keeps its own text, marked as such: never a
    template, never another KR's rewrite. With `rewrites=False`, the set as it was reviewed
    (for a review made from structured input, which has no pasted text to edit).
    """
    return "".join(text for text, _ in _improved_lines(review, rewrites=rewrites))


def improved_html(review: Review, filled: dict[str, Fill] | None = None) -> Markup:
    """`improved_text` for the page: every KR's text in a span the page's script can update
    as the author fills in placeholders, with what was filled in (`filled`, by KR anchor)."""
    filled = filled or {}
    out = []
    for text, anchor in _improved_lines(review):
        if anchor is None:
            out.append(escape(text))
            continue
        body = text[2:].rstrip("\n")  # "- " and the line break stay outside the span
        shown = filled[anchor].text if anchor in filled else body
        out.append(
            Markup('- <span id="improved-{}" data-original="{}">{}</span>\n').format(anchor, body, shown)
        )
    return Markup("").join(out)


def _improved_lines(review: Review, *, rewrites: bool = True) -> list[tuple[str, str | None]]:
    """The improved OKRs line by line: (the line, the KR's anchor or None)."""
    out: list[tuple[str, str | None]] = []
    for oi, obj in enumerate(review.okr_set.objectives):
        out.append((f"Objective {oi + 1}: {obj.text}\n", None))
        for ki, kr in enumerate(obj.key_results):
            rw = review.rewrite_for(oi, ki) if rewrites else None
            ask = review.ask_for(oi, ki) if rewrites and rw is None else None
            text = rw.text if rw else (_needs_input(kr.text) if ask else kr.text)
            out.append((f"- {text}\n", f"o{oi + 1}-kr{ki + 1}"))
        out.append(("\n", None))
    if out:
        out.pop()  # no blank line after the last objective
    return out


def _needs_input(text: str) -> str:
    """A KR that needs the author's input, marked so; unmarked when the mark would make a
    long KR read as a paragraph of prose (the improved OKRs must read back as the same set)."""
    if text.rstrip().endswith(NEEDS_INPUT_NOTE):  # reviewed again as it was: marked once
        return text
    marked = f"{text.rstrip()} {NEEDS_INPUT_NOTE}"
    return text if is_prose(marked) else marked


def _provenance_label(review: Review) -> str:
    p = review.provenance
    if p.model is None:
        return "Rules-only review" + ("" if p.mode == "rules" else f" ({p.llm_status})")
    label = f"{p.mode.capitalize()} review with {p.model}"
    # A model that failed leaves a rules-only review: say so where the reader looks first.
    return f"{label} — {p.llm_status}" if p.llm_status.startswith("failed") else label


# -- a second pass: what changed against the review it was edited from ----


@dataclass
class Change:
    finding: Finding
    where: str  # the item's text, or "the whole set"


@dataclass
class Comparison:
    score_before: int
    score_after: int
    fixed: list[Change]
    new: list[Change]
    still_open: int
    # KRs that now carry an unfilled [placeholder]: what was flagged there is not fixed yet.
    unfinished: list[str] = field(default_factory=list)

    @property
    def delta(self) -> int:
        return self.score_after - self.score_before


def _item_text(review: Review, f: Finding) -> str | None:
    oi, ki = f.target.objective, f.target.key_result
    if oi is None or oi >= len(review.okr_set.objectives):
        return None
    obj = review.okr_set.objectives[oi]
    if ki is None:
        return obj.text
    return obj.key_results[ki].text if ki < len(obj.key_results) else None


def _norm(text: str | None) -> str | None:
    return None if text is None else " ".join(text.casefold().split())


def compare(before: Review, after: Review) -> Comparison:
    """Findings fixed and findings new between two reviews of (versions of) the same draft.

    A finding is the same one when the same rule flags the same text, or,
    failing that, the item in the same place (a KR reworded but still a task is
    still open, not fixed-and-new). A KR that still has an unfilled [placeholder]
    (a suggested template pasted back) is unfinished: what was flagged on it
    stays open, and its placeholder finding is that same open work, not a new one.
    """

    def keyed(review: Review) -> dict[str, list[tuple[Finding, str | None]]]:
        groups: dict[str, list[tuple[Finding, str | None]]] = defaultdict(list)
        for f in review.findings:
            groups[f.rule_id].append((f, _item_text(review, f)))
        return groups

    old, cur = keyed(before), keyed(after)
    fixed: list[Change] = []
    new: list[Change] = []
    still = 0
    for rule_id in sorted(set(old) | set(cur)):
        left, right = list(old.get(rule_id, [])), list(cur.get(rule_id, []))
        for same in (
            lambda a, b: _norm(a[1]) == _norm(b[1]),
            lambda a, b: (
                (a[0].target.objective, a[0].target.key_result)
                == (b[0].target.objective, b[0].target.key_result)
            ),
        ):
            for a in list(left):
                match = next((b for b in right if same(a, b)), None)
                if match is not None:
                    left.remove(a)
                    right.remove(match)
                    still += 1
        fixed += [Change(f, text or "the whole set") for f, text in left]
        new += [Change(f, text or "the whole set") for f, text in right]
    unfinished = {_place(f): f for f in after.findings if f.rule_name == UNFILLED and f.target.key_result is not None}
    flagged_before = {_place(f) for f in before.findings if f.target.key_result is not None}
    still += sum(1 for c in fixed if _place(c.finding) in unfinished)
    fixed = [c for c in fixed if _place(c.finding) not in unfinished]
    new = [c for c in new if not (c.finding.rule_name == UNFILLED and _place(c.finding) in flagged_before)]
    return Comparison(
        before.summary.score,
        after.summary.score,
        fixed,
        new,
        still,
        [_item_text(after, f) or "" for f in unfinished.values()],
    )


# The rule for unfinished work (KR08); matched by name, which a rule keeps for good.
UNFILLED = "unfilled-placeholder"


def _place(f: Finding) -> tuple[int | None, int | None]:
    return (f.target.objective, f.target.key_result)
