"""The eMAG HTTP client, one per account and budget, and how it reads eMAG's answers.

eMAG answers errors in the body as often as in the status line (HTTP 200 with `isError:
true`), throttles at the gateway with 429, and sits behind proxies that answer 5xx in HTML.
Everything that can pass is retried here, with backoff and jitter, and every request of an
account goes through that account's rate limiter, retries included, at the socket (see
`paced_http`).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import typing as t
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus

import backoff
import requests

from tap_emag.config import Account, Settings
from tap_emag.paced_http import PacedAdapter
from tap_emag.rate_limit import RateLimiter

FATAL_MESSAGE = re.compile(
    r"auth|password|username|credential|whitelist|\bip\b|access denied|forbidden|permission"
    r"|not allowed|invalid|required|maximum input vars|must be|not found|unknown",
    re.IGNORECASE,
)
AUTH_MESSAGE = re.compile(
    r"auth|password|username|credential|whitelist|\bip\b|access denied|forbidden|permission",
    re.IGNORECASE,
)
HTML_TAG = re.compile(r"<[^>]+>")
MAX_ERROR_TEXT = 300


class EmagApiError(Exception):
    """An answer from eMAG (or its gateway) that carries no usable results."""

    def __init__(self, account: str, message: str) -> None:
        super().__init__(f"account {account!r}: {message}")
        self.account = account
        self.detail = message


class RetriableEmagError(EmagApiError):
    """Transient: throttling, 5xx, timeouts, broken JSON, transient `isError`."""


class FatalEmagError(EmagApiError):
    """Retrying cannot help: bad request, unknown resource, rejected filters."""


class EmagAuthError(FatalEmagError):
    """Credentials refused, no API rights, or a calling IP that is not whitelisted."""


@dataclass
class RequestCounters:
    """What one account's requests cost in this run; read by the sync log."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, requests: int = 0, retries: int = 0, throttled: int = 0) -> None:
        """Count from any fetching thread."""
        with self._lock:
            self.requests += requests
            self.retries += retries
            self.throttled += throttled


class EmagAccountClient:
    """Calls `POST {base_url}/{resource}/{action}` for one account, paced and retried."""

    def __init__(
        self,
        account: Account,
        *,
        requests_per_second: float,
        budget: str,
        timeout: float,
        max_retries: int,
        backoff_seconds: float,
        logger: logging.Logger,
        user_agent: str,
    ) -> None:
        self.account = account
        # one budget per account and kind, shared with every process of this machine using it
        self.limiter = RateLimiter(requests_per_second, shared_key="\n".join(
            (account.base_url, account.username, budget)))
        self.counters = RequestCounters()
        self._timeout = timeout
        self._logger = logger
        self._user_agent = user_agent
        self._local = threading.local()
        self._call_with_retries = backoff.on_exception(
            lambda: backoff.expo(base=2, factor=max(backoff_seconds, 0.001)),
            RetriableEmagError,
            max_tries=max_retries + 1,
            jitter=backoff.full_jitter,
            on_backoff=self._on_backoff,
            logger=None,
        )(self._call_once)

    def call(self, resource: str, action: str, data: dict[str, t.Any]) -> t.Any:
        """The `results` of one call; raises FatalEmagError, or RetriableEmagError when spent."""
        return self._call_with_retries(resource, action, data)

    def redact(self, text: str) -> str:
        """Remove this account's password from text that may have echoed it."""
        secret = self.account.password
        return text.replace(secret, "***") if secret else text

    # -- one attempt ------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = PacedAdapter(self.limiter)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.auth = (self.account.username, self.account.password)
            session.headers.update({"User-Agent": self._user_agent, "Accept": "application/json"})
            self._local.session = session
        return session

    def send_once(self, resource: str, action: str,
                  data: t.Any) -> tuple[bool, list[str], t.Any]:
        """One attempt of a write: (isError, eMAG's messages, results), never retried here.

        A write that failed in transit (429, 5xx, timeout, broken answer: RetriableEmagError)
        may or may not have been applied; the caller reads back before sending it again, so a
        write is never sent twice. `isError: true` is returned, not raised: a bulk save
        answers it when some offers were refused and the others applied.
        """
        route = f"{resource}/{action}"
        body = self._body(self._post(resource, action, data), route)
        raw = body.get("messages", body.get("message", []))
        messages = [self.redact(str(part)) for part in (raw if isinstance(raw, list) else [raw])
                    if part not in (None, "")]
        if body.get("isError") is True and AUTH_MESSAGE.search("; ".join(messages)):
            raise EmagAuthError(self.account.name, f"{route}: eMAG refused access: "
                                f"{'; '.join(messages)[:MAX_ERROR_TEXT]}")
        if body.get("isError") not in (True, False):
            raise RetriableEmagError(self.account.name, f"{route}: answer without isError")
        return body["isError"], messages, body.get("results")

    def _call_once(self, resource: str, action: str, data: dict[str, t.Any]) -> t.Any:
        return self._results(self._post(resource, action, data), f"{resource}/{action}")

    def _post(self, resource: str, action: str, data: t.Any) -> requests.Response:
        self.counters.add(requests=1)
        url = f"{self.account.base_url}/{resource}/{action}"
        name = self.account.name
        try:
            return self._session().post(url, json={"data": data}, timeout=self._timeout)
        except requests.Timeout as exc:
            raise RetriableEmagError(name, f"no answer within {self._timeout:g}s") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise RetriableEmagError(name, f"connection failed ({type(exc).__name__})") from exc

    def _results(self, response: requests.Response, route: str) -> t.Any:
        name = self.account.name
        body = self._body(response, route)
        messages = self._messages(body)
        if body.get("isError") is True:
            if AUTH_MESSAGE.search(messages):
                raise EmagAuthError(name, f"{route}: eMAG refused access: {messages}")
            if FATAL_MESSAGE.search(messages):
                raise FatalEmagError(name, f"{route}: eMAG error: {messages}")
            raise RetriableEmagError(name, f"{route}: eMAG error: {messages or 'no message'}")
        if body.get("isError") is not False:
            raise RetriableEmagError(name, f"{route}: answer without isError=false")
        return body.get("results")

    def _body(self, response: requests.Response, route: str) -> dict[str, t.Any]:
        """The answer's JSON object; raises for what the status line already says."""
        name, status = self.account.name, response.status_code
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            self.counters.add(throttled=1)
            self.limiter.throttled(_retry_after(response))
            raise RetriableEmagError(name, f"{route}: HTTP 429 rate limit exceeded")
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise RetriableEmagError(name, f"{route}: HTTP {status} {self._snippet(response)}")
        if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
            try:
                messages = self._messages(self._json(response, route))
            except RetriableEmagError:  # a gateway's HTML page, or no body at all
                messages = self._snippet(response)
            raise EmagAuthError(name, (
                f"{route}: HTTP {status} {messages or 'authentication failed'} (check the"
                " username and password, the account's API rights, and that this machine's"
                " IP address is whitelisted in the eMAG seller account)"
            ))
        body = self._json(response, route)
        if status >= HTTPStatus.BAD_REQUEST:
            raise FatalEmagError(name, f"{route}: HTTP {status} {self._messages(body)}")
        return body

    def _json(self, response: requests.Response, route: str) -> dict[str, t.Any]:
        try:
            body = json.loads(response.content, parse_float=Decimal)
        except ValueError as exc:
            raise RetriableEmagError(
                self.account.name, f"{route}: HTTP {response.status_code} with broken JSON "
                f"({len(response.content)} bytes)"
            ) from exc
        if not isinstance(body, dict):
            raise RetriableEmagError(self.account.name, f"{route}: answer is not a JSON object")
        return body

    def _messages(self, body: dict[str, t.Any]) -> str:
        raw = body.get("messages", body.get("message", ""))
        parts = raw if isinstance(raw, list) else [raw]
        text = "; ".join(str(part) for part in parts if part not in (None, ""))
        return self.redact(text)[:MAX_ERROR_TEXT]

    def _snippet(self, response: requests.Response) -> str:
        text = HTML_TAG.sub(" ", response.text or "")
        return self.redact(" ".join(text.split()))[:MAX_ERROR_TEXT]

    def _on_backoff(self, details: t.Any) -> None:
        self.counters.add(retries=1)
        self._logger.warning(
            "%s: retry %d after %.1fs: %s", self.account.name, details["tries"],
            details["wait"], getattr(details.get("exception"), "detail", "error"),
        )


