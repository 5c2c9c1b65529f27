"""Stripe customers, prices and subscriptions of the pinned API version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mappings.stripe.billing import (
    customer_ids_by_deal,
    customers_from_stripe,
    prices_from_stripe,
    subscriptions_from_stripe,
)
from sync.domain.inputs import BillingInterval, Customer, Price, Quarantined, Subscription
from tests.mappings.samples import (
    invoice_item_line,
    stripe_customer,
    stripe_invoice,
    stripe_price,
    stripe_subscription,
    subscription_line,
)
from tests.reference import pinned_keys


def test_customer() -> None:
    raw = stripe_customer("cus_N", "Ops@Northwind.example",
                          {"hubspot_deal_id": "9101", "vmc_partner_id": "5012"})
    assert customers_from_stripe([raw]) == ([Customer(
        "cus_N", "Ops@Northwind.example", "9101",
        (("hubspot_deal_id", "9101"), ("vmc_partner_id", "5012")), "Northwind GmbH")], [])


def test_customer_without_email_or_metadata() -> None:
    assert customers_from_stripe([stripe_customer("cus_N")]) == (
        [Customer("cus_N", name="Northwind GmbH")], [])


def test_deleted_customer_is_skipped_not_quarantined() -> None:
    deleted = {"deleted": True, "id": "cus_QXg1o8vcGmoR32", "object": "customer"}
    assert customers_from_stripe([deleted]) == ([], [])


def test_customer_metadata_deal_id_with_control_characters() -> None:
    raw = stripe_customer("cus_N", None, {"hubspot_deal_id": "9101\n"})
    customers, quarantined = customers_from_stripe([raw])
    assert customers[0].hubspot_deal_id is None
    assert quarantined == [Quarantined("stripe", "customer", "cus_N", "metadata.hubspot_deal_id",
                                       "contains control characters", "9101\n")]


def test_customer_ids_by_deal() -> None:
    customers = [Customer("cus_A", hubspot_deal_id="9101"), Customer("cus_B"),
                 Customer("cus_C", hubspot_deal_id="9102")]
    assert customer_ids_by_deal(customers) == ({"9101": "cus_A", "9102": "cus_C"}, [])


def test_two_customers_naming_one_deal_link_neither() -> None:
    customers = [Customer("cus_A", hubspot_deal_id="9101"),
                 Customer("cus_B", hubspot_deal_id="9101")]
    links, quarantined = customer_ids_by_deal(customers)
    assert links == {}
    assert [(q.record_id, q.reason) for q in quarantined] == [
        ("cus_A", "deal 9101 is also named by cus_B; not linked through metadata: set the "
                  "deal's Stripe customer property or fix the metadata"),
        ("cus_B", "deal 9101 is also named by cus_A; not linked through metadata: set the "
                  "deal's Stripe customer property or fix the metadata"),
    ]


def test_prices() -> None:
    prices, quarantined = prices_from_stripe([
        stripe_price("price_month"), stripe_price("price_year", "year"),
        stripe_price("price_quarter", "month", 3), stripe_price("price_setup", None),
    ])
    assert quarantined == []
    assert prices == [
        Price("price_month", "eur", BillingInterval.MONTH, 1),
        Price("price_year", "eur", BillingInterval.YEAR, 1),
        Price("price_quarter", "eur", BillingInterval.MONTH, 3),
        Price("price_setup", "eur", None, 1),
    ]


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        (stripe_price("price_x", "fortnight"), "recurring.interval",
         "expected one of day, week, month, year"),
        (stripe_price("price_x", "month", 0), "recurring.interval_count",
         "expected a whole number of intervals >= 1"),
        (stripe_price("price_x", "month", "1"), "recurring.interval_count",
         "expected a whole number of intervals (an integer)"),
        (stripe_price("price_x", currency="euro"), "currency",
         "expected a three-letter currency code such as 'eur'"),
        ({**stripe_price("price_x", None), "type": "recurring"}, "recurring",
         "a recurring price without its recurring terms"),
    ],
)
def test_bad_price_is_quarantined(raw: dict[str, Any], field: str, reason: str) -> None:
    prices, quarantined = prices_from_stripe([raw])
    assert prices == []
    assert [(q.record_id, q.field, q.reason) for q in quarantined] == [("price_x", field, reason)]


def test_subscriptions() -> None:
    subscriptions, quarantined = subscriptions_from_stripe([
        stripe_subscription("sub_1", "cus_A"),
        stripe_subscription("sub_2", {"id": "cus_B", "object": "customer"}, 1740787200),
    ])
    assert quarantined == []
    assert subscriptions == [
        Subscription("sub_1", "cus_A"),
        Subscription("sub_2", "cus_B", datetime(2025, 3, 1, tzinfo=UTC)),
    ]


def test_subscription_without_customer_or_with_bad_end() -> None:
    _, quarantined = subscriptions_from_stripe([
        stripe_subscription("sub_1", None), stripe_subscription("sub_2", "cus_A", "2025-03-01"),
    ])
    assert [(q.record_id, q.field, q.value) for q in quarantined] == [
        ("sub_1", "customer", "null"), ("sub_2", "ended_at", "2025-03-01")]


def test_hand_written_samples_carry_only_keys_of_the_pinned_version() -> None:
    """The samples are abridged Stripe objects: each key they have, the pinned version
    has too (no top-level ``subscription`` on the invoice, no pre-2025-03-31 line fields)."""
    invoice = stripe_invoice(lines=[subscription_line("il_1"), invoice_item_line("il_2")])
    assert set(invoice) <= pinned_keys("invoice")
    assert "subscription" not in invoice
    for line in invoice["lines"]["data"]:
        assert set(line) <= pinned_keys("line_item")
    assert set(stripe_customer("cus_N")) <= pinned_keys("customer")
    assert set(stripe_price("price_month")) <= pinned_keys("price")
    assert set(stripe_subscription("sub_1")) <= pinned_keys("subscription")
