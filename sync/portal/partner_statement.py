"""A payout's statement: the payout and the lines it pays, a page of them at a time on
the printable page, all of them in the CSV. Count and total come from SQL; the CSV
reads only its columns, as tuples. A payout of another partner is ``None``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sync.domain.decisions import CommissionLine
from sync.domain.money import eur
from sync.domain.months import parse_month_label
from sync.ledger import Ledger
from sync.ledger.models import LineRow, PayoutRow
from sync.ledger.records import line_of, rate_value
from sync.ledger.transitions import export_period, spreadsheet_safe
from sync.portal.paging import Paging
from sync.portal.partner_records import PayoutView, hold_causes
from sync.writeback.intents import rate_text

CSV_COLUMNS = ("line_id", "month", "kind", "customer_id", "deal_id", "tier", "rate",
               "basis_eur", "amount_eur", "explanation")
ORDER = (LineRow.month, LineRow.customer_id, LineRow.id)  # stable: the id breaks ties


@dataclass(frozen=True, slots=True)
class Statement:
    view: PayoutView
    lines: tuple[CommissionLine, ...]  # this page's
    total: int  # of every line of the payout
    paging: Paging


def _owned(session: Session, partner_id: str, payout_id: str) -> bool:
    owner = session.scalar(select(PayoutRow.partner_id).where(PayoutRow.id == payout_id))
    return owner is not None and owner == partner_id


def _of_payout(payout_id: str) -> ColumnElement[bool]:
    """The payout's lines, asked only after ``_owned`` found the payout the partner's, in
    the same snapshot: a payout holds only its partner's lines (R22). The partner id is
    left out of this filter on purpose: with it, SQLite (no statistics) read the
    partner's 24,000 lines through (partner_id, month, status) to spare a sort, instead
    of the payout's 1,000 through its own index (94 ms against 6 ms)."""
    return LineRow.payout_id == payout_id


def statement(ledger: Ledger, partner_id: str, payout_id: str,
              number: int = 1) -> Statement | None:
    """Page ``number`` of the payout's lines; ``None`` unless the payout is the partner's.
    A page past the last has no lines and ``paging.exists`` false."""
    with ledger.transaction(snapshot=True, read_only=True) as session:
        if not _owned(session, partner_id, payout_id):
            return None
        rows, total = session.execute(
            select(func.count(), func.coalesce(func.sum(LineRow.amount), 0))
            .where(_of_payout(payout_id))).one()
        paging = Paging(number, int(rows))
        lines: tuple[CommissionLine, ...] = ()
        if paging.exists and rows:
            lines = tuple(line_of(row) for row in session.scalars(
                select(LineRow).where(_of_payout(payout_id)).order_by(*ORDER)
                .offset(paging.offset).limit(paging.size)))
        payout = ledger.get_payout(payout_id)
    return Statement(PayoutView(payout, hold_causes(payout)), lines, int(total), paging)


def statement_rows(ledger: Ledger, partner_id: str,
                   payout_id: str) -> list[list[str]] | None:
    """Every line of the payout as CSV cells (``CSV_COLUMNS``), then the total row;
    amounts with a dot and rates as decimals, as HubSpot and finance's export write them.
    ``None`` unless the payout is the partner's."""
    columns = (LineRow.id, LineRow.month, LineRow.kind, LineRow.customer_id, LineRow.deal_id,
               LineRow.tier, LineRow.rate, LineRow.basis, LineRow.amount, LineRow.explanation)
    with ledger.transaction(snapshot=True, read_only=True) as session:
        if not _owned(session, partner_id, payout_id):
            return None
        found = session.execute(select(*columns).where(_of_payout(payout_id))
                                .order_by(*ORDER)).all()
    rows = [_csv_cells(row) for row in found]
    total = sum(int(row[8]) for row in found)
    rows.append(["total", "", "", "", "", "", "", "", eur(total),
                 f"payout {payout_id}: {len(found)} lines"])
    return rows


def _csv_cells(row: Sequence[Any]) -> list[str]:
    """One line's cells, from the columns ``statement_rows`` reads, in that order."""
    line_id, month, kind, customer_id, deal_id, tier, rate, basis, amount, explanation = row
    return [line_id, export_period(parse_month_label(month)), kind,
            spreadsheet_safe(customer_id), spreadsheet_safe(deal_id or ""),
            spreadsheet_safe(tier), rate_text(rate_value(rate)), eur(basis), eur(amount),
            spreadsheet_safe(explanation)]
