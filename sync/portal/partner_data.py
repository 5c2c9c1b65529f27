"""The partner pages' read model: what one partner may see, and nothing else.

Every query names the partner id (a partner sees only itself): its lines, versions,
payouts and controls come from the ledger, its company (tier, code, domain) from the
ledger's mirror of HubSpot, and what the engine decided about it (R27-R30 metrics, won
customers, R13) from the facts the worker stored with its decisions (``partner_facts``).
The rules are the engine's own functions (``eligible``'s thresholds,
``is_payout_point``), never re-derived here. Time enters as ``now``. Money is integer
cents; pages format it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mappings.hubspot import partners_from_companies
from mappings.properties import PropertyMap
from sync.domain.decisions import PayoutStatus, TierMetrics
from sync.domain.inputs import Partner, Tier
from sync.domain.months import Month, month_end, month_of, parse_month_label
from sync.domain.terms import Programme
from sync.engine.payout_decisions import is_payout_point
from sync.ledger import Ledger
from sync.ledger.models import LineRow, MirrorRow, PayoutRow
from sync.ledger.types import from_label
from sync.portal.partner_facts import PartnerFacts, facts_of_partner
from sync.portal.partner_progress import NextTier, next_tier
from sync.pull.mirror_inputs import Mirrored

PARTNER_RECORDS = (Mirrored.HUBSPOT_PARTNER.value, Mirrored.HUBSPOT_COMPANY.value)


def partner_of(session: Session, props: PropertyMap, partner_id: str) -> Partner | None:
    """The partner company as the last run read it (R1 histories), or ``None``."""
    query = select(MirrorRow.object_type, MirrorRow.body).where(
        MirrorRow.object_type.in_(PARTNER_RECORDS), MirrorRow.record_id == partner_id)
    bodies: dict[str, Any] = {row[0]: row[1] for row in session.execute(query)}
    for kind in PARTNER_RECORDS:  # a partner record first: it carries the histories
        if kind in bodies:
            partners, _ = partners_from_companies([bodies[kind]], props)
            if partners:
                return partners[0]
    return None


@dataclass(frozen=True, slots=True)
class LineSum:
    """The amount of the partner's live lines sharing a month, a found month and a
    payout: the database sums 24,000 lines into a few dozen of these."""

    month: Month
    found_month: Month | None
    payout_id: str | None
    amount: int

    @property
    def payable_month(self) -> Month:
        """As ``CommissionLine.payable_month`` (R17, R22)."""
        return self.found_month + 1 if self.found_month is not None else self.month


def line_sums(session: Session, partner_id: str) -> tuple[LineSum, ...]:
    """The partner's live lines (voided ones left out), summed in SQL."""
    query = (select(LineRow.month, LineRow.found_month, LineRow.payout_id,
                    func.sum(LineRow.amount))
             .where(LineRow.partner_id == partner_id, LineRow.status != "void")
             # payout first: grouped by month first, SQLite (no statistics) read the lines
             # through (partner_id, month, status) for its order, 2-3 x slower
             .group_by(LineRow.payout_id, LineRow.found_month, LineRow.month))
    return tuple(LineSum(parse_month_label(month), from_label(found), payout_id, int(amount))
                 for month, found, payout_id, amount in session.execute(query))


@dataclass(frozen=True, slots=True)
class Totals:
    """As the partner company shows them in HubSpot: accrued is every live line, paid
    the lines of paid payouts, the balance what is not paid yet."""

    accrued: int
    paid: int

    @property
    def balance(self) -> int:
        return self.accrued - self.paid


def totals(sums: tuple[LineSum, ...], paid_payouts: set[str]) -> Totals:
    accrued = sum(row.amount for row in sums)
    paid = sum(row.amount for row in sums if (row.payout_id or "") in paid_payouts)
    return Totals(accrued, paid)


@dataclass(frozen=True, slots=True)
class PayoutPoint:
    """R21-R22: the partner's next payout point after the last closed month."""

    month: Month
    tier: Tier
    minimum: int  # R22, of the tier at t_m
    waiting: int  # unassigned lines payable by then, as of the last sync

    @property
    def reached(self) -> bool:
        return self.waiting >= self.minimum


