import os

import pytest
from hypothesis import settings

from coach.rubric import load_rubric

# In CI the property tests explore the same examples every run, so a submission never fails
# on a counterexample nobody has seen; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch):
    """A developer's own key or settings must never change a test's behaviour."""
    import os

    from coach.llm.settings import get_llm_settings

    for name in list(os.environ):
        if name.startswith(("OPENAI_", "OKR_COACH_")):
            monkeypatch.delenv(name, raising=False)
    get_llm_settings.cache_clear()
    yield
    get_llm_settings.cache_clear()


@pytest.fixture(scope="session")
def rubric():
    return load_rubric()


# Read at import: the autouse fixture above clears OKR_COACH_*.
REDIS_URL = os.environ.get("OKC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own on the local Redis (`redis_url`; its keys are
    deleted afterwards); skips, saying why, when Redis does not answer."""
    import secrets

    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    prefix = f"okc-test-{secrets.token_hex(6)}"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()
