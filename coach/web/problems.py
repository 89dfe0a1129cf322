"""RFC 9457 problem details: every error the service returns has this shape.

`type` is stable per error kind (``https://okr-coach.dev/problems/<kind>``) so
clients can branch on it; `title` is fixed per kind, `detail` says what went
wrong this time. `KINDS` lists every kind the service answers with.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import CoachError

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://okr-coach.dev/problems/"
MEDIA_TYPE = "application/problem+json"

# kind -> (usual status, title). The type URI is PROBLEM_BASE + kind.
KINDS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Bad request"),
    "malformed-json": (400, "Malformed JSON"),
    "unauthorized": (401, "Authentication required"),
    "forbidden": (403, "Forbidden"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "not-acceptable": (406, "Not acceptable"),
    "idempotency-conflict": (409, "Idempotency key reused"),
    "conflict": (409, "Conflict"),
    "request-too-large": (413, "Request too large"),
    "input-too-large": (413, "Draft too large"),
    "unsupported-media-type": (415, "Unsupported media type"),
    "invalid-request": (422, "Invalid request"),
    "parse-error": (422, "Draft could not be read"),
    "limit-exceeded": (422, "Limit exceeded"),
    "unknown-rule": (422, "Unknown rule"),
    "unknown-rubric": (422, "Unknown rubric"),
    "rubric-error": (422, "Rubric error"),
    "config-error": (422, "Option not available"),
    "dataset-error": (422, "Dataset error"),
    "error": (400, "Bad request"),
    "rate-limited": (429, "Too many requests"),
    "internal-error": (500, "Internal error"),
    "store-unavailable": (503, "Store unavailable"),
    "unavailable": (503, "Service unavailable"),
}
_BY_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "request-too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    429: "rate-limited",
    500: "internal-error",
    503: "unavailable",
}


class Problem(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.headers = headers
        self.extra = extra


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    kind = kind or _BY_STATUS.get(status, "error")
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind,
        "title": title or KINDS.get(kind, (status, "Error"))[1],
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def json_position(doc: str, pos: int) -> dict[str, int]:
    """Line and column (1-based) of a character offset, as json.JSONDecodeError counts them."""
    line = doc.count("\n", 0, pos) + 1
    column = pos - doc.rfind("\n", 0, pos)
    return {"position": pos, "line": line, "column": column}


def install(app: FastAPI) -> None:
    """Map every error to a problem document; no stack trace ever reaches a client."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem(
            exc.status,
            exc.detail,
            kind=exc.kind,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(CoachError)
    async def _coach_error(request: Request, exc: CoachError) -> JSONResponse:
        return problem(exc.status, exc.message, kind=exc.kind, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        raw = exc.errors()
        if raw and raw[0].get("type") == "json_invalid":
            first = raw[0]
            loc = first.get("loc", ())
            pos = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
            reason = (first.get("ctx") or {}).get("error") or first.get("msg", "")
            where = json_position(exc.body, pos) if isinstance(exc.body, str) else {"position": pos}
            return problem(
                400,
                f"the body is not valid JSON: {reason} at line {where.get('line', 1)} "
                f"column {where.get('column', pos + 1)}",
                kind="malformed-json",
                instance=request.url.path,
                **where,
            )
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")} for e in raw]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(p for p in first["loc"] if p != "body") or "body"
        return problem(422, f"{where}: {first['msg']}", instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = (
            exc.detail
            if isinstance(exc.detail, str)
            else KINDS[_BY_STATUS.get(exc.status_code, "error")][1]
        )
        extra = getattr(exc, "problem_extra", None) or {}
        return problem(
            exc.status_code,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
            **extra,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The last resort: log the traceback for the operator, tell the client nothing of it.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem(
            500, "an unexpected error occurred; it has been logged", instance=request.url.path
        )

    _document(app)


def _document(app: FastAPI) -> None:
    """Error responses are documented as `application/problem+json`, not `application/json`."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            servers=app.servers,
        )
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict):
                    continue
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content") or {}
                    if code[:1] in ("4", "5") and "application/json" in content:
                        content[MEDIA_TYPE] = content.pop("application/json")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
