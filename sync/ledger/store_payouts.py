"""The ``Ledger``'s payout methods: status transitions (R25, R26), payout controls
(R32-R35) and the audit trail. Each method is one unit of work (or joins the caller's),
and every money decision it makes is audited in that same unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.domain.decisions import CommissionLine, LineKind, PayoutStatus
from sync.domain.money import eur
from sync.domain.months import month_label
from sync.ledger import controls, transitions
from sync.ledger.controls import WORKER, audit
from sync.ledger.errors import IllegalTransitionError, UnknownRecordError
from sync.ledger.lines import add_line
from sync.ledger.models import LineRow, PayoutRow, RunRow
from sync.ledger.records import AuditEvent, PartnerControl, PayoutRecord
from sync.ledger.transitions import Approver

APPROVAL_ACTIONS = {PayoutStatus.APPROVED: "approval",
                    PayoutStatus.PENDING_SECOND_APPROVAL: "first_approval"}


class PayoutMethods:
    """Mixed into ``Ledger``, which provides the unit of work and the clock."""

    def transaction(self, *, snapshot: bool = False,
                    read_only: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    # Reading ---------------------------------------------------------------------------

    def list_payouts(self, status: PayoutStatus | None = None,
                     partner_id: str | None = None) -> list[PayoutRecord]:
        with self.transaction(snapshot=True) as session:
            return transitions.list_payouts(session, status, partner_id)

    def get_payout(self, payout_id: str) -> PayoutRecord:
        with self.transaction() as session:
            row = session.get(PayoutRow, payout_id)
            if row is None:
                raise UnknownRecordError(f"payout {payout_id} does not exist")
            return transitions.records(session, [row])[0]

    def export_rows(self, status: PayoutStatus | None = None,
                    names: dict[str, str] | None = None) -> list[dict[str, str]]:
        """Rows for finance's CSV (``transitions.EXPORT_COLUMNS``); ``names``: partner
        names by id, as HubSpot last showed them."""
        destinations = {partner_id: control.confirmed_account
                        for partner_id, control in self.controls().items()}
        return [transitions.export_row(record, (names or {}).get(record.partner_id, ""),
                                   destinations.get(record.partner_id))
                for record in self.list_payouts(status)]

    # Finance's moves (R25, R33) --------------------------------------------------------

    def approve(self, payout_id: str, by: str | Approver, *, dual_above: int | None = None,
                change_key: str | None = None, audit_refusal: bool = True) -> PayoutRecord:
        """R25, R33; a refusal (the same person twice, a payout on hold) is raised, and
        audited unless the caller does (``audit_refusal``). ``change_key``: the HubSpot
        change this approval comes from, judged once."""
        who = by if isinstance(by, Approver) else Approver.operator(by)
        try:
            with self.transaction() as session:
                row = transitions.approve(session, payout_id, who, self.now(), dual_above)
                row.status_note = None
                row.judged_change = change_key or row.judged_change
                action = APPROVAL_ACTIONS[PayoutStatus(row.status)]
                if row.second_approved_by == who.name:
                    action = "second_approval"
                audit(session, self.now(), action, who.name, f"{action.replace('_', ' ')} "
                      f"of {eur(row.amount)} EUR (R33)", partner_id=row.partner_id,
                      payout_id=row.id, amount=row.amount)
                session.flush()
                return transitions.records(session, [row])[0]
        except IllegalTransitionError as error:
            if audit_refusal:
                with self.transaction() as session:
                    partner = session.scalar(select(PayoutRow.partner_id)
                                             .where(PayoutRow.id == payout_id))
                    audit(session, self.now(), "approval_refused", who.name, str(error),
                          payout_id=payout_id, partner_id=partner)
            raise

    def mark_paid(self, payout_id: str, by: str, reference: str | None = None, *,
                  change_key: str | None = None) -> PayoutRecord:
        def change(session: Session) -> PayoutRow:
            row = transitions.mark_paid(session, payout_id, by, reference, self.now())
            row.status_note = None
            row.judged_change = change_key or row.judged_change
            audit(session, self.now(), "marked_paid", by,
                  f"paid outside Stripe (reference: {reference or 'none'})",
                  partner_id=row.partner_id, payout_id=row.id, amount=row.amount)
            return row
        return self._payout_change(change)

    def refuse_change(self, payout_id: str, change_key: str, note: str, actor: str) -> bool:
        """R33: a status change made in HubSpot that does not count; noted on the payout
        (HubSpot shows why once the status is written back) and audited once per
        change. False when this change was refused before."""
        with self.transaction() as session:
            row = transitions.locked_payout(session, payout_id)
            if row.judged_change == change_key:
                return False
            row.judged_change, row.status_note, row.updated_at = change_key, note, self.now()
            audit(session, self.now(), "approval_refused", actor, note,
                  partner_id=row.partner_id, payout_id=row.id, amount=row.amount)
            return True

    # Holds (R35) and destinations (R32) -------------------------------------------------

    def hold_payout(self, payout_id: str, reason: str, by: str) -> PayoutRecord:
        def change(session: Session) -> PayoutRow:
            row = transitions.locked_payout(session, payout_id)
            controls.hold_payout(session, row, _text(reason, "reason"), _text(by, "by"),
                                 self.now())
            return row
        return self._payout_change(change)

    def release_payout(self, payout_id: str, by: str) -> PayoutRecord:
        def change(session: Session) -> PayoutRow:
            row = transitions.locked_payout(session, payout_id)
            controls.release_payout(session, row, _text(by, "by"), self.now())
            return row
        return self._payout_change(change)

    def hold_partner(self, partner_id: str, reason: str, by: str) -> None:
        with self.transaction() as session:
            controls.hold_partner(session, partner_id, _text(reason, "reason"), _text(by, "by"),
                                  self.now())

    def release_partner(self, partner_id: str, by: str) -> None:
        with self.transaction() as session:
            controls.release_partner(session, partner_id, _text(by, "by"), self.now())

    def confirm_destination(self, partner_id: str, account: str, by: str, *,
                            shown: str | None, reason: str = "confirmed by finance (R32)"
                            ) -> PartnerControl:
        """R32; ``shown``: the account HubSpot shows for the partner now."""
        with self.transaction() as session:
            row = controls.confirm(session, partner_id, _text(account, "account"),
                                   _text(by, "by"), self.now(), reason, shown)
            return controls.control_of(row)

    def wait_for_confirmation(self, partner_id: str, account: str, reason: str,
                              action: str) -> None:
        with self.transaction() as session:
            controls.wait_for_confirmation(session, partner_id, account, reason, action,
                                           self.now())

    def end_destination_hold(self, partner_id: str, reason: str) -> None:
        with self.transaction() as session:
            controls.end_destination_hold(session, partner_id, reason, self.now())

    def refuse_confirmation(self, partner_id: str, change_key: str, note: str,
                            actor: str) -> bool:
        """R32: a confirmation set in HubSpot by someone who may not; audited once."""
        with self.transaction() as session:
            row = controls.control_row(session, partner_id, self.now())
            if row.judged_change == change_key:
                return False
            row.judged_change, row.updated_at = change_key, self.now()
            audit(session, self.now(), "destination_confirmation_refused", actor, note,
                  partner_id=partner_id)
            return True

    def controls(self, partner_ids: list[str] | None = None) -> dict[str, PartnerControl]:
        """Every partner's payout controls (R32, R35), or those of ``partner_ids``."""
        with self.transaction() as session:
            return controls.controls(session, partner_ids)

    def account_owner(self, account: str) -> str | None:
        with self.transaction() as session:
            return controls.owner_of_account(session, account)

    def refresh_holds(self, partner_ids: Iterable[str] | None = None) -> list[str]:
        with self.transaction() as session:
            return controls.refresh_holds(session, self.now(), WORKER, partner_ids)

    # Manual lines (R34) ----------------------------------------------------------------

    def add_manual_line(self, line: CommissionLine, by: str, reason: str) -> None:
        """R34: finance's line, recorded with a run of its own and audited; refused when
        the same line (same partner, month, amount, reason and author) exists."""
        if line.kind is not LineKind.MANUAL:
            raise IllegalTransitionError(f"line {line.id} is not a manual line")
        now = self.now()
        with self.transaction() as session:
            if session.get(LineRow, line.id) is not None:
                raise IllegalTransitionError(
                    f"manual line {line.id} exists already (same month, amount, reason and "
                    "author); to add another, give another reason")
            run = RunRow(kind="lines add", as_of=now, dry_run=False, status="succeeded",
                         started_at=now, finished_at=now, recorded_at=now,
                         summary={"manual_line": line.id})
            session.add(run)
            session.flush()
            add_line(session, line, run.id, now)
            audit(session, now, "manual_line", by, reason, partner_id=line.partner_id,
                  line_id=line.id, amount=line.amount,
                  data={"month": month_label(line.month)})

    # The audit trail ------------------------------------------------------------------

    def audit(self, action: str, actor: str, reason: str, **about: Any) -> None:
        with self.transaction() as session:
            audit(session, self.now(), action, actor, reason, **about)

    def audit_events(self, partner_id: str | None = None,
                     since: datetime | None = None) -> list[AuditEvent]:
        with self.transaction() as session:
            return controls.audit_events(session, partner_id, since)

    # The worker's moves (R26) ----------------------------------------------------------

    def start_payment_attempt(self, payout_id: str) -> int:
        with self.transaction() as session:
            return transitions.start_payment_attempt(session, payout_id, self.now())

    def record_transfer(self, payout_id: str, transfer_id: str, *,
                        adopted: bool = False) -> PayoutRecord:
        def change(session: Session) -> PayoutRow:
            already = session.scalar(select(PayoutRow.stripe_transfer_id)
                                     .where(PayoutRow.id == payout_id))
            row = transitions.record_transfer(session, payout_id, transfer_id, self.now())
            if already != transfer_id:
                action = "transfer_adopted" if adopted else "transfer_created"
                audit(session, self.now(), action, WORKER,
                      f"Stripe transfer {transfer_id} of {eur(row.amount)} EUR (R26)",
                      partner_id=row.partner_id, payout_id=row.id, amount=row.amount,
                      data={"transfer_id": transfer_id})
            return row
        return self._payout_change(change)

    def record_failure(self, payout_id: str, reason: str) -> PayoutRecord:
        return self._payout_change(
            lambda s: transitions.record_failure(s, payout_id, reason, self.now()))

    def mark_manual_pending(self, payout_id: str) -> PayoutRecord:
        return self._payout_change(
            lambda s: transitions.mark_manual_pending(s, payout_id, self.now()))

    def _payout_change(self, change: Callable[[Session], PayoutRow]) -> PayoutRecord:
        with self.transaction() as session:
            row = change(session)
            session.flush()
            return transitions.records(session, [row])[0]


def _text(value: str, what: str) -> str:
    if not value or not value.strip():
        raise IllegalTransitionError(f"{what} must not be empty")
    return value.strip()
