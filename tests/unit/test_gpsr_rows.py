"""The GPSR rows a run keeps until the product_gpsr stream emits them."""

from __future__ import annotations

import threading
from decimal import Decimal

from tap_emag.gpsr import IN_MEMORY_BYTES, GpsrRows, detail_rows


def _row(account: str, product_id: int) -> dict:
    return {"account": account, "id": product_id, "field": "manufacturer",
            "value_hash": f"{product_id:016x}", "safety_information": None,
            "contacts": [{"name": "Elindor SRL", "score": Decimal("1.50")}],
            "read_at": "2026-12-05T10:00:00+00:00", "run_id": "r"}


def test_rows_come_back_per_account_once_and_exact():
    rows = GpsrRows()
    rows.add("main", [_row("main", 1), _row("main", 2)])
    rows.add("fbe", [_row("fbe", 3)])
    rows.add("main", [])
    assert list(rows.take("main")) == [_row("main", 1), _row("main", 2)]
    assert list(rows.take("main")) == []  # taken once: the spool is closed
    assert list(rows.take("fbe")) == [_row("fbe", 3)]
    assert list(rows.take("nobody")) == []


def test_threads_adding_at_once_lose_nothing_past_the_memory_spool():
    rows = GpsrRows()
    per_thread, threads = 6_000, 4  # more than IN_MEMORY_BYTES: spilled to disk

    def add(start: int) -> None:
        for product_id in range(start, start + per_thread):
            rows.add("main", [_row("main", product_id)])

    workers = [threading.Thread(target=add, args=(i * per_thread,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    taken = list(rows.take("main"))
    assert len(taken) * len(str(_row("main", 0))) > IN_MEMORY_BYTES
    assert sorted(row["id"] for row in taken) == list(range(per_thread * threads))
    assert all(row == _row("main", row["id"]) for row in taken)


def test_a_read_by_id_gives_a_row_per_detail_and_a_page_flag_none():
    by_id = {"id": 7, "safety_information": "Text", "manufacturer": [{"name": "A"}],
             "eu_representative": []}
    fields = {row["field"]: row for row in detail_rows(
        by_id, account="main", product_id=7, run_id="r")}
    assert fields["safety_information"]["safety_information"] == "Text"
    assert fields["manufacturer"]["contacts"] == [{"name": "A"}]
    assert fields["eu_representative"]["contacts"] == []
    assert len({row["value_hash"] for row in fields.values()}) == 3
    page = {"id": 7, "safety_information": True, "manufacturer": 1, "eu_representative": False}
    assert detail_rows(page, account="main", product_id=7, run_id="r") == []
