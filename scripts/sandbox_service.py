"""Run the eMAG sandbox in the background for the dev environment and the demo.

    python scripts/sandbox_service.py start   # port 8765, state in .sandbox/ (git-ignored)
    python scripts/sandbox_service.py stop

The sandbox keeps its applied catalogue changes in `.sandbox/state.json`, so a restart serves
the same evolved catalogue and incremental runs stay meaningful across restarts.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / ".sandbox"
PID_FILE = STATE_DIR / "sandbox.pid"


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/_admin/health", timeout=2).ok
    except requests.RequestException:
        return False


def start(port: int) -> None:
    """Start the sandbox unless it already answers."""
    if _healthy(port):
        print(f"eMAG sandbox already running: http://127.0.0.1:{port}/api-3")
        return
    STATE_DIR.mkdir(exist_ok=True)
    log = (STATE_DIR / "sandbox.log").open("a")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "emag_sandbox", "serve", "--port", str(port),
         "--state-file", str(STATE_DIR / "state.json")],
        stdout=log, stderr=log, start_new_session=True, cwd=ROOT,
    )
    PID_FILE.write_text(str(process.pid))
    deadline = time.monotonic() + 60
    while not _healthy(port):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"the eMAG sandbox did not start; see {STATE_DIR / 'sandbox.log'}")
        time.sleep(0.2)
    print(f"eMAG sandbox running: http://127.0.0.1:{port}/api-3 (MAIN 5,000 and FBE 3,000 "
          "products at the start, 3 requests/s per account)")


def stop() -> None:
    """Stop the sandbox started by `start`."""
    if not PID_FILE.exists():
        print("eMAG sandbox is not running")
        return
    pid = int(PID_FILE.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        print("eMAG sandbox stopped")
    except ProcessLookupError:
        print("eMAG sandbox was not running")
    PID_FILE.unlink()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description="Run the eMAG sandbox in the background.")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if args.action == "start":
        start(args.port)
    else:
        stop()


if __name__ == "__main__":
    main()
