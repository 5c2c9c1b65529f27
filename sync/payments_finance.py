"""Finance's payout moves made in HubSpot, read back into the ledger (R25, R26).

CONTRACT.md gives each payout transition one owner: finance moves ``pending_approval ->
approved`` and ``manual_pending -> paid`` (in HubSpot or with ``partnersync payouts``);
the worker moves ``approved``/``failed`` on. So a HubSpot status that differs from the
ledger is either finance's move (applied here, ledger first), the worker's own change
not written yet (ignored: the worker's write corrects it), or a move finance may not
make (reported, never applied: e.g. ``paid`` on a Stripe payout the worker has not paid).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from mappings.properties import PropertyMap
from sync.engine.model import PayoutStatus
from sync.ledger import Ledger
from sync.ledger.errors import IllegalTransitionError, UnknownRecordError

S = PayoutStatus
FINANCE_BY = "hubspot"  # who approved or paid, as the ledger records it
# Finance's transitions, target -> source (CONTRACT.md).
FINANCE_MOVES: dict[PayoutStatus, PayoutStatus] = {
    S.APPROVED: S.PENDING_APPROVAL,
    S.PAID: S.MANUAL_PENDING,
}

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class FinanceReadback:
    applied: list[str] = field(default_factory=list)  # payout ids moved in the ledger
    refused: dict[str, str] = field(default_factory=dict)  # payout id -> why not applied


def hubspot_statuses(records: Iterable[Mapping[str, Any]], props: PropertyMap) -> dict[str, str]:
    """Payout id -> the status HubSpot shows, from CRM v3 payout records."""
    names = props.payout
    statuses: dict[str, str] = {}
    for record in records:
        properties = record.get("properties") or {}
        payout_id, status = properties.get(names.payout_id), properties.get(names.status)
        if payout_id and status:
            statuses[str(payout_id)] = str(status)
    return statuses


def undoes_finance(hubspot_status: str | None, written_status: str | None) -> bool:
    """Would writing ``written_status`` over ``hubspot_status`` undo finance's move?"""
    for target, source in FINANCE_MOVES.items():
        if hubspot_status == target.value and written_status == source.value:
            return True
    return False


def read_back_finance(ledger: Ledger, hubspot_payouts: Iterable[Mapping[str, Any]],
                      props: PropertyMap) -> FinanceReadback:
    result = FinanceReadback()
    ledger_status = {record.id: record.status for record in ledger.list_payouts()}
    for payout_id, shown in sorted(hubspot_statuses(hubspot_payouts, props).items()):
        current = ledger_status.get(payout_id)
        if current is None:
            result.refused[payout_id] = "HubSpot has a payout record the ledger does not know"
            continue
        if shown == current.value:
            continue
        problem = _apply_one(ledger, payout_id, shown, current)
        if problem is None:
            result.applied.append(payout_id)
        elif problem:
            result.refused[payout_id] = problem
    for payout_id, why in result.refused.items():
        log.warning("payout.finance_move_refused", payout_id=payout_id, reason=why)
    return result


def apply_finance_transitions(ledger: Ledger, hubspot_payouts: Iterable[Mapping[str, Any]],
                              props: PropertyMap) -> list[str]:
    """Finance's approvals and manual paid marks made in HubSpot, applied to the ledger;
    returns the ids of the payouts moved (refused moves are logged, see
    ``read_back_finance`` for them as data)."""
    return read_back_finance(ledger, hubspot_payouts, props).applied


def _apply_one(ledger: Ledger, payout_id: str, shown: str, current: PayoutStatus) -> str | None:
    """None when applied, "" when the difference is the worker's own, else why refused."""
    try:
        target = PayoutStatus(shown)
    except ValueError:
        return f"HubSpot status {shown!r} is not a payout status"
    source = FINANCE_MOVES.get(target)
    if source is None:
        return ""  # pending_approval, manual_pending, failed: only the worker sets those
    if current is not source and target is S.APPROVED:
        return ""  # the worker moved it on since (paid, failed, manual_pending)
    if current is not source:
        return (f"HubSpot shows paid but the payout is {current.value}: finance marks paid "
                "only manual_pending payouts; the worker pays the others by Stripe (R26)")
    try:
        if target is S.APPROVED:
            ledger.approve(payout_id, by=FINANCE_BY)
        else:
            ledger.mark_paid(payout_id, by=FINANCE_BY)
    except (IllegalTransitionError, UnknownRecordError) as error:  # moved concurrently
        return str(error)
    return None
