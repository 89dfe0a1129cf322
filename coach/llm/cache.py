"""`CachedClient`: answers identical requests from the store's response cache.

The key is a digest of the model name, the call's name, the output schema and
the messages, which carry the rendered prompt (so its version) and the
normalised OKR set. A re-review of the same draft with the same prompt and
model costs no call. The store is anything with `cache_get(key)` and
`cache_put(key, value)` (`coach.store.Store`); its calls run in a thread so the
event loop keeps serving other reviews.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any, Protocol

from pydantic import BaseModel

from coach.errors import CoachError
from coach.llm.client import ChatClient, ChatResult, run_sync

log = logging.getLogger(__name__)

CACHE_VERSION = 1  # bump when ChatResult's stored shape changes


class ResponseStore(Protocol):
    def cache_get(self, key: str) -> dict[str, Any] | None: ...

    def cache_put(self, key: str, value: dict[str, Any]) -> None: ...


def client_model(client: Any) -> str:
    """The model name a client calls, for keys and provenance."""
    for attr in ("model_name", "model"):
        value = getattr(client, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(client).__name__


class CachedClient:
    def __init__(self, inner: ChatClient, store: ResponseStore):
        self.inner = inner
        self.store = store
        self.model_name = client_model(inner)
        self.settings = getattr(inner, "settings", None)

    def key(self, messages: list[dict[str, Any]], schema: type[BaseModel], name: str) -> str:
        blob = json.dumps(
            [CACHE_VERSION, self.model_name, name, schema.__name__, messages],
            sort_keys=True,
            ensure_ascii=False,
        )
        return "chat:" + hashlib.sha256(blob.encode()).hexdigest()

    async def complete(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        key = self.key(messages, schema, name)
        found = await asyncio.to_thread(self.store.cache_get, key)
        if found is not None:
            try:
                result = ChatResult.model_validate(found)
                schema.model_validate(result.parsed)
            except ValueError:
                pass  # an entry of an older shape: ask again and overwrite it
            else:
                return result.model_copy(update={"from_cache": True, "latency_s": 0.0})
        result = await self.inner.complete(messages, schema, name=name)
        try:
            await asyncio.to_thread(self.store.cache_put, key, result.model_dump(mode="json"))
        except CoachError as exc:  # a cache that cannot write must not lose a paid answer
            log.warning("LLM response not cached: %s", exc)
        return result

    def complete_sync(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        return run_sync(lambda: self.complete(messages, schema, name=name))

    async def aclose(self) -> None:
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()
