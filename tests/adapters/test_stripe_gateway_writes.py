"""Gateway writes against the Stripe sandbox: customer metadata, and R26 transfers
(adopt by ``transfer_group``, idempotency keys, Stripe's refusals not retried)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sync.errors import RequestRejected
from tests.adapters.stripe_support import (
    API_KEY,
    StripeEnv,
    fixture_objects,
    gateway,
    stripe_env,
)


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def accounts_with_transfers(state: str) -> list[str]:
    return [a["id"] for a in fixture_objects("accounts")
            if a["capabilities"]["transfers"] == state]


def transfer_args(destination: str, payout_id: str = "po_2026_05_p1", attempt: int = 1,
                  amount: int = 12_345) -> dict[str, Any]:
    return {
        "amount": amount,
        "destination": destination,
        "transfer_group": payout_id,
        "description": "Partner p1 commission, May 2026",
        "metadata": {"vmc_payout_id": payout_id, "vmc_partner_id": "p1"},
        "idempotency_key": f"{payout_id}-{attempt}",
    }


def stored_transfers(env: StripeEnv) -> list[dict[str, Any]]:
    return env.sandbox.state.newest_first("transfer")


def test_metadata_update_merges_and_removes_empty_values(env: StripeEnv) -> None:
    customer = next(c for c in fixture_objects("customers") if c["metadata"])
    existing = next(iter(customer["metadata"]))
    stripe = gateway(env.url)
    stripe.update_customer_metadata(
        customer["id"], {"vmc_partner_id": "p7", "vmc_attribution_source": "deal"}, "m-1")
    stripe.update_customer_metadata(
        customer["id"], {"vmc_attribution_source": "", existing: ""}, "m-2")
    stored = env.sandbox.state.get("customer", customer["id"])
    assert stored["metadata"] == {"vmc_partner_id": "p7"}


def test_metadata_update_with_nothing_to_write_makes_no_call(env: StripeEnv) -> None:
    gateway(env.url).update_customer_metadata("cus_any", {}, "m-0")
    assert env.sandbox.calls.count() == 0


def test_transfer_is_created_then_found_by_its_group(env: StripeEnv) -> None:
    destination = accounts_with_transfers("active")[0]
    stripe = gateway(env.url)
    assert stripe.find_transfer("po_2026_05_p1") is None

    created = stripe.create_transfer(**transfer_args(destination))

    assert created["amount"] == 12_345 and created["currency"] == "eur"
    assert created["destination"] == destination
    assert created["transfer_group"] == "po_2026_05_p1"
    assert created["metadata"] == {"vmc_payout_id": "po_2026_05_p1", "vmc_partner_id": "p1"}
    assert created["description"] == "Partner p1 commission, May 2026"
    assert stripe.find_transfer("po_2026_05_p1") == created
    assert stripe.find_transfer("po_other") is None


def test_same_idempotency_key_twice_makes_one_transfer(env: StripeEnv) -> None:
    destination = accounts_with_transfers("active")[0]
    stripe = gateway(env.url)
    first = stripe.create_transfer(**transfer_args(destination))
    replayed = stripe.create_transfer(**transfer_args(destination))
    assert replayed == first
    assert len(stored_transfers(env)) == 1
    assert env.sandbox.calls.count(endpoint="transfers.create") == 2


def test_key_reused_with_other_parameters_is_an_idempotency_error(env: StripeEnv) -> None:
    destination = accounts_with_transfers("active")[0]
    stripe = gateway(env.url)
    stripe.create_transfer(**transfer_args(destination))
    with pytest.raises(RequestRejected) as refused:
        stripe.create_transfer(**transfer_args(destination, amount=999))
    assert refused.value.code == "idempotency_error" and refused.value.status == 400
    assert len(stored_transfers(env)) == 1


def test_insufficient_balance_is_rejected_with_its_code_and_not_retried(
    env: StripeEnv,
) -> None:
    env.sandbox.set_balance(100)
    with pytest.raises(RequestRejected) as refused:
        gateway(env.url).create_transfer(**transfer_args(accounts_with_transfers("active")[0]))
    error = refused.value
    assert error.code == "balance_insufficient" and error.status == 400 and error.api == "stripe"
    assert "insufficient available funds" in str(error)
    assert API_KEY not in str(error)
    assert env.sandbox.calls.count(endpoint="transfers.create") == 1
    assert stored_transfers(env) == []


def test_account_without_transfer_capability_is_rejected(env: StripeEnv) -> None:
    with pytest.raises(RequestRejected) as refused:
        gateway(env.url).create_transfer(
            **transfer_args(accounts_with_transfers("inactive")[0]))
    assert refused.value.code == "insufficient_capabilities_for_transfer"
    assert "capabilities" in str(refused.value)
    assert env.sandbox.calls.count(endpoint="transfers.create") == 1


def test_unknown_destination_is_rejected_as_resource_missing(env: StripeEnv) -> None:
    with pytest.raises(RequestRejected) as refused:
        gateway(env.url).create_transfer(**transfer_args("acct_doesnotexist00"))
    assert refused.value.code == "resource_missing"


def test_non_positive_amount_is_refused_before_calling(env: StripeEnv) -> None:
    with pytest.raises(ValueError, match="positive amount"):
        gateway(env.url).create_transfer(**transfer_args("acct_x", amount=0))
    assert env.sandbox.calls.count() == 0


def test_duplicate_transfers_in_a_group_adopt_the_oldest(env: StripeEnv) -> None:
    destination = accounts_with_transfers("active")[0]
    stripe = gateway(env.url)
    first = stripe.create_transfer(**transfer_args(destination, attempt=1))
    env.clock.advance(5)
    stripe.create_transfer(**transfer_args(destination, attempt=2))  # a new key: a 2nd one
    assert stripe.find_transfer("po_2026_05_p1") == first
