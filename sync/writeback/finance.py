"""Finance's payout moves made in HubSpot, read back into the ledger (R25, R26, R33).

Finance moves ``pending_approval -> approved`` (through ``pending_second_approval``
above ``dual_above``) and ``manual_pending -> paid``, in HubSpot or with ``partnersync
payouts``; the worker moves ``approved``/``failed`` on. A HubSpot status that differs
from the ledger is one of:
- finance's move by a listed approver, as the status's property history shows: applied,
  ledger first (R33);
- the worker's own change not written yet (set by the integration): ignored, the
  worker's write corrects it;
- anything else -- a move by someone who may not approve, by an integration, the same
  person approving twice, a status only the worker sets: refused, noted on the payout
  (so the worker writes its status back with the reason) and audited, once per change.
HubSpot is never the source of an amount: a payout record whose amount, partner or
period differs from the ledger's is written back and reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog

from mappings.hubspot.records import latest_change
from mappings.properties import PropertyMap
from sync.adapters.hubspot.people import HubSpotPeople
from sync.domain.decisions import PayoutStatus
from sync.domain.inputs import PropertyChange
from sync.domain.money import cents_from_eur, eur
from sync.domain.months import month_label
from sync.domain.terms import ApprovalTerms
from sync.ledger import Ledger
from sync.ledger.errors import IllegalTransitionError, UnknownRecordError
from sync.ledger.records import PayoutRecord
from sync.ledger.transitions import Approver
from sync.ledger.written import forget_write

S = PayoutStatus
HUBSPOT_PAYOUT = "hubspot.payout"  # sync.writeback.intents's kind, named here to avoid a cycle
# Finance's transitions, target -> the sources it may come from (docs/rules.md, R26, R33).
FINANCE_MOVES: dict[PayoutStatus, tuple[PayoutStatus, ...]] = {
    S.APPROVED: (S.PENDING_APPROVAL, S.PENDING_SECOND_APPROVAL),
    S.PAID: (S.MANUAL_PENDING,),
}

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class FinanceControls:
    """Who may move a payout in HubSpot (R33), and how to find out who did."""

    approval: ApprovalTerms = field(default_factory=ApprovalTerms)
    people: HubSpotPeople | None = None  # None: no history read, so no approval counts


@dataclass(slots=True)
class FinanceReadback:
    applied: list[str] = field(default_factory=list)  # payout ids moved in the ledger
    refused: dict[str, str] = field(default_factory=dict)  # payout id -> why not applied
    edited: dict[str, str] = field(default_factory=dict)  # payout id -> what HubSpot changed


@dataclass(frozen=True, slots=True)
class Shown:
    """A payout record as HubSpot shows it."""

    record_id: str
    status: str
    properties: Mapping[str, Any]


def hubspot_statuses(records: Iterable[Mapping[str, Any]], props: PropertyMap) -> dict[str, str]:
    """Payout id -> the status HubSpot shows, from CRM v3 payout records."""
    return {payout_id: shown.status for payout_id, shown in _shown(records, props).items()}


def _shown(records: Iterable[Mapping[str, Any]], props: PropertyMap) -> dict[str, Shown]:
    names, shown = props.payout, {}
    for record in records:
        properties = record.get("properties") or {}
        payout_id, status = properties.get(names.payout_id), properties.get(names.status)
        if payout_id and status:
            shown[str(payout_id)] = Shown(str(record.get("id")), str(status), properties)
    return shown


def undoes_finance(hubspot_status: str | None, written_status: str | None) -> bool:
    """Would writing ``written_status`` over ``hubspot_status`` undo finance's move?"""
    return any(hubspot_status == target.value and written_status == source.value
               for target, sources in FINANCE_MOVES.items() for source in sources)


def read_back_finance(ledger: Ledger, hubspot_payouts: Iterable[Mapping[str, Any]],
                      props: PropertyMap, controls: FinanceControls | None = None
                      ) -> FinanceReadback:
    controls = controls or FinanceControls()
    result = FinanceReadback()
    stored = {record.id: record for record in ledger.list_payouts()}
    shown = _shown(hubspot_payouts, props)
    differing = {}
    for payout_id, item in sorted(shown.items()):
        record = stored.get(payout_id)
        if record is None:
            result.refused[payout_id] = "HubSpot has a payout record the ledger does not know"
            continue
        _check_amounts(ledger, record, item, props, result)
        if item.status != record.status.value:
            differing[payout_id] = item
    changes = _who_changed(controls.people, differing, props)
    for payout_id, item in differing.items():
        problem = _apply_one(ledger, stored[payout_id], item.status, changes.get(payout_id),
                             controls)
        if problem is None:
            result.applied.append(payout_id)
        elif problem:
            result.refused[payout_id] = problem
    for payout_id, why in result.refused.items():
        log.warning("payout.finance_move_refused", payout_id=payout_id, reason=why)
    return result


