"""The per-account run lock: one holder at a time, who holds it, and gone with its process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tap_emag.run_lock import AccountLock, describe_holder

URL = "https://marketplace-api.emag.ro/api-3"


def test_a_second_claim_gets_the_holder_until_the_first_releases(tmp_path):
    first = AccountLock(URL, "seller@example.com", "scan", tmp_path)
    second = AccountLock(URL, "seller@example.com", "scan", tmp_path)
    assert first.acquire("run-1") is None
    holder = second.acquire("run-2")
    assert holder is not None and holder["run_id"] == "run-1"
    assert describe_holder(holder).startswith("run run-1 (pid ")
    first.release()
    assert second.acquire("run-2") is None
    second.release()


def test_accounts_and_kinds_have_separate_locks_named_without_the_username(tmp_path):
    scan = AccountLock(URL, "seller@example.com", "scan", tmp_path)
    assert scan.acquire("run-1") is None
    assert AccountLock(URL, "seller@example.com", "quick", tmp_path).acquire("run-2") is None
    assert AccountLock(URL, "other@example.com", "scan", tmp_path).acquire("run-3") is None
    assert AccountLock("http://127.0.0.1:9/api-3", "seller@example.com", "scan",
                       tmp_path).acquire("run-4") is None
    assert not any("seller" in path.name for path in tmp_path.iterdir())


def test_the_lock_goes_with_its_process_however_it_ends(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from tap_emag.run_lock import AccountLock
        lock = AccountLock({URL!r}, "seller", "scan", Path({str(tmp_path)!r}))
        lock.acquire("run-killed")
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        waiting = AccountLock(URL, "seller", "scan", tmp_path)
        assert waiting.acquire("run-next")["run_id"] == "run-killed"
    finally:
        holder.kill()
        holder.wait()
    assert waiting.acquire("run-next") is None  # SIGKILL: no clean-up ran, the kernel freed it


def test_a_holder_that_wrote_nothing_yet_is_still_named():
    assert describe_holder({}) == "another run"
    assert describe_holder({"run_id": "r", "started_at": "2026-12-02T10:00:00+00:00"}) == (
        "run r (started 2026-12-02T10:00:00+00:00)")
