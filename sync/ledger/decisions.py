"""Recording a run's decisions in one transaction (R16, R17, R22-R24, R10a).

The stored state is made equal to ``decisions.ledger``. Each difference must be one the
engine announced in ``decisions.changes`` against the state it was given; anything else
means the decisions were computed from another ledger state, and nothing is written.
Lines in a payout, payouts and frozen attributions are never changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from sync.domain.decisions import CommissionLine, Decisions, Payout
from sync.domain.money import eur
from sync.domain.months import month_label
from sync.ledger import transitions
from sync.ledger.bulk import insert_rows
from sync.ledger.controls import WORKER, refresh_holds
from sync.ledger.errors import (
    FrozenAttributionError,
    PayoutConflictError,
    RunStateError,
    StaleDecisionsError,
    UnknownRecordError,
)
from sync.ledger.lines import STALE, LineWriter, apply_lines, check_frozen_lines
from sync.ledger.locks import lock_key
from sync.ledger.models import (
    FindingRow,
    FrozenAttributionRow,
    LineRow,
    PayoutLineRow,
    PayoutRow,
    RunRow,
    table_of,
)
from sync.ledger.records import frozen_of


def record_decisions(session: Session, run_id: int, decisions: Decisions, now: datetime) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Recorders queue up here; a second one then reads the first one's committed state
        # and is refused as stale (SQLite's IMMEDIATE transactions already serialise).
        session.execute(select(func.pg_advisory_xact_lock(lock_key("record_decisions"))))
    run = _recording_run(session, run_id)
    writer = LineWriter(session, run_id, now, set(session.scalars(
        select(LineRow.id).where(LineRow.status == "void"))))
    lines = {line.id: line for line in decisions.ledger.lines}
    live = {row.id: row for row in session.scalars(select(LineRow).where(LineRow.status != "void"))}
    check_frozen_lines(live, lines)
    new_payouts = _new_payouts(session, decisions, lines)
    # Before the lines and versions that refer to them; run and instant bound once.
    insert_rows(session.connection(), table_of(PayoutRow),
                [_payout_fields(payout, now) for payout in new_payouts],
                {"attempts": 0, "created_run": run_id, "created_at": now, "updated_at": now})
    apply_lines(writer, decisions, live, lines)
    session.flush()
    session.add_all(writer.versions)
    links = [{"payout_id": payout.id, "line_id": line_id}
             for payout in new_payouts for line_id in payout.line_ids]
    if links:
        session.execute(insert(table_of(PayoutLineRow)), links)
    _record_frozen(session, decisions, run_id)
    _record_findings(session, decisions, run_id)
    if new_payouts:  # R32, R35: a held partner's new payout is held from the start
        refresh_holds(session, now, WORKER, {payout.partner_id for payout in new_payouts})
    run.recorded_at = now
    session.flush()


def _recording_run(session: Session, run_id: int) -> RunRow:
    run = session.get(RunRow, run_id)
    if run is None:
        raise UnknownRecordError(f"run {run_id} does not exist")
    if run.dry_run or run.status != "running" or run.recorded_at is not None:
        raise RunStateError(f"run {run_id} cannot record decisions: dry run {run.dry_run}, "
                            f"status {run.status}, already recorded {run.recorded_at is not None}")
    return run


# Payouts (R22-R24) ------------------------------------------------------------------


def _stored_payouts(session: Session) -> dict[str, tuple[object, ...]]:
    """What each stored payout pays, comparable with ``_content`` (R24)."""
    return {record.id: (record.partner_id, month_label(record.month), record.amount,
                        record.line_ids) for record in transitions.list_payouts(session)}


def _content(payout: Payout) -> tuple[object, ...]:
    return (payout.partner_id, month_label(payout.month), payout.amount,
            tuple(sorted(payout.line_ids)))


def _check_payout_lines(payout: Payout, assigned: list[CommissionLine]) -> None:
    """A payout pays exactly the lines assigned to it, and their sum (R22)."""
    ids = sorted(line.id for line in assigned)
    total = sum(line.amount for line in assigned)
    if ids != sorted(payout.line_ids) or total != payout.amount:
        raise PayoutConflictError(
            f"payout {payout.id}: amount {eur(payout.amount)} over {len(payout.line_ids)} lines "
            f"does not match its assigned lines ({len(ids)} lines, {eur(total)})")


def _new_payouts(session: Session, decisions: Decisions,
                 lines: dict[str, CommissionLine]) -> list[Payout]:
    stored = _stored_payouts(session)
    wanted = {payout.id: payout for payout in decisions.ledger.payouts}
    announced = {payout.id for payout in decisions.new_payouts}
    dropped = sorted(stored.keys() - wanted.keys())
    if dropped or not announced <= wanted.keys():
        raise StaleDecisionsError(f"payouts {dropped[:5]} are missing from the decisions; {STALE}")
    assigned: dict[str, list[CommissionLine]] = defaultdict(list)
    for line in lines.values():
        if line.payout_id is not None:
            assigned[line.payout_id].append(line)
    if unknown := sorted(assigned.keys() - wanted.keys()):
        raise PayoutConflictError(f"lines are assigned to unknown payouts {unknown[:5]}")
    new = []
    for payout_key in sorted(wanted):
        payout = wanted[payout_key]
        _check_payout_lines(payout, assigned[payout_key])
        if payout_key in stored:
            if stored[payout_key] != _content(payout):
                raise PayoutConflictError(
                    f"payout {payout_key} exists with other content: a payout never changes (R24)")
        elif payout_key not in announced:
            raise StaleDecisionsError(f"payout {payout_key} is not in the ledger; {STALE}")
        else:
            new.append(payout)
    return new


def _payout_fields(payout: Payout, now: datetime) -> dict[str, object]:
    auto = payout.auto_approved_up_to  # R25: approved at once, recorded as such
    return {"id": payout.id, "partner_id": payout.partner_id,
            "month": month_label(payout.month), "amount": payout.amount,
            "status": payout.status.value, "minimum_waived": payout.minimum_waived,
            "explanation": payout.explanation,
            "approved_by": None if auto is None else transitions.auto_approver(auto),
            "approved_at": None if auto is None else now}


# Frozen attributions (R10a) and findings --------------------------------------------


def _record_frozen(session: Session, decisions: Decisions, run_id: int) -> None:
    stored = {row.customer_id: row for row in session.scalars(select(FrozenAttributionRow))}
    wanted = {item.customer_id: item for item in decisions.ledger.frozen_attributions}
    if dropped := sorted(stored.keys() - wanted.keys()):
        raise FrozenAttributionError(f"decisions drop frozen attributions {dropped[:5]} (R10a)")
    new: list[dict[str, object]] = []
    for customer_id in sorted(wanted):
        item = wanted[customer_id]
        row = stored.get(customer_id)
        if row is not None:
            if frozen_of(row) != item:
                raise FrozenAttributionError(
                    f"customer {customer_id}: decisions change its frozen attribution (R10a)")
            continue
        new.append({
            "customer_id": customer_id, "partner_id": item.partner_id,
            "source": item.source.value, "deal_id": item.deal_id,
            "converted_at": item.converted_at, "option": item.option.value,
            "tier_at_conversion": None if item.tier_at_conversion is None
            else item.tier_at_conversion.value,
            "created_run": run_id,
        })
    if new:
        session.execute(insert(table_of(FrozenAttributionRow)), new)


def _record_findings(session: Session, decisions: Decisions, run_id: int) -> None:
    rows = [FindingRow(run_id=run_id, kind="review", subject=item.subject, rule=item.rule,
                       message=item.message, data={}) for item in decisions.reviews]
    for lost in decisions.unrecovered:
        message = (f"R17 {month_label(lost.month)}: paid out {eur(lost.frozen_amount)}, "
                   f"recomputed {eur(lost.recomputed_amount)}; {eur(lost.difference)} "
                   "not recovered")
        data = {"partner_id": lost.partner_id, "month": month_label(lost.month),
                "frozen_amount": lost.frozen_amount, "recomputed_amount": lost.recomputed_amount}
        rows.append(FindingRow(run_id=run_id, kind="unrecovered", subject=lost.customer_id,
                               rule="R17", message=message, data=data))
    rows.extend(FindingRow(run_id=run_id, kind="quarantined", subject=item.record_id,
                           rule="quarantine", message=item.message, data=asdict(item))
                for item in decisions.quarantined)
    session.add_all(rows)
