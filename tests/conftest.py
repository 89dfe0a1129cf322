import pytest

from coach.rubric import load_rubric


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch):
    """A developer's own key or settings must never change a test's behaviour."""
    import os

    for name in list(os.environ):
        if name.startswith(("OPENAI_", "OKR_COACH_")):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def rubric():
    return load_rubric()
