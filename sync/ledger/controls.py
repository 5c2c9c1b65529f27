"""Payout controls in the ledger: the audit trail, holds and confirmed destinations
(R32, R35; R33's approvals are in ``payouts``).

A payout is ``on_hold`` exactly while a hold applies to it: finance's hold on the
payout, finance's hold on its partner, or the partner's destination waiting for
confirmation. ``refresh_holds`` is the one place that moves payouts into and out of
``on_hold`` from those facts; every change of them calls it in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.domain.decisions import PayoutStatus
from sync.engine.destinations import MISMATCH
from sync.ledger.errors import IllegalTransitionError, LedgerError
from sync.ledger.models import AuditRow, PartnerControlRow, PayoutRow
from sync.ledger.records import AuditEvent, PartnerControl

S = PayoutStatus
WORKER = "worker"


def audit(session: Session, now: datetime, action: str, actor: str, reason: str, *,
          partner_id: str | None = None, payout_id: str | None = None,
          line_id: str | None = None, account: str | None = None, amount: int | None = None,
          data: dict[str, Any] | None = None) -> None:
    """Append one entry to the audit trail; entries are never changed or removed."""
    session.add(AuditRow(at=now, action=action, actor=actor, partner_id=partner_id,
                         payout_id=payout_id, line_id=line_id, account=account, amount=amount,
                         reason=reason, data=data or {}))


def audit_events(session: Session, partner_id: str | None = None,
                 since: datetime | None = None) -> list[AuditEvent]:
    query = select(AuditRow).order_by(AuditRow.id)
    if partner_id is not None:
        query = query.where(AuditRow.partner_id == partner_id)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    return [AuditEvent(row.id, row.at, row.action, row.actor, row.partner_id, row.payout_id,
                       row.line_id, row.account, row.amount, row.reason, dict(row.data))
            for row in session.scalars(query)]


# -- partner controls ----------------------------------------------------------------


def control_of(row: PartnerControlRow) -> PartnerControl:
    return PartnerControl(row.partner_id, row.confirmed_account, row.confirmed_by,
                          row.confirmed_at, row.waiting_account, row.waiting_reason,
                          row.finance_hold, row.finance_held_by)


def controls(session: Session, partner_ids: list[str] | None = None
             ) -> dict[str, PartnerControl]:
    """Every partner's controls, or those of ``partner_ids``."""
    query = select(PartnerControlRow).order_by(PartnerControlRow.partner_id)
    if partner_ids is not None:
        query = query.where(PartnerControlRow.partner_id.in_(partner_ids))
    return {row.partner_id: control_of(row) for row in session.scalars(query)}


def control_row(session: Session, partner_id: str, now: datetime) -> PartnerControlRow:
    """The partner's row, locked; created empty when it has none yet."""
    query = (select(PartnerControlRow).where(PartnerControlRow.partner_id == partner_id)
             .with_for_update().execution_options(populate_existing=True))
    row = session.scalars(query).one_or_none()
    if row is None:
        row = PartnerControlRow(partner_id=partner_id, updated_at=now)
        session.add(row)
        session.flush()
    return row


def owner_of_account(session: Session, account: str) -> str | None:
    """The partner whose confirmed destination ``account`` is (R32: at most one)."""
    return session.scalar(select(PartnerControlRow.partner_id)
                          .where(PartnerControlRow.confirmed_account == account))


def confirm(session: Session, partner_id: str, account: str, by: str, now: datetime,
            reason: str, shown: str | None) -> PartnerControlRow:
    """R32: ``account`` becomes the partner's confirmed destination. The destination hold
    ends unless HubSpot shows another account (``shown``), which then waits in its
    place. Refused when ``account`` is another partner's."""
    owner = owner_of_account(session, account)
    if owner is not None and owner != partner_id:
        raise IllegalTransitionError(
            f"{account} is already the confirmed destination of partner {owner}: one account "
            "is never the destination of two partners (R32)")
    row = control_row(session, partner_id, now)
    previous = row.confirmed_account
    row.confirmed_account, row.confirmed_by, row.confirmed_at = account, by, now
    if shown and shown != account:
        row.waiting_account = shown
        row.waiting_reason = (f"{MISMATCH}: HubSpot shows {shown}, the confirmed "
                              f"destination is {account}; no transfer to either until they "
                              "agree (R32)")
    else:
        row.waiting_account, row.waiting_reason = None, None
    row.updated_at = now
    audit(session, now, "destination_confirmed", by, reason, partner_id=partner_id,
          account=account, data={"previous": previous})
    refresh_holds(session, now, by, [partner_id])
    return row


