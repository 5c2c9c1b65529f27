"""Stripe's error shape and codes, the rate limit's 429s, faults and the call log."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.sandbox.stripe_helpers import StripeEnv, make_client, raw, stripe_env


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def account_ids(env: StripeEnv, state: str) -> list[str]:
    accounts = raw(env.client.v1.accounts.list())["data"]
    return [a["id"] for a in accounts if a["capabilities"]["transfers"] == state]


def error_of(exc: stripe.StripeError) -> dict[str, Any]:
    body: Any = exc.json_body
    assert body is not None
    error: dict[str, Any] = body["error"]
    return error


def test_missing_or_wrong_api_key_is_a_401(env: StripeEnv) -> None:
    with pytest.raises(stripe.AuthenticationError) as wrong:
        make_client(env.url, "sk_test_wrong_key_123456").v1.customers.list()
    assert wrong.value.http_status == 401
    assert error_of(wrong.value)["type"] == "invalid_request_error"
    assert "Invalid API Key" in str(error_of(wrong.value)["message"])


def test_request_without_api_key_is_a_401(env: StripeEnv) -> None:
    # The SDK refuses to send no key at all, so this one check goes over plain HTTP.
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(env.url + "/v1/customers", timeout=5)
    assert denied.value.code == 401
    error = json.loads(denied.value.read())["error"]
    denied.value.close()
    assert error["type"] == "invalid_request_error"
    assert "You did not provide an API key" in error["message"]


def test_unknown_object_is_a_404_resource_missing(env: StripeEnv) -> None:
    with pytest.raises(stripe.InvalidRequestError) as missing:
        env.client.v1.customers.retrieve("cus_missing")
    error = error_of(missing.value)
    assert missing.value.http_status == 404
    assert error["code"] == "resource_missing" and error["param"] == "id"
    assert error["message"] == "No such customer: 'cus_missing'"
    assert error["doc_url"] == "https://stripe.com/docs/error-codes/resource-missing"


def test_unknown_parameter_and_missing_parameter(env: StripeEnv) -> None:
    typo: Any = {"emial": "typo@x.example"}
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        env.client.v1.customers.create(params=typo)
    assert unknown.value.code == "parameter_unknown" and unknown.value.param == "emial"
    with pytest.raises(stripe.InvalidRequestError) as missing:
        env.client.v1.transfers.create(params={"amount": 100, "currency": "eur"})  # type: ignore[typeddict-item]
    assert missing.value.code == "parameter_missing" and missing.value.param == "destination"


def test_transfer_beyond_the_balance_is_balance_insufficient(env: StripeEnv) -> None:
    env.sandbox.set_balance(99_99)
    params = {"amount": 100_00, "currency": "eur", "destination": account_ids(env, "active")[0]}
    with pytest.raises(stripe.InvalidRequestError) as short:
        env.client.v1.transfers.create(params=params)  # type: ignore[arg-type]
    assert short.value.http_status == 400
    assert error_of(short.value)["type"] == "invalid_request_error"
    assert short.value.code == "balance_insufficient"
    assert env.client.v1.transfers.list().data == []
    env.control.records(action="set_balance", amount=100_00, currency="eur")
    assert env.client.v1.transfers.create(params=params).amount == 100_00  # type: ignore[arg-type]


def test_transfer_to_an_account_without_the_transfers_capability_fails(env: StripeEnv) -> None:
    params = {"amount": 10_00, "currency": "eur", "destination": account_ids(env, "inactive")[0]}
    with pytest.raises(stripe.InvalidRequestError) as refused:
        env.client.v1.transfers.create(params=params)  # type: ignore[arg-type]
    assert refused.value.code == "insufficient_capabilities_for_transfer"
    assert refused.value.param == "destination"
    env.control.records(action="update", object="account", id=params["destination"],
                        fields={"capabilities": {"transfers": "active"}})
    assert env.client.v1.transfers.create(params=params).destination == params["destination"]  # type: ignore[arg-type]


def test_transfer_to_an_unknown_account_names_the_destination(env: StripeEnv) -> None:
    params = {"amount": 10_00, "currency": "eur", "destination": "acct_nope"}
    with pytest.raises(stripe.InvalidRequestError) as missing:
        env.client.v1.transfers.create(params=params)  # type: ignore[arg-type]
    assert missing.value.http_status == 400 and missing.value.param == "destination"


def test_unrecognized_url(env: StripeEnv) -> None:
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        env.client.raw_request("get", "/v1/nothing_here")
    assert unknown.value.http_status == 404
    assert "Unrecognized request URL (GET: /v1/nothing_here)" in str(unknown.value.user_message)


def test_test_mode_rate_limit_answers_429_until_the_second_passes() -> None:
    with stripe_env(rate_limited=True) as env:
        v1 = env.client.v1
        for _ in range(25):
            v1.customers.list(params={"limit": 1})
        with pytest.raises(stripe.RateLimitError) as limited:
            v1.customers.list(params={"limit": 1})
        assert limited.value.http_status == 429
        assert error_of(limited.value)["code"] == "rate_limit"
        assert error_of(limited.value)["type"] == "invalid_request_error"
        assert v1.customers.create(params={"email": "w@x.example"}).id  # writes: own window
        env.clock.advance(1.0)
        assert v1.customers.list(params={"limit": 1}).data
        assert env.sandbox.calls.count(endpoint="customers.list", status=429) == 1


def test_live_mode_limit_and_configuration_through_control() -> None:
    with stripe_env(rate_limited=True) as env:
        settings = env.control.limits(mode="live")
        assert settings["read_per_second"] == 100
        env.control.limits(read_per_second=2)
        env.client.v1.prices.list()
        env.client.v1.prices.list()
        with pytest.raises(stripe.RateLimitError):
            env.client.v1.prices.list()


def test_faults_answer_in_stripes_shape(env: StripeEnv) -> None:
    env.control.faults(nth=[{"path": "/v1/customers", "n": 1, "kind": "500"}])
    with pytest.raises(stripe.APIError) as failed:
        env.client.v1.customers.list()
    assert failed.value.http_status == 500
    assert error_of(failed.value)["type"] == "api_error"
    assert env.client.v1.customers.list().data


def test_call_log_counts_calls_per_endpoint(env: StripeEnv) -> None:
    customer = env.client.v1.customers.list(params={"limit": 1}).data[0]
    env.client.v1.customers.retrieve(customer.id)
    env.client.v1.customers.update(customer.id, params={"metadata": {"a": "b"}})
    counters = env.control.calls()["counters"]
    assert counters["customers.list"] == 1
    assert counters["customers.retrieve"] == 1
    assert counters["customers.update"] == 1
