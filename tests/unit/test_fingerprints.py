"""Content fingerprints: what makes a product "changed", and their compact encoding in state."""

from __future__ import annotations

import pytest

from tap_emag.fingerprints import Fingerprints, content_digest
from tap_emag.normalize import normalize_product


def test_content_hash_ignores_number_formatting_and_key_order_but_not_content():
    a = normalize_product({"id": 1, "sale_price": "121.8400", "name": "Lampa"})
    b = normalize_product({"name": "Lampa", "sale_price": "121.84", "id": 1})
    c = normalize_product({"id": 1, "sale_price": "121.85", "name": "Lampa"})
    assert content_digest(a) == content_digest(b)
    assert content_digest(a) != content_digest(c)


def test_bookmark_state_is_at_most_40_bytes_per_product_at_100k():
    fingerprints = Fingerprints(
        (4294967295 - 37 * n, content_digest({"id": n})) for n in range(100_000))
    encoded = fingerprints.encode()
    assert len(encoded) / 100_000 <= 40
    assert Fingerprints.decode(encoded) == fingerprints


@pytest.mark.parametrize("text", ["v2:AAAA", "v1:not-base64!", "v1:AAAA"])
def test_unreadable_bookmarks_are_rejected(text):
    with pytest.raises(ValueError):
        Fingerprints.decode(text)
