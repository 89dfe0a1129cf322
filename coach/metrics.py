"""Prometheus metrics of the process: what the service, the reviews and the model did.

Counters and histograms only (prometheus-client), so that with several server
workers (`okr-coach serve --workers N` sets PROMETHEUS_MULTIPROC_DIR) the scrape
adds up every worker's files (`registry()`). Queue and batch figures are read
from the store when scraped (`coach.store.stats`), never kept here.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.registry import Collector

# One series per counter, not a second `_created` one: nothing here reads creation times.
disable_created_metrics()

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "okr_coach_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "okr_coach_http_request_duration_seconds",
    "Time to answer an HTTP request (to the end of the body), by route template and method.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
REVIEWS = Counter("okr_coach_reviews", "Reviews made, by mode (rules, hybrid, llm).", ["mode"])
MODEL_CALLS = Counter(
    "okr_coach_model_calls",
    "Requests sent to the model provider, by outcome (ok, or the kind of error).",
    ["outcome"],
)
MODEL_LATENCY = Histogram(
    "okr_coach_model_call_duration_seconds",
    "Time of one request to the model provider.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120),
)
MODEL_TOKENS = Counter("okr_coach_model_tokens", "Tokens the provider reported, by kind.", ["kind"])
MODEL_COST = Counter("okr_coach_model_cost_usd", "Estimated cost of the model calls, USD.")
MODEL_BUDGET_WAIT = Counter(
    "okr_coach_model_budget_wait_seconds",
    "Seconds model calls waited for the fleet's budget (its bucket or a 429 pause).",
)


def observe_review(mode: str) -> None:
    REVIEWS.labels(mode).inc()


def observe_model_call(outcome: str, seconds: float) -> None:
    MODEL_CALLS.labels(outcome).inc()
    MODEL_LATENCY.observe(seconds)


def observe_model_usage(prompt: int, completion: int, cached: int, cost_usd: float) -> None:
    MODEL_TOKENS.labels("prompt").inc(prompt)
    MODEL_TOKENS.labels("completion").inc(completion)
    MODEL_TOKENS.labels("cached").inc(cached)
    MODEL_COST.inc(cost_usd)


def observe_budget_wait(seconds: float) -> None:
    if seconds > 0:
        MODEL_BUDGET_WAIT.inc(seconds)


def exposition(*extra: Collector) -> tuple[bytes, str]:
    """The metrics in Prometheus' text format: this process's (or every worker's) and `extra`."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry)
    if extra:
        scraped = CollectorRegistry(auto_describe=True)
        for collector in extra:
            scraped.register(collector)
        body += generate_latest(scraped)
    return body, CONTENT_TYPE_LATEST
