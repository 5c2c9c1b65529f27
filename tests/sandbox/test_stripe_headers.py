"""Every answer of the Stripe stand-in carries `Stripe-Version` and `Request-Id`, as
every answer of api.stripe.com does: successes, errors, the rate limiter's 429s and
injected faults (docs/sandbox.md, "Stripe")."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import stripe

from tests.sandbox.stripe_helpers import StripeEnv, make_client, stripe_env

PINNED = "2026-10-28.endive"  # what stripe-python 16 sends, and the stand-in's default


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def _assert_stripe_headers(headers: object) -> None:
    assert headers is not None
    assert headers.get("Stripe-Version") == PINNED  # type: ignore[attr-defined]
    assert str(headers.get("Request-Id")).startswith("req_")  # type: ignore[attr-defined]


def _failure(call: object) -> stripe.StripeError:
    with pytest.raises(stripe.StripeError) as failed:
        call()  # type: ignore[operator]
    return failed.value


def test_a_success_and_vendor_errors_carry_the_version(env: StripeEnv) -> None:
    listed = env.client.v1.customers.list(params={"limit": 1})
    assert listed.last_response is not None
    _assert_stripe_headers(listed.last_response.headers)
    for error in (
        _failure(lambda: env.client.v1.customers.retrieve("cus_nope")),
        _failure(lambda: make_client(env.url, "sk_test_wrong").v1.customers.list()),
        _failure(lambda: env.client.raw_request("get", "/v1/nothing_here")),
    ):
        _assert_stripe_headers(error.headers)


def test_the_rate_limiter_s_429_carries_the_version() -> None:
    with stripe_env(rate_limited=True) as env:
        env.control.limits(read_per_second=1)
        env.client.v1.customers.list(params={"limit": 1})
        limited = _failure(lambda: env.client.v1.customers.list(params={"limit": 1}))
        assert limited.http_status == 429
        _assert_stripe_headers(limited.headers)


@pytest.mark.parametrize(("kind", "status"), [("429", 429), ("500", 500), ("502", 502),
                                              ("503", 503)])
def test_injected_faults_carry_the_version(env: StripeEnv, kind: str, status: int) -> None:
    env.control.faults(nth=[{"path": "/v1/customers", "n": 1, "kind": kind}])
    failed = _failure(lambda: env.client.v1.customers.list())
    assert failed.http_status == status
    _assert_stripe_headers(failed.headers)


def test_a_request_without_a_version_gets_the_pinned_one(env: StripeEnv) -> None:
    env.control.faults(nth=[{"path": "/v1/balance", "n": 1, "kind": "429"}])
    request = urllib.request.Request(f"{env.url}/v1/balance",
                                     headers={"Authorization": "Bearer sk_test_sandbox"})
    with pytest.raises(urllib.error.HTTPError) as limited:
        urllib.request.urlopen(request, timeout=10)
    assert limited.value.code == 429
    _assert_stripe_headers(limited.value.headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        _assert_stripe_headers(answer.headers)
    asked = urllib.request.Request(f"{env.url}/v1/balance", headers={
        "Authorization": "Bearer sk_test_sandbox", "Stripe-Version": "2025-03-31.basil"})
    with urllib.request.urlopen(asked, timeout=10) as answer:
        assert answer.headers.get("Stripe-Version") == "2025-03-31.basil"
