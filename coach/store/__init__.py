"""The persistent store: reviews with permalinks, API keys, the LLM response cache.

SQLAlchemy 2 over SQLite (default: `<data_dir>/okr-coach.db`) or PostgreSQL
(`OKR_COACH_DATABASE_URL=postgresql+psycopg://...`); the schema is managed by
the Alembic migrations in `coach/store/migrations/`, applied on open.

    from coach.store import open_store
    store = open_store(settings)          # or Store(url)
    saved = store.save_review(review, draft=text)
    store.get_review(saved.id)
"""

from __future__ import annotations

from .store import ApiKeyInfo, Store, StoredReview, open_store

__all__ = ["ApiKeyInfo", "Store", "StoredReview", "open_store"]
