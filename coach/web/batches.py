"""Batch review over HTTP: the JSON API (`/v1/batches`) and the web pages (`/batches`).

Routes hold no review logic: they read the upload (`coach.batch.inputs`), keep the
batch in the store (`coach.store.batches`) and answer at once. With the queue
(PostgreSQL) the batch's jobs are enqueued with it and `okr-coach worker` processes
review it (`coach.batch.queue`); otherwise the runner thread started with the app
(`coach.batch.runner`) does. A finished batch's report is served as kept when it
finished (`coach.batch.artifacts`), with an ETag; a running one's is rendered from the
store on request and streamed as it is written.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import PurePath
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from ..batch import BatchOptions, BatchSettings, InputFile, read_files
from ..batch.artifacts import Artifact, ReportStorage, key_of, render, storage_for
from ..batch.inputs import give_back_memory
from ..batch.queue import enqueuer, make_app, use_queue
from ..batch.report import EXTENSIONS, MEDIA_TYPES
from ..batch.runner import BatchRunner
from ..errors import CoachError, ConfigError, LimitExceededError, NotFoundError, StoreError
from ..parse.columns import ROLES, ColumnMap, parse_column_map
from ..store.batch_titles import rename
from ..store.batches import BatchInfo, BatchStore
from . import csrf, pending
from .api import bundled_rubric
from .limits import LARGER_BODIES
from .pages import _page, _secret, bundled_rubrics
from .problems import Problem
from .schemas import ProblemDetails
from .security import caller_of
from .streams import stream

MAX_FILES = 50
# A report asked for within REPORT_GRACE of its batch finishing is being rendered by a
# worker: wait for it, looking every REPORT_POLL_S, until REPORT_GRACE after the batch
# finished (the four formats of a 50,000-set batch take minutes to render; rendering one
# here instead would hold the whole batch's summary in the API process).
REPORT_GRACE = timedelta(minutes=5)
REPORT_POLL_S = 0.25
MULTIPART_OVERHEAD = 1024 * 1024
ReportFormat = Literal["html", "markdown", "csv", "json"]
# The report is a page of its own: inline styles, inline SVG, no script at all.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _upload_limit() -> int:
    return BatchSettings().max_file_bytes + MULTIPART_OVERHEAD


for _path in ("/v1/batches", "/batches"):
    LARGER_BODIES[_path] = _upload_limit


@asynccontextmanager
async def _lifespan(app: FastAPI):  # noqa: ANN202
    """With the queue, enqueue only; else start the runner once the app's store is open
    (stopped before the store closes)."""
    store = getattr(app.state, "store", None)
    settings = app.state.settings
    app.state.report_storage = storage_for(settings)
    queued = store is not None and use_queue(settings)
    app.state.batch_queue = make_app(store.url) if queued else None
    runner = BatchRunner(BatchStore(store), storage=app.state.report_storage) if (
        store is not None and not queued
    ) else None
    if runner is not None:
        runner.start()
    app.state.batch_runner = runner
    try:
        yield
    finally:
        if runner is not None:
            await anyio.to_thread.run_sync(runner.stop)


class GatedRoute(APIRoute):
    """A /v1 route behind the API gate (key, rate limit), with a body that is not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            await request.app.state.gate.check(request)
            return await handler(request)

        return guarded


_bearer = HTTPBearer(auto_error=False, description="An API key, once any key exists.")
router = APIRouter(lifespan=_lifespan)
api = APIRouter(
    prefix="/v1",
    tags=["batches"],
    route_class=GatedRoute,
    dependencies=[Depends(_bearer)],
    responses={
        401: {"model": ProblemDetails, "description": "An API key is needed (`unauthorized`)"},
        422: {"model": ProblemDetails, "description": "Invalid parameters (`invalid-request`)"},
        429: {"model": ProblemDetails, "description": "Rate limited (`rate-limited`)"},
        503: {"model": ProblemDetails, "description": "The store is unavailable"},
    },
)
pages = APIRouter(include_in_schema=False)


