"""Shared helpers for the sandbox tests (a plain module: no conftest name clashes)."""

from __future__ import annotations

from typing import Any

import requests

from emag_sandbox import AccountSpec, Sandbox

MAIN = AccountSpec("main", "main-user", "main-pass", 250, fbe=False)
FBE = AccountSpec("fbe", "fbe-user", "fbe-pass", 150, fbe=True)


def start(accounts: list[AccountSpec] | None = None, **kwargs: Any) -> Sandbox:
    """A started sandbox with small accounts; no rate limit unless asked."""
    kwargs.setdefault("rate_limit", 0)
    sb = Sandbox(accounts=accounts or [MAIN, FBE], **kwargs)
    sb.start()
    return sb


def session(user: str = "main-user", password: str = "main-pass") -> requests.Session:
    s = requests.Session()
    s.auth = (user, password)
    return s


def post(s: requests.Session, sb: Sandbox, route: str, data: Any = None, *,
         body: Any = "default", timeout: float = 10, **kwargs: Any) -> requests.Response:
    """POST ``{"data": data}`` (or ``body`` verbatim) to ``route``."""
    payload = {"data": data if data is not None else {}} if body == "default" else body
    return s.post(f"{sb.base_url}/{route}", json=payload, timeout=timeout, **kwargs)


def read_all(s: requests.Session, sb: Sandbox, data: dict | None = None) -> list[dict]:
    """Every product matching ``data`` filters, paging until a short page."""
    out: list[dict] = []
    page = 1
    while True:
        r = post(s, sb, "product_offer/read", {**(data or {}), "currentPage": page,
                                               "itemsPerPage": 100})
        results = r.json()["results"]
        out.extend(results)
        if len(results) < 100:
            return out
        page += 1
