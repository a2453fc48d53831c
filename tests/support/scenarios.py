"""Shared pieces of the reliability scenarios: sizes, figures, processes to interrupt, state.

The scenarios run in CI at a small size; `make reliability` runs them at full size
(`RELIABILITY_SCALE=full`) and writes their figures to `RELIABILITY_REPORT` for
docs/RELIABILITY.md.
"""

from __future__ import annotations

import base64
import json
import os
import random
import struct
import time
import typing as t
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

from tests.support.catalogue_check import Comparison, column_contract_gaps, compare, raw_rows
from tests.support.meltano_project import MeltanoProject, meltano_accounts

SCALES = {
    "ci": {"main": 1500, "fbe": 800},
    "full": {"main": 20000, "fbe": 10000},
}
SCALE = os.environ.get("RELIABILITY_SCALE", "ci")
SIZES = SCALES[SCALE]
# Small pages in CI, so the fault scenario makes enough requests to meet most fault kinds.
PAGE_SIZE = 20 if SCALE == "ci" else 100
# Where the interruption scenarios interrupt is drawn from this seed (printed in the header).
SEED = int(os.environ.get("RELIABILITY_SEED", "0")) or random.randrange(1, 10**6)


@dataclass
class Figures:
    """What one scenario did and what it proved."""

    scenario: str
    requests: int
    faults_injected: int
    retries: int
    products_verified: int
    lost: int
    duplicated: int
    note: str = ""
    ghosts: int = 0  # live rows of products eMAG no longer lists
    false_deletions: int = 0  # deleted rows of products eMAG still lists

    @classmethod
    def from_comparisons(cls, scenario: str, comparisons: t.Iterable[Comparison], *,
                         requests: int, faults: int, retries: int, note: str = "") -> Figures:
        comparisons = list(comparisons)
        return cls(scenario, requests, faults, retries,
                   sum(c.verified for c in comparisons),
                   sum(len(c.lost) for c in comparisons),
                   sum(len(c.duplicated) for c in comparisons), note,
                   ghosts=sum(len(c.unexpected) for c in comparisons),
                   false_deletions=sum(len(c.falsely_deleted) for c in comparisons))


class _Collected(list[Figures]):
    """Figures of this pytest session, printed at its end."""

    def table(self) -> list[str]:
        header = ("scenario", "requests", "faults injected", "retries", "products verified",
                  "lost", "duplicated", "ghosts", "false deletions", "notes")
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for f in self:
            cells = (f.scenario, f"{f.requests:,}", f"{f.faults_injected:,}", f"{f.retries:,}",
                     f"{f.products_verified:,}", str(f.lost), str(f.duplicated), str(f.ghosts),
                     str(f.false_deletions), f.note)
            lines.append("| " + " | ".join(cells) + " |")
        return lines


FIGURES = _Collected()


def record(figures: Figures) -> None:
    """Keep the figures for the session summary, and append them to RELIABILITY_REPORT."""
    FIGURES.append(figures)
    target = os.environ.get("RELIABILITY_REPORT")
    if target:
        with Path(target).open("a", encoding="utf-8") as report:
            report.write(json.dumps({**asdict(figures), "scale": SIZES}) + "\n")


def requests_and_faults(stats: dict[str, t.Any]) -> tuple[int, int]:
    """Total API requests and injected faults over every account, from sandbox stats."""
    accounts = stats["accounts"].values()
    return (sum(a["requests"]["total"] for a in accounts),
            sum(a["faults_total"] for a in accounts))


def retries_logged(dsn: str, run_ids: t.Iterable[str]) -> int:
    """Retries the tap reported in its sync_runs records for these runs."""
    with psycopg.connect(dsn) as connection:
        (total,), = connection.execute(
            "select coalesce(sum(retries), 0) from emag_raw.sync_runs where run_id = any(%s)",
            (list(run_ids),)).fetchall()
    return int(total)


# -- a scenario's project and its checks -----------------------------------------------------

def project_for(tmp_path: Path, sandbox: t.Any, postgres: t.Any, name: str,
                **settings: t.Any) -> MeltanoProject:
    """The Meltano project of one scenario, in a database of its own."""
    database = postgres.create_database(name)
    return MeltanoProject(tmp_path, sandbox.base_url, postgres, meltano_accounts(SIZES),
                          database=database, **settings)


def dsn_of(postgres: t.Any, project: MeltanoProject) -> str:
    """The scenario's database."""
    return postgres.dsn_for(project.env["DBT_POSTGRES_DBNAME"])


def compare_all(sandbox: t.Any, postgres: t.Any, project: MeltanoProject) -> list[Comparison]:
    """Raw products of every account against the sandbox's catalogue."""
    with psycopg.connect(dsn_of(postgres, project)) as connection:
        # one row per product is the table's own rule, on top of what the comparison counts
        key = connection.execute(
            "select array_agg(a.attname::text order by a.attname) from pg_index i join"
            " pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)"
            " where i.indrelid = 'emag_raw.products'::regclass and i.indisprimary").fetchall()
        assert key == [(["account", "id"],)]
        results = []
        for account in SIZES:
            rows = raw_rows(connection, account)
            assert not column_contract_gaps(rows[0]), column_contract_gaps(rows[0])
            results.append(compare(account, sandbox.catalog(account), rows))
    return results


