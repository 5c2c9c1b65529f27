"""Stripe invoices and lines (R3, R11, R18, R19): mapping and whole-invoice quarantine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mappings.stripe.billing import invoices_from_stripe
from sync.domain.inputs import Invoice, InvoiceLine, Quarantined
from tests.mappings.samples import (
    FEB_1,
    MAR_1,
    invoice_item_line,
    stripe_invoice,
    subscription_line,
)

FEB = datetime(2025, 2, 1, tzinfo=UTC)
MAR = datetime(2025, 3, 1, tzinfo=UTC)


def one_invoice(raw: dict[str, Any], **options: Any) -> Invoice:
    invoices, quarantined = invoices_from_stripe([raw], **options)
    assert quarantined == []
    return invoices[0]


def quarantine_of(raw: dict[str, Any], **options: Any) -> Quarantined:
    invoices, quarantined = invoices_from_stripe([raw], **options)
    assert invoices == []
    assert len(quarantined) == 1
    return quarantined[0]


def test_paid_invoice_with_subscription_and_invoice_item_lines() -> None:
    raw = stripe_invoice("in_1", [
        subscription_line("il_1", 12000, discounts=(1000, 500)),
        invoice_item_line("il_2", 5000),
    ], currency="EUR", amount_paid=15500, total=15500, credit_notes=2000)
    assert one_invoice(raw) == Invoice(
        id="in_1", customer_id="cus_A", currency="eur", status="paid", amount_paid=15500,
        total=15500, post_payment_credit_notes_amount=2000,
        paid_at=datetime(2025, 2, 1, 1, tzinfo=UTC),
        lines=(
            InvoiceLine("il_1", 12000, 1500, FEB, MAR, "price_month", False, "sub_1", "si_1"),
            InvoiceLine("il_2", 5000, 0, FEB, FEB, "price_setup", False, None, None),
        ),
    )


def test_open_invoice_has_no_paid_at() -> None:
    invoice = one_invoice(stripe_invoice(status="open", amount_paid=0, paid_at=None))
    assert (invoice.paid_at, invoice.is_paid) == (None, False)


def test_proration_flags() -> None:
    invoice = one_invoice(stripe_invoice(lines=[
        subscription_line("il_1", -4000, proration=True),
        invoice_item_line("il_2", 1500, proration=True, subscription="sub_1"),
    ], total=0, amount_paid=0))
    assert [(line.proration, line.subscription_id, line.subscription_item_id)
            for line in invoice.lines] == [(True, "sub_1", "si_1"), (True, "sub_1", None)]


def test_expanded_price_and_customer() -> None:
    raw = stripe_invoice(lines=[subscription_line("il_1", price={"id": "price_month",
                                                                 "object": "price"})],
                         customer={"id": "cus_A", "object": "customer"})
    invoice = one_invoice(raw)
    assert (invoice.customer_id, invoice.lines[0].price_id) == ("cus_A", "price_month")


def test_invoice_in_the_pinned_shape_maps_subscriptions_from_parent() -> None:
    """API 2026-10-28.endive: no top-level ``subscription`` on the invoice; each line
    names its subscription and item under ``parent.subscription_item_details``."""
    raw = stripe_invoice("in_1", [subscription_line("il_1", subscription="sub_9", item="si_9"),
                                  invoice_item_line("il_2", 5000, subscription="sub_9")],
                         amount_paid=17000, total=17000)
    assert "subscription" not in raw
    assert one_invoice(raw).lines == (
        InvoiceLine("il_1", 12000, 0, FEB, MAR, "price_month", False, "sub_9", "si_9"),
        InvoiceLine("il_2", 5000, 0, FEB, FEB, "price_setup", False, "sub_9", None),
    )


def test_a_top_level_subscription_is_never_read() -> None:
    """The field the pinned version removed (2025-03-31.basil) changes nothing, even
    when it disagrees with ``parent``."""
    lines = [subscription_line("il_1", subscription="sub_9", item="si_9")]
    stale = {**stripe_invoice("in_1", lines), "subscription": "sub_OLD"}
    assert one_invoice(stale) == one_invoice(stripe_invoice("in_1", lines))
    assert one_invoice(stale).lines[0].subscription_id == "sub_9"


PRE_BASIL_LINE: dict[str, Any] = {
    "id": "il_old", "object": "line_item", "amount": 12000, "currency": "eur",
    "discount_amounts": [], "period": {"start": FEB_1, "end": MAR_1}, "proration": False,
    "type": "subscription", "subscription": "sub_1", "subscription_item": "si_1",
    "plan": {"id": "price_month", "object": "plan"},
    "price": {"id": "price_month", "object": "price"},
}


def test_an_invoice_in_the_pre_basil_shape_is_quarantined_not_guessed() -> None:
    """An invoice whose only subscription references are the removed top-level fields
    (no ``parent`` on its line) is quarantined, not read from those fields."""
    old = {**stripe_invoice(lines=[PRE_BASIL_LINE]), "subscription": "sub_1", "parent": None}
    quarantined = quarantine_of(old)
    assert (quarantined.field, quarantined.reason, quarantined.value) == (
        "lines[il_old].parent",
        "missing: since API version 2025-03-31 a line names its subscription and "
        "subscription item under parent; older shapes are not read", "null")


def test_a_line_whose_parent_is_null_is_not_a_subscription_line() -> None:
    """``parent`` is nullable in the pinned version: such a line is not a subscription
    line, whatever its top-level ``subscription`` says."""
    line = {**invoice_item_line("il_3", 700), "parent": None, "subscription": "sub_1"}
    assert one_invoice(stripe_invoice(lines=[line])).lines == (
        InvoiceLine("il_3", 700, 0, FEB, FEB, "price_setup", False, None, None),)


def test_a_subscription_line_without_pricing_is_quarantined_not_read_from_price() -> None:
    """``price`` and ``plan`` left the line in 2025-03-31.basil: only ``pricing`` counts."""
    line = {**subscription_line("il_1"), "pricing": None,
            "price": {"id": "price_month", "object": "price"}, "plan": {"id": "price_month"}}
    quarantined = quarantine_of(stripe_invoice(lines=[line]))
    assert (quarantined.field, quarantined.reason) == (
        "lines[il_1].pricing.price_details.price",
        "a subscription line without a price (R11 needs its interval)")


def test_extra_pages_are_appended_once() -> None:
    raw = stripe_invoice(lines=[subscription_line("il_1")], has_more=True)
    extra = {"in_1": [subscription_line("il_1"), subscription_line("il_2", item="si_2")]}
    invoice = one_invoice(raw, extra_lines=extra)
    assert [line.id for line in invoice.lines] == ["il_1", "il_2"]


def test_has_more_without_the_other_pages_is_quarantined() -> None:
    assert quarantine_of(stripe_invoice(has_more=True)) == Quarantined(
        "stripe", "invoice", "in_1", "lines.has_more",
        "has_more is true but the remaining pages were not read (/v1/invoices/{id}/lines)",
        "true")


def test_equal_instants_share_one_datetime_object() -> None:
    invoices, _ = invoices_from_stripe([
        stripe_invoice("in_1", [subscription_line("il_1")]),
        stripe_invoice("in_2", [subscription_line("il_2", start=MAR_1, end=MAR_1 + 86400 * 31)]),
    ])
    first, second = invoices
    assert first.lines[0].period_end is second.lines[0].period_start
    assert first.paid_at is second.paid_at


def test_known_price_ids_accept_listed_prices() -> None:
    invoice = one_invoice(stripe_invoice(), known_price_ids={"price_month"})
    assert invoice.lines[0].price_id == "price_month"


def test_invoice_item_with_unknown_price_is_not_checked() -> None:
    raw = stripe_invoice(lines=[invoice_item_line("il_2")])
    assert one_invoice(raw, known_price_ids=set()).lines[0].price_id == "price_setup"


def test_deleted_invoice_is_skipped() -> None:
    assert invoices_from_stripe([{"id": "in_9", "object": "invoice", "deleted": True}]) == (
        [], [])


@pytest.mark.parametrize(
    ("changes", "field", "reason", "value"),
    [
        ({"amount_paid": "1 200 €"}, "amount_paid",
         "expected an integer amount in minor units (cents)", "1 200 €"),
        ({"amount_paid": -100}, "amount_paid", "expected an amount >= 0", "-100"),
        ({"total": 120.0}, "total", "expected an integer amount in minor units (cents)",
         "120.0"),
        ({"credit_notes": None}, "post_payment_credit_notes_amount",
         "expected an integer amount in minor units (cents)", "null"),
        ({"paid_at": None}, "status_transitions.paid_at",
         "a paid invoice without its payment instant (R3)", "null"),
        ({"paid_at": "2025-02-01"}, "status_transitions.paid_at",
         "expected epoch seconds (an integer)", "2025-02-01"),
        ({"currency": "euro"}, "currency",
         "expected a three-letter currency code such as 'eur'", "euro"),
        ({"currency": ""}, "currency",
         "expected a three-letter currency code such as 'eur'", ""),
        ({"status": "settled"}, "status",
         "expected one of draft, open, paid, uncollectible, void", "settled"),
        ({"customer": None}, "customer",
         "expected an id (or an expanded object with one)", "null"),
    ],
)
def test_bad_invoice_field_quarantines_the_invoice(
    changes: dict[str, Any], field: str, reason: str, value: str
) -> None:
    quarantined = quarantine_of(stripe_invoice("in_7", **changes))
    assert (quarantined.record_id, quarantined.field, quarantined.reason, quarantined.value) == (
        "in_7", field, reason, value)


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (subscription_line("il_1", "120.00"), "lines[il_1].amount",
         "expected an integer amount in minor units (cents)"),
        (subscription_line("il_1", -12000), "lines[il_1].amount",
         "negative amount on a subscription line that is not a proration"),
        (subscription_line("il_1", start=MAR_1, end=FEB_1), "lines[il_1].period",
         "period ends before it starts"),
        (subscription_line("il_1", end=None), "lines[il_1].period.end",
         "expected epoch seconds (an integer)"),
        (subscription_line("il_1", discounts=(-500,)),
         "lines[il_1].discount_amounts[0].amount", "expected an amount >= 0"),
        (subscription_line("il_1", price=None), "lines[il_1].pricing.price_details.price",
         "a subscription line without a price (R11 needs its interval)"),
        (subscription_line("il_1", proration="no"),
         "lines[il_1].parent.subscription_item_details.proration", "expected true or false"),
    ],
)
def test_bad_line_quarantines_the_whole_invoice(line: dict[str, Any], field: str,
                                                reason: str) -> None:
    quarantined = quarantine_of(stripe_invoice(lines=[subscription_line("il_0"), line]))
    assert (quarantined.field, quarantined.reason) == (field, reason)


def test_subscription_line_with_unknown_price_quarantines_the_invoice() -> None:
    quarantined = quarantine_of(stripe_invoice(lines=[subscription_line("il_1",
                                                                        price="price_gone")]),
                                known_price_ids={"price_month"})
    assert quarantined.message == (
        "stripe invoice in_1: lines[il_1].pricing.price_details.price: price not among the "
        "prices read (deleted or quarantined?); R11 needs its interval (got 'price_gone')")


def test_negative_total_is_kept_for_r18_to_clamp() -> None:
    raw = stripe_invoice(lines=[subscription_line("il_1", -3000, proration=True)],
                         total=-3000, amount_paid=0, status="paid")
    assert one_invoice(raw).total == -3000


def test_one_bad_invoice_does_not_hide_the_others() -> None:
    invoices, quarantined = invoices_from_stripe([
        stripe_invoice("in_1"), stripe_invoice("in_2", currency="zz"), stripe_invoice("in_3"),
    ])
    assert [invoice.id for invoice in invoices] == ["in_1", "in_3"]
    assert [q.record_id for q in quarantined] == ["in_2"]
