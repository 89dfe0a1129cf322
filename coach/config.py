"""Settings from `OKR_COACH_*` environment variables (pydantic-settings).

Read through `get_settings()`, which is cached; tests override with
`get_settings.cache_clear()` after changing the environment, or pass a
`Settings` object explicitly. Per-request choices live in review options.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
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

    # Shared state of several processes or replicas: rate limits and the model budget
    # (unset: each process keeps its own, in memory). Keys start with `redis_prefix`.
    redis_url: str | None = Field(default=None, pattern=r"^(rediss?://.+)?$")
    redis_prefix: str = Field(default="okr-coach", pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    # Signs form tokens and sessions. Set the same value on every replica (at least 32
    # characters, e.g. `python -c "import secrets; print(secrets.token_urlsafe(32))"`);
    # unset, a random secret is kept in <data_dir>/csrf-secret (one machine).
    secret_key: SecretStr | None = Field(default=None, min_length=32)
    # Proxies whose X-Forwarded-For / -Proto are believed (comma-separated addresses or
    # networks, "*" for any): uvicorn's ProxyHeadersMiddleware. Anyone else's are ignored.
    forwarded_allow_ips: str = "127.0.0.1"
    # Needed to scrape /metrics once the service is private (Authorization: Bearer <token>).
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    # One JSON line per request on stderr from `okr-coach serve` (with its X-Request-ID).
    access_log: bool = True
    # PostgreSQL connections per process: kept open, extra under load, seconds to wait for one.
    db_pool_size: int = Field(default=5, ge=1, le=1000)
    db_max_overflow: int = Field(default=10, ge=0, le=1000)
    db_pool_timeout: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("redis_url", "secret_key", "metrics_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _addresses(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return value

    def secret_bytes(self) -> bytes | None:
        """The configured secret as 32 key bytes; None when unset (the file is used)."""
        if self.secret_key is None:
            return None
        material = self.secret_key.get_secret_value().encode()
        return hashlib.sha256(b"okr-coach secret key v1|" + material).digest()

    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'okr-coach.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
