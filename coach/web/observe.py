"""What the service did, for its operators: metrics, a request id, an access log line.

- **Request id.** `X-Request-ID` from the client (or the proxy) is kept when it is a
  short token (letters, digits, `._:-`, up to 128), otherwise one is made; it is sent
  back on the response and is in every access log line (asgi-correlation-id).
- **Access log.** One line per request on the `coach.access` logger: request id,
  method, path, route template, status, duration, client address, principal.
  `okr-coach serve` writes it as JSON lines (`coach.logs`).
- **/metrics.** Prometheus' text format (`coach.metrics`) plus the batches and sets
  by status and the queue depth, read from the store when scraped. Open while the
  service is open (no API key); once it is private it needs
  `Authorization: Bearer <OKR_COACH_METRICS_TOKEN>` (with no token set it is refused:
  figures across every principal are not for any one key holder).
"""

from __future__ import annotations

import hmac
import logging
import re
import time
from collections.abc import Iterable
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware, correlation_id
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import metrics
from ..batch.queue import QueueStats, stats
from ..errors import StoreError
from ..store.stats import batch_counts
from .access import private
from .problems import problem

REQUEST_ID = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

access_log = logging.getLogger("coach.access")
router = APIRouter(include_in_schema=False)


def request_ids(app: ASGIApp) -> ASGIApp:
    """The app behind the request-id middleware."""
    return CorrelationIdMiddleware(
        app,
        header_name=REQUEST_ID,
        validator=lambda value: bool(_REQUEST_ID.fullmatch(value)),
    )


def _route_of(scope: Scope, original: Scope) -> str:
    """The route template that answered, a mount's path (/static), or `unrouted`: not
    found, or refused before routing (sign-in redirect, 401, 429, 413; the status says
    which). Bounded label values: never the raw path.

    `scope` is as routing left it; `original` as the request came in."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return _with_prefix(scope, route)
    for candidate in original["app"].router.routes:
        if isinstance(candidate, Mount) and candidate.matches(original)[0] is Match.FULL:
            return candidate.path
    return "unrouted"


def _with_prefix(scope: Scope, route: Any) -> str:
    """`route.path` with the prefix of the router it was included under ("/v1"): FastAPI
    keeps the prefix apart, so it is what the request's path has before the route's part."""
    try:
        params = scope.get("path_params", {})
        concrete = route.path_format.format(
            **{k: route.param_convertors[k].to_string(v) for k, v in params.items()}
        )
    except (AttributeError, KeyError, ValueError, IndexError):
        return route.path
    path: str = scope.get("path", "")
    return path[: len(path) - len(concrete)] + route.path if path.endswith(concrete) else route.path


class ObserveMiddleware:
    """Counts and times every HTTP request and writes its access log line."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        original = dict(scope)  # routing adds to the scope; matching needs it as it came
        status = 500  # what the client sees when the app fails before it answers

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            seconds = time.perf_counter() - started
            route = _route_of(scope, original)
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(method, route).observe(seconds)
            caller = scope.get("state", {}).get("caller")
            client = scope.get("client")
            access_log.info(
                "%s %s %s",
                method,
                scope.get("path", ""),
                status,
                extra={
                    "request_id": correlation_id.get(),
                    "method": method,
                    "path": scope.get("path", ""),
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "client": client[0] if client else None,
                    "principal": getattr(caller, "principal", None),
                },
            )


class StoreFigures(Collector):
    """Batches and their sets by status, read from the store at scrape time."""

    def __init__(self, by_batch: dict[str, int], by_set: dict[str, int], queue: QueueStats):
        self.by_batch, self.by_set, self.queue = by_batch, by_set, queue

    def collect(self) -> Iterable[GaugeMetricFamily]:
        batches = GaugeMetricFamily(
            "okr_coach_batches", "Batches in the store, by status.", labels=["status"]
        )
        for status in (
            "queued",
            "running",
            "done",
            *sorted(set(self.by_batch) - {"queued", "running", "done"}),
        ):
            batches.add_metric([status], self.by_batch.get(status, 0))
        sets = GaugeMetricFamily(
            "okr_coach_batch_sets", "OKR sets of batches, by status.", labels=["status"]
        )
        for status in (
            "pending",
            "done",
            "failed",
            *sorted(set(self.by_set) - {"pending", "done", "failed"}),
        ):
            sets.add_metric([status], self.by_set.get(status, 0))
        yield batches
        yield sets
        yield GaugeMetricFamily(
            "okr_coach_queue_depth", "OKR sets waiting to be reviewed.", value=self.queue.sets_pending
        )
        if self.queue.jobs_waiting is not None:  # batches run by `okr-coach worker`
            jobs = GaugeMetricFamily(
                "okr_coach_queue_jobs", "Batch jobs in the queue, by state.", labels=["state"]
            )
            jobs.add_metric(["waiting"], self.queue.jobs_waiting)
            jobs.add_metric(["running"], self.queue.jobs_running or 0)
            yield jobs
            yield GaugeMetricFamily(
                "okr_coach_workers_alive", "Queue workers heard from lately.", value=self.queue.workers_alive or 0
            )


def _may_scrape(request: Request) -> str | None:
    """None when this request may read the metrics, else why not."""
    settings = request.app.state.settings
    token = settings.metrics_token
    sent = request.headers.get("authorization", "")
    scheme, _, value = sent.strip().partition(" ")
    if token is not None:
        if scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.get_secret_value().encode()
        ):
            return None
        return "the metrics need 'Authorization: Bearer <OKR_COACH_METRICS_TOKEN>'"
    if private(request):
        return "the service is private: set OKR_COACH_METRICS_TOKEN and scrape with it"
    return None


@router.get("/metrics")
async def metrics_page(request: Request) -> Response:
    try:
        refused = await run_in_threadpool(_may_scrape, request)
        if refused:
            return problem(
                401,
                refused,
                kind="unauthorized",
                instance="/metrics",
                headers={"WWW-Authenticate": 'Bearer realm="okr-coach metrics"'},
            )
        store = request.app.state.store
        if store is None:
            raise StoreError("the store is not open")
        by_batch, by_set = await run_in_threadpool(batch_counts, store)
        queue = await run_in_threadpool(stats, store)
    except StoreError as exc:
        return problem(503, exc.message, kind="store-unavailable", instance="/metrics")
    body, media_type = metrics.exposition(StoreFigures(by_batch, by_set, queue))
    return Response(body, media_type=media_type)
