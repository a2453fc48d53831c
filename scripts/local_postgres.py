"""A local PostgreSQL server for the dev environment, the demo and the tests.

Uses the server that the `pgserver` wheel bundles (PostgreSQL 16), so a fresh machine needs
nothing but pip: no system package, no service. The data lives in a git-ignored folder
(`.pgdata/` by default) and the server listens on 127.0.0.1 only, with trust authentication for
local connections: it is a development database, not a place for real credentials.

    python scripts/local_postgres.py start [--data DIR] [--port PORT] [--database NAME]
    python scripts/local_postgres.py stop  [--data DIR]
    python scripts/local_postgres.py status [--data DIR] [--port PORT]

PostgreSQL refuses to run as root; as root, pgserver runs it as a `pgserver` system user
(created on first use) and makes the data folder's parents traversable for it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(os.environ.get("EMAG_PG_DATA", ROOT / ".pgdata"))
DEFAULT_PORT = int(os.environ.get("EMAG_PG_PORT", "55432"))
DEFAULT_DATABASE = os.environ.get("EMAG_PG_DATABASE", "emag")
SUPERUSER = "postgres"


def _bin(name: str) -> str:
    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
        warnings.simplefilter("ignore")
        import pgserver._commands as commands

    return str(commands.POSTGRES_BIN_PATH / name)


def _system_user() -> str | None:
    return "pgserver" if os.geteuid() == 0 else None


def _run(args: list[str], *, as_server_user: bool = False,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=check,  # noqa: S603
                          user=_system_user() if as_server_user else None, timeout=120)


def is_ready(port: int) -> bool:
    """Whether a server accepts connections on 127.0.0.1:port."""
    result = _run([_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"], check=False)
    return result.returncode == 0


def _initialise(data: Path) -> None:
    """Initdb through pgserver, which also prepares the system user when run as root."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    data.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data, cleanup_mode=None)  # initdb, then a socket-only start
    del server
    _run([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], as_server_user=True)


def start(data: Path, port: int, database: str) -> None:
    """Start (initialising on first use) and make sure the database exists."""
    data = data.resolve()
    if not is_ready(port):
        if not (data / "PG_VERSION").exists():
            print(f"Initialising a new PostgreSQL cluster in {data}")
            _initialise(data)
        options = f"-h 127.0.0.1 -p {port} -k {data}"
        result = _run([_bin("pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l",
                       str(data / "server.log"), "-o", options, "start"],
                      as_server_user=True, check=False)
        if result.returncode != 0:
            log = (data / "server.log").read_text(errors="replace")[-2000:]
            sys.exit(f"PostgreSQL did not start on port {port}:\n{result.stderr}\n{log}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
        sys.exit(f"database name {database!r} must be a lower-case identifier")
    exists = _run([_bin("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, "-d",
                   "postgres", "-tAc",
                   f"select 1 from pg_database where datname = '{database}'"])  # noqa: S608
    if exists.stdout.strip() != "1":
        _run([_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER, database])
    print(f"PostgreSQL ready: postgresql://{SUPERUSER}@127.0.0.1:{port}/{database} (data: {data})")


def stop(data: Path) -> None:
    """Stop the server of this data folder, if it runs."""
    data = data.resolve()
    if not (data / "postmaster.pid").exists():
        print("PostgreSQL is not running")
        return
    _run([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], as_server_user=True)
    print("PostgreSQL stopped")


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    args = parser.parse_args()
    if args.action == "start":
        start(args.data, args.port, args.database)
    elif args.action == "stop":
        stop(args.data)
    else:
        ready = is_ready(args.port)
        print(f"PostgreSQL on port {args.port}: {'running' if ready else 'not running'}")
        sys.exit(0 if ready else 1)


if __name__ == "__main__":
    main()
