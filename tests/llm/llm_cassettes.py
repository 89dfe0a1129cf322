"""Cassettes for the LLM client tests (vcrpy), and what they say when stale.

Cassette modes, chosen by environment variables read once at import (before
the tests' autouse fixture clears `OKR_COACH_*` for each test):

- default: record mode "none": a test replays its cassette, a missing or
  stale cassette fails, nothing leaves the process;
- `OKR_COACH_RECORD=1`: record mode "once": a test whose cassette file is
  missing records it against a fresh scripted server (existing ones replay);
- plus `OKR_COACH_RECORD_BASE_URL`, `OKR_COACH_RECORD_MODEL` and
  `OKR_COACH_RECORD_API_KEY` (or `OPENAI_API_KEY`): the missing cassettes of
  the tests that a real provider can answer are recorded against that endpoint
  instead; the tests that need scripted failures (`@pytest.mark.scripted_only`)
  are skipped.

Requests are matched on method, scheme, path, query and body (not host and
port); secrets and fingerprint headers are dropped before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import vcr
import yaml
from llm_fakes import TEST_KEY, TEST_MODEL
from scripted_server import ScriptedServer
from vcr.errors import CannotOverwriteExistingCassetteException

from coach.llm import LLMSettings

CASSETTES = Path(__file__).parent / "cassettes"
REPO = Path(__file__).resolve().parents[2]

RECORD = os.environ.get("OKR_COACH_RECORD") == "1"
REAL = {
    "base_url": os.environ.get("OKR_COACH_RECORD_BASE_URL"),
    "model": os.environ.get("OKR_COACH_RECORD_MODEL"),
    "api_key": os.environ.get("OKR_COACH_RECORD_API_KEY") or os.environ.get("OPENAI_API_KEY"),
}
REAL_ENDPOINT = RECORD and bool(REAL["base_url"] and REAL["model"])

SECRET_REQUEST_HEADERS = ("authorization", "api-key", "openai-organization", "openai-project", "cookie")
KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "retry-after-ms")
# Loopback addresses are written under this name: the scripted server's port
# changes with every run, and host and port are not matched anyway.
SCRIPTED_NETLOC = "scripted-server.invalid"


def canonical_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return urlunsplit(parts._replace(netloc=SCRIPTED_NETLOC))
    return url


def _scrub_request(request: Any) -> Any:
    for name in list(request.headers):
        lowered = name.lower()
        if lowered in SECRET_REQUEST_HEADERS or lowered.startswith("x-stainless") or lowered == "host":
            del request.headers[name]
    request.uri = canonical_url(request.uri)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    response["headers"] = {k: v for k, v in headers.items() if k.lower() in KEPT_RESPONSE_HEADERS}
    return response


def make_vcr(library: Path, record_mode: str) -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(library),
        serializer="yaml",
        record_mode=record_mode,
        # host and port are left out: the scripted server's port differs per run
        match_on=("method", "scheme", "path", "query", "body"),
        filter_headers=list(SECRET_REQUEST_HEADERS),
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        decode_compressed_response=True,
    )


def _body(request: Any) -> dict[str, Any]:
    raw = request.body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError:
        return {"(body)": raw}
    return value if isinstance(value, dict) else {"(body)": value}


def prompt_name(body: dict[str, Any]) -> str | None:
    schema = (body.get("response_format") or {}).get("json_schema") or {}
    if schema.get("name"):
        return schema["name"]
    for tool in body.get("tools") or []:
        name = (tool.get("function") or {}).get("name")
        if name:
            return name
    return None


def _snippet(old: str, new: str) -> str:
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    lo = max(0, start - 30)
    return f"recorded {old[lo:start + 50]!r}, now {new[lo:start + 50]!r}"


def describe_change(recorded: dict[str, Any], sent: dict[str, Any]) -> list[str]:
    """What differs between a recorded request body and the one sent, in words."""
    changes = []
    for key in sorted(set(recorded) | set(sent)):
        old, new = recorded.get(key), sent.get(key)
        if old == new:
            continue
        if key == "messages" and isinstance(old, list) and isinstance(new, list):
            if len(old) != len(new):
                changes.append(f"messages: {len(old)} recorded, {len(new)} sent")
            for i, (a, b) in enumerate(zip(old, new, strict=False)):
                if a != b:
                    role = b.get("role", "?") if isinstance(b, dict) else "?"
                    detail = (
                        _snippet(str(a.get("content")), str(b.get("content")))
                        if isinstance(a, dict) and isinstance(b, dict)
                        else ""
                    )
                    changes.append(f"messages[{i}] ({role}) changed: {detail}")
        elif key in ("response_format", "tools", "tool_choice"):
            changes.append(f"the output schema ({key}) changed")
        elif key == "model":
            changes.append(f"model: recorded {old!r}, now {new!r}")
        else:
            changes.append(f"{key}: recorded {old!r}, now {new!r}")
    return changes or ["the bodies differ only in encoding"]


class Cassette:
    """One test's cassette: which settings to use, what to script, and `play()`."""

    def __init__(self, path: Path, nodeid: str, *, scripted_only: bool, record: bool,
                 server_factory: Callable[[], ScriptedServer], real: bool = False):
        """`record`: record when the file is missing; `real`: record against REAL, not a scripted server."""
        self.path = path
        self.nodeid = nodeid
        self.recording = record and not path.exists()
        self.real = self.recording and real
        if self.real and scripted_only:
            pytest.skip("needs the scripted server's failures; not recordable against a real endpoint")
        self.server = server_factory() if self.recording and not self.real else None
        self._recorded_as: dict[str, Any] = {}
        self._manifest: dict[str, str] | None = None

    def prompt(self, manifest: dict[str, str]) -> None:
        """The prompt parts (okr-coach's `prompt_manifest`) this test sends: written into
        the cassette when recording, compared when a replay finds no match."""
        self._manifest = dict(manifest)

    @property
    def rerecord_command(self) -> str:
        rel = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path
        return f"rm {rel} && OKR_COACH_RECORD=1 .venv/bin/pytest '{self.nodeid}'"

    def script(self, *replies: Any) -> None:
        """Replies for the scripted server; used only while recording against it."""
        if self.server is not None:
            self.server.enqueue(*replies)

    def metadata(self) -> dict[str, Any]:
        if not self.path.exists():
            pytest.fail(
                f"Cassette {self.path.name} does not exist, and tests replay only "
                f"(record mode 'none'). Record it with:\n    {self.rerecord_command}",
                pytrace=False,
            )
        data = yaml.safe_load(self.path.read_text()) or {}
        return data.get("metadata") or {}

    def settings(self, **overrides: Any) -> LLMSettings:
        if self.real:
            values: dict[str, Any] = {"base_url": REAL["base_url"], "model": REAL["model"],
                                      "api_key": REAL["api_key"]}
        elif self.recording:
            assert self.server is not None
            values = {"base_url": self.server.base_url, "model": TEST_MODEL, "api_key": TEST_KEY}
        else:
            meta = self.metadata()
            values = {"base_url": meta["base_url"], "model": meta["model"], "api_key": TEST_KEY}
        self._recorded_as = {
            "recorded_against": "a real endpoint" if self.real
            else "the tests' scripted local server (tests/llm/scripted_server.py)",
            "base_url": canonical_url(str(values["base_url"])),
            "model": str(values["model"]),
        }
        values.update({"max_retries": 0, "timeout_s": 30, "retry_backoff_s": 0.01,
                       "retry_backoff_max_s": 0.05})
        values.update(overrides)
        return LLMSettings(**values)

    @contextlib.contextmanager
    def play(self, *, record_mode: str | None = None) -> Iterator[Any]:
        mode = record_mode or ("once" if RECORD else "none")
        recorder = make_vcr(self.path.parent, mode)
        with recorder.use_cassette(self.path.name) as cassette:
            if self.recording:
                for key, value in self._recorded_as.items():
                    cassette.get_metadata(key, value)
                if self._manifest is not None:
                    cassette.get_metadata("prompt_manifest", self._manifest)
            try:
                yield cassette
            except CannotOverwriteExistingCassetteException as exc:
                # our message replaces vcrpy's, whose advice (other record modes) is not ours
                raise pytest.fail.Exception(self.stale_message(exc), pytrace=False) from None

    def _changed_prompt_parts(self) -> list[str]:
        """'prompt review_system.j2 changed' for each part whose hash differs from the recording's."""
        if self._manifest is None or not self.path.exists():
            return []
        recorded = self.metadata().get("prompt_manifest") or {}
        return [
            f"prompt {name} changed (recorded {recorded.get(name)}, now {digest})"
            for name, digest in self._manifest.items()
            if recorded.get(name) != digest
        ]

    def stale_message(self, exc: CannotOverwriteExistingCassetteException) -> str:
        rel = self.path.relative_to(REPO) if self.path.is_relative_to(REPO) else self.path
        sent = _body(exc.failed_request)
        if exc.reason == "cassette_not_found":
            return (f"Cassette {rel} does not exist and tests only replay. Record it with:\n"
                    f"    {self.rerecord_command}")
        if exc.reason == "already_played":
            return (f"Cassette {rel}: the test sent more requests than were recorded "
                    f"(prompt {prompt_name(sent) or '?'!r}); the retry or re-ask behaviour changed. "
                    f"If that is intended, re-record with:\n    {self.rerecord_command}")
        candidates = [item[0] for item in exc.similar_requests] or list(exc.cassette.requests)
        recorded = _body(candidates[0]) if candidates else {}
        name = prompt_name(sent) or prompt_name(recorded) or "(unnamed: prompt-only request)"
        lines = self._changed_prompt_parts() + describe_change(recorded, sent)
        changes = "\n".join(f"  - {line}" for line in lines)
        return (
            f"Stale cassette {rel}: the request for prompt {name!r} is not the one recorded, "
            f"so its recorded answer cannot be replayed.\nWhat changed:\n{changes}\n"
            f"If the prompt change is intended, re-record the cassette with:\n"
            f"    {self.rerecord_command}"
        )


