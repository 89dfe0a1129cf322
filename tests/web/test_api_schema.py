"""schemathesis against the app's own OpenAPI document: no input it can derive gets a 5xx.

Hermetic: the app's store lives in a temporary directory of this module.
Bounded: a fixed number of examples per operation, derandomized, no deadline.
(`schemathesis.pytest.from_fixture` does not run on pytest 9, so the app is
built at import and given its store by a fixture.)
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from coach.config import Settings
from coach.store import Store
from coach.web.app import create_app

EXAMPLES_PER_OPERATION = 75

_DEFAULTS = {name: Settings.model_fields[name].default for name in (
    "max_request_bytes", "max_objectives", "max_key_results", "database_url"
)}  # fmt: skip
# Built at import, before the hermetic-environment fixture: every setting is given here.
APP = create_app(
    Settings(
        # A directory of this run's own: schemathesis starts the app's lifespan, which opens
        # (and migrates) the store there; a fixed path is shared by every checkout on the
        # machine, and one migrated by another branch refuses this one.
        data_dir=Path(tempfile.mkdtemp(prefix="okr-coach-schemathesis-")),
        rate_limit_per_minute=1_000_000,
        **_DEFAULTS,
    ),
    store=None,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the TestClient's nudge towards httpx2
    schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _store(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("schemathesis-data")
    with Store(Settings(data_dir=data_dir).sqlalchemy_url()) as store:
        APP.state.store = store
        try:
            yield store
        finally:
            APP.state.store = None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_no_input_makes_a_server_error(case):
    case.call_and_validate(checks=[not_a_server_error])


def test_the_schema_covers_every_v1_operation():
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert {
        ("POST", "/v1/reviews"),
        ("GET", "/v1/reviews/{review_id}"),
        ("GET", "/v1/rules"),
        ("GET", "/v1/rules/{rule_id}"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
    } <= operations
