"""The mirror keeps only the fields the worker reads of Stripe invoices and customers:
mapping what it keeps gives what mapping the whole objects gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mappings.assemble import build_inputs
from sandbox.synthetic import generate_portal
from sync.pull.kept import kept
from sync.pull.mirror_inputs import Mirrored
from tests.pull.support import DEMO

INVOICE, CUSTOMER = Mirrored.STRIPE_INVOICE.value, Mirrored.STRIPE_CUSTOMER.value
SUBSCRIPTION = Mirrored.STRIPE_SUBSCRIPTION.value


def _read(directory: Path, name: str) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads((directory / name).read_text(encoding="utf-8"))
    return data


def _both_ways(customers: list[dict[str, object]], invoices: list[dict[str, object]],
               prices: list[dict[str, object]], subscriptions: list[dict[str, object]]
               ) -> None:
    whole = build_inputs(stripe_customers=customers, stripe_invoices=invoices,
                         stripe_prices=prices, stripe_subscriptions=subscriptions)
    slim = build_inputs(stripe_customers=[kept(CUSTOMER, c) for c in customers],
                        stripe_invoices=[kept(INVOICE, i) for i in invoices],
                        stripe_prices=prices,
                        stripe_subscriptions=[kept(SUBSCRIPTION, s) for s in subscriptions])
    assert slim == whole
    assert whole.invoices and whole.customers and whole.subscriptions
    assert any(s.ended_at is not None for s in whole.subscriptions)


def test_the_demo_maps_the_same_from_what_the_mirror_keeps() -> None:
    _both_ways(_read(DEMO, "stripe/customers.json"), _read(DEMO, "stripe/invoices.json"),
               _read(DEMO, "stripe/prices.json"), _read(DEMO, "stripe/subscriptions.json"))


@pytest.mark.parametrize("seed", [1, 2])
def test_a_synthetic_portal_maps_the_same_from_what_the_mirror_keeps(seed: int) -> None:
    portal = generate_portal(seed, partners=5, deals=60, customers=60, months=12,
                             start="2025-01")
    _both_ways(portal.customers, portal.invoices, portal.prices, portal.subscriptions)


def test_an_invoice_keeps_less_than_half_its_size() -> None:
    invoices = _read(DEMO, "stripe/invoices.json")
    whole = len(json.dumps(invoices))
    slim = len(json.dumps([kept(INVOICE, i) for i in invoices]))
    assert slim < whole / 2
