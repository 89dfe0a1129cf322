"""The store: reviews (with permalinks), API keys and the LLM response cache.

One `Store` per process, shared by its threads. Every method opens a short
transaction; any failure of the database surfaces as `StoreError` (a clear
message, no driver traceback), a missing review or key as `NotFoundError`.

The tables are the typed mappings of `schema.py`; queries run as Core
statements on a connection, prepared once: the ORM session would triple the
cost of the per-request calls (`verify_key`, `save_review`, `get_review`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field
from pydantic_core import PydanticSerializationError
from sqlalchemy import Connection, Engine, bindparam, insert, select, text, update
from sqlalchemy.engine import URL, Row
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from ..config import Settings, get_settings
from ..errors import CoachError, NotFoundError, ParseError, StoreError
from ..models import Review
from . import keys as keymod
from . import principals
from .engine import READ, WRITE, Pool, display_url, make_engine, parse_url, upgrade
from .schema import ApiKeyRow, CacheRow, ReviewRow

log = logging.getLogger(__name__)

MAX_LIST = 1000
MAX_KEY_NAME = 200
MAX_IDEMPOTENCY_KEY = 255
MAX_CACHE_KEY = 255


class StoredReview(BaseModel):
    """A review as kept: its permalink id, when, the draft it was made from, its parent."""

    id: str
    created_at: datetime
    draft: str | None = None
    parent_id: str | None = None
    review: Review
    # Who asked (for the web layer's own checks); never part of a response body.
    api_key_id: str | None = Field(default=None, exclude=True)
    principal: str = Field(default=principals.ANONYMOUS, exclude=True)


class ApiKeyInfo(BaseModel):
    """What may be shown of an API key: never the secret, never its hash."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    prefix: str = Field(description="the first characters after okc_, for recognising a key")
    created_at: datetime
    revoked_at: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _now() -> datetime:
    return datetime.now(UTC)


def _storable(value: str) -> str:
    """Text every backend keeps: PostgreSQL refuses NUL, UTF-8 refuses lone surrogates.

    Either becomes U+FFFD, visibly; any other text is kept exactly.
    """
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    return value


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else None
    text_ = str(orig if orig is not None else exc).strip()
    first = text_.splitlines()[0] if text_ else type(exc).__name__
    return first[:300]


_reviews = ReviewRow.__table__
_keys = ApiKeyRow.__table__
_cache = CacheRow.__table__

_GET_REVIEW = select(_reviews).where(_reviews.c.id == bindparam("id"))
_GET_OWN_REVIEW = _GET_REVIEW.where(_reviews.c.principal == bindparam("principal"))
_REVIEW_EXISTS = select(_reviews.c.seq).where(_reviews.c.id == bindparam("id"))
_OWN_REVIEW_EXISTS = _REVIEW_EXISTS.where(_reviews.c.principal == bindparam("principal"))
_IDEMPOTENT_KEYED = select(_reviews).where(
    _reviews.c.api_key_id == bindparam("api_key_id"),
    _reviews.c.idempotency_key == bindparam("key"),
)
_IDEMPOTENT_ANON = select(_reviews).where(
    _reviews.c.api_key_id.is_(None), _reviews.c.idempotency_key == bindparam("key")
)
_LIST_REVIEWS = (
    select(_reviews)
    .order_by(_reviews.c.created_at.desc(), _reviews.c.seq.desc())
    .limit(bindparam("limit"))
)
_LIST_OWN_REVIEWS = _LIST_REVIEWS.where(_reviews.c.principal == bindparam("principal"))
_INSERT_REVIEW = insert(_reviews)
_KEY_BY_PREFIX = select(_keys).where(_keys.c.prefix == bindparam("prefix"))
_KEY_BY_ID = select(_keys).where(_keys.c.id == bindparam("id"))
_LIST_KEYS = select(_keys).order_by(_keys.c.created_at, _keys.c.id)
_ANY_ACTIVE = select(_keys.c.id).where(_keys.c.revoked_at.is_(None)).limit(1)
_INSERT_KEY = insert(_keys)
_REVOKE = (
    update(_keys)
    .where(_keys.c.id == bindparam("key_id"), _keys.c.revoked_at.is_(None))
    .values(revoked_at=bindparam("at"))
)
_CACHE_GET = select(_cache.c.value_json).where(_cache.c.key == bindparam("key"))


