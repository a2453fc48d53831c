"""The connection test behind `--test`: every account, one cheap call each.

eMAG rejects calls from IP addresses the seller did not whitelist with what looks like an
authentication failure, so the test names each account and what eMAG said about it.
"""

from __future__ import annotations

import logging
import typing as t

from tap_emag.emag_api import EmagApiError

if t.TYPE_CHECKING:
    from tap_emag.config import Account
    from tap_emag.emag_api import AccountClients


def check_accounts(accounts: t.Sequence[Account], clients: AccountClients,
                   logger: logging.Logger) -> bool:
    """True when every account answered product_offer/count."""
    ok = True
    for account in accounts:
        try:
            results = clients.client(account.name).call("product_offer", "count", {})
        except EmagApiError as exc:
            ok = False
            logger.error("Connection test: account %r at %s FAILED: %s",
                         account.name, account.base_url, exc.detail)
            continue
        total = results.get("noOfItems") if isinstance(results, dict) else None
        logger.info("Connection test: account %r at %s OK (%s products).",
                    account.name, account.base_url, total if total is not None else "unknown")
    if not accounts:
        logger.error("Connection test: no account is configured.")
        return False
    return ok
