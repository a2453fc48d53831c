"""One account failing never damages another's data or state; secrets never leak."""

from __future__ import annotations

import json
import subprocess
import sys

from tap_emag.fingerprints import Fingerprints
from tests.support.tap_runner import PASSWORDS, run_tap, tap_config


def _fingerprints(bookmark):
    return Fingerprints.decode(bookmark["fingerprints"]).items()


def _all_output(run, capfd) -> str:
    captured = capfd.readouterr()
    return run.stdout + run.logs + captured.out + captured.err + str(run.error)


def test_wrong_password_fails_that_account_only(sandbox, capfd):
    good = run_tap(tap_config(sandbox))
    config = tap_config(sandbox)
    wrong = "Wr0ng-Fbe-pass-value"
    config["accounts"][1]["password"] = wrong

    run = run_tap(config, good.state)

    assert run.error is not None and "fbe" in str(run.error)
    assert run.bookmark("main")["fingerprints"] == good.bookmark("main")["fingerprints"]
    assert run.bookmark("fbe")["fingerprints"] == good.bookmark("fbe")["fingerprints"]
    assert run.sync_run("main")["status"] == "completed"
    fbe = run.sync_run("fbe")
    assert fbe["status"] == "failed"
    assert any("401" in message for message in fbe["error_messages"])
    assert run.product_ids("fbe") == []
    output = _all_output(run, capfd)
    assert wrong not in output and PASSWORDS["main"] not in output


def test_blocked_ip_is_reported_with_emags_message_and_not_retried(sandbox):
    sandbox.set_ip_blocked("fbe", True)
    run = run_tap(tap_config(sandbox))
    fbe = run.sync_run("fbe")
    assert fbe["status"] == "failed"
    assert "whitelist" in " ".join(fbe["error_messages"]).lower()
    assert fbe["retries"] == 0
    assert run.sync_run("main")["status"] == "completed"
    assert run.error is not None


def test_an_interrupted_scan_keeps_the_bookmark_and_emits_no_deletions(sandbox):
    config = tap_config(sandbox, accounts=("main",), max_retries=0, max_in_flight=1)
    full = run_tap(config)
    deleted = sandbox.mutate("main", deleted=5, seed=1)["deleted"]

    sandbox.configure(fault_rate=0.25, fault_kinds=("502",))
    broken = run_tap(config, full.state)
    sandbox.configure(fault_rate=0.0)

    run = broken.sync_run("main")
    assert run["status"] == "failed"
    assert run["pages_fetched"] < 6
    assert broken.product_ids("main", deleted=True) == []
    assert broken.bookmark("main")["fingerprints"] == full.bookmark("main")["fingerprints"]

    healed = run_tap(config, broken.state)
    assert sorted(healed.product_ids("main", deleted=True)) == sorted(deleted)
    assert healed.product_ids("main", deleted=False) == []


def _drop_id_of(monkeypatch, product_id: int) -> None:
    """Serve one product without its id (as a broken payload would)."""
    import tap_emag.product_scan as scan_module

    original = scan_module.normalize_product

    def normalize_with_a_broken_item(raw):
        if raw.get("id") == product_id:
            raw = {k: v for k, v in raw.items() if k != "id"}
        return original(raw)

    monkeypatch.setattr(scan_module, "normalize_product", normalize_with_a_broken_item)


def test_failed_records_are_counted_and_only_confirmed_deletions_go_out(sandbox, monkeypatch):
    config = tap_config(sandbox, accounts=("fbe",))
    full = run_tap(config)
    gone = sandbox.mutate("fbe", deleted=2, seed=5)["deleted"]
    broken_id = sandbox.catalog("fbe")[10]["id"]
    _drop_id_of(monkeypatch, broken_id)
    run = run_tap(config, full.state)
    fbe = run.sync_run("fbe")
    assert fbe["status"] == "partial"
    assert fbe["failed_records"] == 1
    assert any("no id" in message for message in fbe["error_messages"])
    # the unreadable record is a live product: its id lookup finds it, so it is not deleted;
    # the two products that really went are
    assert sorted(run.product_ids("fbe", deleted=True)) == sorted(gone)
    assert broken_id in {pid for pid, _ in _fingerprints(run.bookmark("fbe"))}


def test_unreadable_records_never_cause_a_false_deletion(sandbox, monkeypatch):
    """More products missing than the lookups can confirm, one of them served without an id:
    nothing live is deleted, in this run or while it stays unreadable; the real deletions
    arrive once the scans can be trusted again."""
    config = tap_config(sandbox, accounts=("fbe",), deletion_check_limit=1)
    full = run_tap(config)
    gone = sandbox.mutate("fbe", deleted=3, seed=6)["deleted"]
    broken_id = sandbox.catalog("fbe")[20]["id"]
    _drop_id_of(monkeypatch, broken_id)
    first = run_tap(config, full.state)
    assert first.sync_run("fbe")["failed_records"] == 1
    assert set(first.product_ids("fbe", deleted=True)) <= set(gone)
    assert first.sync_run("fbe")["suspected"] == 4 - 1  # missing, less the one lookup
    # still unreadable: a second miss in a scan with unreadable records needs a lookup
    second = run_tap(config, first.state)
    assert broken_id not in second.product_ids("fbe", deleted=True)
    monkeypatch.undo()
    healed = run_tap(config, second.state)
    deleted = [pid for run in (first, second, healed) for pid in run.product_ids("fbe",
                                                                             deleted=True)]
    assert sorted(deleted) == sorted(gone)
    assert healed.sync_run("fbe")["suspected"] == 0


def test_cli_exits_non_zero_and_names_the_failed_account(sandbox, tmp_path):
    config = tap_config(sandbox)
    wrong = "Cli-wrong-S3cret"
    config["accounts"][1]["password"] = wrong
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    result = subprocess.run(
        [sys.executable, "-m", "tap_emag.tap", "--config", str(config_file)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0
    assert "fbe" in result.stderr and "401" in result.stderr
    assert wrong not in result.stdout + result.stderr
    assert PASSWORDS["main"] not in result.stdout + result.stderr
    streams = {json.loads(line)["stream"] for line in result.stdout.splitlines()
               if '"RECORD"' in line}
    assert "products" in streams and "sync_runs" in streams