def _who_changed(people: HubSpotPeople | None, differing: Mapping[str, Shown],
                 props: PropertyMap) -> dict[str, PropertyChange | None]:
    if people is None or not differing:
        return {}
    by_record = {item.record_id: payout_id for payout_id, item in differing.items()}
    found = {}
    for record in people.payouts_with_status_history(sorted(by_record)):
        payout_id = by_record.get(str(record.get("id")))
        if payout_id is not None:
            found[payout_id] = latest_change(record, props.payout.status)
    return found


def _apply_one(ledger: Ledger, record: PayoutRecord, shown: str, change: PropertyChange | None,
               controls: FinanceControls) -> str | None:
    """None when applied, "" when the difference is the worker's own, else why refused."""
    try:
        target = PayoutStatus(shown)
    except ValueError:
        return _refuse(ledger, record, shown, change, f"{shown!r} is not a payout status")
    is_move = record.status in FINANCE_MOVES.get(target, ())
    if change is not None and change.key == record.judged_change:
        return record.status_note or ""  # judged before: applied, or refused (its note)
    if change is None or change.user_id is None:
        if not is_move:
            return ""  # the worker's own status, not written back yet
        return _refuse(ledger, record, shown, change,
                       "set by an integration or by no one HubSpot can name, not by an approver")
    if target is S.APPROVED and record.status in (S.FAILED, S.MANUAL_PENDING, S.PAID):
        return ""  # approved then, and the worker has moved the payout on since
    if record.status is S.ON_HOLD:
        return _refuse(ledger, record, shown, change, f"the payout is on hold "
                       f"({record.hold_reason}); it moves on only once released (R32, R35)")
    if not is_move:
        return _refuse(ledger, record, shown, change,
                       f"finance does not move a payout from {record.status.value} to {shown}")
    approver = _approver(change, controls)
    if isinstance(approver, str):
        return _refuse(ledger, record, shown, change, approver)
    try:
        if target is S.APPROVED:
            ledger.approve(record.id, approver, dual_above=controls.approval.dual_above,
                           change_key=change.key, audit_refusal=False)
        else:
            ledger.mark_paid(record.id, by=approver.name, change_key=change.key)
    except IllegalTransitionError as error:
        return _refuse(ledger, record, shown, change, str(error))
    except UnknownRecordError as error:
        return str(error)
    return None


def _approver(change: PropertyChange, controls: FinanceControls) -> Approver | str:
    """The approver who made ``change`` (R33), or why it does not count."""
    assert change.user_id is not None
    if not controls.approval.approvers:
        return ("no HubSpot approver is configured ([approval] approvers): approvals come "
                "from the command line only")
    if change.user_id not in controls.approval.approvers:
        return f"HubSpot user {change.user_id} is not among the approvers ([approval] approvers)"
    email = controls.people.email(change.user_id) if controls.people is not None else None
    return Approver.hubspot_user(change.user_id, email)


def _refuse(ledger: Ledger, record: PayoutRecord, shown: str, change: PropertyChange | None,
            why: str) -> str:
    who = (f"HubSpot user {change.user_id}" if change is not None and change.user_id
           else "an integration" if change is not None else "someone")
    when = f" at {change.at.isoformat()}" if change is not None else ""
    note = (f"Refused: {shown} set by {who}{when}: {why}. The payout stays "
            f"{record.status.value} (R33).")
    key = change.key if change is not None else f"{shown}@unknown"
    ledger.refuse_change(record.id, key, note, who)
    return note


def _check_amounts(ledger: Ledger, record: PayoutRecord, item: Shown, props: PropertyMap,
                   result: FinanceReadback) -> None:
    """HubSpot is not the source of amounts: an edited record is written back."""
    names = props.payout
    edits = []
    if cents_or_none(item.properties.get(names.amount)) != record.amount:
        edits.append(f"{names.amount} {item.properties.get(names.amount)!s} "
                     f"(ledger {eur(record.amount)})")
    for name, value in ((names.partner_id, record.partner_id),
                        (names.period, month_label(record.month))):
        if str(item.properties.get(name) or "") != value:
            edits.append(f"{name} {item.properties.get(name)!s} (ledger {value})")
    if not edits:
        return
    what = ", ".join(edits)
    result.edited[record.id] = what
    log.warning("payout.hubspot_edit_reverted", payout_id=record.id, edits=what)
    if forget_write(ledger, HUBSPOT_PAYOUT, record.id):
        ledger.audit("hubspot_edit_reverted", "worker", f"HubSpot showed {what}: written "
                     "back; transfers carry the ledger's amount", partner_id=record.partner_id,
                     payout_id=record.id, amount=record.amount)


def cents_or_none(value: object) -> int | None:
    """An EUR amount as HubSpot shows it (``"480"`` or ``"480.00"``) in cents; None
    when it is no amount at all."""
    try:
        return cents_from_eur(str(Decimal(str(value)).quantize(Decimal("0.01"))))
    except (InvalidOperation, ValueError):
        return None
