"""What the engine decides, and the ledger state it decides against.

The engine is a function ``(Inputs, LedgerState, as_of, Programme) -> Decisions``.
``Decisions.ledger`` is the ledger state after the run, so a run at the next instant
takes it as its own input: replaying month by month is folding this function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sync.domain.inputs import CommissionOption, Quarantined, Tier, TouchKind
from sync.domain.money import Cents
from sync.domain.months import Month, month_label


class AttributionStatus(StrEnum):
    """R10, in the order its statuses are checked."""

    NOT_LINKED = "not_linked"
    UNSUPPORTED_CURRENCY = "unsupported_currency"
    NOT_CONVERTED = "not_converted"
    ATTRIBUTED = "attributed"
    NO_TOUCH = "no_touch"
    EXPIRED = "expired"
    EXISTING_CUSTOMER = "existing_customer"
    SELF_REFERRAL = "self_referral"
    UNKNOWN_PARTNER = "unknown_partner"
    AMBIGUOUS_PARTNER = "ambiguous_partner"
    PARTNER_INACTIVE = "partner_inactive"


class LineKind(StrEnum):
    RECURRING = "recurring"
    FLAT = "flat"
    ADJUSTMENT = "adjustment"
    MANUAL = "manual"  # R34: finance's own line; no recompute ever changes it


class PayoutStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    PAID = "paid"
    MANUAL_PENDING = "manual_pending"
    FAILED = "failed"
    ON_HOLD = "on_hold"  # R32, R35: never paid until every hold is released
    PENDING_SECOND_APPROVAL = "pending_second_approval"  # R33: above dual_above


def line_id(partner_id: str, customer_id: str, month: Month, kind: LineKind,
            found_month: Month | None = None) -> str:
    """R16: a line's identity is (partner, customer, month, kind[, found month])."""
    base = f"vmcl_{partner_id}_{customer_id}_{month_label(month)}_{kind.value}"
    return base if found_month is None else f"{base}_{month_label(found_month)}"


def payout_id(partner_id: str, month: Month) -> str:
    """R24: ``vmcpo_<partner id>_<YYYY-MM>``."""
    return f"vmcpo_{partner_id}_{month_label(month)}"


@dataclass(frozen=True, slots=True)
class Touch:
    """A candidate claim on a customer (R4)."""

    kind: TouchKind
    at: datetime
    deal_id: str
    deal_numeric_id: int
    referral_code: str | None = None  # referral-link touches
    registered_by: str | None = None  # deal registrations

    @property
    def order_key(self) -> tuple[datetime, int, int]:
        """R4: by instant; on a tie registration first, then the lower deal id."""
        kind_rank = 0 if self.kind is TouchKind.DEAL_REGISTRATION else 1
        return (self.at, kind_rank, self.deal_numeric_id)


@dataclass(frozen=True, slots=True)
class CandidateVerdict:
    touch: Touch
    partner_id: str | None
    status: AttributionStatus  # ATTRIBUTED for the winner


@dataclass(frozen=True, slots=True)
class CustomerAttribution:
    """Who won a Stripe customer, and why (R3-R10a)."""

    customer_id: str
    status: AttributionStatus
    converted_at: datetime | None = None
    partner_id: str | None = None
    source: TouchKind | None = None
    deal_id: str | None = None  # the deal whose touch won
    option: CommissionOption | None = None
    tier_at_conversion: Tier | None = None
    candidates: tuple[CandidateVerdict, ...] = ()
    frozen: bool = False  # R10a: kept from the ledger

    @property
    def won(self) -> bool:
        return self.status is AttributionStatus.ATTRIBUTED


@dataclass(frozen=True, slots=True)
class DealAttribution:
    """What is written on a HubSpot deal (R10, docs/configuration.md)."""

    deal_id: str
    status: AttributionStatus
    customer_id: str | None = None
    partner_id: str | None = None
    source: TouchKind | None = None
    converted_at: datetime | None = None
    commission_ends_on: Month | None = None  # last month of the window; None: permanent


@dataclass(frozen=True, slots=True)
class FrozenAttribution:
    """R10a: a customer's winner once one of its lines is in a payout."""

    customer_id: str
    partner_id: str
    source: TouchKind
    deal_id: str
    converted_at: datetime
    option: CommissionOption
    tier_at_conversion: Tier | None