class BatchLinks(BaseModel):
    self: str
    report: str = Field(description="add ?format=html|markdown|csv|json")
    html: str = Field(description="the web page that shows progress and the report")


class BatchOut(BatchInfo):
    links: BatchLinks
    recognised: bool = Field(
        default=False, description="true when this upload was seen before: the earlier batch"
    )


def _out(info: BatchInfo, recognised: bool = False) -> BatchOut:
    return BatchOut(
        **info.model_dump(exclude={"pending", "progress"}),
        api_key_id=info.api_key_id,
        links=BatchLinks(
            self=f"/v1/batches/{info.id}",
            report=f"/v1/batches/{info.id}/report",
            html=f"/batches/{info.id}",
        ),
        recognised=recognised,
    )


def _batches(request: Request) -> BatchStore:
    store = request.app.state.store
    if store is None:
        raise StoreError("the store is not open")
    return BatchStore(store)


# -- reading an upload --------------------------------------------------------------


async def _read_form(request: Request) -> Any:
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise Problem(
            415,
            "upload the files as multipart/form-data, one or more 'file' fields "
            f"(got {media or 'no Content-Type'})",
            kind="unsupported-media-type",
            headers={"Accept-Post": "multipart/form-data"},
        )
    return await request.form(max_files=MAX_FILES, max_fields=50)


async def _files(form: Any) -> list[InputFile]:
    # Each file stays where the form parser spooled it (on disk past 1 MB): read in place,
    # never copied whole into memory here.
    out: list[InputFile] = []
    for item in form.getlist("file"):
        if isinstance(item, UploadFile):
            name = PurePath((item.filename or "upload").replace("\\", "/")).name or "upload"
            out.append(InputFile(name=name[:200], file=item.file))
    return out


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _options(form: Any) -> BatchOptions:
    mode = _text(form.get("mode")) or None
    if mode not in (None, "rules", "llm", "hybrid"):
        raise Problem(
            422, f"unknown mode '{mode[:40]}'; use rules, llm or hybrid", kind="invalid-request"
        )
    rubric = _text(form.get("rubric")) or None
    if rubric is not None:
        bundled_rubric(rubric)  # 422 unknown-rubric
    if mode == "llm":
        from ..llm.settings import LLMSettings

        missing = LLMSettings().missing()
        if missing:
            raise Problem(
                422,
                f"mode 'llm' needs a configured model; set {', '.join(missing)}",
                kind="config-error",
            )
    return BatchOptions(mode=mode, rubric=None if rubric == "default" else rubric)


def _columns(form: Any) -> ColumnMap:
    """The API's `columns` field: `objective=Goal,key_result="Measure of success"` or JSON."""
    try:
        return parse_column_map(_text(form.get("columns"))[:2000])
    except ConfigError as exc:
        raise Problem(422, exc.message, kind="invalid-request") from None


def _digest(files: list[InputFile], options: BatchOptions, columns: ColumnMap) -> str:
    h = hashlib.sha256(options.model_dump_json().encode())
    if columns:
        h.update(columns.model_dump_json(exclude_none=True).encode())
    for f in files:
        h.update(f"\x00{f.name}\x00{f.size()}\x00".encode())
        stream = f.stream()
        while chunk := stream.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


