"""The partner pages' lists: customers, commission lines by month, payouts and their
statements, the referral link. Every query is filtered by the partner id; a record of
another partner is ``None`` to the caller, which answers 404."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mappings.properties import PropertyMap
from sync.domain.decisions import CommissionLine, LineKind, PayoutStatus
from sync.domain.months import Month, month_label, parse_month_label
from sync.domain.terms import Programme
from sync.ledger import Ledger, LineVersion, PayoutRecord
from sync.ledger.models import LineRow, PayoutRow
from sync.ledger.records import line_of, payout_of
from sync.portal.paging import Paging
from sync.portal.partner_data import partner_of
from sync.portal.partner_facts import WonCustomer, facts_of_partner


@dataclass(frozen=True, slots=True)
class CustomerView:
    won: WonCustomer
    months_left: int | None  # R13: months still earning after the last closed one; None: permanent
    last_month: Month
    last_basis: int | None  # R11, from the customer's line of the last closed month


def _months_left(won: WonCustomer, last_closed: Month) -> int | None:
    if won.commission_ends is None:
        return None
    return max(won.commission_ends - last_closed, 0)


@dataclass(frozen=True, slots=True)
class CustomersPage:
    rows: tuple[CustomerView, ...]  # this page's
    paging: Paging


def last_bases(session: Session, partner_id: str, month: Month,
               customer_ids: list[str]) -> dict[str, int]:
    """R11: each customer's basis from its recurring or flat line of ``month``."""
    query = (select(LineRow.customer_id, LineRow.basis)
             .where(LineRow.partner_id == partner_id, LineRow.month == month_label(month),
                    LineRow.status != "void", LineRow.customer_id.in_(customer_ids),
                    LineRow.kind.in_((LineKind.RECURRING.value, LineKind.FLAT.value)))
             .order_by(LineRow.id))
    return {customer_id: int(basis) for customer_id, basis in session.execute(query)}


def customers(ledger: Ledger, partner_id: str, number: int) -> CustomersPage | None:
    """Page ``number`` of the won customers, in the stored order (conversion, then id);
    ``None`` before a sync stored the facts. A page past the last has no rows and
    ``paging.exists`` false."""
    facts = facts_of_partner(ledger, partner_id, customers=True)
    if facts is None:
        return None
    paging = Paging(number, len(facts.customers))
    if not paging.exists:
        return CustomersPage((), paging)
    shown = facts.customers[paging.offset:paging.offset + paging.size]
    last = facts.last_closed_month
    with ledger.transaction(read_only=True) as session:
        basis = last_bases(session, partner_id, last, [won.customer_id for won in shown])
    rows = tuple(CustomerView(won, _months_left(won, last), last, basis.get(won.customer_id))
                 for won in shown)
    return CustomersPage(rows, paging)


class LineState(StrEnum):
    ACCRUED = "accrued"  # waits for a payout point (R22)
    IN_PAYOUT = "in_payout"  # assigned to a payout not paid yet (frozen, R16)
    PAID = "paid"


def line_state(line: CommissionLine, status: str) -> LineState:
    if line.payout_id is None:
        return LineState.ACCRUED
    return LineState.PAID if status == "paid" else LineState.IN_PAYOUT


@dataclass(frozen=True, slots=True)
class LineView:
    line: CommissionLine
    state: LineState


@dataclass(frozen=True, slots=True)
class LinesPage:
    months: tuple[Month, ...]  # months with lines, latest first
    month: Month | None  # the month shown
    lines: tuple[LineView, ...]  # this page's
    total: int  # of the whole month
    paging: Paging


def month_counts(session: Session, partner_id: str) -> dict[Month, int]:
    """Each month with live lines and how many: counted in the index on (partner, month,
    status) alone (migration 0007), never reading the lines."""
    query = (select(LineRow.month, func.count())
             .where(LineRow.partner_id == partner_id, LineRow.status != "void")
             .group_by(LineRow.month))
    return {parse_month_label(label): int(rows) for label, rows in session.execute(query)}


