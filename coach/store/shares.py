"""Share links: a coach's unguessable, revocable link to one owner's feedback page.

The token (192 random bits) is shown once, when the link is made; only its SHA-256 is
kept. A link opens its page while it is not revoked and while its maker could still open
the batch: revoking the maker's key, or the first key made in a service that was open,
ends every link they made, as it ends their sessions (coach.web.access).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from .schema import ShareLinkRow
from .store import Store

_l = ShareLinkRow.__table__


@dataclass(frozen=True)
class ShareLink:
    batch_id: str
    owner_id: str
    principal: str
    created_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ShareStore:
    def __init__(self, store: Store):
        self.store = store

    def create(self, batch_id: str, owner_id: str, principal: str) -> str:
        """A new link's token (shown once)."""
        token = secrets.token_urlsafe(24)
        with self.store._connect(write=True) as conn:
            conn.execute(
                insert(_l).values(
                    token_hash=_hash(token), batch_id=batch_id, owner_id=owner_id,
                    principal=principal, created_at=datetime.now(UTC),
                )
            )  # fmt: skip
            conn.commit()
        return token

    def find(self, token: str) -> ShareLink | None:
        """The live link of this token; None for an unknown or revoked one."""
        if not 20 <= len(token) <= 64:
            return None
        with self.store._connect() as conn:
            row = conn.execute(
                select(_l).where(_l.c.token_hash == _hash(token), _l.c.revoked_at.is_(None))
            ).first()
        if row is None:
            return None
        return ShareLink(row.batch_id, row.owner_id, row.principal, row.created_at)

    def live(self, batch_id: str, owner_id: str, principal: str) -> int:
        """How many live links the principal has made to this owner's page."""
        with self.store._connect() as conn:
            return len(
                conn.execute(
                    select(_l.c.token_hash).where(
                        _l.c.batch_id == batch_id, _l.c.owner_id == owner_id,
                        _l.c.principal == principal, _l.c.revoked_at.is_(None),
                    )
                ).all()
            )  # fmt: skip

    def revoke(self, batch_id: str, owner_id: str, principal: str) -> int:
        """Revoke every live link the principal made to this owner's page; how many."""
        with self.store._connect(write=True) as conn:
            done = conn.execute(
                update(_l)
                .where(
                    _l.c.batch_id == batch_id, _l.c.owner_id == owner_id,
                    _l.c.principal == principal, _l.c.revoked_at.is_(None),
                )
                .values(revoked_at=datetime.now(UTC))
            )  # fmt: skip
            conn.commit()
        return done.rowcount
