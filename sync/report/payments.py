"""What was paid and what is not paid yet, from the ledger's payouts (R31, R25-R26, R35).

Commission paid counts by *payment date*: the payouts whose ``paid_at`` falls in the
month, whatever payout point they belong to. A payout point's payouts are paid after
the month closes, so counting by payout period showed "0.00 paid" for the latest month
while its transfers were going out. What is not paid yet is told apart by what it waits
for: finance's approval, the next payment run, a payment by hand, or a hold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from sync.domain.decisions import PayoutStatus
from sync.domain.money import Cents
from sync.domain.months import Month, month_end, month_of
from sync.ledger import PayoutRecord

S = PayoutStatus


class Standing(StrEnum):
    """A payout's status as finance reads it, in the order a payout moves through them."""

    PAID = "paid"
    APPROVED = "approved, paid at the next run"
    WAITING_APPROVAL = "waiting for approval"
    MANUAL = "to pay by hand"
    FAILED = "failed, retried at the next run"
    ON_HOLD = "on hold"


STANDING = {
    S.PAID: Standing.PAID, S.APPROVED: Standing.APPROVED,
    S.PENDING_APPROVAL: Standing.WAITING_APPROVAL,
    S.PENDING_SECOND_APPROVAL: Standing.WAITING_APPROVAL,
    S.MANUAL_PENDING: Standing.MANUAL, S.FAILED: Standing.FAILED, S.ON_HOLD: Standing.ON_HOLD,
}


@dataclass(frozen=True, slots=True)
class StandingTotal:
    standing: Standing
    payouts: int
    amount: Cents
    latest: datetime | None = None  # paid: the last payment


@dataclass(frozen=True, slots=True)
class PartnerPayouts:
    partner_id: str
    name: str
    amounts: Mapping[Standing, Cents]  # every standing, 0 when none

    @property
    def label(self) -> str:
        return f"{self.name} ({self.partner_id})" if self.name else self.partner_id

    @property
    def total(self) -> Cents:
        return sum(self.amounts.values())


def paid_in(payouts: Iterable[PayoutRecord], month: Month) -> Cents:
    """Commission paid in ``month``, by payment date."""
    return sum(p.amount for p in payouts
               if p.status is S.PAID and p.paid_at is not None and month_of(p.paid_at) == month)


def paid_by_end_of(payouts: Iterable[PayoutRecord], month: Month) -> Cents:
    """Commission paid before ``month`` ended, by payment date (the ROI's denominator)."""
    end = month_end(month)
    return sum(p.amount for p in payouts
               if p.status is S.PAID and p.paid_at is not None and p.paid_at < end)


def paid_after(payouts: Iterable[PayoutRecord], month: Month) -> StandingTotal:
    """Payouts paid after ``month`` ended (so in no month of its report), by payment date."""
    end = month_end(month)
    later = [p for p in payouts if p.status is S.PAID and p.paid_at is not None
             and p.paid_at >= end]
    return StandingTotal(Standing.PAID, len(later), sum(p.amount for p in later),
                         max((p.paid_at for p in later if p.paid_at), default=None))


def roi(partner_revenue: Cents, paid: Cents) -> Decimal | None:
    """R31: partner-sourced revenue / commission paid, 2 decimals; none before a payment."""
    if paid == 0:
        return None
    return (Decimal(partner_revenue) / Decimal(paid)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def paid_by_month(payouts: Iterable[PayoutRecord]) -> dict[Month, Cents]:
    totals: dict[Month, Cents] = defaultdict(int)
    for payout in payouts:
        if payout.status is S.PAID and payout.paid_at is not None:
            totals[month_of(payout.paid_at)] += payout.amount
    return totals


def standings(payouts: Iterable[PayoutRecord]) -> tuple[StandingTotal, ...]:
    """How many payouts, and how much, stand where; every standing, in ``Standing``'s order."""
    counts: dict[Standing, int] = defaultdict(int)
    amounts: dict[Standing, Cents] = defaultdict(int)
    latest: datetime | None = None
    for payout in payouts:
        standing = STANDING[payout.status]
        counts[standing] += 1
        amounts[standing] += payout.amount
        if payout.paid_at is not None and (latest is None or payout.paid_at > latest):
            latest = payout.paid_at
    return tuple(StandingTotal(standing, counts[standing], amounts[standing],
                               latest if standing is Standing.PAID else None)
                 for standing in Standing)


def by_partner(payouts: Iterable[PayoutRecord],
               names: Mapping[str, str]) -> tuple[PartnerPayouts, ...]:
    """Each partner's payouts by standing, the largest total first."""
    amounts: dict[str, dict[Standing, Cents]] = defaultdict(lambda: dict.fromkeys(Standing, 0))
    for payout in payouts:
        amounts[payout.partner_id][STANDING[payout.status]] += payout.amount
    rows = [PartnerPayouts(key, names.get(key, ""), value) for key, value in amounts.items()]
    return tuple(sorted(rows, key=lambda row: (-row.total, row.partner_id)))