async def _create_in_turn(request: Request, *args: Any) -> tuple[BatchInfo, bool]:
    """`_create` in a worker thread, at most `OKR_COACH_BATCH_UPLOAD_READERS` at once: the
    others wait (their files on disk, not in memory), up to `OKR_COACH_BATCH_UPLOAD_WAIT_S`."""
    settings = BatchSettings()
    state = request.app.state
    readers = getattr(state, "upload_readers", None)
    if readers is None:
        readers = state.upload_readers = anyio.CapacityLimiter(settings.upload_readers)
    try:
        with anyio.fail_after(settings.upload_wait_s):
            await readers.acquire()
    except TimeoutError:
        raise Problem(
            503,
            f"{readers.borrowed_tokens} upload(s) are being read and more are waiting; "
            "send this one again in a minute",
            kind="unavailable",
            headers={"Retry-After": "60"},
        ) from None
    try:
        return await anyio.to_thread.run_sync(_create, request, *args)
    except LimitExceededError as exc:
        raise Problem(
            422, exc.message, kind="limit-exceeded", limit=exc.limit, setting=exc.setting,
            max=exc.max, actual=exc.actual, file=exc.file,
        ) from None  # fmt: skip
    except MemoryError:
        # The limits keep one read well within memory; this is the server short of it for
        # other reasons. The upload is refused, nothing of it kept, the server goes on.
        raise Problem(
            503,
            "the server ran short of memory reading this upload; send it again later, or "
            "split it into smaller files",
            kind="unavailable",
            headers={"Retry-After": "60"},
        ) from None
    finally:
        readers.release()
        await anyio.to_thread.run_sync(give_back_memory)


def _create(
    request: Request,
    files: list[InputFile],
    options: BatchOptions,
    title: str,
    force: bool,
    columns: ColumnMap | None = None,
) -> tuple[BatchInfo, bool]:
    """The batch for this upload: a new one, or the one the same upload made before."""
    batches = _batches(request)
    caller = caller_of(request)
    columns = columns or ColumnMap()
    digest = _digest(files, options, columns)
    if not force:
        earlier = batches.find_by_digest(digest, caller.principal)
        if earlier is not None:
            if title and title != earlier.title and rename(
                batches.store, earlier.id, caller.principal, title
            ):
                earlier = batches.get(earlier.id, principal=caller.principal)
            return earlier, True
    # The sets go to the store as they are read, a chunk at a time: the upload is never
    # held whole in this process, as rows or as sets. A read that fails (a file over a
    # limit, nothing usable) drops what was written; nothing is seen before `finish`.
    title = title or ", ".join(f.name for f in files)[:200]
    writer = batches.writer(
        options=options, title=title, digest=digest, api_key_id=caller.key_id,
        principal=caller.principal,
    )  # fmt: skip
    try:
        inputs = read_files(files, BatchSettings(), columns, sink=writer.write)
        if not inputs.total:
            reasons = "; ".join(
                f"{f.file}: {f.skipped[0].reason if f.skipped else 'nothing usable'}"
                for f in inputs.files
            )
            raise Problem(
                422,
                f"no OKR set to review in the upload ({reasons})"[:2000],
                kind="parse-error",
                inputs=[f.model_dump(mode="json") for f in inputs.files],
            )
        queue = getattr(request.app.state, "batch_queue", None)
        info = writer.finish(inputs.files, on_created=None if queue is None else enqueuer(queue))
    except BaseException:
        writer.abort()
        raise
    runner: BatchRunner | None = getattr(request.app.state, "batch_runner", None)
    if runner is not None:
        runner.wake()
    return info, False


# -- reports ------------------------------------------------------------------------


async def _own(request: Request, batch_id: str) -> BatchInfo:
    """The caller's batch; another caller's is NotFoundError, exactly as a missing one."""
    get = partial(_batches(request).get, batch_id, principal=caller_of(request).principal)
    return await anyio.to_thread.run_sync(get)


def _storage(request: Request) -> ReportStorage:
    state = request.app.state
    if getattr(state, "report_storage", None) is None:  # an app whose lifespan has not run
        state.report_storage = storage_for(state.settings)
    return state.report_storage


