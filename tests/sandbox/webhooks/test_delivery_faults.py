"""Delivery faults, each seen where it matters: at the receiver (through the Stripe
stand-in; the fault plan is the shared core's, the HubSpot stand-in has the same)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stripe

from sandbox.core.delivery_faults import DeliveryFaultPlan
from tests.sandbox.stripe_helpers import StripeEnv, stripe_env
from tests.sandbox.webhooks.checks import FAST, STRIPE_SECRET, event_ids, verified
from tests.sandbox.webhooks.receiver import Receiver

PATH = "/webhooks/stripe"


def with_faults(env: StripeEnv, receiver: Receiver, **faults: Any) -> None:
    env.control.webhooks(url=receiver.url + PATH, secret=STRIPE_SECRET, retry=FAST, faults=faults)


def customers(env: StripeEnv, count: int) -> list[str]:
    """Create `count` customers, one after the other; the ids of their events, in order."""
    for n in range(count):
        env.client.v1.customers.create(params={"email": f"c{n}@x.example"})
    return [e["id"] for e in env.sandbox.state.events.all()]


def test_duplicate_sends_the_same_event_twice(env: StripeEnv, receiver: Receiver) -> None:
    with_faults(env, receiver, duplicate={"count": 1})
    made = customers(env, 2)
    requests = receiver.wait_for_count(3)
    assert sorted(event_ids(requests)) == sorted([made[0], made[0], made[1]])
    assert all(verified(r) for r in requests)  # both copies are properly signed
    log = env.control.deliveries()["deliveries"]
    assert next(a["faults"] for a in log if a["copy_of"] is None) == ["duplicate"]


def test_drop_never_sends_the_event(env: StripeEnv, receiver: Receiver) -> None:
    with_faults(env, receiver, drop={"count": 1})
    made = customers(env, 2)
    receiver.wait_for(lambda _: env.control.deliveries()["pending"] == 0)
    assert event_ids(receiver.received()) == [made[1]]
    results = [(a["events"], a["result"], a["status"])
               for a in env.control.deliveries()["deliveries"]]
    assert ([made[0]], "dropped", None) in results


def test_bad_signature_is_refused_by_the_sdk_and_the_retry_is_signed_right(
        env: StripeEnv, receiver: Receiver) -> None:
    receiver.answers = [400]  # what a verifying receiver answers a bad signature
    with_faults(env, receiver, bad_signature={"count": 1})
    (made,) = customers(env, 1)
    first, retried = receiver.wait_for_count(2)
    with pytest.raises(stripe.SignatureVerificationError):
        verified(first)
    assert verified(retried).id == made == event_ids([first])[0]


def test_delay_lets_later_events_overtake(env: StripeEnv, receiver: Receiver) -> None:
    with_faults(env, receiver, delay={"count": 1, "seconds": 0.6})
    made = customers(env, 2)
    second, first = receiver.wait_for_count(2)
    assert event_ids([second, first]) == [made[1], made[0]]
    assert first.at - second.at >= 0.4  # held for most of its 0.6 s after the second left


def test_reorder_swaps_a_delivery_with_the_next_one(env: StripeEnv, receiver: Receiver) -> None:
    with_faults(env, receiver, reorder={"count": 1, "hold_seconds": 5})
    made = customers(env, 3)
    assert event_ids(receiver.wait_for_count(3)) == [made[1], made[0], made[2]]


def test_a_held_delivery_with_nothing_after_it_goes_when_its_hold_ends(
        env: StripeEnv, receiver: Receiver) -> None:
    with_faults(env, receiver, reorder={"count": 1, "hold_seconds": 0.3})
    made = customers(env, 1)
    assert event_ids(receiver.wait_for_count(1)) == made


def test_probabilities_draw_from_the_seed_the_same_way_every_time() -> None:
    def drawn(seed: int) -> list[list[str]]:
        plan = DeliveryFaultPlan.from_json({"seed": seed, "duplicate": {"probability": 0.5},
                                            "drop": {"probability": 0.2}})
        return [plan.decide().names() for _ in range(40)]

    assert drawn(7) == drawn(7)
    assert drawn(7) != drawn(8)
    hits = [names for names in drawn(7) if names]
    assert 0 < len(hits) < 40  # some deliveries faulted, not all


def test_the_same_seed_faults_the_same_deliveries_at_the_receiver(receiver: Receiver) -> None:
    def dropped_at_receiver(path: str) -> list[int]:
        with stripe_env() as env:
            try:
                env.control.webhooks(url=receiver.url + path, secret=STRIPE_SECRET, retry=FAST,
                                     faults={"seed": 11, "drop": {"probability": 0.5}})
                made = customers(env, 12)
                receiver.wait_for(lambda _: env.control.deliveries()["pending"] == 0)
            finally:
                env.sandbox.close()
            arrived = set(event_ids(receiver.received(path)))
            return [n for n, event in enumerate(made) if event not in arrived]

    first, second = dropped_at_receiver("/one"), dropped_at_receiver("/two")
    assert first == second and 0 < len(first) < 12


def test_counts_are_used_up_and_shown(env: StripeEnv, receiver: Receiver) -> None:
    with_faults(env, receiver, seed=3, duplicate={"count": 2})
    customers(env, 3)
    receiver.wait_for_count(5)
    shown = env.control.deliveries()
    assert shown["faults"] == {"seed": 3, "duplicate": {"count": 0}}
    assert json.loads(receiver.received()[0].body)["object"] == "event"
