"""Reviews, API keys and the LLM response cache.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# A migration is a frozen snapshot: it spells out its types instead of importing the models.
Timestamp = sa.DateTime(timezone=True)
Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ANONYMOUS = "api_key_id IS NULL AND idempotency_key IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("revoked_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )
    op.create_table(
        "reviews",
        sa.Column("seq", Seq, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.String(32), nullable=True),
        sa.Column("api_key_id", sa.String(32), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("review_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_reviews"),
        sa.UniqueConstraint("id", name="uq_reviews_id"),
        sa.UniqueConstraint("api_key_id", "idempotency_key", name="uq_reviews_api_key_idempotency"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["reviews.id"], name="fk_reviews_parent_id_reviews", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name="fk_reviews_api_key_id_api_keys",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_reviews_created_at", "reviews", ["created_at"])
    op.create_index(
        "uq_reviews_anonymous_idempotency",
        "reviews",
        ["idempotency_key"],
        unique=True,
        sqlite_where=sa.text(ANONYMOUS),
        postgresql_where=sa.text(ANONYMOUS),
    )
    op.create_table(
        "llm_cache",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_llm_cache"),
    )


def downgrade() -> None:
    op.drop_table("llm_cache")
    op.drop_index("uq_reviews_anonymous_idempotency", table_name="reviews")
    op.drop_index("ix_reviews_created_at", table_name="reviews")
    op.drop_table("reviews")
    op.drop_table("api_keys")
