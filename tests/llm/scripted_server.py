"""A small OpenAI-compatible chat-completions server that the tests own.

It answers `POST /v1/chat/completions` from a script: each test enqueues the
replies it wants (success, 429 with retry-after, 429 insufficient_quota, 5xx,
slow, malformed JSON, refusal, truncation), one per request, in order; when
the script is empty it answers `default` (or a 500 saying the script ran out).
Every request it got is recorded in `requests`. It runs uvicorn in a thread on
a free loopback port:

    with ScriptedServer() as server:
        server.enqueue(Reply.rate_limited(retry_after=1), Reply.ok({"a": 1}))
        ... base_url=server.base_url ...
        server.requests[0].body["model"]

Replies are deterministic (ids, timestamps, token counts derived from the
request), so cassettes recorded against it do not change between recordings.

Run on its own (`python tests/llm/scripted_server.py [--latency S]`) it
answers every request with a valid answer to okr-coach's review prompt
(`scripted_reviewer.okr_answer`) until its stdin closes; the bench runs it that
way, in a process of its own.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

CREATED = 1_767_225_600  # 2026-01-01T00:00:00Z, fixed so that recordings are stable

Payload = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Reply:
    """One scripted answer. Build with the class methods."""

    kind: str
    payload: Payload | None = None
    text: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    latency: float | None = None
    cached_tokens: int = 0
    prose: bool = False

    @classmethod
    def ok(cls, payload: Payload, *, latency: float | None = None, cached_tokens: int = 0,
           prose: bool = False) -> Reply:
        """A valid answer: JSON content, or a tool call when the request forced one.

        `payload` may be a function of the request body. `prose=True` wraps the
        JSON in a sentence and a code fence, as chatty models do."""
        return cls("ok", payload=payload, latency=latency, cached_tokens=cached_tokens, prose=prose)

    @classmethod
    def slow(cls, seconds: float, payload: Payload) -> Reply:
        return cls.ok(payload, latency=seconds)

    @classmethod
    def held(cls, payload: Payload) -> Reply:
        """A valid answer, sent only once the test calls `server.release()`: a model that
        hangs for as long as the test needs, with no clock involved."""
        return cls("held", payload=payload)

    @classmethod
    def malformed(cls, text: str) -> Reply:
        """`text` verbatim as the content (or tool arguments): broken JSON or a wrong shape."""
        return cls("malformed", text=text)

    @classmethod
    def refusal(cls, text: str = "I'm sorry, but I can't help with that request.") -> Reply:
        return cls("refusal", text=text)

    @classmethod
    def truncated(cls, payload: Payload) -> Reply:
        """Half of the JSON, with finish_reason "length"."""
        return cls("truncated", payload=payload)

    @classmethod
    def rate_limited(cls, *, retry_after: float | None = None, retry_after_ms: int | None = None) -> Reply:
        headers = {}
        if retry_after is not None:
            headers["retry-after"] = f"{retry_after:g}"
        if retry_after_ms is not None:
            headers["retry-after-ms"] = str(retry_after_ms)
        return cls("error", status=429, headers=headers, payload={"error": {
            "message": "Rate limit reached for requests. Please try again later.",
            "type": "requests", "param": None, "code": "rate_limit_exceeded"}})

    @classmethod
    def quota(cls) -> Reply:
        return cls("error", status=429, payload={"error": {
            "message": "You exceeded your current quota, please check your plan and billing details.",
            "type": "insufficient_quota", "param": None, "code": "insufficient_quota"}})

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        return cls("error", status=status, payload={"error": {
            "message": "The server had an error while processing your request.",
            "type": "server_error", "param": None, "code": None}})

    @classmethod
    def http_error(cls, status: int, message: str, code: str | None = None) -> Reply:
        return cls("error", status=status, payload={"error": {
            "message": message, "type": "invalid_request_error", "param": None, "code": code}})


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class ScriptedServer:
    def __init__(self, *, latency: float = 0.0, default: Reply | None = None):
        self.latency = latency  # added to every reply (on top of a reply's own latency)
        self.default = default
        self.requests: list[RecordedRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._served = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        # Held replies: `arrived` is set when one is waiting, `release()` lets them all go.
        self.arrived = threading.Event()
        self._gate = threading.Event()

    # -- scripting

    def enqueue(self, *replies: Reply) -> ScriptedServer:
        with self._lock:
            self._script.extend(replies)
        return self

    def release(self) -> None:
        """Answer every held request (and any that arrives later)."""
        self._gate.set()

    @property
    def pending(self) -> int:
        return len(self._script)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- lifecycle

    def start(self) -> ScriptedServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/v1/chat/completions", self._handle, methods=["POST"])])
        config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1, backlog=1024)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="scripted-llm-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("scripted server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.release()  # a held request must not keep the server from stopping
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving

    async def _handle(self, request: Request) -> JSONResponse:
        body = json.loads(await request.body() or b"{}")
        with self._lock:
            self.requests.append(RecordedRequest(request.method, request.url.path,
                                                 {k.lower(): v for k, v in request.headers.items()}, body))
            self._served += 1
            number = self._served
            reply = self._script.popleft() if self._script else self.default
        if reply is None:
            reply = Reply("error", status=500, payload={"error": {
                "message": "scripted server: the script has no reply left for this request",
                "type": "server_error", "param": None, "code": None}})
        delay = self.latency + (reply.latency or 0.0)
        if delay:
            await asyncio.sleep(delay)
        if reply.kind == "held":
            self.arrived.set()
            await asyncio.to_thread(self._gate.wait)
        if reply.kind == "error":
            return JSONResponse(reply.payload, status_code=reply.status, headers=reply.headers)
        return JSONResponse(completion(body, reply, number), headers=reply.headers)


def _payload(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    payload = reply.payload
    return payload(body) if callable(payload) else dict(payload or {})


def completion(body: dict[str, Any], reply: Reply, number: int) -> dict[str, Any]:
    """A chat.completion object answering `body` as `reply` says."""
    tool_name = _forced_tool(body)
    finish = "stop"
    if reply.kind == "refusal":
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": reply.text}
        text = reply.text or ""
    else:
        if reply.kind == "malformed":
            text = reply.text or ""
        else:
            text = json.dumps(_payload(reply, body), ensure_ascii=False)
            if reply.kind == "truncated":
                text = text[: max(1, len(text) // 2)]
                finish = "length"
            elif reply.prose and tool_name is None:
                text = f"Here is my review of the OKR set.\n\n```json\n{text}\n```\n"
        if tool_name is not None:
            message = {"role": "assistant", "content": None, "tool_calls": [{
                "id": f"call_scripted_{number}", "type": "function",
                "function": {"name": tool_name, "arguments": text}}]}
            if finish == "stop":
                finish = "tool_calls"
        else:
            message = {"role": "assistant", "content": text}
    prompt_tokens = max(1, len(json.dumps(body.get("messages", []), ensure_ascii=False)) // 4)
    completion_tokens = max(1, len(text) // 4)
    return {
        "id": f"chatcmpl-scripted-{number}",
        "object": "chat.completion",
        "created": CREATED,
        "model": body.get("model", "scripted-model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": min(reply.cached_tokens, prompt_tokens)},
        },
    }


def _forced_tool(body: dict[str, Any]) -> str | None:
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        return choice.get("function", {}).get("name")
    tools = body.get("tools") or []
    if tools and choice in (None, "required", "auto"):
        return tools[0].get("function", {}).get("name")
    return None


def main() -> None:
    """Serve `okr_answer` to every request until stdin closes or Ctrl-C.

    Prints `listening <base_url>` once ready, so that a parent process (the
    bench) can read the address and stop it by closing its stdin.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="scripted OpenAI-compatible chat server")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each reply")
    args = parser.parse_args()
    from scripted_reviewer import okr_answer

    server = ScriptedServer(latency=args.latency, default=Reply.ok(okr_answer)).start()
    print(f"listening {server.base_url}", flush=True)
    try:
        sys.stdin.read()  # returns at EOF
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