def _kept(request: Request, info: BatchInfo, fmt: str) -> Artifact:
    """A finished batch's report as kept; rendered and kept now if it is not there (kept
    on another machine's disk, or finished before reports were kept).

    With the queue, the worker that finished the batch renders its reports just after:
    a request in those minutes waits for them (until REPORT_GRACE after the batch
    finished) rather than render a large report a second time in this process."""
    storage = _storage(request)
    key = key_of(info.id, fmt)
    artifact = storage.load(key)
    queued = getattr(request.app.state, "batch_queue", None) is not None
    finished = info.finished_at or datetime.now(UTC)
    left = (finished + REPORT_GRACE - datetime.now(UTC)).total_seconds()
    if artifact is None and queued and left > 0:
        deadline = time.monotonic() + left
        while artifact is None and time.monotonic() < deadline:
            time.sleep(REPORT_POLL_S)
            artifact = storage.load(key)
    if artifact is None:
        batches = _batches(request)
        artifact = storage.save(key, lambda out: render(batches, info, fmt, out))
    return artifact


def _file_chunks(artifact: Artifact) -> Iterator[bytes]:
    with artifact.open() as f:
        while chunk := f.read(256 * 1024):
            yield chunk


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


async def _report_response(
    request: Request, batch_id: str, fmt: str, *, download: bool
) -> Response:
    info = await _own(request, batch_id)
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": REPORT_CSP}
    if download or fmt != "html":
        name = f"okr-batch-{info.id[:8]}.{EXTENSIONS[fmt]}"
        headers["Content-Disposition"] = (
            f'{"attachment" if download else "inline"}; filename="{name}"'
        )
    if info.status != "done":
        # What is done so far, rendered now and sent as it is written.
        batches = _batches(request)
        write = partial(render, batches, info, fmt)
        chunks = await anyio.to_thread.run_sync(stream, write)
        headers["Cache-Control"] = "no-store"
        return StreamingResponse(chunks, media_type=MEDIA_TYPES[fmt], headers=headers)
    artifact = await anyio.to_thread.run_sync(_kept, request, info, fmt)
    # Private (each caller sees only its own batches), revalidated on every use.
    cache = {"ETag": artifact.etag, "Cache-Control": "private, no-cache"}
    if _matches(request.headers.get("if-none-match"), artifact.etag):
        return Response(status_code=304, headers=cache)
    headers.update(cache, **{"Content-Length": str(artifact.size)})
    return StreamingResponse(_file_chunks(artifact), media_type=MEDIA_TYPES[fmt], headers=headers)


# -- the API ------------------------------------------------------------------------

_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "CSV, XLSX, JSON / JSON Lines, text or Markdown files",
                    },
                    "mode": {"type": "string", "enum": ["rules", "llm", "hybrid"]},
                    "rubric": {"type": "string", "description": "a bundled rubric's name"},
                    "title": {"type": "string", "maxLength": 200},
                    "columns": {
                        "type": "string",
                        "description": "which column is which, when the headers are not "
                        'recognised: objective=Goal,key_result="Measure of success"'
                        "[,team=…,owner=…], or a JSON object of the same",
                    },
                    "force": {"type": "boolean", "description": "review again even if seen before"},
                },
            }
        }
    },
}


@api.post(
    "/batches",
    status_code=202,
    response_model=BatchOut,
    summary="Upload files of OKR drafts for batch review",
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses={
        200: {"model": BatchOut, "description": "The same upload was seen before: that batch"},
        202: {"description": "Accepted: reviewed in the background; poll `links.self`"},
        400: {"model": ProblemDetails, "description": "A malformed multipart body"},
        413: {"model": ProblemDetails, "description": "Over the upload limit"},
        415: {"model": ProblemDetails, "description": "Not multipart/form-data"},
        422: {
            "model": ProblemDetails,
            "description": "Nothing usable (`parse-error`, with `inputs`; a table whose "
            "columns were not recognised lists them in its `columns`: send it again with "
            "`columns`), a file over a "
            "limit (`limit-exceeded`, with `limit`, `setting`, `max`, `actual`, `file`), "
            "an unknown mode or rubric",
        },  # fmt: skip
        503: {
            "model": ProblemDetails,
            "description": "The store is unavailable, or too busy reading uploads (`Retry-After`)",
        },
    },
)
async def create_batch(request: Request) -> Response:
    """Read the uploaded files (what was not used is in `inputs`), keep the batch and
    answer 202 at once; the sets are reviewed in the background, each result stored as
    it completes. The same files with the same options again: 200 with that batch."""
    form = await _read_form(request)
    files = await _files(form)
    if not files:
        raise Problem(
            422, "no file: send one or more files in 'file' fields", kind="invalid-request"
        )
    options = _options(form)
    columns = _columns(form)
    force = _text(form.get("force")).lower() in ("1", "true", "yes", "on")
    try:
        info, recognised = await _create_in_turn(
            request, files, options, _text(form.get("title"))[:200], force, columns
        )
    finally:
        await form.close()
    body = _out(info, recognised).model_dump_json()
    return Response(
        body,
        status_code=200 if recognised else 202,
        media_type="application/json",
        headers={"Location": f"/v1/batches/{info.id}"},
    )