def assert_exact(comparisons: list[Comparison]) -> None:
    """Every catalogue product live and identical, nothing else live."""
    for result in comparisons:
        assert result.exact, result.summary()


def succeeded(result: t.Any) -> None:
    """The Meltano command exited 0 (its stderr tail otherwise)."""
    assert result.returncode == 0, result.stderr[-4000:]


# -- processes ---------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # the thread or process ended meanwhile
    return children


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def find_child(pid: int, executable: str, timeout: float = 120) -> int:
    """The pid of the descendant of `pid` running `executable` (e.g. target-postgres)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = [pid]
        while pending:
            current = pending.pop()
            for child in _children(current):
                if f"/{executable} " in _command(child) + " ":
                    return child
                pending.append(child)
        time.sleep(0.05)
    msg = f"no {executable} process under {pid} within {timeout}s"
    raise TimeoutError(msg)


def wait_exited(pid: int, timeout: float) -> float:
    """Seconds until process `pid` has exited (a zombie counts: it holds no lock or file)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return time.monotonic() - started
        if state in ("Z", "X"):
            return time.monotonic() - started
        time.sleep(0.05)
    msg = f"process {pid} ({_command(pid)[:80]}) still runs after {timeout}s"
    raise TimeoutError(msg)


def _wait(ready: t.Callable[[], int], wanted: int, timeout: float, what: str) -> int:
    """Poll `ready` until it reaches `wanted`; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := ready()) >= wanted:
            return value
        time.sleep(0.02)
    msg = f"fewer than {wanted} {what} within {timeout}s"
    raise TimeoutError(msg)


def wait_for_pages(sandbox: t.Any, account: str, pages: int, timeout: float = 300) -> None:
    """Block until the sandbox has received `pages` product reads of the account."""
    def reads() -> int:
        routes = sandbox.stats()["accounts"][account]["requests"]["by_route"]
        return int(routes.get("product_offer/read", 0))

    _wait(reads, pages, timeout, f"{account} pages read")


def wait_for_commits(dsn: str, run_id: str, rows: int, timeout: float = 300) -> int:
    """Block until Postgres holds `rows` product rows written by this run; returns how many."""
    def committed() -> int:
        try:
            with psycopg.connect(dsn) as connection:
                (count,), = connection.execute(
                    "select count(*) from emag_raw.products where run_id = %s",
                    (run_id,)).fetchall()
        except psycopg.Error:
            return 0  # the table does not exist before the first commit
        return int(count)

    return _wait(committed, rows, timeout, f"rows of run {run_id} committed")


# -- state against what was committed ----------------------------------------------------------

def bookmarked(state: dict[str, t.Any]) -> dict[str, dict[int, str]]:
    """Per account, the products the saved state claims were synced: id -> content hash."""
    accounts = (state.get("singer_state", {}).get("bookmarks", {}).get("products", {})
                .get("accounts", {}))
    claimed: dict[str, dict[int, str]] = {}
    for account, bookmark in accounts.items():
        text = bookmark.get("fingerprints") or ""
        _, _, payload = text.partition(":")
        packed = base64.b64decode(payload, validate=True)
        claimed[account] = {pid: digest.hex() for pid, digest in struct.iter_unpack("<I8s",
                                                                                    packed)}
    return claimed


def _up_to_date(pid: int, upstream: Comparison, committed: dict[int, str]) -> bool:
    """Postgres holds the product's current upstream version: its content, or its deletion."""
    if pid in upstream.expected_ids:
        return pid in upstream.verified_ids
    return pid not in committed  # gone upstream, deleted (or absent) here


def overclaimed(state: dict[str, t.Any], dsn: str,
                comparisons: t.Iterable[Comparison]) -> dict[str, list[int]]:
    """Products on which the saved state runs ahead of Postgres.

    The state may lag behind Postgres (a run committed rows or deletions, then died before its
    new bookmark was saved): the next run re-sends or re-deletes those, harmlessly. It must
    never run ahead, in either direction:
    - it records a product with content C (so a run finding C upstream skips it) while
      Postgres holds neither C nor the product's current upstream version;
    - it no longer records a product (its deletion counted as done) that is gone upstream
      while Postgres still holds it live: no later run would delete it.
    """
    by_account = {c.account: c for c in comparisons}
    claims = bookmarked(state)
    assert set(claims) == set(by_account), f"state has bookmarks for {sorted(claims)}"
    problems: dict[str, list[int]] = {}
    with psycopg.connect(dsn) as connection:
        for account, claimed in claims.items():
            assert claimed, f"{account}: the saved bookmark is empty"
            committed = dict(connection.execute(
                "select id, content_hash from emag_raw.products where account = %s"
                " and _sdc_deleted_at is null", (account,)).fetchall())
            upstream = by_account[account]
            ahead = {pid for pid, digest in claimed.items()
                     if committed.get(pid) != digest
                     and not _up_to_date(pid, upstream, committed)}
            ahead |= {pid for pid in committed
                      if pid not in claimed and pid not in upstream.expected_ids}
            if ahead:
                problems[account] = sorted(ahead)
    return problems