class AccountClients:
    """Each account's clients in one run: one per budget, shared by every stream reading it.

    eMAG gives order routes a budget of their own (`order_requests_per_second`); every other
    route (products, categories, VAT) shares `requests_per_second`. Sharing one client per
    budget shares its pacing and its request counters.
    """

    def __init__(self, settings: Settings, logger: logging.Logger, user_agent: str) -> None:
        self._settings = settings
        self._logger = logger
        self._user_agent = user_agent
        self._clients: dict[str, EmagAccountClient] = {}
        self._order_clients: dict[str, EmagAccountClient] = {}

    def client(self, account_name: str) -> EmagAccountClient:
        """The account's client for every route but orders."""
        if account_name not in self._clients:
            self._clients[account_name] = self._new(
                account_name, self._settings.requests_per_second, "offers")
        return self._clients[account_name]

    def order_client(self, account_name: str) -> EmagAccountClient:
        """The account's client for order routes."""
        if account_name not in self._order_clients:
            self._order_clients[account_name] = self._new(
                account_name, self._settings.order_requests_per_second, "orders")
        return self._order_clients[account_name]

    def counters(self, account_name: str) -> tuple[RequestCounters, RequestCounters | None]:
        """What the account's requests cost: both budgets (None: no order route was called)."""
        orders = self._order_clients.get(account_name)
        return self.client(account_name).counters, orders.counters if orders else None

    def _new(self, account_name: str, requests_per_second: float,
             budget: str) -> EmagAccountClient:
        settings = self._settings
        return EmagAccountClient(
            next(account for account in settings.accounts if account.name == account_name),
            requests_per_second=requests_per_second,
            budget=budget,
            timeout=settings.request_timeout,
            max_retries=settings.max_retries,
            backoff_seconds=settings.retry_backoff_seconds,
            logger=self._logger,
            user_agent=self._user_agent,
        )


def _retry_after(response: requests.Response) -> float:
    try:
        return min(max(float(response.headers.get("Retry-After", 1)), 0.5), 60.0)
    except ValueError:
        return 1.0


def as_rows(results: t.Any) -> list[dict[str, t.Any]]:
    """EMAG returns lists, but some resources answer one object or a dict keyed by id."""
    if results is None:
        return []
    if isinstance(results, list):
        return [row for row in results if isinstance(row, dict)]
    if isinstance(results, dict):
        values = list(results.values())
        if values and all(isinstance(value, dict) for value in values):
            return values
        return [results]
    return []
