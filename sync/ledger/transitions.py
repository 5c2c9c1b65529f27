"""Payout status transitions, one owner per transition (docs/rules.md, R25, R26).

Finance moves ``pending_approval -> approved`` and ``manual_pending -> paid``; the
worker moves ``approved``/``failed`` to ``paid``, ``failed`` or ``manual_pending``.
Each change locks the payout row first (``FOR UPDATE`` on PostgreSQL; SQLite
transactions begin IMMEDIATE), so two actors never both move the same payout.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sync.domain.decisions import PayoutStatus
from sync.domain.money import eur
from sync.domain.months import Month
from sync.ledger.errors import (
    DoublePaymentError,
    IllegalTransitionError,
    LedgerError,
    UnknownRecordError,
    scrub,
)
from sync.ledger.models import LineRow, PayoutLineRow, PayoutRow
from sync.ledger.records import PayoutRecord, payout_of

S = PayoutStatus


class Actor(StrEnum):
    FINANCE = "finance"
    WORKER = "worker"


OWNERS: dict[tuple[PayoutStatus, PayoutStatus], Actor] = {
    (S.PENDING_APPROVAL, S.APPROVED): Actor.FINANCE,
    (S.PENDING_APPROVAL, S.PENDING_SECOND_APPROVAL): Actor.FINANCE,  # R33: first of two
    (S.PENDING_SECOND_APPROVAL, S.APPROVED): Actor.FINANCE,
    (S.MANUAL_PENDING, S.PAID): Actor.FINANCE,
    **{(source, target): Actor.WORKER
       for source in (S.APPROVED, S.FAILED)
       for target in (S.PAID, S.FAILED, S.MANUAL_PENDING)},
}
PAYABLE = frozenset({S.APPROVED, S.FAILED})  # R26: what the worker may (re)try to pay
APPROVED_ONCE = frozenset({S.APPROVED, S.PAID, S.FAILED, S.MANUAL_PENDING})  # R25 passed


def locked_payout(session: Session, payout_id: str) -> PayoutRow:
    query = (select(PayoutRow).where(PayoutRow.id == payout_id).with_for_update()
             .execution_options(populate_existing=True))
    row = session.scalars(query).one_or_none()
    if row is None:
        raise UnknownRecordError(f"payout {payout_id} does not exist")
    return row


def transition(session: Session, payout_id: str, target: PayoutStatus, actor: Actor,
               now: datetime) -> PayoutRow:
    row = locked_payout(session, payout_id)
    source = PayoutStatus(row.status)
    owner = OWNERS.get((source, target))
    if source is S.ON_HOLD:
        raise IllegalTransitionError(
            f"payout {payout_id} is on hold ({row.hold_reason}): it moves on only once "
            "released (R32, R35)")
    if owner is None:
        raise IllegalTransitionError(
            f"payout {payout_id}: {source.value} -> {target.value} is not allowed (docs/rules.md)")
    if owner is not actor:
        raise IllegalTransitionError(
            f"payout {payout_id}: {source.value} -> {target.value} is made by {owner.value}, "
            f"not by {actor.value} (docs/rules.md)")
    row.status, row.updated_at = target.value, now
    return row


def _required(value: str, what: str) -> str:
    if not value.strip():
        raise LedgerError(f"{what} must not be empty")
    return value.strip()


@dataclass(frozen=True, slots=True)
class Approver:
    """Who approves (R33): ``name`` as recorded, ``keys`` every identity of the person
    (a HubSpot user id, an email, an operator's name), so one person approving twice,
    once in HubSpot and once on the command line, still counts once."""

    name: str
    keys: frozenset[str]

    @classmethod
    def operator(cls, by: str) -> Approver:
        name = _required(by, "approved by")
        return cls(name, frozenset({name.casefold()}))

    @classmethod
    def hubspot_user(cls, user_id: str, email: str | None) -> Approver:
        keys = {f"hubspot:{user_id}"} | ({email.casefold()} if email else set())
        name = f"HubSpot user {user_id}" + (f" ({email})" if email else "")
        return cls(name, frozenset(keys))


def auto_approver(limit: int) -> str:
    """Who approved a payout the engine approved at once (R25), as finance reads it."""
    return f"auto (R25, up to {eur(limit)} EUR)"


def approve(session: Session, payout_id: str, by: Approver, now: datetime,
            dual_above: int | None) -> PayoutRow:
    """R25, R33: finance approves a payout above the auto-approval amount; above
    ``dual_above`` the first approval makes it ``pending_second_approval`` and only a
    second, different person approves it."""
    row = locked_payout(session, payout_id)
    if row.status == S.PENDING_SECOND_APPROVAL.value:
        first = frozenset((row.approver_keys or "").split("\n"))
        if by.keys & first:
            raise IllegalTransitionError(
                f"payout {payout_id}: {by.name} gave its first approval; above "
                f"{eur(dual_above or 0)} EUR a second approval comes from another person (R33)")
        row = transition(session, payout_id, S.APPROVED, Actor.FINANCE, now)
        row.second_approved_by, row.second_approved_at = by.name, now
        return row
    two = dual_above is not None and row.amount > dual_above
    row = transition(session, payout_id, S.PENDING_SECOND_APPROVAL if two else S.APPROVED,
                     Actor.FINANCE, now)
    row.approved_by, row.approved_at = by.name, now
    row.approver_keys = "\n".join(sorted(by.keys))
    return row


def mark_paid(session: Session, payout_id: str, by: str, reference: str | None,
              now: datetime) -> PayoutRow:
    """R26: finance paid a ``manual_pending`` payout outside Stripe."""
    who = _required(by, "paid by")
    row = transition(session, payout_id, S.PAID, Actor.FINANCE, now)
    row.method, row.paid_by, row.paid_at, row.payment_reference = "manual", who, now, reference
    _mark_lines_paid(session, payout_id)
    return row


def start_payment_attempt(session: Session, payout_id: str, now: datetime) -> int:
    """R26: the attempt number for the idempotency key ``<payout id>-<attempt>``; committed
    before the transfer is tried, so a retry after a crash never reuses a failed key."""
    row = locked_payout(session, payout_id)
    if PayoutStatus(row.status) not in PAYABLE:
        raise IllegalTransitionError(
            f"payout {payout_id} is {row.status}: only approved or failed payouts are paid (R26)")
    row.attempts += 1
    row.updated_at = now
    return row.attempts


def record_transfer(session: Session, payout_id: str, transfer_id: str,
                    now: datetime) -> PayoutRow:
    """R26: a Stripe transfer paid the payout (created now, or adopted by transfer group)."""
    transfer = _required(transfer_id, "transfer id")
    row = locked_payout(session, payout_id)
    if row.status == S.ON_HOLD.value and row.held_from in PAYABLE:
        # Held while its transfer was under way: the money moved, so the ledger says so.
        row.status, row.held_from, row.hold_reason = row.held_from, None, None
    if row.status == S.PAID.value:
        if row.stripe_transfer_id == transfer:
            return row  # the same transfer recorded again: nothing changes
        raise DoublePaymentError(
            f"payout {payout_id} is already paid ({row.method}); refusing transfer {transfer}")
    if row.attempts < 1:
        raise IllegalTransitionError(f"payout {payout_id}: no payment attempt was started")
    row = transition(session, payout_id, S.PAID, Actor.WORKER, now)
    row.method, row.stripe_transfer_id, row.paid_at = "stripe_transfer", transfer, now
    row.paid_by, row.failure_reason = Actor.WORKER.value, None
    _mark_lines_paid(session, payout_id)
    return row


def record_failure(session: Session, payout_id: str, reason: str, now: datetime) -> PayoutRow:
    """R26: the attempt failed; the payout stays assigned and is retried next run."""
    row = transition(session, payout_id, S.FAILED, Actor.WORKER, now)
    row.failure_reason = scrub(_required(reason, "failure reason"))
    return row


def mark_manual_pending(session: Session, payout_id: str, now: datetime) -> PayoutRow:
    """R26: no connected account; finance pays outside Stripe."""
    row = transition(session, payout_id, S.MANUAL_PENDING, Actor.WORKER, now)
    row.method = "manual"
    return row


def _mark_lines_paid(session: Session, payout_id: str) -> None:
    session.execute(update(LineRow).where(LineRow.payout_id == payout_id)
                    .values(status="paid").execution_options(synchronize_session=False))


LINK_CHUNK = 1000  # payout ids a statement


def records(session: Session, rows: list[PayoutRow]) -> list[PayoutRecord]:
    ids = [row.id for row in rows]
    line_ids: dict[str, list[str]] = defaultdict(list)
    # Plain (payout, line) pairs: tens of thousands of ORM link objects cost a second.
    # Ids a chunk at a time: a statement takes a bounded number of parameters.
    for start in range(0, len(ids), LINK_CHUNK):
        links = select(PayoutLineRow.payout_id, PayoutLineRow.line_id).where(
            PayoutLineRow.payout_id.in_(ids[start:start + LINK_CHUNK]))
        for payout_id, line_id in session.execute(links):
            line_ids[payout_id].append(line_id)
    return [payout_of(row, tuple(sorted(line_ids[row.id]))) for row in rows]


def list_payouts(session: Session, status: PayoutStatus | None = None,
                 partner_id: str | None = None) -> list[PayoutRecord]:
    query = select(PayoutRow).order_by(PayoutRow.id)
    if status is not None:
        query = query.where(PayoutRow.status == status.value)
    if partner_id is not None:
        query = query.where(PayoutRow.partner_id == partner_id)
    return records(session, list(session.scalars(query)))


EXPORT_COLUMNS = (
    "payout_id", "partner_id", "partner_name", "period", "amount", "currency", "status",
    "hold_reason", "destination", "method", "line_count", "approved_by", "approved_at",
    "second_approved_by", "second_approved_at", "paid_at", "paid_by", "payment_reference",
    "stripe_transfer_id", "failure_reason", "attempts",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would evaluate


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: a leading formula character is escaped with
    a quote (OWASP's CSV injection advice), so a partner name like ``=HYPERLINK(..)``
    set in HubSpot is never evaluated on finance's machine."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def export_period(month: Month) -> str:
    """``2025-M06``: the payout point's month as every spreadsheet keeps it, as text
    (``2025-06`` is read as the date 2025-06-01); a script reads it back by dropping
    the ``M``."""
    year, index = divmod(month, 12)
    return f"{year:04d}-M{index + 1:02d}"


def export_instant(instant: datetime) -> str:
    """``2026-11-01T06:00:00Z``: UTC to the second, as finance's tools parse it."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _approved_by(record: PayoutRecord) -> str | None:
    """Who approved it; a payout past approval with no approver was approved at once
    by R25 before the ledger recorded the amount it was approved under."""
    status = record.held_from if record.status is S.ON_HOLD else record.status
    if record.approved_by is None and status in APPROVED_ONCE:
        return "auto (R25)"
    return record.approved_by


def export_row(record: PayoutRecord, partner_name: str = "",
               destination: str | None = None) -> dict[str, str]:
    """One CSV row for finance: EUR decimal amounts, UTC instants to the second, the
    period as ``YYYY-Mmm``, empty for none."""
    def text(value: object) -> str:
        if value is None:
            return ""
        return export_instant(value) if isinstance(value, datetime) else str(value)

    values = (
        record.id, record.partner_id, partner_name, export_period(record.month),
        eur(record.amount), "EUR", record.status.value, record.hold_reason, destination,
        record.method, len(record.line_ids), _approved_by(record), record.approved_at,
        record.second_approved_by, record.second_approved_at, record.paid_at, record.paid_by,
        record.payment_reference, record.stripe_transfer_id, record.failure_reason,
        record.attempts,
    )
    return {column: spreadsheet_safe(text(value))
            for column, value in zip(EXPORT_COLUMNS, values, strict=True)}