def wait_for_confirmation(session: Session, partner_id: str, account: str, reason: str,
                          action: str, now: datetime) -> None:
    """R32: the account HubSpot shows waits for finance; the partner's payouts hold."""
    row = control_row(session, partner_id, now)
    row.waiting_account, row.waiting_reason, row.updated_at = account, reason, now
    audit(session, now, action, WORKER, reason, partner_id=partner_id, account=account,
          data={"confirmed": row.confirmed_account})
    refresh_holds(session, now, WORKER, [partner_id])


def end_destination_hold(session: Session, partner_id: str, reason: str,
                         now: datetime) -> None:
    """R32: HubSpot came to show the destination finance confirmed."""
    row = control_row(session, partner_id, now)
    row.waiting_account, row.waiting_reason, row.updated_at = None, None, now
    audit(session, now, "destination_agreed", WORKER, reason, partner_id=partner_id,
          account=row.confirmed_account)
    refresh_holds(session, now, WORKER, [partner_id])


def hold_partner(session: Session, partner_id: str, reason: str, by: str,
                 now: datetime) -> None:
    """R35: every unpaid payout of the partner, now and later, holds until released."""
    row = control_row(session, partner_id, now)
    row.finance_hold, row.finance_held_by, row.updated_at = reason, by, now
    audit(session, now, "partner_hold", by, reason, partner_id=partner_id)
    refresh_holds(session, now, by, [partner_id])


def release_partner(session: Session, partner_id: str, by: str, now: datetime) -> None:
    row = control_row(session, partner_id, now)
    if row.finance_hold is None:
        raise LedgerError(f"partner {partner_id} has no hold of finance's to release")
    reason = row.finance_hold
    row.finance_hold, row.finance_held_by, row.updated_at = None, None, now
    audit(session, now, "partner_release", by, f"released the hold: {reason}",
          partner_id=partner_id)
    refresh_holds(session, now, by, [partner_id])


def hold_payout(session: Session, row: PayoutRow, reason: str, by: str, now: datetime) -> None:
    """R35: this payout alone holds until released."""
    if row.status == S.PAID.value:
        raise IllegalTransitionError(f"payout {row.id} is paid: there is nothing to hold")
    row.finance_hold, row.finance_held_by = reason, by
    audit(session, now, "payout_hold", by, reason, partner_id=row.partner_id,
          payout_id=row.id, amount=row.amount)
    refresh_holds(session, now, by, [row.partner_id])


def release_payout(session: Session, row: PayoutRow, by: str, now: datetime) -> None:
    if row.finance_hold is None:
        raise LedgerError(f"payout {row.id} has no hold of finance's to release")
    reason = row.finance_hold
    row.finance_hold, row.finance_held_by = None, None
    audit(session, now, "payout_release", by, f"released the hold: {reason}",
          partner_id=row.partner_id, payout_id=row.id, amount=row.amount)
    refresh_holds(session, now, by, [row.partner_id])


# -- holds -----------------------------------------------------------------------------


def hold_reasons(payout: PayoutRow, control: PartnerControl | None) -> list[str]:
    reasons = [] if control is None else control.hold_reasons
    if payout.finance_hold:
        reasons.append(f"held by {payout.finance_held_by}: {payout.finance_hold} (R35)")
    return reasons


def refresh_holds(session: Session, now: datetime, actor: str,
                  partner_ids: Iterable[str] | None = None) -> list[str]:
    """Put every unpaid payout that a hold applies to ``on_hold`` and return the others
    to the status they were held from (R32, R35). Returns the ids of payouts moved."""
    query = select(PayoutRow).where(PayoutRow.status != S.PAID.value).order_by(PayoutRow.id)
    wanted = None if partner_ids is None else sorted(set(partner_ids))
    if wanted is not None:
        query = query.where(PayoutRow.partner_id.in_(wanted))
    by_partner = controls(session, wanted)  # one partner's, as a rule: not all of them
    moved = []
    for row in session.scalars(query.with_for_update()):
        reasons = hold_reasons(row, by_partner.get(row.partner_id))
        if _apply_hold(session, row, "; ".join(reasons) or None, actor, now):
            moved.append(row.id)
    return moved


def _apply_hold(session: Session, row: PayoutRow, reason: str | None, actor: str,
                now: datetime) -> bool:
    held = row.status == S.ON_HOLD.value
    if reason is None and not held:
        return False
    if reason is not None and held:
        row.hold_reason = reason  # still held; the reasons may have changed
        return False
    if reason is not None:
        row.held_from, row.status, row.hold_reason = row.status, S.ON_HOLD.value, reason
        action = "payout_held"
    else:
        assert row.held_from is not None
        row.status, row.held_from, row.hold_reason = row.held_from, None, None
        action, reason = "payout_released", f"no hold applies any more; back to {row.status}"
    row.updated_at = now
    audit(session, now, action, actor, reason, partner_id=row.partner_id, payout_id=row.id,
          amount=row.amount)
    return True
