"""Review the sets of a batch: one set at a time through `coach.review()`, many at once.

`review_one` is the one place a set meets the reviewer. Around it:

- `attempt`: one set, with retries of transient failures (an LLM's rate limit, a
  time-out) and a reason when it finally fails; a draft that cannot be read fails at once;
- `run_sets`: a whole batch for the command line; rules-only sets go to a pool of
  processes (the review is CPU-bound), LLM sets run concurrently on one event loop
  through `coach.pipeline.areview`, at most `OKR_COACH_LLM_CONCURRENCY` at a time.

The server's durable runner (`runner.py`) calls `attempt` too.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import multiprocessing
import random
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from ..errors import CoachError
from .models import BatchOptions, BatchSet, SetOutcome
from .settings import BatchSettings

log = logging.getLogger(__name__)

# Failures that another try may fix (by `CoachError.kind`): the model's provider is
# slow, busy or briefly away, or its answer was malformed this time. Anything else (a
# draft that cannot be read, a bad option, an exhausted quota) fails the set at once.
TRANSIENT_KINDS = frozenset(
    {"llm-timeout", "llm-rate-limited", "llm-server-error", "llm-unreachable",
     "llm-output-invalid", "store-unavailable"}
)  # fmt: skip
BACKOFF_S = 1.0
BACKOFF_MAX_S = 30.0
# Below this many sets a pool of processes costs more than it saves.
POOL_MIN_SETS = 48
CHUNK = 25


def review_mode(options: BatchOptions) -> str | None:
    """The mode to pass to `review()`: as chosen, or None ("hybrid when an LLM is
    configured, else rules") where the reviewer understands None, else rules."""
    if options.mode is not None:
        return options.mode
    from .. import pipeline

    default = inspect.signature(pipeline.review).parameters["mode"].default
    return None if default is None else "rules"


def uses_llm(options: BatchOptions) -> bool:
    """True when the batch's reviews will call a model (an LLM configured, mode not rules)."""
    if options.mode == "rules":
        return False
    from ..llm.settings import LLMSettings

    return LLMSettings().configured() and review_mode(options) != "rules"


def draft_of(kind: str, draft: str) -> Any:
    return json.loads(draft) if kind == "json" else draft


def review_one(kind: str, draft: str, options: BatchOptions) -> str:
    """Review one set; the Review JSON. Raises CoachError."""
    from ..pipeline import review

    result = review(draft_of(kind, draft), mode=review_mode(options), rubric=options.rubric)
    return result.model_dump_json()


@dataclass
class Try:
    """One try at a set: the Review JSON, or the error and whether trying again may help."""

    review_json: str | None = None
    error: str | None = None
    transient: bool = False
    retry_after: float | None = None


def classify(exc: BaseException) -> Try:
    if isinstance(exc, MemoryError):
        # Most likely the process was short of memory for other reasons (an upload being
        # read, another batch): worth another try later, never the end of the batch.
        return Try(error="ran out of memory while reviewing this set", transient=True)
    if isinstance(exc, CoachError):
        if exc.kind not in TRANSIENT_KINDS:
            return Try(error=exc.message)
        return Try(error=exc.message, transient=True, retry_after=getattr(exc, "retry_after", None))
    # A bug in the reviewer on one odd draft must not end the batch: the set fails with
    # the error's name, the traceback goes to the log, the other sets go on.
    log.exception("reviewing a set failed unexpectedly")
    return Try(error=f"internal error while reviewing: {type(exc).__name__}: {exc}"[:500])


def try_once(kind: str, draft: str, options: BatchOptions) -> Try:
    try:
        return Try(review_json=review_one(kind, draft, options))
    except Exception as exc:  # noqa: BLE001 - see classify()
        return classify(exc)


def try_chunk(items: list[tuple[str, str, BatchOptions]]) -> list[Try]:
    """One try at each set of a chunk: one after another for rules, concurrently (at
    most `OKR_COACH_LLM_CONCURRENCY` at a time) when the sets call a model."""
    from .. import pipeline

    llm = {id(o): uses_llm(o) for _, _, o in items}
    if not any(llm.values()) or not hasattr(pipeline, "areview"):
        return [try_once(kind, draft, options) for kind, draft, options in items]
    from ..llm.settings import LLMSettings

    async def run() -> list[Try]:
        limit = asyncio.Semaphore(LLMSettings().concurrency)

        async def one(kind: str, draft: str, options: BatchOptions) -> Try:
            async with limit:
                try:
                    review = await pipeline.areview(
                        draft_of(kind, draft), mode=review_mode(options), rubric=options.rubric
                    )
                    return Try(review_json=review.model_dump_json())
                except Exception as exc:  # noqa: BLE001 - see classify()
                    return classify(exc)

        return list(await asyncio.gather(*(one(*item) for item in items)))

    return asyncio.run(run())


def backoff(attempt: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(max(retry_after, 0.0), BACKOFF_MAX_S)
    return random.uniform(0, min(BACKOFF_MAX_S, BACKOFF_S * 2 ** (attempt - 1)))


def attempt(
    seq: int, kind: str, draft: str, options: BatchOptions, *, max_attempts: int, first: int = 1
) -> SetOutcome:
    """Review one set, retrying transient failures; `first` counts earlier tries (a resumed set)."""
    n = first
    while True:
        t = try_once(kind, draft, options)
        if t.review_json is not None:
            return SetOutcome(seq=seq, status="done", review_json=t.review_json, attempts=n)
        if not t.transient or n >= max_attempts:
            reason = t.error or "unknown error"
            if t.transient:
                reason = f"{reason} (gave up after {n} tries)"
            return SetOutcome(seq=seq, status="failed", error=reason, attempts=n)
        time.sleep(backoff(n, t.retry_after))
        n += 1


# -- the command line's runner ----------------------------------------------------------


def _chunk_job(
    items: list[tuple[int, str, str]], options: dict[str, Any], max_attempts: int
) -> list[SetOutcome]:
    opts = BatchOptions.model_validate(options)
    return [
        attempt(seq, kind, draft, opts, max_attempts=max_attempts) for seq, kind, draft in items
    ]


def _warm() -> None:
    # Each worker loads the rubric once, before its first chunk.
    from ..rubric import load_rubric

    load_rubric()


def _chunks(sets: list[BatchSet], size: int) -> Iterator[list[tuple[int, str, str]]]:
    for i in range(0, len(sets), size):
        yield [(s.seq, s.kind, s.draft) for s in sets[i : i + size]]


def run_sets(
    sets: Iterable[BatchSet],
    options: BatchOptions,
    on_done: Callable[[SetOutcome], None],
    settings: BatchSettings | None = None,
) -> None:
    """Review every set, calling `on_done` in this thread as each one completes."""
    settings = settings or BatchSettings()
    todo = list(sets)
    if not todo:
        return
    if uses_llm(options):
        from .. import pipeline

        if hasattr(pipeline, "areview"):
            asyncio.run(_run_async(todo, options, on_done, settings))
            return
    workers = min(settings.workers, max(1, len(todo) // CHUNK))
    if workers <= 1 or len(todo) < POOL_MIN_SETS:
        for s in todo:
            on_done(attempt(s.seq, s.kind, s.draft, options, max_attempts=settings.max_attempts))
        return
    _run_pool(todo, options, on_done, settings, workers)


def _run_pool(
    todo: list[BatchSet],
    options: BatchOptions,
    on_done: Callable[[SetOutcome], None],
    settings: BatchSettings,
    workers: int,
) -> None:
    # forkserver: workers start from a clean process, never a fork of one holding threads.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["coach.pipeline"])
    opts = options.model_dump()
    chunks = _chunks(todo, CHUNK)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_warm) as pool:
        pending: set[Future[list[SetOutcome]]] = set()
        # A few chunks in flight per worker: the queue stays short, results come back in order.
        for chunk in chunks:
            pending.add(pool.submit(_chunk_job, chunk, opts, settings.max_attempts))
            if len(pending) >= workers * 3:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    for outcome in fut.result():
                        on_done(outcome)
        for fut in pending:
            for outcome in fut.result():
                on_done(outcome)


async def _run_async(
    todo: list[BatchSet],
    options: BatchOptions,
    on_done: Callable[[SetOutcome], None],
    settings: BatchSettings,
) -> None:
    from .. import pipeline
    from ..llm.settings import LLMSettings

    limit = asyncio.Semaphore(LLMSettings().concurrency)
    mode = review_mode(options)

    async def one(s: BatchSet) -> None:
        n = 1
        while True:
            async with limit:
                try:
                    review = await pipeline.areview(
                        draft_of(s.kind, s.draft), mode=mode, rubric=options.rubric
                    )
                    t = Try(review_json=review.model_dump_json())
                except Exception as exc:  # noqa: BLE001 - see classify()
                    t = classify(exc)
            if t.review_json is not None:
                on_done(SetOutcome(seq=s.seq, status="done", review_json=t.review_json, attempts=n))
                return
            if not t.transient or n >= settings.max_attempts:
                reason = t.error or "unknown error"
                if t.transient:
                    reason = f"{reason} (gave up after {n} tries)"
                on_done(SetOutcome(seq=s.seq, status="failed", error=reason, attempts=n))
                return
            # Back off outside the semaphore: a rate-limited set must not hold a slot.
            await asyncio.sleep(backoff(n, t.retry_after))
            n += 1

    await asyncio.gather(*(one(s) for s in todo))
