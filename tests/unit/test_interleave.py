"""Interleaving per-account producers: order within a producer, errors, early stop."""

from __future__ import annotations

import threading
import time

import pytest

from tap_emag.interleave import Finished, interleave


def _producer(name: str, count: int, delay: float = 0.0):
    def produce(emit):
        for n in range(count):
            emit({"account": name, "n": n})
            time.sleep(delay)
        return f"{name} done"
    return produce


def test_each_producers_order_is_kept_and_each_finishes_once():
    items = list(interleave({"main": _producer("main", 300, 0.0005),
                             "fbe": _producer("fbe", 200, 0.0005)}, buffer=10))
    records = [i for i in items if not isinstance(i, Finished)]
    for name, count in (("main", 300), ("fbe", 200)):
        assert [r["n"] for r in records if r["account"] == name] == list(range(count))
    finished = {i.name: i.result for i in items if isinstance(i, Finished)}
    assert finished == {"main": "main done", "fbe": "fbe done"}
    accounts_in_order = [r["account"] for r in records]
    last_main = len(accounts_in_order) - 1 - accounts_in_order[::-1].index("main")
    assert accounts_in_order.index("fbe") < last_main  # the producers ran at the same time


def test_an_error_ends_only_its_producer():
    def broken(emit):
        emit({"account": "fbe", "n": 0})
        raise RuntimeError("fbe broke")

    items = list(interleave({"main": _producer("main", 50), "fbe": broken}))
    finished = {i.name: i for i in items if isinstance(i, Finished)}
    assert str(finished["fbe"].error) == "fbe broke"
    assert finished["main"].result == "main done"
    assert sum(1 for i in items if not isinstance(i, Finished) and i["account"] == "main") == 50


def test_stopping_early_releases_the_producers():
    before = threading.active_count()
    stream = interleave({"main": _producer("main", 10_000)}, buffer=5)
    assert next(stream)["n"] == 0
    stream.close()
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == before


@pytest.mark.parametrize("buffer", [1, 3])
def test_a_small_buffer_still_delivers_everything(buffer):
    items = list(interleave({"a": _producer("a", 40), "b": _producer("b", 40)}, buffer=buffer))
    assert sum(1 for i in items if not isinstance(i, Finished)) == 80
