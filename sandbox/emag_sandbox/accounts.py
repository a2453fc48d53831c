"""Seller accounts: what one is, the default pair, a fleet of sellers, and checking new ones.

An agency syncs hundreds of sellers, each with its own accounts, credentials, catalogue and
rate budget at eMAG; ``--sellers N`` lets one sandbox process stand in for that fleet. An
account named ``<seller>/<account>`` belongs to ``<seller>``: its accounts share the seller's
SKU pool (as MAIN and FBE do), while another seller's pool, and so its catalogue, is its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class AccountSpec:
    """One seller account: its credentials and catalogue size.

    ``fbe`` marks a Fulfilled-by-eMAG account (eMAG warehouse ids, no handling time, orders of
    type 2, stock writes refused: eMAG manages that stock); when None it is inferred from the
    name containing "fbe". Other accounts are seller-fulfilled (MAIN): their orders are type 3.
    """

    name: str
    username: str
    password: str
    products: int = 5000
    fbe: bool | None = None


DEFAULT_ACCOUNTS = (
    AccountSpec("main", "sandbox-main", "sandbox-main-password", 5000, fbe=False),
    AccountSpec("fbe", "sandbox-fbe", "sandbox-fbe-password", 3000, fbe=True),
)

SELLER_ACCOUNTS = (("main", False), ("fbe", True))  # every --sellers seller's accounts
DEFAULT_SELLER_PRODUCTS = 40


def seller_name(number: int) -> str:
    """``seller_001`` for 1: the names ``--sellers`` gives, in order."""
    return f"seller_{number:03d}"


def seller_of(account: str) -> str | None:
    """The seller an account name ``<seller>/<account>`` belongs to (None without a ``/``)."""
    seller, slash, _ = account.partition("/")
    return seller if slash else None


def seller_accounts(count: int, products: int = DEFAULT_SELLER_PRODUCTS) -> list[AccountSpec]:
    """Sellers ``seller_001`` .. ``seller_<count>``, each a MAIN and an FBE account.

    Account ``seller_001/main`` logs in as ``seller_001-main`` with password
    ``seller_001-main-password``; both accounts hold ``products`` products.
    """
    if count < 0 or products < 0:
        raise ValueError("the seller count and products per account must be >= 0")
    specs = []
    for number in range(1, count + 1):
        seller = seller_name(number)
        for account, fbe in SELLER_ACCOUNTS:
            user = f"{seller}-{account}"
            specs.append(AccountSpec(f"{seller}/{account}", user, f"{user}-password",
                                     products, fbe=fbe))
    return specs


ACCOUNT_KEYS = ("name", "username", "password", "products", "fbe")


def spec_from_body(body: dict[str, Any]) -> AccountSpec:
    """The account a ``POST /_admin/accounts`` body describes; ValueError names a bad field.

    ``name``, ``username`` and ``password`` are non-empty strings (a username holding ``:``
    could never log in: HTTP Basic splits there), ``products`` a non-negative integer and
    ``fbe`` true, false or absent (then inferred from the name, as for ``--account``).
    """
    unknown = sorted(set(body) - set(ACCOUNT_KEYS))
    if unknown:
        raise ValueError(f"unknown keys {unknown}; known: {', '.join(ACCOUNT_KEYS)}")
    for key in ("name", "username", "password"):
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{key}: expected a non-empty string, got {value!r}")
    if ":" in body["username"]:
        raise ValueError(f"username: must not contain ':', got {body['username']!r}")
    products = body.get("products")
    if not isinstance(products, int) or isinstance(products, bool) or products < 0:
        raise ValueError(f"products: expected a non-negative integer, got {products!r}")
    fbe = body.get("fbe")
    if fbe is not None and not isinstance(fbe, bool):
        raise ValueError(f"fbe: expected true or false, got {fbe!r}")
    return AccountSpec(body["name"], body["username"], body["password"], products, fbe=fbe)


class AccountExists(ValueError):
    """An account with that name or username is already served (HTTP 409 from the admin API)."""