BatchId = Annotated[str, Path(description="the batch id", max_length=64)]


@api.get(
    "/batches/{batch_id}",
    response_model=BatchOut,
    summary="A batch: status and progress counts",
    responses={404: {"model": ProblemDetails, "description": "No such batch"}},
)
async def get_batch(request: Request, batch_id: BatchId) -> BatchOut:
    info = await _own(request, batch_id)
    return _out(info)


@api.get(
    "/batches/{batch_id}/report",
    name="get_batch_report",
    summary="The batch report (while running: what is done so far)",
    response_class=Response,
    responses={
        200: {
            "description": "The report",
            "content": {m.split(";")[0]: {} for m in MEDIA_TYPES.values()},
        },
        304: {"description": "Not modified: the batch is done and `If-None-Match` names its ETag"},
        404: {"model": ProblemDetails, "description": "No such batch"},
        422: {"model": ProblemDetails, "description": "An unknown format"},
    },
)
async def batch_report(
    request: Request,
    batch_id: BatchId,
    format: ReportFormat = Query("html"),  # noqa: A002, B008
) -> Response:
    return await _report_response(request, batch_id, format, download=False)


# -- the pages ----------------------------------------------------------------------


def _form_page(
    request: Request,
    *,
    error: str | None = None,
    files: list | None = None,
    status: int = 200,
    mapping: dict[str, Any] | None = None,
) -> Response:
    secret = _secret(request)
    cookie = request.cookies.get(csrf.COOKIE)
    token = cookie if csrf.token_is_valid(secret, cookie) else csrf.new_token(secret)
    recent: list[BatchInfo] = []
    store = request.app.state.store
    if store is not None:
        try:
            recent = BatchStore(store).list(10, principal=caller_of(request).principal)
        except CoachError:
            recent = []
    ctx = {
        "error": error,
        "files": files or [],
        "recent": recent,
        "rubrics": bundled_rubrics(),
        "csrf_field": csrf.FIELD,
        "csrf_token": token,
        "max_mb": BatchSettings().max_file_bytes // (1024 * 1024),
        "mapping": mapping,
    }
    return _page(request, "batch_form.html", ctx, status=status, token=token)


@pages.get("/batches")
def batch_form(request: Request) -> Response:
    return _form_page(request)


def _form_columns(form: Any) -> ColumnMap:
    """The mapping step's choices: one select per role, blank for none."""
    return ColumnMap(**{r: _text(form.get(f"col_{r}"))[:200] or None for r in ROLES})


def _mapping(token: str, inputs: list[dict[str, Any]], form: Any) -> dict[str, Any] | None:
    """What the mapping step shows: the first file whose columns were not told apart."""
    unmapped = next((f for f in inputs if f.get("columns")), None)
    if unmapped is None:
        return None
    return {
        "token": token,
        "file": unmapped["file"],
        "columns": unmapped["columns"],
        "title": _text(form.get("title"))[:200],
        "rubric": _text(form.get("rubric")),
        "chosen": _form_columns(form).named(),
    }