@dataclass(frozen=True, slots=True)
class CommissionLine:
    id: str
    partner_id: str
    customer_id: str
    deal_id: str | None
    month: Month
    kind: LineKind
    tier: Tier
    rate: Decimal | None  # None for a flat line (R15)
    basis: Cents
    amount: Cents
    explanation: str
    found_month: Month | None = None  # adjustments only (R16)
    payout_id: str | None = None  # set once assigned; the line is then frozen

    @property
    def payable_month(self) -> Month:
        """The month R22 compares with the payout point. An adjustment goes to the next
        payout (R17): from the point after the month in which it was found, so it is
        never paid by the run that found it, and a second run in the same month still
        finds it open and replaces it (one adjustment per customer-month per run)."""
        return self.found_month + 1 if self.found_month is not None else self.month

    @property
    def frozen(self) -> bool:
        return self.payout_id is not None

    def assigned(self, payout: str) -> CommissionLine:
        """This line in ``payout`` (R22), frozen from then on (R16)."""
        return CommissionLine(self.id, self.partner_id, self.customer_id, self.deal_id,
                              self.month, self.kind, self.tier, self.rate, self.basis,
                              self.amount, self.explanation, self.found_month, payout)


@dataclass(frozen=True, slots=True)
class Payout:
    id: str
    partner_id: str
    month: Month
    amount: Cents
    line_ids: tuple[str, ...]
    status: PayoutStatus
    minimum_waived: bool = False
    explanation: str = ""
    auto_approved_up_to: Cents | None = None  # R25: approved at once under this amount


@dataclass(frozen=True, slots=True)
class LedgerState:
    """What earlier runs decided: the engine's memory."""

    lines: tuple[CommissionLine, ...] = ()
    payouts: tuple[Payout, ...] = ()
    frozen_attributions: tuple[FrozenAttribution, ...] = ()


@dataclass(frozen=True, slots=True)
class LineChange:
    """How a run changes one line: ``created``, ``replaced`` or ``voided``."""

    action: str
    line: CommissionLine
    previous: CommissionLine | None = None


@dataclass(frozen=True, slots=True)
class Unrecovered:
    """R17: a frozen customer-month recomputed lower; nothing is taken back."""

    partner_id: str
    customer_id: str
    month: Month
    frozen_amount: Cents
    recomputed_amount: Cents

    @property
    def difference(self) -> Cents:
        return self.frozen_amount - self.recomputed_amount


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """Something a person must look at (R10a changes, R29 demotions)."""

    rule: str
    subject: str  # customer or partner id
    message: str


@dataclass(frozen=True, slots=True)
class TierMetrics:
    """R27-R30 for one partner and one closed month."""

    partner_id: str
    month: Month
    referred_clients: int
    active_clients: int
    mrr_brought: Cents
    trailing12_revenue: Cents
    eligible_tier: Tier
    mdf: Cents


@dataclass(frozen=True, slots=True)
class Promotion:
    """R29 for the latest closed month: what to write on the partner."""

    partner_id: str
    current_tier: Tier | None
    eligible_tier: Tier
    promote: bool  # auto-promotion on and eligible above current
    review: str  # "" or why a human should look (never demote)


@dataclass(frozen=True, slots=True)
class MonthTotals:
    """MRR of a month over all customers and over partner-sourced ones (R31)."""

    month: Month
    mrr: Cents
    active_customers: int
    partner_mrr: Cents
    partner_active_customers: int


@dataclass(frozen=True, slots=True)
class Decisions:
    as_of: datetime
    last_closed_month: Month
    attributions: tuple[CustomerAttribution, ...]
    deals: tuple[DealAttribution, ...]
    ledger: LedgerState
    changes: tuple[LineChange, ...]
    new_payouts: tuple[Payout, ...]
    unrecovered: tuple[Unrecovered, ...]
    reviews: tuple[ReviewItem, ...]
    metrics: tuple[TierMetrics, ...]
    promotions: tuple[Promotion, ...]
    quarantined: tuple[Quarantined, ...]
    excluded_invoices: tuple[str, ...] = field(default=())  # R19: other currencies
    monthly: tuple[MonthTotals, ...] = field(default=())
