"""How each eMAG answer is sorted: results, retried, fatal, or an account failure. No network:
the client's reading of a response is called with responses built here."""

from __future__ import annotations

import json
import logging

import pytest
import requests

from tap_emag.config import Account
from tap_emag.emag_api import (
    EmagAccountClient,
    EmagAuthError,
    FatalEmagError,
    RetriableEmagError,
)

SECRET = "Pw-in-an-echo-7"


@pytest.fixture
def client() -> EmagAccountClient:
    account = Account(name="main", username="u", password=SECRET,
                      base_url="https://marketplace-api.emag.ro/api-3")
    return EmagAccountClient(account, requests_per_second=3, budget="offers", timeout=5,
                             max_retries=0, backoff_seconds=0.01,
                             logger=logging.getLogger("test"), user_agent="test")


def _response(status: int, body: object | bytes, headers: dict[str, str] | None = None,
              ) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def test_results_of_a_good_answer_keep_prices_exact(client):
    body = b'{"isError": false, "messages": [], "results": [{"sale_price": 121.8400}]}'
    results = client._results(_response(200, body), "product_offer/read")
    assert str(results[0]["sale_price"]) == "121.8400"


@pytest.mark.parametrize("status, body, detail", [
    (429, {"message": "API rate limit exceeded"}, "HTTP 429"),
    (500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", "HTTP 500"),
    (502, b"<html>Bad Gateway</html>", "HTTP 502 Bad Gateway"),
    (200, b'{"isError": false, "results": [', "broken JSON"),
    (200, b"[1, 2]", "not a JSON object"),
    (200, {"results": []}, "without isError=false"),
    (200, {"isError": "false", "results": []}, "without isError=false"),
    (200, {"isError": True, "messages": ["Temporary error, please retry"]}, "Temporary error"),
])
def test_transient_answers_are_retried(client, status, body, detail):
    with pytest.raises(RetriableEmagError, match=detail) as caught:
        client._results(_response(status, body), "product_offer/read")
    assert not isinstance(caught.value, FatalEmagError)


@pytest.mark.parametrize("status, body, detail", [
    (401, {"isError": True, "messages": ["Invalid username or password"]}, "HTTP 401"),
    (403, b"", "HTTP 403 authentication failed"),  # a gateway's empty answer
    (403, b"<html><h1>403 Forbidden</h1></html>", "HTTP 403 403 Forbidden"),
    (200, {"isError": True, "messages": ["Your IP is not whitelisted"]}, "refused access"),
])
def test_credentials_and_whitelist_fail_the_account_at_once(client, status, body, detail):
    with pytest.raises(EmagAuthError, match=detail) as caught:
        client._results(_response(status, body), "product_offer/read")
    assert "whitelist" in caught.value.detail or "whitelisted" in caught.value.detail


@pytest.mark.parametrize("status, body, detail", [
    (400, {"isError": True, "messages": ["Bad request"]}, "HTTP 400"),
    (404, {"isError": True, "messages": ["Not found"]}, "HTTP 404"),
    (200, {"isError": True, "messages": ["Maximum input vars of 4000 exceeded"]}, "4000"),
    (200, {"isError": True, "messages": ["Invalid value for currentPage"]}, "currentPage"),
])
def test_wrong_requests_are_fatal_but_not_account_failures(client, status, body, detail):
    with pytest.raises(FatalEmagError, match=detail) as caught:
        client._results(_response(status, body), "product_offer/read")
    assert not isinstance(caught.value, EmagAuthError)


def test_a_429_slows_the_account_down_for_its_retry_after(client):
    before = client.limiter.interval
    with pytest.raises(RetriableEmagError):
        client._results(_response(429, {"message": "API rate limit exceeded"},
                                  {"Retry-After": "2"}), "product_offer/read")
    assert client.limiter.interval > before
    assert client.counters.throttled == 1


def test_a_password_echoed_by_an_answer_never_reaches_the_error(client):
    body = {"isError": True, "messages": [f"Invalid password {SECRET} for user u"]}
    with pytest.raises(EmagAuthError) as caught:
        client._results(_response(200, body), "product_offer/read")
    assert SECRET not in str(caught.value) and "***" in caught.value.detail
    html = f"<html>proxy error for {SECRET}</html>".encode()
    with pytest.raises(RetriableEmagError) as caught:
        client._results(_response(503, html), "product_offer/read")
    assert SECRET not in str(caught.value)
