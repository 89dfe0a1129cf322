"""Where an eval's model answers come from: replayed, recorded, or live.

Recordings live in `evals/recordings/<model>/<version>.jsonl`, one file per
model and recording version. The version is a hash of the review's
`prompt_version` (templates, rubric data, output schema) and of the judge's
template, so any prompt or rubric change asks for a new file. The first line
is a header with the manifest (each prompt part → its hash) the answers were
recorded under; each further line holds one example's calls:

    {"key": "dev/dev-001", "calls": [{"name": "okr_review", "request": "<sha256>",
                                      "result": {<ChatResult without parsed>}}]}

A call is matched by its name and the hash of the messages sent, like a
cassette matched on the body: a changed prompt never replays an old answer.
When the current version has no file, the header of the model's other file
says *which* prompt part changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from pydantic import BaseModel

from ..errors import ConfigError, StaleRecordingError
from ..rubric import Rubric
from .judge import TEMPLATE as JUDGE_TEMPLATE
from .judge import judge_template_hash

if TYPE_CHECKING:
    from ..llm import ChatClient, ChatResult

FORMAT = 1
RERECORD = "re-record with `okr-coach eval --record` and a key"


class Responses(Protocol):
    """A source of model answers; `client_for(key)` is the chat client of one example."""

    kind: str  # "replayed" | "recorded" | "live"
    model: str | None
    concurrency: int

    def client_for(self, key: str) -> ChatClient: ...

    def finish(self) -> None: ...


# ---------------------------------------------------------------- versions


def manifest(rubric: Rubric) -> dict[str, str]:
    """Every part that shapes a recorded request → its hash."""
    from ..prompting import prompt_manifest

    return {**prompt_manifest(rubric), JUDGE_TEMPLATE: judge_template_hash()}


def recording_version(parts: dict[str, str]) -> str:
    return "r-" + hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:12]


def request_hash(messages: list[dict[str, Any]], schema: type[BaseModel], name: str) -> str:
    body = {"name": name, "schema": schema.__name__, "messages": messages}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def model_dir(root: Path, model: str) -> Path:
    return root / re.sub(r"[^A-Za-z0-9._-]+", "_", model)


class Header(BaseModel):
    okr_coach_recording: int = FORMAT
    model: str
    version: str
    manifest: dict[str, str]
    endpoint: str = ""


def _read_header(path: Path) -> Header:
    with path.open(encoding="utf-8") as fh:
        return Header.model_validate_json(fh.readline())


def changed_parts(old: dict[str, str], new: dict[str, str]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def stale_message(changed: list[str]) -> str:
    if not changed:
        return f"the recorded requests changed: {RERECORD}"
    what = "prompt " + changed[0] if len(changed) == 1 else "prompts " + ", ".join(changed)
    return f"{what} changed: {RERECORD}"


# ---------------------------------------------------------------- replay


class ReplayClient:
    """A ChatClient for one example that answers from its recorded calls."""

    def __init__(self, key: str, calls: list[dict[str, Any]] | None, where: str, model: str):
        self.key = key
        self.model = model  # what provenance reports as the model
        self._calls = calls
        self._used: set[int] = set()
        self._where = where

    async def complete(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        return self.complete_sync(messages, schema, name=name)

    def complete_sync(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        from ..llm import ChatResult
        from ..llm.schema import parse_answer

        if self._calls is None:
            raise StaleRecordingError(
                f"no recorded answers for example {self.key} in {self._where}: {RERECORD}"
            )
        wanted = request_hash(messages, schema, name)
        matches = [i for i, c in enumerate(self._calls) if c["name"] == name and c["request"] == wanted]
        if matches:
            # The same request again (another mode, a repeated KR) gets the same answer.
            i = next((m for m in matches if m not in self._used), matches[-1])
            self._used.add(i)
            result = dict(self._calls[i]["result"])
            parsed, problem = parse_answer(result["raw"], schema)
            if parsed is None:
                raise StaleRecordingError(
                    f"the recorded answer to '{name}' for example {self.key} no longer fits the "
                    f"schema ({problem}): {RERECORD}",
                    changed=["output schema"],
                )
            return ChatResult(**result, parsed=parsed)
        raise StaleRecordingError(
            f"example {self.key}: the '{name}' request differs from every recorded one, though the "
            f"prompt templates did not change (the example's text or the pipeline's request did): "
            f"{RERECORD}"
        )


class ReplaySource:
    """Recorded answers for the current prompt version and model, or a StaleRecordingError."""

    kind = "replayed"

    def __init__(self, root: str | Path, rubric: Rubric, model: str | None = None):
        self.root = Path(root)
        self.model = model or self._only_model()
        self.concurrency = 64  # answers come from memory: concurrency only interleaves CPU work
        parts = manifest(rubric)
        self.version = recording_version(parts)
        folder = model_dir(self.root, self.model)
        path = folder / f"{self.version}.jsonl"
        if not path.exists():
            others = sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime)
            if not others:
                raise StaleRecordingError(
                    f"no recordings for model {self.model} in {folder}: record them with "
                    "`okr-coach eval --record` and a key"
                )
            old = _read_header(others[-1])
            changed = changed_parts(old.manifest, parts)
            raise StaleRecordingError(
                stale_message(changed) + f" (recorded under {old.version}, now {self.version})",
                changed=changed,
            )
        self.path = path
        self.entries = _read_entries(path)

    def _only_model(self) -> str:
        models = sorted(p.name for p in self.root.glob("*") if p.is_dir() and any(p.glob("*.jsonl")))
        if len(models) == 1:
            return models[0]
        if not models:
            raise StaleRecordingError(
                f"no recordings in {self.root}: record them with `okr-coach eval --record` and a key"
            )
        raise ConfigError(f"recordings for several models in {self.root}: pick one with --model")

    def client_for(self, key: str) -> ReplayClient:
        return ReplayClient(key, self.entries.get(key), str(self.path), self.model)

    def finish(self) -> None:
        pass


def _read_entries(path: Path) -> dict[str, list[dict[str, Any]]]:
    entries: dict[str, list[dict[str, Any]]] = {}
    with path.open(encoding="utf-8") as fh:
        next(fh)  # the header
        for line in fh:
            if line.strip():
                item = json.loads(line)
                entries[item["key"]] = item["calls"]
    return entries


# ---------------------------------------------------------------- live and record


class LiveSource:
    kind = "live"

    def __init__(self, client: ChatClient, model: str, concurrency: int = 8):
        self.client = client
        self.model = model
        self.concurrency = concurrency

    def client_for(self, key: str) -> ChatClient:
        return self.client

    async def aclose(self) -> None:
        await _aclose(self.client)

    def finish(self) -> None:
        pass


async def _aclose(client: Any) -> None:
    """Close the client's connections on this event loop (each mode runs its own loop)."""
    close = getattr(client, "aclose", None)
    if close is not None:
        await close()


