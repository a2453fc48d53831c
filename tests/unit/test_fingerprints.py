"""Content fingerprints: what makes a product "changed", and their compact encoding in state."""

from __future__ import annotations

import sys

import pytest

from tap_emag.fingerprints import SMALL_UPDATE, FingerprintLog, Fingerprints, content_digest
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


def _digest(n: int) -> bytes:
    return content_digest({"id": n})


def test_a_scan_log_sorts_keeps_the_first_of_a_repeat_and_compares_in_one_walk():
    log = FingerprintLog(window=3)
    for product_id in (30, 10, 20, 40, 50):
        assert not log.seen_recently(product_id)
        log.add(product_id, _digest(product_id))
    assert log.seen_recently(50) and not log.seen_recently(10)  # out of the window
    log.add(10, _digest(99))  # a repeat the window missed: the first one stays
    seen = log.finish()
    assert list(seen.ids()) == [10, 20, 30, 40, 50]
    assert seen.get(10) == _digest(10) and seen.get(11) is None and 10 in seen
    previous = Fingerprints((n, _digest(n)) for n in (5, 10, 25, 50, 60))
    assert previous.missing_from(seen) == [5, 25, 60]


@pytest.mark.parametrize("newer", [3, SMALL_UPDATE + 1])
def test_an_update_adds_and_replaces_entries_in_order(newer):
    base = Fingerprints((2 * n, _digest(n)) for n in range(20_000))
    update = Fingerprints((3 * n, _digest(-n)) for n in range(newer))
    merged = base.updated_with(update)
    expected = dict(base.items()) | dict(update.items())
    assert dict(merged.items()) == expected
    assert list(merged.ids()) == sorted(expected)


def test_a_million_fingerprints_take_12_bytes_each_in_memory():
    log = FingerprintLog()
    for n in range(1_000_000):
        log.add(n * 7 + 1, _FIXED)
    fingerprints = log.finish()
    held = sum(sys.getsizeof(part) for part in (fingerprints.ids(), *_digests(fingerprints)))
    assert held < 12.5 * 1_000_000
    assert Fingerprints.decode(fingerprints.encode()) == fingerprints


_FIXED = bytes(range(8))


def _digests(fingerprints: Fingerprints) -> tuple:
    return fingerprints._lo, fingerprints._hi


def test_a_scan_read_out_of_order_is_sorted_in_runs_keeping_the_first_of_a_repeat():
    log = FingerprintLog(window=1)
    ids = [(n * 7919) % 200_003 + 1 for n in range(200_000)]  # every id once, shuffled
    for product_id in ids:
        log.add(product_id, _digest(product_id))
    log.add(ids[0], _digest(-1))  # repeated far beyond the window
    seen = log.finish()
    assert list(seen.ids()) == sorted(ids)
    assert seen.get(ids[0]) == _digest(ids[0])
