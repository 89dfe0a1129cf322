"""The batch queue: who stored each set's result, and (PostgreSQL) the job queue's tables.

`batch_sets.reviewed_by` names the worker that wrote a set's result, so an operator
(and the multi-process test) sees how a batch was shared. On PostgreSQL the tables,
functions and triggers of procrastinate, the job queue `okr-coach worker` runs, are
created from the installed procrastinate's own `schema.sql`, in the store's schema,
under the store's migration lock. pyproject pins procrastinate to one minor version:
moving to another means a new revision here applying its `sql/migrations/` files.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Dropped in this order on downgrade (with CASCADE for their triggers and indexes).
QUEUE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


def upgrade() -> None:
    op.add_column("batch_sets", sa.Column("reviewed_by", sa.String(64), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        schema = (resources.files("procrastinate.sql") / "schema.sql").read_text("utf-8")
        # The driver's own execute: no bind parameters, so the script runs as written.
        op.get_bind().connection.driver_connection.execute(schema)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in QUEUE_TABLES:
            op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        op.execute(
            """
            DO $$
            DECLARE f record;
            BEGIN
                FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                         WHERE p.proname LIKE 'procrastinate%'
                           AND p.pronamespace = current_schema()::regnamespace LOOP
                    EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE';
                END LOOP;
                FOR f IN SELECT t.typname AS sig FROM pg_type t
                         WHERE t.typname LIKE 'procrastinate%' AND t.typtype IN ('e', 'c')
                           AND t.typnamespace = current_schema()::regnamespace LOOP
                    EXECUTE 'DROP TYPE ' || quote_ident(f.sig) || ' CASCADE';
                END LOOP;
            END $$;
            """
        )
    op.drop_column("batch_sets", "reviewed_by")
