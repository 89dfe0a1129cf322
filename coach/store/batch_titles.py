"""A batch's title, changed by whoever made it: the same upload sent again with a new title
keeps the batch (nothing reviewed twice) and takes the new title.

(Apart from `batches.py`, which creates and runs batches: this only renames one.)
"""

from __future__ import annotations

from sqlalchemy import update

from .schema import BatchRow
from .store import Store

_b = BatchRow.__table__


def rename(store: Store, batch_id: str, principal: str, title: str) -> bool:
    """Give the principal's batch a new title; False when it has no such batch."""
    title = " ".join(title.split())[:200]
    if not title:
        return False
    with store._connect(write=True) as conn:
        done = conn.execute(
            update(_b).where(_b.c.id == batch_id, _b.c.principal == principal).values(title=title)
        )
        conn.commit()
    return done.rowcount == 1