def next_payout_point(partner: Partner, sums: tuple[LineSum, ...], last_closed: Month,
                      programme: Programme) -> PayoutPoint | None:
    """The first month after ``last_closed`` that is a payout point by the tier the
    partner has now (R21); ``None`` without a tier (its balance waits)."""
    for month in range(last_closed + 1, last_closed + 13):
        if is_payout_point(partner, month, programme):
            boundary = month_end(month)
            tier = partner.tier.before(boundary)
            assert tier is not None  # is_payout_point: a tier at t_m
            minimum = programme.terms_before(boundary).tier(tier).minimum_payout
            waiting = sum(row.amount for row in sums
                          if row.payout_id is None and row.payable_month <= month)
            return PayoutPoint(month, tier, minimum, waiting)
    return None


@dataclass(frozen=True, slots=True)
class PaidPayout:
    id: str
    amount: int
    paid_at: datetime


def paid_payouts(session: Session, partner_id: str) -> tuple[PaidPayout, ...]:
    """The partner's paid payouts: three columns, not the records with their line ids."""
    query = select(PayoutRow.id, PayoutRow.amount, PayoutRow.paid_at).where(
        PayoutRow.partner_id == partner_id, PayoutRow.status == PayoutStatus.PAID.value,
        PayoutRow.paid_at.is_not(None))
    return tuple(PaidPayout(ident, amount, paid_at)
                 for ident, amount, paid_at in session.execute(query) if paid_at is not None)


@dataclass(frozen=True, slots=True)
class MonthAmounts:
    month: Month
    accrued: int  # lines payable in the month (R22; an adjustment after its found month)
    paid: int  # the partner's payouts paid in the month, by payment date


@dataclass(frozen=True, slots=True)
class Overview:
    partner: Partner
    tier: Tier | None  # now
    facts: PartnerFacts | None  # None before a sync stored them
    next_tier: NextTier | None
    totals: Totals
    next_point: PayoutPoint | None
    months: tuple[MonthAmounts, ...]

    @property
    def as_of(self) -> datetime | None:
        return None if self.facts is None else self.facts.as_of

    @property
    def latest(self) -> TierMetrics | None:
        return None if self.facts is None else self.facts.latest

    @property
    def mdf_total(self) -> int:
        return 0 if self.facts is None else self.facts.mdf_total

    @property
    def eligible_tier(self) -> Tier | None:
        return None if self.latest is None else self.latest.eligible_tier


def _months(sums: tuple[LineSum, ...], paid: tuple[PaidPayout, ...],
            last: Month | None) -> tuple[MonthAmounts, ...]:
    accrued: dict[Month, int] = defaultdict(int)
    paid_in: dict[Month, int] = defaultdict(int)
    for row in sums:
        accrued[row.payable_month] += row.amount
    for payout in paid:
        paid_in[month_of(payout.paid_at)] += payout.amount
    known = [*accrued, *paid_in]
    if not known:
        return ()
    first, end = min(known), max([*known, *([] if last is None else [last])])
    return tuple(MonthAmounts(month, accrued.get(month, 0), paid_in.get(month, 0))
                 for month in range(first, end + 1))


def overview(ledger: Ledger, props: PropertyMap, partner_id: str, programme: Programme,
             now: datetime) -> Overview | None:
    with ledger.transaction(snapshot=True, read_only=True) as session:
        partner = partner_of(session, props, partner_id)
        if partner is None:
            return None
        sums = line_sums(session, partner_id)
        paid = paid_payouts(session, partner_id)
    facts = facts_of_partner(ledger, partner_id)
    last_closed = facts.last_closed_month if facts is not None else month_of(now) - 1
    tier = partner.tier.at(now)
    return Overview(
        partner, tier, facts,
        next_tier(partner, tier, None if facts is None else facts.latest, programme, now),
        totals(sums, {payout.id for payout in paid}),
        next_payout_point(partner, sums, last_closed, programme),
        _months(sums, paid, last_closed))
