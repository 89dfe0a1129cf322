"""Figures of the store for metrics: batches by status, their sets by status.

Two GROUP BY queries on indexed columns, run when metrics are scraped.
"""

from __future__ import annotations

from sqlalchemy import func, select

from .schema import BatchRow, BatchSetRow
from .store import Store


def batch_counts(store: Store) -> tuple[dict[str, int], dict[str, int]]:
    """(batches by status, batch sets by status) across every principal."""
    with store._connect() as conn:
        batches = conn.execute(select(BatchRow.status, func.count()).group_by(BatchRow.status))
        by_batch = {status: count for status, count in batches}
        sets = conn.execute(select(BatchSetRow.status, func.count()).group_by(BatchSetRow.status))
        by_set = {status: count for status, count in sets}
    return by_batch, by_set
