"""Who made each review and batch: a `principal` column, filled in for the rows kept so far.

Rows made with an API key become `key:<id>`; the others `anonymous`. Added with
ALTER TABLE ... ADD COLUMN (a constant default), so SQLite needs no table copy.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("reviews", "batches")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column(
                "principal", sa.String(255), nullable=False, server_default=sa.text("'anonymous'")
            ),
        )
        op.execute(
            f"UPDATE {table} SET principal = 'key:' || api_key_id WHERE api_key_id IS NOT NULL"
        )
        op.create_index(f"ix_{table}_principal_created_at", table, ["principal", "created_at"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_principal_created_at", table_name=table)
        # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch-mode table copy would
        # drop `reviews` with foreign keys on, and its ON DELETE SET NULL would clear parent_id.
        op.drop_column(table, "principal")
