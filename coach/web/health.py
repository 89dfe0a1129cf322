"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..llm.settings import describe_llm

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The store answers; says whether an LLM is configured (rules-only otherwise)."""
    store = request.app.state.store
    store_ok = bool(store is not None and store.ping())
    body = {
        "status": "ready" if store_ok else "unavailable",
        "store": "ok" if store_ok else "unreachable",
        "llm": describe_llm(),
    }
    return JSONResponse(body, status_code=200 if store_ok else 503)
