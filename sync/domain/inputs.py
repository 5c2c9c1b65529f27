"""The engine's input model: partners, deals, Stripe billing, already validated.

These types are what ``mappings`` makes of vendor JSON and what the engine reads. They
hold no vendor names: HubSpot property names live in ``mappings.properties``. Money
is integer cents, instants are aware UTC datetimes. Everything is frozen and slotted:
the benchmark holds millions of invoice lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sync.domain.history import History


class Tier(StrEnum):
    REFERRAL = "referral"
    PARTNER = "partner"
    PREMIER = "premier"

    @property
    def rank(self) -> int:
        return _TIER_RANK[self]


_TIER_RANK = {Tier.REFERRAL: 0, Tier.PARTNER: 1, Tier.PREMIER: 2}


class PartnerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class CommissionOption(StrEnum):
    RECURRING = "recurring"
    FLAT = "flat"
    RESELLER = "reseller"


class TouchKind(StrEnum):
    """The source written with an attributed deal (R10, docs/configuration.md)."""

    DEAL_REGISTRATION = "deal_registration"
    REFERRAL_LINK = "referral_link"


class BillingInterval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class PropertyChange:
    """Who set a HubSpot property's current value, from its property history (R32,
    R33): a person (``user_id``) or an integration (``source_type`` INTEGRATION)."""

    value: str
    at: datetime
    source_type: str  # HubSpot's sourceType: CRM_UI, INTEGRATION, API, ...
    user_id: str | None  # HubSpot's updatedByUserId; None: no person made it

    @property
    def key(self) -> str:
        """One change, so it is judged (and audited) once however often it is read."""
        return f"{self.value}@{self.at.isoformat()}"


@dataclass(frozen=True, slots=True)
class Partner:
    """A HubSpot company that ever had a tier (R1)."""

    id: str
    name: str
    domain: str | None
    tier: History[Tier]
    status: History[PartnerStatus]
    option: History[CommissionOption]
    referral_code: History[str]
    stripe_account_id: str | None = None
    stripe_customer_id: str | None = None
    partner_since: date | None = None
    interview_passed: bool = False
    training_completed: bool = False
    certified: bool = False
    confirmed_account: PropertyChange | None = None  # R32: set by an approver in HubSpot


@dataclass(frozen=True, slots=True)
class Deal:
    """A HubSpot deal with its touches (docs/rules.md, Attribution).

    ``stripe_customer_id`` is already resolved: the deal's own property, or else the
    customer whose ``metadata.hubspot_deal_id`` names this deal (docs/configuration.md).
    ``company_domain`` is the domain of the deal's primary associated company (R8).
    A touch whose instant was missing or unparseable was quarantined by the mapping,
    and arrives here with both its fields ``None``.
    """

    id: str
    name: str = ""
    stripe_customer_id: str | None = None
    referral_code: str | None = None
    referral_at: datetime | None = None
    registered_by: str | None = None
    registered_at: datetime | None = None
    company_domain: str | None = None

    @property
    def numeric_id(self) -> int:
        """R4 breaks ties on "the numerically lower HubSpot deal id"."""
        return int(self.id) if self.id.isdigit() else 1 << 62


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    email: str | None = None
    hubspot_deal_id: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()
    name: str | None = None  # as Stripe shows it; for people reading reports only

    @property
    def email_domain(self) -> str | None:
        if not self.email or "@" not in self.email:
            return None
        return self.email.rsplit("@", 1)[1]


@dataclass(frozen=True, slots=True)
class Price:
    id: str
    currency: str
    interval: BillingInterval | None = None  # None: a one-time price
    interval_count: int = 1


@dataclass(frozen=True, slots=True)
class Subscription:
    id: str
    customer_id: str
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One invoice line. Only subscription lines (``subscription_item_id`` set) can
    count in a basis (R11)."""

    id: str
    amount: int
    discount: int
    period_start: datetime
    period_end: datetime
    price_id: str | None
    proration: bool
    subscription_id: str | None
    subscription_item_id: str | None


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    customer_id: str
    currency: str  # lower case, as Stripe writes it
    status: str
    amount_paid: int
    total: int
    post_payment_credit_notes_amount: int
    paid_at: datetime | None
    lines: tuple[InvoiceLine, ...] = ()

    @property
    def is_paid(self) -> bool:
        return self.status == "paid" and self.paid_at is not None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record kept out of the run, with what a person needs to fix it."""

    source: str  # "hubspot" or "stripe"
    object_type: str  # "company", "deal", "customer", "invoice", "price", ...
    record_id: str
    field: str
    reason: str
    value: str = ""

    @property
    def message(self) -> str:
        shown = f" (got {self.value!r})" if self.value else ""
        return (
            f"{self.source} {self.object_type} {self.record_id}: {self.field}: "
            f"{self.reason}{shown}"
        )


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything the engine reads from HubSpot and Stripe for one run."""

    partners: tuple[Partner, ...] = ()
    deals: tuple[Deal, ...] = ()
    customers: tuple[Customer, ...] = ()
    prices: tuple[Price, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    invoices: tuple[Invoice, ...] = ()
    quarantined: tuple[Quarantined, ...] = field(default=())