@pages.post("/batches")
async def submit_batch(request: Request) -> Response:
    try:
        form = await _read_form(request)
    except Problem as exc:
        return _form_page(request, error=exc.detail, status=exc.status)
    refused = csrf.check_form(_secret(request), request, form)
    if refused:
        return _form_page(
            request,
            error=refused.replace(" Your text is kept below: submit it again.", ""),
            status=403,
        )
    data_dir = request.app.state.settings.data_dir
    principal = caller_of(request).principal
    token = _text(form.get("pending"))
    if token:  # the mapping step: the files kept from the first upload
        try:
            files = await anyio.to_thread.run_sync(pending.load, data_dir, principal, token)
        except NotFoundError as exc:
            return _form_page(request, error=exc.message, status=410)
    else:
        files = [f for f in await _files(form) if f.size() or f.name != "upload"]
    if not files:
        return _form_page(request, error="Choose one or more files to upload.", status=422)
    columns = _form_columns(form)
    try:
        options = _options(form)
        info, seen = await _create_in_turn(
            request, files, options, _text(form.get("title"))[:200], False, columns
        )
    except Problem as exc:
        inputs = exc.extra.get("inputs") or []
        if exc.kind == "parse-error" and any(f.get("columns") for f in inputs):
            if not token:
                token = await anyio.to_thread.run_sync(pending.save, data_dir, principal, files)
            return _form_page(
                request,
                error=None if not columns else "Those columns did not give an objective and a "
                "key result for every file: choose again.",
                files=inputs if columns else None,
                mapping=_mapping(token, inputs, form),
            )
        return _form_page(
            request,
            error=exc.detail.split(" (")[0] if exc.kind == "parse-error" else exc.detail,
            files=inputs,
            status=exc.status,
        )
    except CoachError as exc:
        return _form_page(request, error=exc.message, status=exc.status)
    finally:
        if token:
            pending.close(files)
    if token:
        await anyio.to_thread.run_sync(pending.drop, data_dir, token)
    return RedirectResponse(f"/batches/{info.id}{'?seen=1' if seen else ''}", status_code=303)


@pages.get("/batches/{batch_id}")
async def batch_page(request: Request, batch_id: str) -> Response:
    try:
        info = await _own(request, batch_id)
    except NotFoundError:
        return _page(request, "batch_not_found.html", {"batch_id": batch_id}, status=404)
    seen = request.query_params.get("seen") == "1"
    response = _page(
        request, "batch_status.html", {"b": info, "formats": EXTENSIONS, "seen": seen}
    )
    if info.status != "done":
        # app.js polls /progress and shows the end the moment it comes; without JavaScript
        # the page reloads itself (a <noscript> refresh) until the batch is done.
        response.headers["Cache-Control"] = "no-store"
    return response


@pages.get("/batches/{batch_id}/progress")
async def batch_progress(request: Request, batch_id: str) -> Response:
    """The status page's progress counts, for its script (the caller's batch only)."""
    try:
        info = await _own(request, batch_id)
    except NotFoundError:
        return Response(status_code=404, headers={"Cache-Control": "no-store"})
    body = {k: getattr(info, k) for k in ("status", "total", "done", "failed", "pending")}
    return Response(
        json.dumps(body), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


@pages.get("/batches/{batch_id}/report")
async def batch_report_page(request: Request, batch_id: str) -> Response:
    try:
        return await _report_response(request, batch_id, "html", download=False)
    except NotFoundError:
        return _page(request, "batch_not_found.html", {"batch_id": batch_id}, status=404)


@pages.get("/batches/{batch_id}/report.{ext}")
async def batch_download(request: Request, batch_id: str, ext: str) -> Response:
    fmt = {v: k for k, v in EXTENSIONS.items()}.get(ext)
    if fmt is None:
        return _page(request, "batch_not_found.html", {"batch_id": batch_id}, status=404)
    try:
        return await _report_response(request, batch_id, fmt, download=True)
    except NotFoundError:
        return _page(request, "batch_not_found.html", {"batch_id": batch_id}, status=404)


router.include_router(api)
router.include_router(pages)
