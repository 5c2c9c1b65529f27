"""What a synthetic portal is made of, before it is rendered in the vendors' shapes.

Specs hold business facts (who, when, how much); ``hubspot_objects``,
``stripe_catalog`` and ``stripe_billing`` turn them into API objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

# A property's values over time, oldest first: (instant, value); "" clears it.
Timeline = tuple[tuple[datetime, str], ...]


@dataclass(frozen=True, slots=True)
class PartnerSpec:
    """A partner company (docs/rules.md: companies whose ``vmc_partner_tier`` is set)."""

    company_id: str
    name: str
    domain: str | None
    city: str
    joined: datetime
    tier: Timeline
    status: Timeline
    option: Timeline
    code: Timeline
    account_id: str | None = None  # Stripe Connect account (R26)
    account_company_id: str | None = None  # its metadata.hubspot_company_id; None: its own
    transfers_active: bool = True
    own_customer_id: str | None = None  # the partner's own Stripe customer (R8)
    interview: bool = False
    training: bool = False
    certified: bool = False


@dataclass(frozen=True, slots=True)
class CompanySpec:
    """A non-partner company: a customer's or a prospect's (R8 reads its domain)."""

    company_id: str
    name: str
    domain: str | None
    city: str
    created: datetime
    extra: Mapping[str, str | None] = field(default_factory=dict)  # raw property values


@dataclass(frozen=True, slots=True)
class DealSpec:
    """A HubSpot deal. Touch values are raw strings, so malformed ones can be planted."""

    deal_id: str
    name: str
    created: datetime
    company_id: str | None
    customer_id: str | None = None  # vmc_stripe_customer_id
    amount: str | None = None
    stage: str = "closedwon"
    closed: datetime | None = None
    referral_code: str | None = None
    referral_at: str | None = None
    registered_by: str | None = None
    registered_at: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerSpec:
    customer_id: str
    name: str
    email: str | None
    created: datetime
    currency: str = "eur"
    hubspot_deal_id: str | None = None  # metadata link (docs/configuration.md)
    description: str | None = None
    country: str = "FR"


@dataclass(frozen=True, slots=True)
class PriceSpec:
    id: str
    product_id: str
    nickname: str
    unit_amount: int  # cents, tax-exclusive
    currency: str = "eur"
    interval: str = "month"
    interval_count: int = 1


@dataclass(frozen=True, slots=True)
class ProductSpec:
    id: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class CouponSpec:
    id: str
    name: str
    percent_off: int
    duration_in_months: int


@dataclass(frozen=True, slots=True)
class Payment:
    """How one invoice is settled: when, with which status, how much credited after."""

    delay: timedelta = timedelta(minutes=3)  # after finalisation
    status: str = "paid"  # paid, open, uncollectible, void
    credited: Fraction = Fraction(0)  # share of the total credited after payment (R18)


@dataclass(frozen=True, slots=True)
class Switch:
    """A plan switch at ``at``: same interval keeps the anchor, another resets it."""

    at: datetime
    price: PriceSpec


@dataclass(frozen=True, slots=True)
class PlanSpec:
    """One subscription with one item, billed from ``start`` until it ends."""

    subscription_id: str
    item_id: str
    customer_id: str
    price: PriceSpec
    start: datetime
    quantity: int = 1
    ended_at: datetime | None = None
    coupon: CouponSpec | None = None
    switch: Switch | None = None
    payments: Mapping[str, Payment] = field(default_factory=dict)  # by period month YYYY-MM
