"""Stripe customers, prices and subscriptions to the domain model; invoices are in
``stripe_invoices`` and re-exported here. Each function returns (objects, quarantined).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from mappings.properties import DEFAULT_PROPERTY_MAP, PropertyMap
from mappings.stripe.invoices import InvoiceMapper, invoices_from_stripe, split_mapped
from mappings.stripe.objects import (
    COUNT,
    StripeObject,
    integer,
    is_deleted,
    mapping,
    read_object,
    required_id,
)
from mappings.values import BadValueError, InstantCache, Issues, clean_text, parse_currency
from sync.domain.inputs import BillingInterval, Customer, Price, Quarantined, Subscription

__all__ = [
    "InvoiceMapper",
    "customer_ids_by_deal",
    "customers_from_stripe",
    "invoices_from_stripe",
    "prices_from_stripe",
    "split_mapped",
    "subscriptions_from_stripe",
]

_INTERVALS = ", ".join(interval.value for interval in BillingInterval)


def customers_from_stripe(
    customers: Iterable[object], props: PropertyMap = DEFAULT_PROPERTY_MAP
) -> tuple[list[Customer], list[Quarantined]]:
    """Deleted customers are skipped: they legitimately no longer exist."""
    issues = Issues("stripe", "customer")
    mapped: list[Customer] = []
    for raw in customers:
        try:
            customer_id, obj = read_object(raw)
        except BadValueError as error:
            issues.add("?", error.field, error)
            continue
        if not is_deleted(obj):
            mapped.append(_customer(obj, customer_id, props, issues))
    return mapped, issues.items


def _customer(obj: StripeObject, customer_id: str, props: PropertyMap, issues: Issues) -> Customer:
    try:
        email = clean_text(obj.get("email"))
    except BadValueError as error:
        issues.add(customer_id, "email", error)
        email = None
    try:
        name = clean_text(obj.get("name"))
    except BadValueError as error:
        issues.add(customer_id, "name", error)
        name = None
    metadata = _metadata(obj, customer_id, issues)
    deal_key = props.stripe_metadata.hubspot_deal_id
    try:
        deal_id = clean_text(metadata.get(deal_key), max_length=100)
    except BadValueError as error:
        issues.add(customer_id, f"metadata.{deal_key}", error)
        deal_id = None
    return Customer(customer_id, email, deal_id, tuple(sorted(metadata.items())), name)


def _metadata(obj: StripeObject, customer_id: str, issues: Issues) -> dict[str, str]:
    raw = obj.get("metadata") or {}
    if not isinstance(raw, Mapping):
        issues.add(customer_id, "metadata", BadValueError("expected an object", raw))
        return {}
    kept: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(key, str) and isinstance(value, str):
            kept[key] = value
        else:
            issues.add(customer_id, f"metadata.{key}",
                       BadValueError("expected a string value", value))
    return kept


def customer_ids_by_deal(
    customers: Iterable[Customer], props: PropertyMap = DEFAULT_PROPERTY_MAP
) -> tuple[dict[str, str], list[Quarantined]]:
    """Deal id to the customer whose ``metadata.hubspot_deal_id`` names it (docs/configuration.md).

    Two customers naming one deal is ambiguous: neither is linked through metadata
    (not guessed), each is reported, and the deal's own property still links it.
    """
    claims: dict[str, list[str]] = {}
    for customer in customers:
        if customer.hubspot_deal_id is not None:
            claims.setdefault(customer.hubspot_deal_id, []).append(customer.id)
    issues = Issues("stripe", "customer")
    field = f"metadata.{props.stripe_metadata.hubspot_deal_id}"
    links: dict[str, str] = {}
    for deal_id, customer_ids in claims.items():
        if len(customer_ids) == 1:
            links[deal_id] = customer_ids[0]
            continue
        for customer_id in customer_ids:
            others = ", ".join(other for other in customer_ids if other != customer_id)
            issues.add(customer_id, field, BadValueError(
                f"deal {deal_id} is also named by {others}; not linked through metadata: "
                "set the deal's Stripe customer property or fix the metadata", deal_id))
    return links, issues.items


def prices_from_stripe(prices: Iterable[object]) -> tuple[list[Price], list[Quarantined]]:
    """One-time prices have no interval; recurring ones need day/week/month/year and
    an ``interval_count`` >= 1 (R11's months per period)."""
    issues = Issues("stripe", "price")
    mapped: list[Price] = []
    for raw in prices:
        try:
            price_id, obj = read_object(raw)
            if not is_deleted(obj):
                mapped.append(_price(obj, price_id))
        except BadValueError as error:
            issues.add(_id_or_unknown(raw), error.field, error)
    return mapped, issues.items


def _price(obj: StripeObject, price_id: str) -> Price:
    try:
        currency = parse_currency(obj.get("currency"))
    except BadValueError as error:
        raise error.within("currency") from None
    recurring = obj.get("recurring")
    if recurring is None:
        if obj.get("type") == "recurring":
            raise BadValueError("a recurring price without its recurring terms", None,
                                "recurring")
        return Price(price_id, currency)
    terms = mapping(recurring, "recurring")
    interval = _interval(terms.get("interval"))
    count = integer(terms.get("interval_count"), "recurring.interval_count", minimum=1,
                    what=COUNT)
    return Price(price_id, currency, interval, count)


def _interval(value: object) -> BillingInterval:
    if isinstance(value, str) and value in BillingInterval.__members__.values():
        return BillingInterval(value)
    raise BadValueError(f"expected one of {_INTERVALS}", value, "recurring.interval")


def subscriptions_from_stripe(
    subscriptions: Iterable[object], instants: InstantCache | None = None
) -> tuple[list[Subscription], list[Quarantined]]:
    """Subscriptions of every status (``status=all``): R11 reads ``ended_at``."""
    to_instant = instants or InstantCache()
    issues = Issues("stripe", "subscription")
    mapped: list[Subscription] = []
    for raw in subscriptions:
        try:
            subscription_id, obj = read_object(raw)
            if not is_deleted(obj):
                mapped.append(Subscription(
                    subscription_id,
                    required_id(obj, "customer"),
                    _optional_instant(obj.get("ended_at"), "ended_at", to_instant),
                ))
        except BadValueError as error:
            issues.add(_id_or_unknown(raw), error.field, error)
    return mapped, issues.items


def _optional_instant(value: object, field: str, instants: InstantCache) -> datetime | None:
    if value is None:
        return None
    try:
        return instants(value)
    except BadValueError as error:
        raise error.within(field) from None


def _id_or_unknown(raw: object) -> str:
    object_id = raw.get("id") if isinstance(raw, Mapping) else None
    return object_id if isinstance(object_id, str) and object_id else "?"
