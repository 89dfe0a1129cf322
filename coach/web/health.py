"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..batch.queue import stats as queue_stats
from ..llm.settings import describe_llm

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The store answers and the batch runner is working; says whether an LLM is
    configured (rules-only otherwise). The runner reads `ok`, `restarted N times (last
    crash: ...)` after it crashed and was replaced, or `down: ...` (503) once it has
    crashed more often than `OKR_COACH_BATCH_RUNNER_MAX_RESTARTS`. `shared_state` says
    whether rate limits and the model budget are shared through Redis."""
    store = request.app.state.store
    store_ok = bool(store is not None and store.ping())
    runner = getattr(request.app.state, "batch_runner", None)
    # No runner: the app was built without a store (then the store check fails) or its
    # lifespan has not run; nothing has crashed.
    runner_ok, runner_state = runner.health() if runner is not None else (True, "not started")
    if getattr(request.app.state, "batch_queue", None) is not None and store_ok:
        # Batches go to the queue: this server runs none; say whether workers are there
        # (none is no reason to stop taking uploads: they wait in the queue).
        workers = queue_stats(store).workers_alive or 0
        runner_state = f"queue: {workers} worker{'' if workers == 1 else 's'} alive"
    ready = store_ok and runner_ok
    body = {
        "status": "ready" if ready else "unavailable",
        "store": "ok" if store_ok else "unreachable",
        "runner": runner_state,
        "llm": describe_llm(),
        # Rate limits and the model budget: a Redis outage degrades them to per process,
        # it does not make the service unready.
        "shared_state": request.app.state.gate.limiter.health(),
    }
    return JSONResponse(body, status_code=200 if ready else 503)
