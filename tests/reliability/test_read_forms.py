"""One offer, two reads, one history: quick runs (reads by id) between hourly scans (pages).

eMAG sends an offer's GPSR details (`manufacturer`, `eu_representative` as lists of
{name, address, email}, `safety_information` as text) only when one product is read by id;
pages carry completion flags. The quick sync re-reads by id the offers that orders touched, the
hourly scan pages through the catalogue: the same unchanged offer reaches the warehouse in two
forms (issue 19). Here, through the real chain (Meltano, tap, target-postgres, dbt, Postgres),
three rounds of orders, each followed by `meltano run emag-quick-sync` and `meltano run
emag-sync`, must leave:

a. no version in `emag_product_history` that repeats the one before it;
b. for every offer, exactly its real changes: the consecutive-distinct states the sandbox
   served to the runs that read it;
c. the GPSR details a read by id brought, still in `emag_products` after the scans;
d. a local price set before all this still winning under `newest_wins`;
e. scan sync-log rows that count only real changes.

The sandbox's catalogue is snapshotted (`GET /_admin/catalog`) before every run, so the test
knows what each run saw; its order flow is off, so only the test changes it. Between each quick
run and scan eMAG changes a few offers on its own, so the scans have real changes to count.

The local edit: after the first scan, before any sync sees round 1's orders, the seller sets
their own price for an offer those orders touch, `newest_wins`. eMAG never changes that price:
the order changes the offer's stock (a real change, seen by quick run 1), and in rounds 2 and 3
its order is advanced, so quick runs re-read it by id unchanged. eMAG's price was first observed
by the first scan, before the edit, so the local price must win throughout: neither a re-read
in another form nor a change of another field makes eMAG's price newer.
"""

from __future__ import annotations

import itertools
import json
import typing as t
from decimal import Decimal

import psycopg
import requests

from tests.support import scenarios
from tests.support.meltano_project import MeltanoProject, meltano_accounts, sandbox_accounts
from tests.support.sandbox_process import SandboxProcess
from tests.support.scenarios import Figures, assert_exact, compare_all, succeeded
from tests.support.secrets_scan import assert_no_secrets
from tests.support.tap_runner import PASSWORDS, USERNAMES

SIZES = {"main": 240, "fbe": 160}
SEED = 19
SCAN_JOB = "emag-sync"
QUICK_JOB = "emag-quick-sync"
ROUNDS = 3
PLACED = {"main": 6, "fbe": 4}  # orders placed per round and account
CHANGED = 4  # offers eMAG changes per account before each later scan (competitors, prices)
# What eMAG changes of an offer (orders: stock; the catalogue's own changes: price, stock,
# name, recommended price, buy button), as history column <- served key
TYPED = {
    "general_stock": "general_stock", "estimated_stock": "estimated_stock",
    "sale_price": "sale_price", "recommended_price": "recommended_price",
    "best_offer_sale_price": "best_offer_sale_price", "offer_status": "status",
    "buy_button_rank": "buy_button_rank", "number_of_offers": "number_of_offers",
    "product_name": "name",
}
PRICES = {"sale_price", "recommended_price", "best_offer_sale_price"}
# History columns that describe the version or the sync, not the product
VERSION_COLUMNS = {"account", "product_id", "valid_from", "valid_to", "is_current", "run_id",
                   "content_hash", "version_hash", "previous_version_hash"}
GPSR = ("manufacturer", "eu_representative", "safety_information")

Snapshot = dict[str, dict[int, dict[str, t.Any]]]  # account -> product id -> served record


class Run(t.NamedTuple):
    label: str  # "scan 0", "quick 1", "scan 1", ...
    kind: str  # scan or quick
    run_id: str
    snapshot: Snapshot  # the catalogue as the sandbox served it during the run
    read: dict[str, set[int]]  # account -> the offers the run read


def _snapshot(sandbox: SandboxProcess) -> Snapshot:
    return {account: {p["id"]: p for p in sandbox.catalog(account)} for account in SIZES}


def _typed(record: dict[str, t.Any]) -> tuple[t.Any, ...]:
    """The offer's state on the TYPED columns, from what the sandbox serves."""
    return tuple(
        (None if record.get(key) is None else Decimal(str(record[key])))
        if column in PRICES else record.get(key)
        for column, key in TYPED.items())


def _read_by_id(sandbox: SandboxProcess, account: str, product_id: int) -> dict[str, t.Any]:
    """The offer as `product_offer/read {"id": N}` serves it (with its GPSR details)."""
    response = requests.post(f"{sandbox.base_url}/product_offer/read",
                             json={"data": {"id": product_id}},
                             auth=(USERNAMES[account], PASSWORDS[account]), timeout=30)
    response.raise_for_status()
    answer = json.loads(response.text, parse_float=Decimal)
    assert not answer["isError"], answer["messages"]
    (record,) = [r for r in answer["results"] if r.get("id") == product_id]
    return record


def _orders(sandbox: SandboxProcess, account: str, **change: t.Any) -> tuple[set[int],
                                                                             list[dict]]:
    """Change the account's orders; the offers on the touched orders' lines, and the orders."""
    result = sandbox.admin("orders", account=account, **change)
    orders = result["orders"]
    return {line["product_id"] for order in orders for line in order["products"]}, orders


