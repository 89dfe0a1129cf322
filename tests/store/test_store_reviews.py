"""Reviews: kept exactly, linked to their parent, listed newest first, idempotent."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from coach.errors import NotFoundError
from coach.models import Review
from coach.pipeline import review as run_review


def test_review_round_trips_exactly(store, sample_review):
    draft = "Objective: Délight our customers 🚀\n- KR: Launch new customer portal\n"
    before = datetime.now(UTC)
    saved = store.save_review(sample_review, draft=draft)
    loaded = store.get_review(saved.id)
    assert loaded.review == sample_review
    assert loaded.review.model_dump_json() == sample_review.model_dump_json()
    assert loaded.draft == draft
    assert loaded.parent_id is None
    assert loaded.id == saved.id
    assert loaded.created_at == saved.created_at
    assert loaded.created_at.tzinfo is not None and loaded.created_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= loaded.created_at <= datetime.now(UTC)


def test_review_of_a_unicode_draft_round_trips(store):
    draft = "Objective: Reach 日本 customers — “quoted” ✓\n- KR: Increase NPS from 20 to 40\n"
    review = run_review(draft)
    loaded = store.get_review(store.save_review(review, draft=draft).id)
    assert loaded.review == review and loaded.draft == draft


def test_ids_are_random_and_url_safe(store, sample_review):
    ids = {store.save_review(sample_review, draft=None).id for _ in range(20)}
    assert len(ids) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", i) for i in ids)


def test_draft_may_be_absent_and_odd_characters_are_kept_visible(store, sample_review):
    assert store.get_review(store.save_review(sample_review, draft=None).id).draft is None
    saved = store.save_review(sample_review, draft="a\x00b \ud800c")
    assert store.get_review(saved.id).draft == "a\ufffdb \ufffdc"


def test_parent_links(store, sample_review):
    first = store.save_review(sample_review, draft="v1")
    second = store.save_review(sample_review, draft="v2", parent_id=first.id)
    third = store.save_review(sample_review, draft="v3", parent_id=second.id)
    assert store.get_review(third.id).parent_id == second.id
    assert store.get_review(second.id).parent_id == first.id
    with pytest.raises(NotFoundError, match="parent"):
        store.save_review(sample_review, draft="v?", parent_id="doesnotexist")


def test_unknown_review_is_not_found(store):
    for review_id in ("nope", "", "x" * 500, "'; DROP TABLE reviews; --"):
        with pytest.raises(NotFoundError) as info:
            store.get_review(review_id)
        assert info.value.status == 404 and info.value.kind == "not-found"


def test_list_is_newest_first_and_limited(store, sample_review):
    assert store.list_reviews() == []
    ids = [store.save_review(sample_review, draft=f"v{i}").id for i in range(6)]
    listed = store.list_reviews()
    assert [r.id for r in listed] == ids[::-1]
    assert [r.id for r in store.list_reviews(limit=2)] == ids[:-3:-1]
    assert all(isinstance(r.review, Review) for r in listed)
    assert store.list_reviews(limit=0) == []


def test_api_key_id_is_kept_but_never_dumped(store, sample_review):
    key, _ = store.create_key("bot")
    saved = store.save_review(sample_review, draft="x", api_key_id=key.id)
    loaded = store.get_review(saved.id)
    assert loaded.api_key_id == key.id
    assert "api_key_id" not in loaded.model_dump() and key.id not in loaded.model_dump_json()


def test_idempotency_returns_the_earlier_review(store, sample_review):
    key, _ = store.create_key("bot")
    other, _ = store.create_key("other")
    first = store.save_review(sample_review, draft="a", api_key_id=key.id, idempotency_key="k1")
    again = store.save_review(sample_review, draft="b", api_key_id=key.id, idempotency_key="k1")
    assert again.id == first.id and again.draft == "a"
    assert store.find_idempotent(key.id, "k1").id == first.id
    # The same Idempotency-Key under another API key, or none, is another request.
    assert store.find_idempotent(other.id, "k1") is None
    assert store.find_idempotent(None, "k1") is None
    theirs = store.save_review(sample_review, draft="c", api_key_id=other.id, idempotency_key="k1")
    anon = store.save_review(sample_review, draft="d", idempotency_key="k1")
    assert len({first.id, theirs.id, anon.id}) == 3
    assert store.save_review(sample_review, draft="e", idempotency_key="k1").id == anon.id
    assert store.find_idempotent(None, "k1").id == anon.id
    assert store.find_idempotent(key.id, "k2") is None
    assert len(store.list_reviews()) == 3


def test_a_review_this_version_cannot_read_is_a_store_error(store, sample_review):
    from sqlalchemy import text

    from coach.errors import StoreError

    saved = store.save_review(sample_review, draft="x")
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE reviews SET review_json = '{\"old\": 1}' WHERE id = :id"), {"id": saved.id}
        )
    with pytest.raises(StoreError, match="cannot read"):
        store.get_review(saved.id)