class RecordingClient:
    """Wraps a live client; every answer it returns is kept for the example's recording."""

    def __init__(self, inner: ChatClient, sink: list[dict[str, Any]]):
        self.inner = inner
        self.sink = sink
        self.model = getattr(inner, "model", None)
        self.settings = getattr(inner, "settings", None)  # prices for the pipeline's cost estimate

    async def complete(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        result = await self.inner.complete(messages, schema, name=name)
        self._keep(messages, schema, name, result)
        return result

    def complete_sync(
        self, messages: list[dict[str, Any]], schema: type[BaseModel], *, name: str
    ) -> ChatResult:
        result = self.inner.complete_sync(messages, schema, name=name)
        self._keep(messages, schema, name, result)
        return result

    def _keep(self, messages: list[dict[str, Any]], schema: type[BaseModel], name: str,
              result: ChatResult) -> None:
        # `parsed` is re-derived from `raw` on replay (and re-validated against the schema).
        wanted = request_hash(messages, schema, name)
        if any(c["name"] == name and c["request"] == wanted for c in self.sink):
            return  # the same request from another mode: one answer is enough
        data = result.model_dump(mode="json", exclude={"parsed", "from_cache"})
        data["latency_s"] = round(data["latency_s"], 3)
        if data.get("cost_usd") is not None:
            data["cost_usd"] = round(data["cost_usd"], 8)
        self.sink.append({"name": name, "request": wanted, "result": data})


class RecordingSource:
    """Live answers, written to the recording of the current version by `finish()`.

    Examples recorded before under the same version and not re-run are kept;
    the model's files of other versions are removed (they can never replay).
    """

    kind = "recorded"

    def __init__(self, root: str | Path, rubric: Rubric, client: ChatClient, model: str,
                 *, endpoint: str = "", concurrency: int = 8):
        self.root = Path(root)
        self.client = client
        self.model = model
        self.concurrency = concurrency
        self.parts = manifest(rubric)
        self.version = recording_version(self.parts)
        self.endpoint = endpoint
        self.calls: dict[str, list[dict[str, Any]]] = {}

    def client_for(self, key: str) -> RecordingClient:
        return RecordingClient(self.client, self.calls.setdefault(key, []))

    async def aclose(self) -> None:
        await _aclose(self.client)

    def finish(self) -> Path:
        folder = model_dir(self.root, self.model)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.version}.jsonl"
        entries = _read_entries(path) if path.exists() else {}
        entries.update({k: v for k, v in self.calls.items() if v})
        header = Header(model=self.model, version=self.version, manifest=self.parts,
                        endpoint=self.endpoint)
        lines = [header.model_dump_json()]
        lines += [json.dumps({"key": k, "calls": entries[k]}, ensure_ascii=False, sort_keys=True)
                  for k in sorted(entries)]
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(path)
        for other in folder.glob("*.jsonl"):
            if other != path:
                other.unlink()
        return path


def describe_endpoint(base_url: str) -> str:
    """What a recording header says about where answers came from (no secrets, no ports)."""
    host = urlparse(base_url).hostname or base_url
    if host in ("127.0.0.1", "localhost", "::1"):
        return "a local endpoint on loopback"
    return host


def live_client_factory() -> tuple[ChatClient, str, str, int]:
    """The configured OpenAI-compatible client: (client, model, endpoint, concurrency)."""
    from ..llm import LLMSettings, OpenAICompatibleClient

    settings = LLMSettings()
    client = OpenAICompatibleClient(settings)  # raises ConfigError naming what is missing
    return client, client.model, describe_endpoint(settings.effective_base_url()), settings.concurrency


ClientFactory = Callable[[], tuple["ChatClient", str, str, int]]
