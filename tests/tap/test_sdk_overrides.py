"""The two SDK-final methods the tap overrides, and what each override relies on in the SDK.

singer-sdk marks `Tap.load_streams` and `Tap.sync_all` final, and offers no hook that orders
the streams or wraps a whole sync. The tap overrides both (docs/ARCHITECTURE.md says why);
these tests fail when the SDK changes what an override relies on, so an SDK upgrade that
would break one is seen before it lands.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys

from singer_sdk import Tap

from tap_emag.run_lock import AccountLock
from tap_emag.tap import TapEmag
from tests.support.tap_runner import USERNAMES, run_tap, tap_config

SCAN_ORDER = ["products", "orders", "product_gpsr", "categories", "vat_rates", "sync_runs"]


def _sync_order(run) -> list[str]:
    """The streams in the order the SDK synced them (a stream's SCHEMA message opens its sync)."""
    return list(dict.fromkeys(m["stream"] for m in run.messages if m["type"] == "SCHEMA"))


def test_both_sdk_methods_are_final_and_take_only_the_tap():
    """Still final (else the override's `type: ignore` can go), still called without arguments."""
    for method in (Tap.load_streams, Tap.sync_all):
        # typing.final marks the function only from Python 3.11; its decorator line says it on 3.10
        decorated = re.search(r"^\s*@(?:\w+\.)?final\s*$", inspect.getsource(method), re.M)
        assert getattr(method, "__final__", False) is True or decorated, method
        assert list(inspect.signature(method).parameters) == ["self"], method


def test_the_sdks_load_streams_only_sorts_by_name_what_discovery_gives():
    """load_streams: nothing but the SDK's sort is left out by the override.

    The SDK's own builds a parent-child graph (none of these streams has a parent) and sorts
    by name, which would sync vat_rates after sync_runs and product_gpsr before products. If
    it starts doing anything else to the tap or its streams, this fails.
    """
    tap = TapEmag(config={}, validate_config=False)
    ours = tap.load_streams()
    tap_attributes = sorted(vars(tap))
    sdk = Tap.load_streams(tap)  # the SDK's own, past the override
    assert sorted(vars(tap)) == tap_attributes
    assert [s.name for s in sdk] == sorted(s.name for s in ours)
    assert {s.name: sorted(vars(s)) for s in sdk} == {s.name: sorted(vars(s)) for s in ours}
    assert all(s.parent_stream_type is None and not s.child_streams for s in sdk)


def test_the_sdk_keeps_the_order_of_load_streams_in_its_streams_and_catalog():
    tap = TapEmag(config={}, validate_config=False)
    assert list(tap.streams) == [s.name for s in tap.load_streams()] == SCAN_ORDER
    assert [s["tap_stream_id"] for s in tap.catalog_dict["streams"]] == SCAN_ORDER


def test_a_scan_syncs_in_the_declared_order_and_the_sync_log_counts_every_request(sandbox):
    run = run_tap(tap_config(sandbox))
    assert run.error is None, run.error
    assert _sync_order(run) == SCAN_ORDER
    # read last, the sync log has the requests of every stream (reference reads included)
    for account, stats in sandbox.stats()["accounts"].items():
        assert run.sync_run(account)["requests"] == stats["requests"]["total"] > 0


def test_a_quick_run_syncs_orders_first(sandbox):
    sandbox.place_orders("main", 3, seed=4)
    run = run_tap(tap_config(sandbox, quick_sync=True))
    assert run.error is None, run.error
    assert _sync_order(run) == ["orders", "products", *SCAN_ORDER[2:]]
    assert run.sync_run("main")["products_touched"] > 0


def test_the_cli_syncs_through_the_override_which_runs_after_the_sdks_sync(sandbox, tmp_path):
    """sync_all: the CLI (`Tap.invoke`) calls it, and the SDK's returns after the final state.

    The override locks each account first (a held one is skipped), and raises after the SDK's
    sync_all returned, so the state of the accounts that synced is written before the run
    fails.
    """
    config = tap_config(sandbox)
    config["accounts"][1]["password"] = "Wr0ng-Fbe-pass-value"
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    lock = AccountLock(sandbox.base_url, USERNAMES["main"], "scan")
    assert lock.acquire("run-still-going") is None
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tap_emag.tap", "--config", str(config_file)],
            capture_output=True, text=True, timeout=120, check=False)
    finally:
        lock.release()
    assert result.returncode != 0
    assert "1 account(s) failed: fbe" in result.stderr
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    runs = {m["record"]["account"]: m["record"] for m in messages
            if m["type"] == "RECORD" and m["stream"] == "sync_runs"}
    assert runs["main"]["status"] == "skipped" and runs["fbe"]["status"] == "failed"
    assert messages[-1]["type"] == "STATE"  # the SDK's last word, before the override's error
    assert "orders" in messages[-1]["value"]["bookmarks"]
