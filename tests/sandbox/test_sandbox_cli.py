"""The ``emag-sandbox`` command line, run as a real subprocess."""

import json
import signal
import subprocess
import sys

import requests

ACCOUNTS = ["--account", "main:cli-main:cli-pass:300", "--account", "fbe:cli-fbe:pw:a:b:200"]


def _serve(*extra, command=()):
    proc = subprocess.Popen(
        [sys.executable, "-m", "emag_sandbox", *command, "--port", "0", "--rate-limit", "0",
         *ACCOUNTS, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    assert line.startswith("http://127.0.0.1:") and line.endswith("/api-3"), line
    return proc, line


def _cli(*args):
    out = subprocess.run([sys.executable, "-m", "emag_sandbox", *args], capture_output=True,
                         text=True, timeout=30, check=True)
    return json.loads(out.stdout)


def _stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_cli_serves_mutates_reports_and_replays_state(tmp_path):
    state = tmp_path / "state.json"
    proc, base = _serve("--state-file", str(state), "--seed", "5")
    try:
        root = base.removesuffix("/api-3")
        r = requests.post(f"{base}/product_offer/count", json={"data": {}},
                          auth=("cli-main", "cli-pass"), timeout=5)
        assert r.json()["results"]["noOfItems"] == "300"
        # a password containing colons parses (NAME:USER:PASS:N uses the last colon)
        r = requests.post(f"{base}/vat/read", json={"data": {}}, auth=("cli-fbe", "pw:a:b"))
        assert r.status_code == 200
        result = _cli("mutate", "--url", root, "--account", "main", "--changed", "5",
                      "--added", "2", "--deleted", "1", "--seed", "3")
        assert [len(result[k]) for k in ("changed", "added", "deleted")] == [5, 2, 1]
        stats = _cli("stats", "--url", base)
        assert stats["accounts"]["main"]["requests"]["total"] == 1
        evolved = requests.get(f"{root}/_admin/catalog", params={"account": "main"}).json()
    finally:
        _stop(proc)
    proc, base = _serve("--state-file", str(state), "--seed", "5", command=["serve"])
    try:
        root = base.removesuffix("/api-3")
        again = requests.get(f"{root}/_admin/catalog", params={"account": "main"}).json()
        assert again == evolved and len(again) == 301
    finally:
        _stop(proc)


def test_cli_rejects_bad_account_spec():
    out = subprocess.run([sys.executable, "-m", "emag_sandbox", "--account", "oops"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "NAME:USERNAME:PASSWORD:PRODUCTS" in out.stderr


def test_cli_bad_records_option():
    proc, base = _serve("--bad-records", "9")
    try:
        root = base.removesuffix("/api-3")
        r = requests.post(f"{base}/product_offer/count", json={"data": {}},
                          auth=("cli-main", "cli-pass"), timeout=5)
        assert r.json()["results"]["noOfItems"] == "309"
        listing = requests.get(f"{root}/_admin/bad_records", params={"account": "fbe"}).json()
        assert len(listing) == 9 and len({e["kind"] for e in listing}) == 9
        assert requests.get(f"{root}/_admin/config").json()["bad_records"] == 9
    finally:
        _stop(proc)
    out = subprocess.run([sys.executable, "-m", "emag_sandbox", "serve", "--help"],
                         capture_output=True, text=True, timeout=30, check=True)
    assert "--bad-records N" in out.stdout and "nulls_everywhere" in out.stdout
    out = subprocess.run([sys.executable, "-m", "emag_sandbox", "--bad-records", "-1"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "non-negative integer" in out.stderr


def test_cli_drift_option():
    proc, base = _serve("--drift", "1")
    try:
        root = base.removesuffix("/api-3")
        assert requests.get(f"{root}/_admin/config").json()["drift"] == 1
        r = requests.post(f"{base}/product_offer/read", json={"data": {"itemsPerPage": 5}},
                          auth=("cli-main", "cli-pass"), timeout=5)
        assert all("drift_top_level" in p for p in r.json()["results"])
        off = requests.post(f"{root}/_admin/configure", json={"drift": 0}, timeout=5).json()
        assert off["drift"] == 0
    finally:
        _stop(proc)
    out = subprocess.run([sys.executable, "-m", "emag_sandbox", "serve", "--help"],
                         capture_output=True, text=True, timeout=30, check=True)
    assert "--drift N" in out.stdout
    out = subprocess.run([sys.executable, "-m", "emag_sandbox", "--drift", "-1"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "non-negative integer" in out.stderr
