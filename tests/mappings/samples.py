"""Vendor-shaped sample objects for the mapping tests.

HubSpot objects are what ``GET /crm/v3/objects/{type}/{id}?propertiesWithHistory=...
&associations=companies`` returns; Stripe objects follow the pinned API version's
published examples (``stripe-fixtures3.json``), keeping their noise fields.
"""

from __future__ import annotations

from typing import Any

JAN_1 = 1735689600  # 2025-01-01T00:00:00Z
FEB_1 = 1738368000  # 2025-02-01T00:00:00Z
MAR_1 = 1740787200  # 2025-03-01T00:00:00Z


def history_entry(value: str | None, timestamp: str) -> dict[str, Any]:
    return {
        "value": value,
        "timestamp": timestamp,
        "sourceType": "CRM_UI",
        "sourceId": "userId:4211",
        "updatedByUserId": 4211,
    }


def hubspot_object(
    object_id: str,
    properties: dict[str, str | None],
    history: dict[str, list[tuple[str | None, str]]] | None = None,
    *,
    associations: dict[str, Any] | None = None,
    created_at: str = "2024-06-03T08:15:00.000Z",
    archived: bool = False,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": object_id,
        "properties": {
            "createdate": created_at,
            "hs_lastmodifieddate": "2025-04-02T16:20:11.532Z",
            "hs_object_id": object_id,
            **properties,
        },
        "propertiesWithHistory": {
            name: [history_entry(value, stamp) for value, stamp in entries]
            for name, entries in (history or {}).items()
        },
        "createdAt": created_at,
        "updatedAt": "2025-04-02T16:20:11.532Z",
        "archived": archived,
    }
    if associations is not None:
        record["associations"] = associations
    return record


def company_links(*links: tuple[str, str]) -> dict[str, Any]:
    """``associations`` of a deal: (company id, association type label) pairs."""
    return {"companies": {"results": [{"id": cid, "type": kind} for cid, kind in links]}}


def stripe_customer(
    customer_id: str, email: str | None = None, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "id": customer_id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": 1735900000,
        "currency": "eur",
        "default_source": None,
        "delinquent": False,
        "description": None,
        "email": email,
        "invoice_prefix": "7FE1103",
        "livemode": False,
        "metadata": metadata or {},
        "name": "Northwind GmbH",
        "preferred_locales": [],
        "tax_exempt": "none",
        "test_clock": None,
    }


def stripe_price(
    price_id: str, interval: str | None = "month", interval_count: Any = 1,
    currency: str = "eur",
) -> dict[str, Any]:
    recurring = None if interval is None else {
        "interval": interval,
        "interval_count": interval_count,
        "meter": None,
        "usage_type": "licensed",
        "trial_period_days": None,
    }
    return {
        "id": price_id,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": 1721948530,
        "currency": currency,
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": None,
        "product": "prod_QXg1hqf4jFNsqG",
        "recurring": recurring,
        "tax_behavior": "exclusive",
        "tiers_mode": None,
        "type": "one_time" if interval is None else "recurring",
        "unit_amount": 12000,
        "unit_amount_decimal": "12000",
    }


def stripe_subscription(
    subscription_id: str, customer: Any = "cus_A", ended_at: Any = None
) -> dict[str, Any]:
    return {
        "id": subscription_id,
        "object": "subscription",
        "billing_cycle_anchor": JAN_1,
        "cancel_at_period_end": False,
        "canceled_at": ended_at,
        "collection_method": "charge_automatically",
        "created": JAN_1,
        "currency": "eur",
        "customer": customer,
        "ended_at": ended_at,
        "items": {"object": "list", "data": [], "has_more": False,
                  "url": f"/v1/subscription_items?subscription={subscription_id}"},
        "livemode": False,
        "metadata": {},
        "start_date": JAN_1,
        "status": "canceled" if ended_at else "active",
    }


def subscription_line(
    line_id: str,
    amount: Any = 12000,
    *,
    price: Any = "price_month",
    start: Any = FEB_1,
    end: Any = MAR_1,
    proration: Any = False,
    subscription: str = "sub_1",
    item: str = "si_1",
    discounts: tuple[Any, ...] = (),
) -> dict[str, Any]:
    return {
        "id": line_id,
        "object": "line_item",
        "amount": amount,
        "currency": "eur",
        "description": "1 × VPS Pro (at €120.00 / month)",
        "discount_amounts": [{"amount": value, "discount": "di_1QbX"} for value in discounts],
        "discountable": True,
        "discounts": [],
        "invoice": "in_1",
        "livemode": False,
        "metadata": {},
        "period": {"end": end, "start": start},
        "quantity": 1,
        "pretax_credit_amounts": [],
        "taxes": [],
        "parent": {
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription,
                "subscription_item": item,
            },
            "type": "subscription_item_details",
        },
        "pricing": {
            "price_details": {"price": price, "product": "prod_QXg1hqf4jFNsqG"},
            "type": "price_details",
            "unit_amount_decimal": "12000",
        },
        "subtotal": amount,
    }


def invoice_item_line(
    line_id: str, amount: int = 5000, *, proration: bool = False,
    subscription: str | None = None,
) -> dict[str, Any]:
    return {
        "id": line_id,
        "object": "line_item",
        "amount": amount,
        "currency": "eur",
        "description": "GPU setup fee",
        "discount_amounts": [],
        "discountable": True,
        "discounts": [],
        "invoice": "in_1",
        "livemode": False,
        "metadata": {},
        "period": {"end": FEB_1, "start": FEB_1},
        "quantity": 1,
        "parent": {
            "invoice_item_details": {
                "invoice_item": "ii_1Pgc6sB7WZ01zgkW",
                "proration": proration,
                "proration_details": {"credited_items": None},
                "subscription": subscription,
            },
            "subscription_item_details": None,
            "type": "invoice_item_details",
        },
        "pricing": {"price_details": {"price": "price_setup", "product": "prod_setup"},
                    "type": "price_details", "unit_amount_decimal": "5000"},
        "subtotal": amount,
    }


def stripe_invoice(
    invoice_id: str = "in_1",
    lines: list[dict[str, Any]] | None = None,
    *,
    customer: Any = "cus_A",
    status: Any = "paid",
    currency: Any = "eur",
    amount_paid: Any = 12000,
    total: Any = 12000,
    credit_notes: Any = 0,
    paid_at: Any = FEB_1 + 3600,
    has_more: bool = False,
) -> dict[str, Any]:
    return {
        "id": invoice_id,
        "object": "invoice",
        "account_country": "DE",
        "amount_due": total,
        "amount_paid": amount_paid,
        "amount_remaining": 0,
        "attempt_count": 1,
        "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically",
        "created": FEB_1,
        "currency": currency,
        "customer": customer,
        "customer_email": "ops@northwind.example",
        "lines": {
            "object": "list",
            "data": lines if lines is not None else [subscription_line("il_1")],
            "has_more": has_more,
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        "livemode": False,
        "metadata": {},
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": {}, "subscription": "sub_1"},
            "type": "subscription_details",
        },
        "period_end": FEB_1,
        "period_start": JAN_1,
        "post_payment_credit_notes_amount": credit_notes,
        "pre_payment_credit_notes_amount": 0,
        "status": status,
        "status_transitions": {
            "finalized_at": FEB_1,
            "marked_uncollectible_at": None,
            "paid_at": paid_at,
            "voided_at": None,
        },
        "subtotal": total,
        "total": total,
        "total_discount_amounts": [],
        "total_excluding_tax": total,
    }
