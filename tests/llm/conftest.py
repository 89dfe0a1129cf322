"""Fixtures of the LLM client tests: a hermetic environment, the scripted
OpenAI-compatible server, and one vcrpy cassette per test (llm_cassettes.py,
cassettes/README.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from llm_cassettes import CASSETTES, REAL_ENDPOINT, RECORD, Cassette
from llm_fakes import TEST_ORG, TEST_PROJECT, scripted_settings
from scripted_server import ScriptedServer

from coach.llm import OpenAICompatibleClient


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scripted_only: the cassette needs the scripted server's failures (429, 5xx, ...)"
    )


@pytest.fixture(autouse=True)
def _hermetic_llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own key or settings must never reach a test or a cassette."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "OKR_COACH_")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def client_for(scripted: ScriptedServer) -> Callable[..., OpenAICompatibleClient]:
    """`client_for(capability="tools", max_retries=2)`: a client of the scripted server."""

    def make(**overrides: Any) -> OpenAICompatibleClient:
        return OpenAICompatibleClient(scripted_settings(scripted, **overrides))

    return make


@pytest.fixture
def cassette(request: pytest.FixtureRequest) -> Iterator[Cassette]:
    """The cassette named after the test: tests/llm/cassettes/<test name>.yaml."""
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "-")
    servers: list[ScriptedServer] = []

    def server_factory() -> ScriptedServer:
        server = ScriptedServer().start()
        servers.append(server)
        return server

    with pytest.MonkeyPatch.context() as mp:
        if not REAL_ENDPOINT:
            # Headers a recording must drop: organisation and project ids (the SDK sends them).
            mp.setenv("OPENAI_ORG_ID", TEST_ORG)
            mp.setenv("OPENAI_PROJECT_ID", TEST_PROJECT)
        try:
            yield Cassette(
                CASSETTES / f"{name}.yaml",
                request.node.nodeid,
                scripted_only=request.node.get_closest_marker("scripted_only") is not None,
                record=RECORD,
                real=REAL_ENDPOINT,
                server_factory=server_factory,
            )
        finally:
            for server in servers:
                server.stop()
