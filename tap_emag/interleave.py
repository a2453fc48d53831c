"""Run one producer per account in its own thread and hand their records over in one stream.

Singer output is one stream of lines, but records carry their account, so the accounts'
records may interleave: each account keeps its own page order, and two accounts with separate
rate budgets take as long as the slower one instead of the sum. A bounded queue keeps memory
flat: a producer waits while the writer is behind.
"""

from __future__ import annotations

import queue
import threading
import typing as t
from dataclasses import dataclass

Emit = t.Callable[[dict[str, t.Any]], None]
Producer = t.Callable[[Emit], t.Any]
T = t.TypeVar("T")


class Cancelled(Exception):
    """Raised inside a producer when the consumer stopped reading."""


@dataclass(frozen=True)
class Finished:
    """A producer's end: its return value, or the exception that ended it."""

    name: str
    result: t.Any = None
    error: BaseException | None = None


def interleave(producers: t.Mapping[str, Producer],
               buffer: int = 2000) -> t.Iterator[dict[str, t.Any] | Finished]:
    """Yield the producers' records as they come, and one Finished per producer."""
    items: queue.Queue[dict[str, t.Any] | Finished] = queue.Queue(maxsize=buffer)
    stop = threading.Event()

    def put(item: dict[str, t.Any] | Finished) -> None:
        while True:
            if stop.is_set():
                raise Cancelled
            try:
                items.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def work(name: str, producer: Producer) -> None:
        try:
            result = producer(put)
        except Cancelled:
            return
        except BaseException as exc:
            finished = Finished(name, error=exc)
        else:
            finished = Finished(name, result=result)
        try:
            put(finished)
        except Cancelled:
            return

    threads = [threading.Thread(target=work, args=(name, producer), name=f"scan-{name}",
                                daemon=True)
               for name, producer in producers.items()]
    for thread in threads:
        thread.start()
    remaining = len(threads)
    try:
        while remaining:
            item = items.get()
            if isinstance(item, Finished):
                remaining -= 1
            yield item
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def read_ahead(items: t.Iterator[T], buffer: int, name: str) -> t.Iterator[T]:
    """Iterate `items` in a thread of its own from now on; the result yields them in order.

    For a stream whose requests have a budget of their own (orders): read while another
    stream syncs, emitted when the SDK reaches it. The buffer bounds memory: the reading
    thread waits while it is full. An exception ends the items and is raised to the reader.
    """
    ahead: queue.Queue[tuple[bool, t.Any]] = queue.Queue(maxsize=buffer)

    def work() -> None:
        try:
            for item in items:
                ahead.put((True, item))
        except BaseException as exc:  # handed to the consumer, raised there
            ahead.put((False, exc))
        else:
            ahead.put((False, None))

    threading.Thread(target=work, name=name, daemon=True).start()

    def drain() -> t.Iterator[T]:
        while True:
            more, item = ahead.get()
            if more:
                yield item
            elif item is None:
                return
            else:
                raise item

    return drain()