def month_total(session: Session, partner_id: str, month: Month) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(LineRow.amount), 0)).where(
        LineRow.partner_id == partner_id, LineRow.month == month_label(month),
        LineRow.status != "void")) or 0)


def lines_page(ledger: Ledger, partner_id: str, month: Month | None,
               number: int = 1) -> LinesPage:
    """Page ``number`` of the lines of ``month`` (default: the latest month with lines),
    by customer then id."""
    with ledger.transaction(read_only=True) as session:
        found = month_counts(session, partner_id)
        months = tuple(sorted(found, reverse=True))
        shown = month if month is not None else (months[0] if months else None)
        rows = found.get(shown, 0) if shown is not None else 0
        paging = Paging(number, rows)
        if shown is None or rows == 0 or not paging.exists:
            return LinesPage(months, shown, (), 0, paging)
        total = month_total(session, partner_id, shown)
        query = (select(LineRow).where(
            LineRow.partner_id == partner_id, LineRow.status != "void",
            LineRow.month == month_label(shown)).order_by(LineRow.customer_id, LineRow.id)
            .offset(paging.offset).limit(paging.size))
        views = tuple(LineView(line_of(row), line_state(line_of(row), row.status))
                      for row in session.scalars(query))
    return LinesPage(months, shown, views, total, paging)


@dataclass(frozen=True, slots=True)
class LineDetail:
    view: LineView | None  # None: voided (only its history is left)
    line_id: str
    versions: tuple[LineVersion, ...]


def line_detail(ledger: Ledger, partner_id: str, line_id: str) -> LineDetail | None:
    """``None`` unless the line is the partner's."""
    with ledger.transaction(read_only=True) as session:
        row = session.get(LineRow, line_id)
        if row is None or row.partner_id != partner_id:
            return None
        line = line_of(row)
        view = None if row.status == "void" else LineView(line, line_state(line, row.status))
    return LineDetail(view, line_id, tuple(ledger.line_history(line_id)))


class HoldCause(StrEnum):
    """Why a payout is on hold, as a partner may read it: the cause, never finance's
    own words or another account's id (R32, R35)."""

    DESTINATION = "destination"  # R32: the payout account waits for finance
    FINANCE = "finance"  # R35: held by the programme's finance team


def hold_causes(payout: PayoutRecord) -> tuple[HoldCause, ...]:
    if payout.status is not PayoutStatus.ON_HOLD:
        return ()
    parts = [part.strip() for part in (payout.hold_reason or "").split("; ") if part.strip()]
    causes = {HoldCause.DESTINATION if part.startswith("destination") else HoldCause.FINANCE
              for part in parts} or {HoldCause.FINANCE}
    return tuple(sorted(causes))


@dataclass(frozen=True, slots=True)
class PayoutView:
    payout: PayoutRecord
    holds: tuple[HoldCause, ...]


def payouts(ledger: Ledger, partner_id: str) -> tuple[PayoutView, ...]:
    """The partner's payouts, latest payout point first. The list shows no lines, so
    their ids are not read (``line_ids`` is empty): 24 payouts of 1,000 lines each
    would read 24,000 ids per request; a statement reads its own."""
    with ledger.transaction(read_only=True) as session:
        rows = session.scalars(select(PayoutRow).where(PayoutRow.partner_id == partner_id)
                               .order_by(PayoutRow.month.desc(), PayoutRow.id.desc()))
        found = [payout_of(row, ()) for row in rows]
    return tuple(PayoutView(payout, hold_causes(payout)) for payout in found)


@dataclass(frozen=True, slots=True)
class Referral:
    code: str | None  # the partner's code now (R1); None: it has none
    link: str | None  # None: no code, or the programme has no referral link


def referral(ledger: Ledger, props: PropertyMap, partner_id: str, programme: Programme,
             now: datetime) -> Referral | None:
    with ledger.transaction(read_only=True) as session:
        partner = partner_of(session, props, partner_id)
    if partner is None:
        return None
    code = (partner.referral_code.at(now) or "").strip() or None
    template = programme.portal.referral_link
    link = None if code is None or template is None else template.replace(
        "{code}", quote(code, safe=""))
    return Referral(code, link)
