"""``emag-sandbox`` command line: serve the emulated API, or drive a running one."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import urllib.request
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from emag_sandbox.accounts import (
    DEFAULT_ACCOUNTS,
    DEFAULT_SELLER_PRODUCTS,
    AccountSpec,
    seller_accounts,
    seller_name,
)
from emag_sandbox.app import Sandbox
from emag_sandbox.bad_records import KINDS as BAD_KINDS
from emag_sandbox.faults import FAULT_KINDS, validate_kinds

COMMANDS = ("serve", "mutate", "orders", "stats")


FULFILMENT = {"fbe": True, "main": False}  # the optional last field of --account


def _account(text: str) -> AccountSpec:
    """Parse ``NAME:USERNAME:PASSWORD:PRODUCTS[:fbe|:main]`` (the password may hold colons).

    Without the last field an account is FBE when its name contains "fbe" (as before).
    """
    fbe = None
    head, _, last = text.rpartition(":")
    if last in FULFILMENT and head.rpartition(":")[2].isdigit():
        text, fbe = head, FULFILMENT[last]
    name, _, rest = text.partition(":")
    username, _, rest = rest.partition(":")
    password, _, products = rest.rpartition(":")
    if not (name and username and password and products.isdigit()):
        raise argparse.ArgumentTypeError(
            f"expected NAME:USERNAME:PASSWORD:PRODUCTS[:fbe|:main], got {text!r}")
    return AccountSpec(name, username, password, int(products), fbe=fbe)


def _count(text: str) -> int:
    """A non-negative integer option."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return int(text)