def _rows(dsn: str, sql: str, params: t.Sequence[t.Any] = ()) -> list[dict[str, t.Any]]:
    with psycopg.connect(dsn) as connection:
        cursor = connection.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _history(dsn: str) -> dict[tuple[str, int], list[dict[str, t.Any]]]:
    versions: dict[tuple[str, int], list[dict[str, t.Any]]] = {}
    for row in _rows(dsn, "select * from emag.emag_product_history"
                          " order by account, product_id, valid_from"):
        versions.setdefault((row["account"], row["product_id"]), []).append(row)
    return versions


def _content_columns(history: dict[tuple[str, int], list[dict[str, t.Any]]]) -> list[str]:
    """Every product column of the history: not the version's metadata (times, hashes, runs)."""
    columns = next(iter(history.values()))[0].keys()
    return [c for c in columns if c not in VERSION_COLUMNS
            and not c.endswith(("_at", "_xid", "_hash"))]


def _repeated_versions(history: dict[tuple[str, int], list[dict[str, t.Any]]],
                       labels: dict[str, str]) -> list[tuple[str, int, str, str]]:
    """Versions whose product columns equal the version's before them: (account, id, by, after)."""
    columns = _content_columns(history)
    repeats = []
    for (account, product_id), versions in history.items():
        for before, version in itertools.pairwise(versions):
            if all(before[c] == version[c] for c in columns):
                repeats.append((account, product_id, labels.get(version["run_id"], "?"),
                                labels.get(before["run_id"], "?")))
    return repeats


def _real_changes(runs: list[Run], account: str, product_id: int) -> list[tuple[t.Any, ...]]:
    """The offer's consecutive-distinct states in the runs that read it."""
    states: list[tuple[t.Any, ...]] = []
    for run in runs:
        if product_id in run.read[account]:
            state = _typed(run.snapshot[account][product_id])
            if not states or states[-1] != state:
                states.append(state)
    return states


def _last_known(runs: list[Run], account: str) -> dict[int, dict[str, t.Any]]:
    """What the warehouse last read of each offer in these runs (the full served record)."""
    known: dict[int, dict[str, t.Any]] = {}
    for run in runs:
        for product_id in run.read[account]:
            known[product_id] = run.snapshot[account][product_id]
    return known


def _same_gpsr(stored: t.Any, served: t.Any) -> bool:
    """A detail as stored against the read by id; no contact and no text alike are empty."""
    return (stored or None) == (served or None)


