"""The tables of the store, as typed SQLAlchemy 2 mappings.

The schema itself is created and changed only by the Alembic migrations in
`coach/store/migrations/versions/`; these classes describe it for queries, and
a test checks that the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are written and read as aware UTC datetimes on every backend.

    SQLite keeps no zone (naive text); PostgreSQL's timestamptz answers in the
    session's zone. Both come back as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# SQLite aliases the rowid only for a column typed exactly INTEGER.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What these classes describe, for Alembic's comparisons: not the job queue's
    tables, which are procrastinate's own (migration 0004)."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The first characters of the secret after `okc_`: shown in listings, used for lookup.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    # Hex SHA-256 of the whole secret. The secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ReviewRow(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        # A retried POST with the same Idempotency-Key under the same API key ...
        UniqueConstraint("api_key_id", "idempotency_key", name="uq_reviews_api_key_idempotency"),
        # ... and the same without a key (NULLs never collide in a unique constraint).
        Index(
            "uq_reviews_anonymous_idempotency",
            "idempotency_key",
            unique=True,
            sqlite_where=text("api_key_id IS NULL AND idempotency_key IS NOT NULL"),
            postgresql_where=text("api_key_id IS NULL AND idempotency_key IS NOT NULL"),
        ),
        Index("ix_reviews_created_at", "created_at"),
        Index("ix_reviews_principal_created_at", "principal", "created_at"),
    )

    # Insertion order, a tie-breaker for reviews created in the same instant.
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    # The public, unguessable id of the permalink.
    id: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    draft: Mapped[str | None] = mapped_column(Text, nullable=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("reviews.id", ondelete="SET NULL"), nullable=True
    )
    api_key_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("api_keys.id", ondelete="SET NULL"), nullable=True
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # Who made it (`coach.store.principals`): only that principal reads it back.
    principal: Mapped[str] = mapped_column(String(255), server_default=text("'anonymous'"))
    # `Review.model_dump_json()`; text, so it round-trips byte for byte.
    review_json: Mapped[str] = mapped_column(Text)


class CacheRow(Base):
    """The LLM response cache: a key (a digest of the request) to a JSON document."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BatchRow(Base):
    """A batch review: its input files' report, options and state; its sets are `BatchSetRow`s."""

    __tablename__ = "batches"
    __table_args__ = (
        Index("ix_batches_digest", "digest"),
        Index("ix_batches_created_at", "created_at"),
        Index("ix_batches_principal_created_at", "principal", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # queued (nothing reviewed yet) -> running -> done (every set done or failed)
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    # SHA-256 of the uploaded files and the options: the same upload is recognised.
    digest: Mapped[str] = mapped_column(String(64))
    # Who uploaded it; no foreign key, so that keys and batches are kept apart.
    api_key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Who made it (`coach.store.principals`): only that principal reads it back.
    principal: Mapped[str] = mapped_column(String(255), server_default=text("'anonymous'"))
    options_json: Mapped[str] = mapped_column(Text)
    inputs_json: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer)


class BatchSetRow(Base):
    """One OKR set of a batch and, once reviewed, its Review JSON (or why it failed)."""

    __tablename__ = "batch_sets"
    __table_args__ = (Index("ix_batch_sets_batch_id_status", "batch_id", "status"),)

    batch_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))
    draft: Mapped[str] = mapped_column(Text)
    # pending -> done | failed; a result is written only over `pending`, so never twice.
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    # The runner holding the set, until when; after a failed try, when it may be tried again.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claim_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    review_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A fresh id per stored result: a set reviewed twice would show two different ones.
    result_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The runner or queue worker that stored the result.
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ShareLinkRow(Base):
    """A link a coach shares so that one owner reads their own feedback page without a key.

    Only a hash of the token is kept; revoking sets `revoked_at` (the row stays, so a
    revoked link answers exactly like one that never existed)."""

    __tablename__ = "share_links"
    __table_args__ = (Index("ix_share_links_batch_id_owner_id", "batch_id", "owner_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    batch_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("batches.id", ondelete="CASCADE")
    )
    # The owner within the batch (`coach.batch.owner_page.owner_id`: team and owner, hashed).
    owner_id: Mapped[str] = mapped_column(String(16))
    # Who made the link: the batch's principal; the link dies with that principal's access.
    principal: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
