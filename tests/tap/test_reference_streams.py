"""categories and vat_rates: every row the sandbox serves, typed, per account."""

from __future__ import annotations

from tests.support.tap_runner import run_tap, tap_config


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