def test_quick_runs_between_scans_write_only_real_changes(tmp_path, postgres):
    with SandboxProcess(sandbox_accounts(SIZES), "--seed", str(SEED), "--rate-limit", "0",
                        "--order-rate-limit", "0", "--orders-per-hour", "0") as sandbox:
        database = postgres.create_database("read_forms")
        project = MeltanoProject(tmp_path, sandbox.base_url, postgres, meltano_accounts(SIZES),
                                 database=database, requests_per_second=50,
                                 order_requests_per_second=50)
        dsn = postgres.dsn_for(database)
        runs: list[Run] = []
        outputs: list[str] = []

        def run(job: str, kind: str, label: str, read: dict[str, set[int]] | None = None) -> Run:
            snapshot = _snapshot(sandbox)
            result = project.run(job)
            outputs.extend((result.stdout, result.stderr))
            succeeded(result)
            done = Run(label, kind, result.run_id, snapshot,
                       read or {account: set(snapshot[account]) for account in SIZES})
            runs.append(done)
            return done

        # 1. the first scan
        run(SCAN_JOB, "scan", "scan 0")

        edited = edited_order = None
        local_price = None
        for round_ in range(1, ROUNDS + 1):
            # 3. orders on both accounts: what the quick run reads
            read: dict[str, set[int]] = {}
            for number, account in enumerate(SIZES):
                change: dict[str, t.Any] = {"place": PLACED[account],
                                            "seed": 100 * round_ + number}
                if round_ > 1 and account == "main":
                    change["advance_ids"] = [edited_order]  # re-read by id, unchanged
                elif round_ > 1:
                    change["advance"] = 1
                read[account], orders = _orders(sandbox, account, **change)
                if round_ == 1 and account == "main":
                    # 2. the seller's own price, set now (after the first scan, before any sync
                    # saw these orders), for an offer they touched (its stock moves), one whose
                    # read by id brings a manufacturer
                    edited = min(pid for pid in read["main"]
                                 if _read_by_id(sandbox, "main", pid).get("manufacturer"))
                    edited_order = min(order["id"] for order in orders
                                       if edited in {line["product_id"]
                                                     for line in order["products"]})
                    price = Decimal(str(next(p["sale_price"] for p in sandbox.catalog("main")
                                             if p["id"] == edited)))
                    local_price = price + 7
                    with psycopg.connect(dsn) as connection:
                        connection.execute(
                            "insert into local.products (account, product_id, sale_price,"
                            " conflict_strategy, updated_at) values ('main', %s, %s,"
                            " 'newest_wins', now())", (edited, local_price))
            assert edited in read["main"]
            run(QUICK_JOB, "quick", f"quick {round_}", read)
            # eMAG changes a few offers that only the scan sees
            for number, account in enumerate(SIZES):
                sandbox.mutate(account, changed=CHANGED, seed=1000 + 10 * round_ + number)
            run(SCAN_JOB, "scan", f"scan {round_}")

        history = _history(dsn)
        requests_made, faults = scenarios.requests_and_faults(sandbox.stats())
        by_id = {(account, pid): _read_by_id(sandbox, account, pid)
                 for account in SIZES
                 for pid in set().union(*(r.read[account] for r in runs if r.kind == "quick"))}
        comparisons = compare_all(sandbox, postgres, project)

    labels = {r.run_id: r.label for r in runs}
    # the scenario as meant: the edited offer changed once (round 1's order) and never again
    edited_states = _real_changes(runs, "main", edited)
    assert len(edited_states) == 2, f"scenario: offer {edited} changed {edited_states}"
    offers = [(account, pid) for account in SIZES for pid in runs[-1].snapshot[account]]
    real = {key: _real_changes(runs, *key) for key in offers}
    real_changes = sum(len(states) - 1 for states in real.values())  # after the first scan

    # a. no version repeats the one before it
    repeats = _repeated_versions(history, labels)
    written = sum(1 for versions in history.values() for v in versions
                  if labels.get(v["run_id"]) != "scan 0")
    by_run: dict[str, int] = {}
    for *_, label, _before in repeats:
        by_run[label] = by_run.get(label, 0) + 1
    assert not repeats, (
        f"{len(repeats)} of the {written} versions written after the first scan repeat the"
        f" version before them (by run: {dict(sorted(by_run.items()))}; real changes:"
        f" {real_changes}); e.g."
        f" {[f'{a}/{p}: {by} after {after}' for a, p, by, after in repeats[:5]]}")

    # b. each offer's versions are exactly its real changes
    wrong = {}
    for key, expected in real.items():
        versions = [tuple(v[c] for c in TYPED) for v in history.get(key, [])]
        if versions != expected:
            wrong[key] = (len(versions), len(expected))
    assert not wrong, (f"{len(wrong)} offers' versions are not their real changes"
                       f" (versions, real states): {dict(list(wrong.items())[:10])}")

    # c. the details a read by id brought survive the scans
    products = {(r["account"], r["product_id"]): r for r in _rows(
        dsn, "select * from emag.emag_products")}
    lost_details = []
    for key, served in sorted(by_id.items()):
        stored = products[key]
        if any(field in served for field in GPSR):
            if not all(_same_gpsr(stored[f], served.get(f)) for f in GPSR) \
                    or stored["gpsr_details_read_at"] is None:
                lost_details.append(key)
        elif any(stored[f] for f in GPSR):
            lost_details.append(key)
    with_details = sum(1 for served in by_id.values() if any(f in served for f in GPSR))
    assert not lost_details, (f"{len(lost_details)} of {len(by_id)} offers read by id lost"
                              f" their GPSR details: {lost_details[:10]}")

    # d. the local price, set after eMAG's price was first observed, still wins
    edited_row = products[("main", edited)]
    assert (edited_row["resolved_sale_price"], edited_row["resolution_rule"]["sale_price"],
            edited_row["resolution_winner"]["sale_price"]) == (
        local_price, "newest_wins", "local")

    # e. the scans' sync log counts only real changes
    emitted, found = [], []
    for index, scan in enumerate(runs):
        if scan.kind != "scan" or scan.label == "scan 0":
            continue
        log = {r["account"]: r for r in _rows(
            dsn, "select * from emag.emag_sync_log where run_id = %s", (scan.run_id,))}
        for account in SIZES:
            known = _last_known(runs[:index], account)
            changed = sum(1 for pid, record in scan.snapshot[account].items()
                          if pid in known and known[pid] != record)
            versions = sum(1 for (a, _), vs in history.items() if a == account
                           for v in vs if v["run_id"] == scan.run_id)
            row = log[account]
            emitted.append(row["products_emitted"])
            found.append(changed)
            assert (row["products_created"] + row["products_updated"],
                    row["products_updated"]) == (versions, changed), (
                f"{scan.label} {account}: sync log created {row['products_created']}, updated"
                f" {row['products_updated']}, emitted {row['products_emitted']}; history"
                f" {versions} versions; real changes {changed}")

    assert_exact(comparisons)
    assert_no_secrets(project, dsn, *outputs)
    scenarios.record(Figures.from_comparisons(
        "read forms: quick runs (by id) between scans (pages)", comparisons,
        requests=requests_made, faults=faults,
        retries=scenarios.retries_logged(dsn, project.run_ids),
        note=f"{ROUNDS} rounds of orders, quick run, scan; {written} versions written after the"
             f" first scan for {real_changes} real changes, 0 repeated; GPSR details of"
             f" {with_details} offers read by id kept; local price under newest_wins kept"
             f" through a real stock change and re-reads;"
             f" the later scans re-emitted {sum(emitted)} rows for {sum(found)} real changes"))
