"""Share links: one owner's feedback page, readable through an unguessable, revocable link.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "share_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.String(16), nullable=False),
        sa.Column("principal", sa.String(255), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("revoked_at", Timestamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name="fk_share_links_batch_id_batches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_share_links"),
    )
    op.create_index(
        "ix_share_links_batch_id_owner_id", "share_links", ["batch_id", "owner_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_share_links_batch_id_owner_id", table_name="share_links")
    op.drop_table("share_links")
