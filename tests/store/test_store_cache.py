"""The LLM response cache: a key to a JSON document."""

from __future__ import annotations


def test_get_put_overwrite(store):
    assert store.cache_get("sha256:abc") is None
    value = {"findings": [{"rule_id": "KR01", "score": 0.5}], "model": "m", "text": "é ✓ 日本"}
    store.cache_put("sha256:abc", value)
    assert store.cache_get("sha256:abc") == value
    store.cache_put("sha256:abc", {"v": 2})
    assert store.cache_get("sha256:abc") == {"v": 2}
    assert store.cache_get("sha256:abd") is None


def test_long_keys_are_distinct(store):
    long_a, long_b = "a" * 1000, "a" * 999 + "b"
    store.cache_put(long_a, {"which": "a"})
    store.cache_put(long_b, {"which": "b"})
    assert store.cache_get(long_a) == {"which": "a"}
    assert store.cache_get(long_b) == {"which": "b"}
