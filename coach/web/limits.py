"""Request-size limit, enforced before the body is read into memory."""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import MEDIA_TYPE, PROBLEM_BASE

# Paths that take larger bodies than the rest (file uploads): path -> its limit in
# bytes, read per request. Registered by the routers that own them (`batches.py`).
LARGER_BODIES: dict[str, Callable[[], int]] = {}


class BodyLimitMiddleware:
    """Refuse bodies over `max_bytes` with 413 problem details, by header or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        larger = LARGER_BODIES.get(scope.get("path", ""))
        max_bytes = larger() if larger is not None else self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._reject(send, scope, max_bytes)
            return
        seen = 0
        too_big = False

        async def limited() -> Message:
            nonlocal seen, too_big
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    too_big = True
                    raise _TooLarge(max_bytes)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(send, scope, max_bytes)

    async def _reject(self, send: Send, scope: Scope, max_bytes: int) -> None:
        body = json.dumps(
            {
                "type": PROBLEM_BASE + "request-too-large",
                "title": "Request too large",
                "status": 413,
                "detail": f"the request body is over the limit of {max_bytes:,} bytes",
                "instance": scope.get("path", ""),
                "limit_bytes": max_bytes,
            },
            separators=(",", ":"),
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised from `receive` while a chunked body streams in.

    An HTTPException, so that FastAPI's body reading lets it through (it turns
    other exceptions into 400) and the problem handler answers 413; should it
    reach this middleware instead, `__call__` answers 413 itself.
    """

    def __init__(self, max_bytes: int):
        super().__init__(413, f"the request body is over the limit of {max_bytes:,} bytes")
        self.problem_extra = {"limit_bytes": max_bytes}