class Store:
    """Reviews, API keys and the LLM cache in one SQL database.

    `Store(url)` connects, creates the SQLite directory when needed and
    upgrades the schema to the newest migration (pass `migrate=False` to skip).
    """

    def __init__(self, url: str | URL, *, migrate: bool = True, pool: Pool | None = None):
        self.url = parse_url(url)
        self.display_url = display_url(self.url)
        try:
            self.engine: Engine = make_engine(self.url, pool)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data directory for {self.display_url}: {exc.strerror or exc}"
            ) from exc
        except SQLAlchemyError as exc:
            raise self._unavailable(exc) from exc
        except ImportError as exc:
            raise StoreError(f"no database driver for {self.display_url}: {exc}") from exc
        if migrate:
            try:
                with self._guard():
                    upgrade(self.engine)
            except StoreError:
                self.engine.dispose()
                raise

    # -- lifecycle --------------------------------------------------------

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.display_url!r})"

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()

    def ping(self) -> bool:
        """True when the database answers a query."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{READ: True}).execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            log.warning("store ping failed: %s", _reason(exc))
            return False
        return True

    # -- reviews ----------------------------------------------------------

    def save_review(
        self,
        review: Review,
        *,
        draft: str | None,
        parent_id: str | None = None,
        api_key_id: str | None = None,
        idempotency_key: str | None = None,
        principal: str | None = None,
    ) -> StoredReview:
        """Keep a review and return it with its new permalink id.

        With an `idempotency_key`, a second save under the same key (and API
        key) returns the review saved first instead of a new one. An unknown
        `parent_id` or `api_key_id` is a NotFoundError, and so is a parent that
        another principal made. `principal` defaults to the API key's
        (`key:<id>`), else `anonymous`.
        """
        if principal is None:
            principal = (
                principals.of_key(api_key_id) if api_key_id is not None else principals.ANONYMOUS
            )
        if not 0 < len(principal) <= principals.MAX_PRINCIPAL:
            raise CoachError(f"a principal has 1 to {principals.MAX_PRINCIPAL} characters")
        if idempotency_key is not None:
            if not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
                raise CoachError(f"an idempotency key has 1 to {MAX_IDEMPOTENCY_KEY} characters")
            idempotency_key = _storable(idempotency_key)
        try:
            review_json = review.model_dump_json()
        except PydanticSerializationError as exc:
            raise ParseError("the review contains text that cannot be stored") from exc
        values = {
            "id": keymod.new_id(),
            "created_at": _now(),
            "draft": None if draft is None else _storable(draft),
            "parent_id": parent_id,
            "api_key_id": api_key_id,
            "idempotency_key": idempotency_key,
            "principal": _storable(principal),
            "review_json": review_json,
        }
        with self._connect(write=True) as conn:
            if idempotency_key is not None:
                earlier = self._idempotent_row(conn, api_key_id, idempotency_key)
                if earlier is not None:
                    return _stored(earlier)
            if parent_id is not None and (
                conn.execute(
                    _OWN_REVIEW_EXISTS, {"id": parent_id, "principal": values["principal"]}
                ).first()
                is None
            ):
                # Someone else's review (or none): the same answer, so ids cannot be probed.
                raise NotFoundError(f"no review '{parent_id[:40]}' to be the parent of this one")
            try:
                conn.execute(_INSERT_REVIEW, values)
                conn.commit()
            except IntegrityError as exc:
                # The constraints did the checking; find out which one spoke.
                conn.rollback()
                return self._explain_refusal(conn, exc, values)
        return StoredReview(
            id=values["id"],
            created_at=values["created_at"],
            draft=values["draft"],
            parent_id=parent_id,
            review=review,
            api_key_id=api_key_id,
            principal=values["principal"],
        )

    def get_review(self, review_id: str, *, principal: str | None = None) -> StoredReview:
        """The review with this id; with a `principal`, only if that principal made it
        (another's is a NotFoundError, exactly as a missing one). Every request of the
        web layer passes one; None is for the operator's own tools."""
        if 0 < len(review_id) <= 32:
            with self._connect() as conn:
                if principal is None:
                    row = conn.execute(_GET_REVIEW, {"id": review_id}).first()
                else:
                    row = conn.execute(
                        _GET_OWN_REVIEW, {"id": review_id, "principal": principal}
                    ).first()
            if row is not None:
                return _stored(row)
        raise NotFoundError(f"no review '{review_id[:40]}'")

    def find_idempotent(self, api_key_id: str | None, key: str) -> StoredReview | None:
        """The review an earlier request with this Idempotency-Key (and API key) saved."""
        with self._connect() as conn:
            row = self._idempotent_row(conn, api_key_id, _storable(key))
        return None if row is None else _stored(row)

    def list_reviews(self, limit: int = 50, *, principal: str | None = None) -> list[StoredReview]:
        """The newest reviews first; with a `principal`, only the ones it made."""
        limit = max(0, min(limit, MAX_LIST))
        with self._connect() as conn:
            if principal is None:
                rows = conn.execute(_LIST_REVIEWS, {"limit": limit}).all()
            else:
                rows = conn.execute(
                    _LIST_OWN_REVIEWS, {"limit": limit, "principal": principal}
                ).all()
        return [_stored(row) for row in rows]

    # -- API keys ---------------------------------------------------------

    def create_key(self, name: str) -> tuple[ApiKeyInfo, str]:
        """A new active key and its secret. The secret is not kept: show it once."""
        name = " ".join(_storable(name).split())
        if not 0 < len(name) <= MAX_KEY_NAME:
            raise CoachError(f"a key name has 1 to {MAX_KEY_NAME} characters")
        for _attempt in range(5):
            secret = keymod.new_secret()
            prefix = keymod.prefix_of(secret)
            assert prefix is not None
            values = {
                "id": keymod.new_id(),
                "name": name,
                "prefix": prefix,
                "secret_hash": keymod.hash_secret(secret),
                "created_at": _now(),
                "revoked_at": None,
            }
            with self._connect(write=True) as conn:
                try:
                    conn.execute(_INSERT_KEY, values)
                    conn.commit()
                except IntegrityError:
                    conn.rollback()  # a prefix (48 random bits) taken already: draw again
                    continue
            return _key_info(values), secret
        raise StoreError("could not draw an unused API key prefix; try again")

    def list_keys(self) -> list[ApiKeyInfo]:
        with self._connect() as conn:
            return [_key_info(row._mapping) for row in conn.execute(_LIST_KEYS)]

    def revoke_key(self, key_id_or_prefix: str) -> ApiKeyInfo:
        """Revoke a key by its id or its prefix (`okc_` optional). Revoking twice is harmless."""
        ref = key_id_or_prefix.strip()
        bare = ref.removeprefix(keymod.SCHEME)
        with self._connect(write=True) as conn:
            row = conn.execute(_KEY_BY_ID, {"id": ref}).first() if 0 < len(ref) <= 32 else None
            if row is None and len(bare) == keymod.PREFIX_CHARS:
                row = conn.execute(_KEY_BY_PREFIX, {"prefix": bare}).first()
            elif row is None and (prefix := keymod.prefix_of(ref)) is not None:
                # The whole secret: accepted only when it is the key's own.
                row = conn.execute(_KEY_BY_PREFIX, {"prefix": prefix}).first()
                if row is not None and not keymod.matches(ref, row.secret_hash):
                    row = None
            if row is None:
                raise NotFoundError(f"no API key with id or prefix '{ref[:40]}'")
            values = dict(row._mapping)
            if values["revoked_at"] is None:
                values["revoked_at"] = _now()
                conn.execute(_REVOKE, {"key_id": values["id"], "at": values["revoked_at"]})
                conn.commit()
        return _key_info(values)

    def get_key(self, key_id: str) -> ApiKeyInfo | None:
        """The key with this id, active or revoked; None when there is none."""
        if not 0 < len(key_id) <= 32:
            return None
        with self._connect() as conn:
            row = conn.execute(_KEY_BY_ID, {"id": key_id}).first()
        return None if row is None else _key_info(row._mapping)

    def any_active_keys(self) -> bool:
        with self._connect() as conn:
            return conn.execute(_ANY_ACTIVE).first() is not None

    def verify_key(self, secret: str) -> ApiKeyInfo | None:
        """The active key this secret belongs to; None for anything else."""
        prefix = keymod.prefix_of(secret)
        if prefix is None:
            return None
        with self._connect() as conn:
            row = conn.execute(_KEY_BY_PREFIX, {"prefix": prefix}).first()
        if row is None or not keymod.matches(secret, row.secret_hash):
            return None
        if row.revoked_at is not None:
            return None
        return _key_info(row._mapping)

    # -- LLM response cache -----------------------------------------------

    def cache_get(self, key: str) -> dict[str, Any] | None:
        with self._connect() as conn:
            value = conn.execute(_CACHE_GET, {"key": _cache_key(key)}).scalar()
        return None if value is None else json.loads(value)

    def cache_put(self, key: str, value: dict[str, Any]) -> None:
        values = {
            "key": _cache_key(key),
            "value_json": json.dumps(value, ensure_ascii=False, separators=(",", ":")),
            "created_at": _now(),
        }
        with self._connect(write=True) as conn:
            dialect = conn.dialect.name
            if dialect in ("sqlite", "postgresql"):
                if dialect == "sqlite":
                    from sqlalchemy.dialects.sqlite import insert as upsert
                else:
                    from sqlalchemy.dialects.postgresql import insert as upsert
                stmt = upsert(_cache)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[_cache.c.key],
                    set_={
                        "value_json": stmt.excluded.value_json,
                        "created_at": stmt.excluded.created_at,
                    },
                )
                conn.execute(stmt, values)
            else:
                deleted = _cache.delete().where(_cache.c.key == values["key"])
                conn.execute(deleted)
                conn.execute(insert(_cache), values)
            conn.commit()

    # -- internals --------------------------------------------------------

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Connection]:
        """A connection in a transaction: on SQLite, BEGIN IMMEDIATE for writes and
        no BEGIN at all for reads (each is one statement, consistent on its own)."""
        with self._guard(), self.engine.connect() as conn:
            conn.execution_options(**{WRITE if write else READ: True})
            yield conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: BaseException) -> StoreError:
        log.debug("store error on %s", self.display_url, exc_info=exc)
        return StoreError(f"the store at {self.display_url} is unavailable: {_reason(exc)}")

    @staticmethod
    def _idempotent_row(conn: Connection, api_key_id: str | None, key: str) -> Row | None:
        if api_key_id is None:
            return conn.execute(_IDEMPOTENT_ANON, {"key": key}).first()
        return conn.execute(_IDEMPOTENT_KEYED, {"api_key_id": api_key_id, "key": key}).first()

    def _explain_refusal(
        self, conn: Connection, exc: IntegrityError, values: dict[str, Any]
    ) -> StoredReview:
        """After an insert broke a constraint: the earlier review of a retried
        request (it won a race), or the reference that does not exist."""
        if values["idempotency_key"] is not None:
            earlier = self._idempotent_row(conn, values["api_key_id"], values["idempotency_key"])
            if earlier is not None:
                return _stored(earlier)
        parent_id = values["parent_id"]
        if (
            parent_id is not None
            and conn.execute(_REVIEW_EXISTS, {"id": parent_id}).first() is None
        ):
            raise NotFoundError(f"no review '{parent_id[:40]}' to be the parent of this one")
        key_id = values["api_key_id"]
        if key_id is not None and conn.execute(_KEY_BY_ID, {"id": key_id}).first() is None:
            raise NotFoundError(f"no API key '{key_id[:40]}'")
        raise exc


def _stored(row: Row) -> StoredReview:
    try:
        review = Review.model_validate_json(row.review_json)
    except ValidationError as exc:
        raise StoreError(
            f"review '{row.id}' was stored in a form this okr-coach cannot read "
            f"({exc.error_count()} validation errors)"
        ) from exc
    return StoredReview(
        id=row.id,
        created_at=row.created_at,
        draft=row.draft,
        parent_id=row.parent_id,
        review=review,
        api_key_id=row.api_key_id,
        principal=row.principal,
    )


def _key_info(row: Any) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


def _cache_key(key: str) -> str:
    if len(key) <= MAX_CACHE_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def open_store(settings: Settings | None = None, *, migrate: bool = True) -> Store:
    """The store the settings point at (`OKR_COACH_DATABASE_URL`, else SQLite in the data dir)."""
    settings = settings or get_settings()
    pool = Pool(settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout)
    return Store(settings.sqlalchemy_url(), migrate=migrate, pool=pool)
