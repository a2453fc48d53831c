"""The ``/_admin`` control API: the Python API of :class:`Sandbox` over HTTP (loopback only)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from emag_sandbox.accounts import AccountExists, spec_from_body
from emag_sandbox.server import Response

if TYPE_CHECKING:
    from emag_sandbox.app import Sandbox


def _json(status: int, obj: Any) -> Response:
    return Response(status, json.dumps(obj).encode())


def _is_loopback(ip: str) -> bool:
    return ip.startswith(("127.", "::ffff:127.")) or ip == "::1"


def handle(sb: Sandbox, method: str, path: str, query: str, raw: bytes,
           client_ip: str) -> Response:
    """Serve one admin request."""
    if not _is_loopback(client_ip):
        return _json(403, {"error": "the admin API answers loopback clients only"})
    action = path[len("/_admin"):].strip("/")
    try:
        body = json.loads(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return _route(sb, method, action, parse_qs(query), body)
    except AccountExists as exc:
        return _json(409, {"error": str(exc)})
    except (ValueError, KeyError, TypeError) as exc:
        return _json(400, {"error": str(exc)})


def _account_arg(query: dict[str, list[str]], body: dict[str, Any]) -> str:
    """``?account=NAME`` (or the body's ``account``) of the read-only catalogue routes."""
    account = (query.get("account") or [None])[0] or body.get("account")
    if not account:
        raise ValueError("give ?account=NAME")
    return str(account)


def _route(sb: Sandbox, method: str, action: str, query: dict[str, list[str]],
           body: dict[str, Any]) -> Response:
    if method == "GET" and action in ("", "health"):
        return _json(200, {"status": "ok", "seed": sb.seed, "accounts": sb.account_names(),
                           "base_url": sb.base_url})
    if method == "GET" and action == "stats":
        return _json(200, sb.stats())
    if method == "GET" and action == "config":
        return _json(200, sb.config())
    if method == "GET" and action == "catalog":
        return _json(200, sb.catalog(_account_arg(query, body)))
    if method == "GET" and action == "bad_records":
        return _json(200, sb.bad_records(_account_arg(query, body)))
    if method == "GET" and action == "orders":
        return _json(200, sb.orders(_account_arg(query, body)))
    if method == "GET" and action == "writes":
        return _json(200, sb.writes(_account_arg(query, body)))
    if method != "POST":
        return _json(404 if action not in _POST_ACTIONS else 405,
                     {"error": f"no such admin endpoint: {method} /_admin/{action}"})
    if action == "reset_stats":
        sb.reset_stats()
        return _json(200, {"ok": True})
    if action == "mutate":
        args = {k: body[k] for k in ("changed", "added", "deleted", "end_of_life", "seed")
                if k in body and body[k] is not None}
        return _json(200, sb.mutate(body["account"], **args))
    if action == "orders":
        unknown = set(body) - {"account", *ORDER_KEYS}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}; known: account, "
                             f"{', '.join(ORDER_KEYS)}")
        args = {k: body[k] for k in ORDER_KEYS if body.get(k) is not None}
        return _json(200, sb.change_orders(body["account"], **args))
    if action == "campaign":
        unknown = set(body) - {"account", "ids", "on"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}; known: account, ids, on")
        ids = sb.set_campaign(body["account"], body["ids"], body.get("on", True))
        return _json(200, {"account": body["account"], "campaign_ids": ids})
    if action == "accounts":
        return _json(201, sb.add_account(spec_from_body(body)))
    if action == "configure":
        sb.configure(**body)
        return _json(200, sb.config())
    if action == "password":
        sb.set_password(body["account"], body["password"])
        return _json(200, {"ok": True})
    if action == "ip_blocked":
        sb.set_ip_blocked(body["account"], bool(body.get("blocked", True)))
        return _json(200, {"ok": True})
    return _json(404, {"error": f"no such admin endpoint: POST /_admin/{action}"})


_POST_ACTIONS = ("accounts", "reset_stats", "mutate", "orders", "campaign", "configure", "password",
                 "ip_blocked")
ORDER_KEYS = ("place", "cancel", "advance", "cancel_ids", "advance_ids", "lines", "seed", "at")
