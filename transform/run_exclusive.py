"""Run one dbt command under this project's build lock: one writing dbt command at a time.

The warehouse build's lock, an advisory lock in the target database (the other lock of the
project is the tap's, per account: tap_emag/run_lock.py). The quick sync (every 10 minutes) and
the hourly scan are separate Meltano jobs, and their dbt steps can start while the other's is
still running. Two `dbt run`s of one project at once fail or corrupt: dbt-postgres replaces a
view by renaming it and dropping the old one with CASCADE, under the other run's feet, and two
builds of an incremental model would read the same table state and append the same rows. The
steps that write outside dbt's schemas (`run-operation prepare_sources`, `purge_sync_log`, ...)
would race a build the same way. A session-level advisory lock in the target database makes the
second wait for the first, across processes and machines (an orchestrator's workers included);
the lock ends with the session, so a killed command never leaves it held. Every command of the
dbt utility that writes (meltano.yml) runs through this; a bare `dbt run` outside Meltano does
not.
Meltano's dbt utility runs this with its own Python (`commands.run.executable: python`), and
it runs dbt in this process (dbt's programmatic `dbtRunner`): going through `dbt_invoker`
started two more Python processes, about 3 s of every scheduled run.
"""

from __future__ import annotations

import os
import sys

LOCK_KEY = 7345201883  # this project's; any other user of advisory locks picks another


THEN = "--then"
# flags that say where and with what dbt runs, not what it runs: a user's (given to the last
# command) hold for every command, so the steps before it write where the build reads
SHARED_FLAGS = ("--vars", "--target", "-t", "--profile", "--profiles-dir", "--project-dir",
                "--target-path")


def commands(args: list[str]) -> list[list[str]]:
    """`A --then B` is two dbt commands, A and B, run in order under one holding of the lock.

    meltano.yml's `dbt:run` is `run-operation prepare_sources --then run`: the named writes
    outside dbt's schemas, then the build, in one process (a second process would cost about
    3 s of every run). Arguments a user adds (`meltano invoke dbt:run --full-refresh`) go to
    the last command; of those, the SHARED_FLAGS go to every command.
    """
    split: list[list[str]] = [[]]
    for arg in args:
        if arg == THEN:
            split.append([])
        else:
            split[-1].append(arg)
    if any(not command for command in split):
        raise SystemExit(f"run_exclusive.py: an empty dbt command in {' '.join(args)!r}")
    shared = _shared_flags(split[-1])
    return [command + shared for command in split[:-1]] + [split[-1]]


def _shared_flags(command: list[str]) -> list[str]:
    """The SHARED_FLAGS in a command, with their values (`--vars X` or `--vars=X`)."""
    found: list[str] = []
    for position, arg in enumerate(command):
        name = arg.split("=", 1)[0]
        if name not in SHARED_FLAGS:
            continue
        found.append(arg)
        if "=" not in arg and position + 1 < len(command):
            found.append(command[position + 1])
    return found


def main(args: list[str]) -> int:
    """Take the lock (waiting, and saying so, if it is held), then run each dbt command.

    Exit codes are dbt's, of the first command that fails (the rest do not run): 0 success,
    1 a model or test failed, 2 dbt itself failed.
    """
    import psycopg2  # the dbt utility's (dbt-postgres); commands() needs none of it

    to_run = commands(args)
    connection = psycopg2.connect(
        host=os.environ.get("DBT_POSTGRES_HOST", "127.0.0.1"),
        port=int(os.environ.get("DBT_POSTGRES_PORT", "55432")),
        user=os.environ.get("DBT_POSTGRES_USER", "postgres"),
        password=os.environ.get("DBT_POSTGRES_PASSWORD", ""),
        dbname=os.environ.get("DBT_POSTGRES_DBNAME", "emag"),
        application_name="tap-emag dbt lock",
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("select pg_try_advisory_lock(%s)", (LOCK_KEY,))
            if not cursor.fetchone()[0]:
                print("dbt: another dbt command of this project is writing (the quick sync and"
                      " the scan overlap); waiting for it to finish.", file=sys.stderr,
                      flush=True)
                cursor.execute("select pg_advisory_lock(%s)", (LOCK_KEY,))
        from dbt.cli.main import dbtRunner  # imported once the lock is ours: it takes a while

        for command in to_run:
            result = dbtRunner().invoke(command)
            if not result.success:
                return 2 if result.exception is not None else 1
        return 0
    finally:
        connection.close()  # ends the session, and with it the lock


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
