"""Settings from `OKR_COACH_*` environment variables (pydantic-settings).

Read through `get_settings()`, which is cached; tests override with
`get_settings.cache_clear()` after changing the environment, or pass a
`Settings` object explicitly. Per-request choices live in review options.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    # XDG on Linux, ~/.local/share otherwise: one place per user, nothing in the checkout.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "okr-coach"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OKR_COACH_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir, description="where the SQLite store lives")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/okr-coach.db"
    )

    # Limits of the service (bytes of a request body; items per OKR set).
    max_request_bytes: int = 256 * 1024
    max_objectives: int = 50
    max_key_results: int = 500
    # Requests per minute per API key (and per client address when no keys exist).
    rate_limit_per_minute: int = 600
    # The header an SSO proxy in front of the service sets to the signed-in user's name
    # (e.g. X-Forwarded-User). Off unless set (empty is off too): a client could send it
    # itself, so set it only when every request comes through a proxy that overwrites it.
    trusted_user_header: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]*$", max_length=100
    )

    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'okr-coach.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
