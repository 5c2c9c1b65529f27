"""Idempotent requests as Stripe documents them: replay, mismatch, in-flight, expiry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.sandbox.stripe_helpers import StripeEnv, raw, stripe_env

DAY = 24 * 60 * 60


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def destination(env: StripeEnv) -> str:
    accounts = raw(env.client.v1.accounts.list())["data"]
    return str(next(a["id"] for a in accounts if a["capabilities"]["transfers"] == "active"))


def payout(env: StripeEnv, amount: int = 25_00, group: str = "po_1") -> dict[str, Any]:
    return {"amount": amount, "currency": "eur", "destination": destination(env),
            "transfer_group": group, "metadata": {"vmc_payout_id": group}}


def transfer(env: StripeEnv, params: dict[str, Any], key: str) -> stripe.Transfer:
    return env.client.v1.transfers.create(params=params, options={"idempotency_key": key})  # type: ignore[arg-type]


def transfers_in(env: StripeEnv, group: str) -> list[str]:
    listed = env.client.v1.transfers.list(params={"transfer_group": group})
    return [t.id for t in listed.data]


def test_same_key_same_params_replays_the_first_response(env: StripeEnv) -> None:
    env.sandbox.set_balance(100_00)
    params = payout(env)
    first = transfer(env, params, "po_1-1")
    again = transfer(env, params, "po_1-1")
    assert raw(again) == raw(first)
    assert again.last_response is not None and first.last_response is not None
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert again.last_response.headers["Original-Request"] == first.last_response.request_id
    assert transfers_in(env, "po_1") == [first.id]
    assert env.sandbox.state.available("eur") == 75_00


def test_a_failure_is_replayed_too(env: StripeEnv) -> None:
    env.sandbox.set_balance(10_00)
    params = payout(env, amount=50_00)
    with pytest.raises(stripe.InvalidRequestError) as first:
        transfer(env, params, "po_1-1")
    env.sandbox.set_balance(1_000_00)
    with pytest.raises(stripe.InvalidRequestError) as replay:
        transfer(env, params, "po_1-1")
    assert first.value.code == replay.value.code == "balance_insufficient"
    assert replay.value.headers is not None
    assert replay.value.headers["Idempotent-Replayed"] == "true"
    assert transfer(env, params, "po_1-2").amount == 50_00  # a new attempt, a new key


def test_same_key_other_params_is_an_idempotency_error(env: StripeEnv) -> None:
    transfer(env, payout(env), "po_1-1")
    with pytest.raises(stripe.IdempotencyError) as error:
        transfer(env, payout(env, amount=26_00), "po_1-1")
    assert error.value.http_status == 400
    body: Any = error.value.json_body
    assert body["error"]["type"] == "idempotency_error"
    assert "same parameters" in str(error.value.user_message)
    assert len(transfers_in(env, "po_1")) == 1


def test_same_key_on_another_endpoint_is_an_idempotency_error(env: StripeEnv) -> None:
    transfer(env, payout(env), "shared-key")
    with pytest.raises(stripe.IdempotencyError) as error:
        env.client.v1.customers.create(params={"email": "x@y.example"},
                                       options={"idempotency_key": "shared-key"})
    assert "same endpoint" in str(error.value.user_message)


def test_keys_expire_after_24_hours_by_default(env: StripeEnv) -> None:
    params = payout(env)
    first = transfer(env, params, "po_1-1")
    env.clock.advance(DAY - 60)
    assert transfer(env, params, "po_1-1").id == first.id
    env.clock.advance(60)
    second = transfer(env, params, "po_1-1")
    assert second.id != first.id
    assert second.last_response is not None
    assert "Idempotent-Replayed" not in second.last_response.headers
    assert transfers_in(env, "po_1") == [second.id, first.id]


def test_expiry_is_configurable_while_serving(env: StripeEnv) -> None:
    answer = env.control.records(action="config", idempotency_ttl_seconds=600)
    assert answer["idempotency_ttl_seconds"] == 600
    assert env.sandbox.idempotency_ttl_seconds == 600
    params = payout(env)
    first = transfer(env, params, "po_1-1")
    env.clock.advance(600)
    assert transfer(env, params, "po_1-1").id != first.id


def test_every_sdk_post_is_idempotent_without_an_explicit_key(env: StripeEnv) -> None:
    # stripe-python sends a fresh Idempotency-Key on every POST; distinct calls differ.
    a = env.client.v1.customers.create(params={"email": "same@x.example"})
    b = env.client.v1.customers.create(params={"email": "same@x.example"})
    assert a.id != b.id
    assert a.last_response is not None and a.last_response.idempotency_key


def test_get_requests_ignore_the_key(env: StripeEnv) -> None:
    options: Any = {"idempotency_key": "read-key"}
    first = env.client.v1.customers.list(params={"limit": 1}, options=options)
    other = env.client.v1.customers.list(params={"limit": 2}, options=options)
    assert len(first.data) == 1 and len(other.data) == 2
