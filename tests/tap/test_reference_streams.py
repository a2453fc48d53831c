"""categories and vat_rates: every row the sandbox serves, typed, per account; read beside the
scan only when older than `reference_max_age_hours` or when a product names an id not read;
read on their own when the products stream is not selected."""

from __future__ import annotations

import copy
import datetime as dt

from tap_emag.bookmark import decode_ids, encode_ids
from tests.support.tap_runner import PASSWORDS, run_tap, selecting, tap_config


def test_categories_and_vat_rates_per_account(sandbox):
    run = run_tap(tap_config(sandbox))
    served = sandbox.categories()
    for account in ("main", "fbe"):
        categories = [r for r in run.records("categories") if r["account"] == account]
        assert sorted(r["id"] for r in categories) == sorted(c["id"] for c in served)
        vat = {r["vat_id"]: r for r in run.records("vat_rates") if r["account"] == account}
        assert vat[1]["vat_rate"] == 0.21 and vat[1]["is_default"] is True
        assert vat[2]["vat_rate"] == 0.11
    by_id = {c["id"]: c for c in served}
    sample = run.records("categories")[5]
    assert sample["name"] == by_id[sample["id"]]["name"]
    assert sample["parent_id"] == by_id[sample["id"]]["parent_id"]
    assert isinstance(sample["family_types"], list)


def _reference_requests(sandbox) -> dict[str, int]:
    counts: dict[str, int] = {}
    for account, stats in sandbox.stats()["accounts"].items():
        routes = stats["requests"]["by_route"]
        counts[account] = routes.get("category/read", 0) + routes.get("vat/read", 0)
    return counts


def _aged(state: dict, hours: float) -> dict:
    aged = copy.deepcopy(state)
    for entry in aged["bookmarks"]["products"]["reference"].values():
        read_at = dt.datetime.fromisoformat(entry["read_at"])
        entry["read_at"] = (read_at - dt.timedelta(hours=hours)).isoformat()
    return aged


def test_reference_data_is_read_again_only_when_older_than_the_max_age(sandbox):
    config = tap_config(sandbox)
    first = run_tap(config)
    reference = first.state["bookmarks"]["products"]["reference"]
    assert set(reference) == {"main", "fbe"}
    assert decode_ids(reference["main"]["category_ids"]) == {c["id"] for c in sandbox.categories()}
    assert decode_ids(reference["main"]["vat_ids"]) >= {1, 2}

    sandbox.reset_stats()
    fresh = run_tap(config, first.state)  # an hour later, say: nothing to read
    assert fresh.error is None, fresh.error
    assert _reference_requests(sandbox) == {"main": 0, "fbe": 0}
    assert not fresh.records("categories") and not fresh.records("vat_rates")
    assert fresh.state["bookmarks"]["products"]["reference"] == reference

    sandbox.reset_stats()
    stale = run_tap(config, _aged(fresh.state, 24))  # a day old: read again, both accounts
    counts = _reference_requests(sandbox)
    assert counts["main"] > 1 and counts["fbe"] > 1
    assert {r["account"] for r in stale.records("categories")} == {"main", "fbe"}
    new_read = stale.state["bookmarks"]["products"]["reference"]["main"]["read_at"]
    assert new_read > reference["main"]["read_at"]

    sandbox.reset_stats()
    run_tap(tap_config(sandbox, reference_max_age_hours=0), stale.state)  # 0: every scan
    assert all(counts > 1 for counts in _reference_requests(sandbox).values())


def test_a_category_id_the_last_read_did_not_have_triggers_a_category_read(sandbox):
    config = tap_config(sandbox)
    first = run_tap(config)
    forgotten = copy.deepcopy(first.state)
    entry = forgotten["bookmarks"]["products"]["reference"]["main"]
    entry["category_ids"] = encode_ids(set())  # as if a product had moved to a new category
    sandbox.reset_stats()
    run = run_tap(config, forgotten)
    routes = sandbox.stats()["accounts"]
    assert routes["main"]["requests"]["by_route"].get("category/read", 0) >= 1
    assert "vat/read" not in routes["main"]["requests"]["by_route"]
    assert not {"category/read", "vat/read"} & set(routes["fbe"]["requests"]["by_route"])
    assert {r["account"] for r in run.records("categories")} == {"main"}
    after = run.state["bookmarks"]["products"]["reference"]["main"]
    # the ids are whole again; the age is still that of the last full read
    assert decode_ids(after["category_ids"]) == {c["id"] for c in sandbox.categories()}
    assert after["read_at"] == entry["read_at"]



def _sorted(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: (r["account"], r.get("id", r.get("vat_id"))))


def _streams_emitted(run) -> set[str]:
    return {m["stream"] for m in run.messages if m["type"] == "RECORD"}


def test_categories_selected_alone_emit_what_a_whole_run_emits(sandbox):
    config = tap_config(sandbox)
    whole = run_tap(config)
    sandbox.reset_stats()
    alone = run_tap(config, catalog=selecting("categories"))
    assert alone.error is None, alone.error
    assert _streams_emitted(alone) == {"categories"}
    assert _sorted(alone.records("categories")) == _sorted(whole.records("categories"))
    for stats in sandbox.stats()["accounts"].values():  # no product, no order read
        assert set(stats["requests"]["by_route"]) <= {"category/read", "vat/read"}
    assert "products" not in alone.state.get("bookmarks", {})


def test_vat_rates_selected_alone_emit_what_a_whole_run_emits(sandbox):
    config = tap_config(sandbox)
    whole = run_tap(config)
    alone = run_tap(config, catalog=selecting("vat_rates"))
    assert alone.error is None, alone.error
    assert _streams_emitted(alone) == {"vat_rates"}
    assert _sorted(alone.records("vat_rates")) == _sorted(whole.records("vat_rates"))


def test_vat_rates_selected_alone_report_an_account_whose_read_failed(sandbox):
    config = tap_config(sandbox)
    config["accounts"][1]["password"] = "Wr0ng-Fbe-pass-value"
    run = run_tap(config, catalog=selecting("vat_rates"))
    assert run.error is not None and "fbe: vat_rates:" in str(run.error)
    assert {r["account"] for r in run.records("vat_rates")} == {"main"}
    assert PASSWORDS["main"] not in run.logs