def _rate(text: str) -> float:
    """A non-negative number option."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative number, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emag-sandbox", description="Local emulation of the eMAG Marketplace API.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve the API until SIGINT/SIGTERM (default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--seed", type=int, default=42)
    serve.add_argument("--account", type=_account, action="append", dest="accounts",
                       metavar="NAME:USERNAME:PASSWORD:PRODUCTS[:fbe|:main]",
                       help="repeatable; the last field says whether eMAG fulfils the orders "
                            "(fbe: stock writes refused, orders of type 2) or the seller "
                            "(main); without it, an account whose name contains 'fbe' is FBE; "
                            "default: main (5000) and fbe (3000, FBE)")
    serve.add_argument("--sellers", type=_count, default=0, metavar="N",
                       help="also serve sellers seller_001 .. seller_N, each with an account "
                            "seller_NNN/main (MAIN) and seller_NNN/fbe (FBE) of its own "
                            "catalogue and budget, user seller_NNN-main, password "
                            "seller_NNN-main-password (fbe alike) (default 0)")
    serve.add_argument("--seller-products", type=_count, default=DEFAULT_SELLER_PRODUCTS,
                       metavar="P", help=f"products in each --sellers account "
                                         f"(default {DEFAULT_SELLER_PRODUCTS})")
    serve.add_argument("--rate-limit", type=float, default=3.0,
                       help="requests per second per account, 0 = unlimited (default 3)")
    serve.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    serve.add_argument("--latency-jitter", type=float, default=0.0)
    serve.add_argument("--fault-rate", type=float, default=0.0, help="0..1")
    serve.add_argument("--fault-kinds", default=",".join(FAULT_KINDS),
                       help=f"comma list of {','.join(FAULT_KINDS)}")
    serve.add_argument("--timeout-delay", type=float, default=30.0)
    serve.add_argument("--state-file", default=None,
                       help="persist mutations here and replay them at start")
    serve.add_argument("--bad-records", type=_count, default=0, metavar="N",
                       help=f"mix N malformed products into every account's catalogue, placed "
                            f"deterministically from the seed and cycling through "
                            f"{', '.join(BAD_KINDS)}; listed at /_admin/bad_records "
                            f"(default 0)")
    serve.add_argument("--order-rate-limit", type=_rate, default=12.0, metavar="RATE",
                       help="requests per second per account on the order routes, a budget "
                            "apart from --rate-limit; 0 = unlimited (default 12)")
    serve.add_argument("--orders-per-hour", type=_rate, default=0.0, metavar="N",
                       help="while serving, place about N orders per hour in every account "
                            "(seeded Poisson arrivals; each also advances or cancels an open "
                            "order now and then), taking their stock from the catalogue "
                            "(default 0: none)")
    serve.add_argument("--drift", type=_count, default=0, metavar="N",
                       help="schema drift: serve every offer, and the lines of every order, "
                            "whose id is divisible by N with keys eMAG never documented (at "
                            "every depth) and two nested values of another type; 1 = all, "
                            "0 = off (default 0)")
    mutate = sub.add_parser("mutate", help="mutate a running sandbox's catalogue")
    mutate.add_argument("--url", default="http://127.0.0.1:8765")
    mutate.add_argument("--account", required=True)
    for name in ("changed", "added", "deleted", "end-of-life"):
        mutate.add_argument(f"--{name}", type=int, default=0)
    mutate.add_argument("--seed", type=int, default=None)
    orders = sub.add_parser("orders", help="place, advance or cancel orders in a running sandbox")
    orders.add_argument("--url", default="http://127.0.0.1:8765")
    orders.add_argument("--account", required=True)
    for name in ("place", "advance", "cancel"):
        orders.add_argument(f"--{name}", type=_count, default=0, metavar="N")
    orders.add_argument("--seed", type=int, default=None)
    orders.add_argument("--at", default=None, metavar="'YYYY-mm-dd HH:ii:ss'",
                        help="eMAG (Bucharest) time of the change; default now")
    stats = sub.add_parser("stats", help="print a running sandbox's request statistics")
    stats.add_argument("--url", default="http://127.0.0.1:8765")
    return parser


def _admin_call(url: str, action: str, payload: dict[str, Any] | None = None) -> Any:
    """Call the admin API of the sandbox at ``url`` (any of its URLs will do)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https"):
        raise SystemExit(f"unsupported URL {url!r}")
    target = f"{parts.scheme}://{parts.netloc}/_admin/{action}"
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(target, data=data, method="POST" if data else "GET",  # noqa: S310
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310
        return json.loads(resp.read())


def _print_accounts(sandbox: Sandbox, sellers: list[AccountSpec], count: int) -> None:
    """One line per ``--account`` account, one line for all the ``--sellers`` ones."""
    config = sandbox.config()
    bad = f" + {config['bad_records']} bad records" if config["bad_records"] else ""
    fleet = {spec.name for spec in sellers}
    for name in sandbox.account_names():
        if name in fleet:
            continue
        acct = config["accounts"][name]
        kind = "FBE" if acct["fbe"] else "MAIN"
        print(f"account {name} ({kind}): user {acct['username']}, {acct['products']} "
              f"products{bad}", file=sys.stderr)
    if count:
        print(f"sellers: {count}, {seller_name(1)} .. {seller_name(count)}, each with accounts "
              f"<seller>/main (MAIN) and <seller>/fbe (FBE) of {sellers[0].products} "
              f"products{bad}: user <seller>-main, password <seller>-main-password "
              f"(fbe alike)", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    sellers = seller_accounts(args.sellers, args.seller_products)
    accounts = [*(args.accounts or []), *sellers] or list(DEFAULT_ACCOUNTS)
    try:
        sandbox = Sandbox(
            accounts=accounts, seed=args.seed,
            rate_limit=args.rate_limit, latency=args.latency, latency_jitter=args.latency_jitter,
            fault_rate=args.fault_rate, fault_kinds=validate_kinds(args.fault_kinds),
            timeout_delay=args.timeout_delay, state_file=args.state_file,
            bad_records=args.bad_records, order_rate_limit=args.order_rate_limit,
            orders_per_hour=args.orders_per_hour, drift=args.drift)
    except ValueError as exc:  # e.g. an --account that takes a --sellers account's name
        raise SystemExit(f"emag-sandbox: error: {exc}") from None
    done = threading.Event()

    def _on_signal(_signum: int, _frame: object) -> None:
        done.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    base = sandbox.start(args.host, args.port)
    _print_accounts(sandbox, sellers, args.sellers)
    config = sandbox.config()
    if config["orders_per_hour"]:
        print(f"orders: about {config['orders_per_hour']:g} per hour per account",
              file=sys.stderr)
    if config["drift"]:
        print(f"schema drift: offers and orders whose id % {config['drift']} == 0",
              file=sys.stderr)
    print(f"admin: {sandbox.admin_url}", file=sys.stderr)
    print(base, flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``emag-sandbox`` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "serve")
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "mutate":
        result = _admin_call(args.url, "mutate", {
            "account": args.account, "changed": args.changed, "added": args.added,
            "deleted": args.deleted, "end_of_life": args.end_of_life, "seed": args.seed})
    elif args.command == "orders":
        result = _admin_call(args.url, "orders", {
            "account": args.account, "place": args.place, "advance": args.advance,
            "cancel": args.cancel, "seed": args.seed, "at": args.at})
    else:
        result = _admin_call(args.url, "stats")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
