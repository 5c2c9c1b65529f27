"""What the ledger hands out, and conversions between rows and engine types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sync.domain.decisions import (
    CommissionLine,
    FrozenAttribution,
    LineKind,
    Payout,
    PayoutStatus,
)
from sync.domain.inputs import CommissionOption, Tier, TouchKind
from sync.domain.months import Month, parse_month_label
from sync.ledger.models import FrozenAttributionRow, LineRow, PayoutRow
from sync.ledger.types import from_label


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    kind: str
    as_of: datetime
    dry_run: bool
    status: str
    started_at: datetime
    finished_at: datetime | None
    recorded_at: datetime | None
    summary: dict[str, Any]
    error: str | None


@dataclass(frozen=True, slots=True)
class PayoutRecord:
    """A payout with its payment state: the engine's ``Payout`` plus R25/R26 fields."""

    id: str
    partner_id: str
    month: Month
    amount: int
    line_ids: tuple[str, ...]
    status: PayoutStatus
    minimum_waived: bool = False
    explanation: str = ""
    method: str | None = None
    failure_reason: str | None = None
    stripe_transfer_id: str | None = None
    payment_reference: str | None = None
    attempts: int = 0
    approved_by: str | None = None
    approved_at: datetime | None = None
    paid_at: datetime | None = None
    paid_by: str | None = None
    created_run: int = 0  # 0: decided by a run not recorded yet (a dry run's plan)
    second_approved_by: str | None = None  # R33
    second_approved_at: datetime | None = None
    held_from: PayoutStatus | None = None  # R32, R35: the status a release returns to
    hold_reason: str | None = None
    status_note: str | None = None  # why HubSpot's change was refused, say
    judged_change: str | None = None  # the HubSpot status change last judged (R33)

    @classmethod
    def from_engine(cls, payout: Payout) -> PayoutRecord:
        """A payout just decided, before the ledger holds it."""
        return cls(payout.id, payout.partner_id, payout.month, payout.amount, payout.line_ids,
                   payout.status, payout.minimum_waived, payout.explanation)

    def to_payout(self) -> Payout:
        return Payout(self.id, self.partner_id, self.month, self.amount, self.line_ids,
                      self.status, self.minimum_waived, self.explanation)


@dataclass(frozen=True, slots=True)
class PartnerControl:
    """R32, R35 for one partner, as the ledger holds them."""

    partner_id: str
    confirmed_account: str | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    waiting_account: str | None = None  # HubSpot's account, not confirmed yet
    waiting_reason: str | None = None  # None: no destination hold
    finance_hold: str | None = None
    finance_held_by: str | None = None

    @property
    def hold_reasons(self) -> list[str]:
        """Why every unpaid payout of the partner is held (empty: none)."""
        reasons = [self.waiting_reason] if self.waiting_reason else []
        if self.finance_hold:
            reasons.append(f"partner held by {self.finance_held_by}: {self.finance_hold} (R35)")
        return reasons


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    at: datetime
    action: str
    actor: str
    partner_id: str | None
    payout_id: str | None
    line_id: str | None
    account: str | None
    amount: int | None
    reason: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LineVersion:
    line_id: str
    version: int
    action: str
    amount: int
    basis: int
    rate: Decimal | None
    explanation: str
    payout_id: str | None
    run_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    key: str
    kind: str
    target: str
    payload: dict[str, Any]
    status: str
    attempts: int
    result: dict[str, Any] | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Finding:
    """A review item, an unrecovered difference (R17) or a quarantined record."""

    run_id: int
    kind: str
    subject: str
    rule: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)


def rate_text(rate: Decimal | None) -> str | None:
    return None if rate is None else str(rate)


def rate_value(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def line_of(row: LineRow) -> CommissionLine:
    return CommissionLine(
        id=row.id, partner_id=row.partner_id, customer_id=row.customer_id,
        deal_id=row.deal_id, month=parse_month_label(row.month), kind=LineKind(row.kind),
        tier=Tier(row.tier), rate=rate_value(row.rate), basis=row.basis, amount=row.amount,
        explanation=row.explanation, found_month=from_label(row.found_month),
        payout_id=row.payout_id,
    )


def payout_of(row: PayoutRow, line_ids: tuple[str, ...]) -> PayoutRecord:
    return PayoutRecord(
        id=row.id, partner_id=row.partner_id, month=parse_month_label(row.month),
        amount=row.amount, line_ids=line_ids, status=PayoutStatus(row.status),
        minimum_waived=row.minimum_waived, explanation=row.explanation, method=row.method,
        failure_reason=row.failure_reason, stripe_transfer_id=row.stripe_transfer_id,
        payment_reference=row.payment_reference, attempts=row.attempts,
        approved_by=row.approved_by, approved_at=row.approved_at, paid_at=row.paid_at,
        paid_by=row.paid_by, created_run=row.created_run,
        second_approved_by=row.second_approved_by, second_approved_at=row.second_approved_at,
        held_from=None if row.held_from is None else PayoutStatus(row.held_from),
        hold_reason=row.hold_reason, status_note=row.status_note,
        judged_change=row.judged_change,
    )


def frozen_of(row: FrozenAttributionRow) -> FrozenAttribution:
    tier = None if row.tier_at_conversion is None else Tier(row.tier_at_conversion)
    return FrozenAttribution(
        customer_id=row.customer_id, partner_id=row.partner_id, source=TouchKind(row.source),
        deal_id=row.deal_id, converted_at=row.converted_at,
        option=CommissionOption(row.option), tier_at_conversion=tier,
    )
