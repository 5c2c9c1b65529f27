"""Exact classification of Stripe's answers (``responses`` intercepts the SDK's
requests-based client), and the API key never in an error's text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses

from sync.adapters.retry import retry_after_seconds as retry_after
from sync.adapters.stripe.errors import redact
from sync.errors import (
    AuthenticationError,
    NetworkError,
    RateLimited,
    RequestRejected,
    ServerError,
    UpstreamError,
)
from tests.adapters.stripe_support import API_KEY, gateway

BASE = "http://stripe.test"
CUSTOMERS = f"{BASE}/v1/customers"
MASKED = API_KEY[:8] + "*" * (len(API_KEY) - 12) + API_KEY[-4:]  # as Stripe quotes it


def error_body(message: str, type_: str = "invalid_request_error",
               code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": type_}
    if code:
        error["code"] = code
    return {"error": error}


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def failure_of(mocked: responses.RequestsMock, status: int, body: dict[str, Any],
               headers: dict[str, str] | None = None) -> UpstreamError:
    mocked.get(CUSTOMERS, json=body, status=status,
               headers={"Request-Id": "req_test123", **(headers or {})})
    with pytest.raises(UpstreamError) as raised:
        list(gateway(BASE, max_attempts=1).customers())
    return raised.value


CASES = [
    # status, body, our type, code
    (429, error_body("Too many requests", code="rate_limit"), RateLimited, "rate_limited"),
    (500, error_body("An unknown error occurred", "api_error"), ServerError, None),
    (502, error_body("Bad gateway", "api_error"), ServerError, None),
    (503, error_body("Service unavailable", "api_error"), ServerError, None),
    (504, error_body("Gateway timeout", "api_error"), ServerError, None),
    (409, error_body("This object cannot be accessed right now because another API "
                     "request or Stripe process is currently accessing it.", "invalid_request_error",
                     "lock_timeout"), ServerError, "lock_timeout"),
    (409, error_body("There is currently another in-progress request using this "
                     "idempotent key.", "idempotency_error", "idempotency_key_in_use"),
     ServerError, "idempotency_key_in_use"),
    (401, error_body(f"Invalid API Key provided: {MASKED}"), AuthenticationError, None),
    (403, error_body("The provided key does not have the required permissions for this "
                     "endpoint."), AuthenticationError, None),
    (402, error_body("Your card was declined.", "card_error", "card_declined"),
     RequestRejected, "card_declined"),
    (400, error_body("Keys for idempotent requests can only be used with the same "
                     "parameters they were first used with.", "idempotency_error"),
     RequestRejected, "idempotency_error"),
    (400, error_body("You have insufficient available funds in your Stripe account.",
                     code="balance_insufficient"), RequestRejected, "balance_insufficient"),
    (404, error_body("No such customer: 'cus_x'", code="resource_missing"),
     RequestRejected, "resource_missing"),
]


@pytest.mark.parametrize(("status", "body", "expected", "code"), CASES)
def test_each_answer_is_classified_exactly(
    mocked: responses.RequestsMock, status: int, body: dict[str, Any],
    expected: type[UpstreamError], code: str | None,
) -> None:
    failure = failure_of(mocked, status, body)
    assert type(failure) is expected
    assert (failure.status, failure.code, failure.api) == (status, code, "stripe")
    assert body["error"]["message"].split(":")[0] in str(failure)  # Stripe's own words
    assert "req_test123" in str(failure) and "customers.list" in str(failure)


def test_429_with_retry_after_gives_the_wait(mocked: responses.RequestsMock) -> None:
    failure = failure_of(mocked, 429, error_body("Too many", code="rate_limit"),
                         {"Retry-After": "7"})
    assert isinstance(failure, RateLimited) and failure.retry_after == 7.0


def test_429_without_retry_after_leaves_it_to_the_backoff(
    mocked: responses.RequestsMock,
) -> None:
    failure = failure_of(mocked, 429, error_body("Too many", code="rate_limit"))
    assert isinstance(failure, RateLimited) and failure.retry_after is None


def test_lock_timeout_is_retried_with_the_same_idempotency_key(
    mocked: responses.RequestsMock,
) -> None:
    url = f"{BASE}/v1/customers/cus_1"
    mocked.post(url, status=409, json=error_body("busy", code="lock_timeout"))
    mocked.post(url, status=200, json={"id": "cus_1", "object": "customer", "metadata": {}})
    gateway(BASE).update_customer_metadata("cus_1", {"vmc_partner_id": "p1"}, "cus_1-meta")
    keys = [call.request.headers["Idempotency-Key"] for call in mocked.calls]
    assert keys == ["cus_1-meta", "cus_1-meta"]


def test_an_unreadable_body_is_a_server_error(mocked: responses.RequestsMock) -> None:
    mocked.get(CUSTOMERS, body="<html>Bad Gateway</html>", status=502)
    with pytest.raises(ServerError):
        list(gateway(BASE, max_attempts=1).customers())


def test_refused_connection_is_a_network_error() -> None:
    with pytest.raises(NetworkError) as failed:
        list(gateway("http://127.0.0.1:9", max_attempts=1).customers())
    assert failed.value.code == "network" and failed.value.status is None


def test_account_without_access_is_none(mocked: responses.RequestsMock) -> None:
    message = (f"The provided key '{MASKED}' does not have access to account 'acct_gone' "
               "(or that account does not exist). Application access may have been revoked.")
    mocked.get(f"{BASE}/v1/accounts/acct_gone", status=403,
               json=error_body(message, code="account_invalid"))
    mocked.get(f"{BASE}/v1/accounts/acct_deleted", status=200,
               json={"id": "acct_deleted", "object": "account", "deleted": True})
    assert gateway(BASE).account("acct_gone") is None
    assert gateway(BASE).account("acct_deleted") is None
    assert len(mocked.calls) == 2  # no retries


def test_account_endpoint_refusing_the_key_is_not_a_missing_account(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{BASE}/v1/accounts/acct_1", status=401,
               json=error_body(f"Invalid API Key provided: {MASKED}"))
    with pytest.raises(AuthenticationError):
        gateway(BASE).account("acct_1")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_the_key_never_appears_in_an_error(mocked: responses.RequestsMock, status: int) -> None:
    quoted = f"Key {API_KEY} or masked '{MASKED}' was refused"
    failure = failure_of(mocked, status, error_body(quoted, code="account_invalid"))
    text = f"{failure} {failure!r} {failure.args}"
    assert API_KEY not in text and MASKED not in text and API_KEY[-6:] not in text
    assert "[redacted key]" in str(failure)


def test_redact_and_retry_after_helpers() -> None:
    assert redact("key rk_live_abc*** and secret123", ["secret123"]) == (
        "key [redacted key] and [redacted key]")
    assert retry_after({"retry-after": "2.5"}) == 2.5
    assert retry_after({"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
    assert retry_after(None) is None
