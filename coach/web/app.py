"""The ASGI application: `create_app()` wires settings, the store, the routers and error handling.

Run it with `okr-coach serve` (uvicorn), or `uvicorn --factory coach.web.app:create_app`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .._version import __version__
from ..config import Settings, get_settings
from ..llm.pool import waiting_hook
from . import problems
from .access import AccessMiddleware
from .access import router as access_router
from .api import router as api_router
from .batches import router as batches_router
from .health import router as health_router
from .limits import BodyLimitMiddleware
from .observe import ObserveMiddleware, request_ids
from .observe import router as observe_router
from .owners import router as owners_router
from .pages import router as pages_router
from .security import Gate

STATIC = Path(__file__).parent / "static"
# Reviews run this many at a time per process, in arrival order. They are CPU-bound under
# one GIL, so more threads only add switching, and with SQLite two writers of one process
# would wait on each other's lock (measured: the same throughput, a longer p99 tail).
REVIEW_THREADS = 1


class ReviewSlots:
    """REVIEW_THREADS review slots, used as the `limiter` of `anyio.to_thread.run_sync`.

    A review holds a slot while it computes. While it waits on a model it gives the
    slot back (coach.llm.pool calls `waiting_hook`) and takes one again before it goes
    on, so a rules-only review never queues behind a model that is slow or hangs.
    """

    def __init__(self, total: int):
        self._limiter = anyio.CapacityLimiter(total)
        self._borrower: ContextVar[object | None] = ContextVar("okr_coach_review_slot", default=None)

    @property
    def total_tokens(self) -> float:
        return self._limiter.total_tokens

    @property
    def borrowed_tokens(self) -> int:
        return self._limiter.borrowed_tokens

    async def __aenter__(self) -> None:
        borrower = object()
        await self._limiter.acquire_on_behalf_of(borrower)
        # Context variables set here are copied into the worker thread that runs the review.
        self._borrower.set(borrower)
        waiting_hook.set(partial(self._handed_back, borrower))

    async def __aexit__(self, *exc: object) -> None:
        borrower = self._borrower.get()
        waiting_hook.set(None)
        self._borrower.set(None)
        self._limiter.release_on_behalf_of(borrower)

    @contextmanager
    def _handed_back(self, borrower: object) -> Iterator[None]:
        """In the review's worker thread: the slot is free while the block runs."""
        anyio.from_thread.run_sync(self._limiter.release_on_behalf_of, borrower)
        try:
            yield
        finally:
            anyio.from_thread.run(self._limiter.acquire_on_behalf_of, borrower)


def warm_up() -> None:
    """Load the bundled rubric and run one small review before the first request,
    so that a burst of first requests does not load it many times over at once."""
    from .. import review

    # Rules only: starting the service must never call (or wait for) a configured model.
    review("Objective: Warm up the service\nKR: Increase warm-up speed from 1 to 2", mode="rules")
    # Everything loaded so far (the app, the rubric, the lexicon) lives for the whole process:
    # move it out of the collector's sight so full collections stay short under load.
    gc.collect()
    gc.freeze()
    # A review allocates many short-lived objects: collect the young generation less often.
    gc.set_threshold(20_000, 20, 50)


def operation_id(route: APIRoute) -> str:
    """`createReview`, not `create_review_v1_reviews_post`: names that read well in a
    generated client (each route's function name, camel-cased; unique as they are)."""
    first, *rest = route.name.split("_")
    return first + "".join(w.capitalize() for w in rest)


def create_app(settings: Settings | None = None, store=None) -> FastAPI:  # noqa: ANN001
    """Build the app. Tests pass their own settings and store; the server uses the environment."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        warm_up()
        opened = None
        if getattr(app.state, "store", None) is None:
            from ..store import open_store

            app.state.store = opened = open_store(settings)
        try:
            yield
        finally:
            if opened is not None:
                opened.close()

    # /docs from Swagger UI files shipped in the fastapi-offline wheel, not a CDN: the API
    # page works without internet (and behind a proxy that blocks CDNs).
    app: FastAPI = FastAPIOffline(
        title="okr-coach",
        version=__version__,
        description="Reviews draft OKRs: aspirations, task KRs, unmeasurable KRs; honest rewrites.",
        docs_url="/docs",
        redoc_url=None,
        static_url="/static/docs",
        favicon_url="/static/favicon.svg",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.gate = Gate(settings)
    app.state.review_limiter = ReviewSlots(REVIEW_THREADS)
    problems.install(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    # Who may see a page is decided before anything else runs or reads the body.
    app.add_middleware(AccessMiddleware)
    # The client address (rate limits, logs) is the one a trusted proxy saw;
    # X-Forwarded-For from anyone else is ignored. Uvicorn does the same for `okr-coach
    # serve`; doing it here too keeps it so under any other ASGI server.
    # Counted, timed and logged with the caller and the address the proxy saw.
    app.add_middleware(ObserveMiddleware)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    # Outermost of all: every response, even a refusal, carries its X-Request-ID.
    app.add_middleware(request_ids)
    app.include_router(health_router)
    app.include_router(observe_router)
    app.include_router(api_router, prefix="/v1")
    app.include_router(batches_router)
    app.include_router(owners_router)
    app.include_router(access_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
