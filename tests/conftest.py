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
