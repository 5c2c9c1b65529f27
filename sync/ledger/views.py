"""The ledger a plan compares with: as it stands now, or as it stood at an earlier
``as_of`` (a replay, docs/rules.md "Replaying the past").

The ledger's timeline is its runs: each decides as if it were its ``as_of``. The ledger
as of T is what was recorded before the first run whose ``as_of`` is after T (the
*cut*): the line versions, payouts and frozen attributions of earlier runs (run ids grow
with time), the writes they intended (an outbox key names its run), and finance's moves
dated before the cut run started. It is a read of dated rows: nothing is stored for it,
and the engine gets it as it gets today's state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.domain.decisions import CommissionLine, LedgerState, PayoutStatus
from sync.ledger import controls, transitions
from sync.ledger.models import (
    FrozenAttributionRow,
    LineRow,
    LineVersionRow,
    OutboxRow,
    PayoutRow,
    RunRow,
    WrittenRow,
)
from sync.ledger.records import PayoutRecord, RunRecord, frozen_of, line_of, rate_value

DECIDING_JOBS = ("sync", "month_close", "webhook")  # the jobs whose runs record decisions
HOLD_MOVES = {"payout_held": True, "payout_released": False}  # controls._apply_hold
S = PayoutStatus
Written = Mapping[tuple[str, str], str]  # (kind, target) -> content hash last intended


@dataclass(frozen=True, slots=True)
class Replay:
    """Where a replay cuts the ledger."""

    as_of: datetime
    cut: RunRecord  # the first run after as_of: it and every later run are left out
    before: RunRecord | None  # the latest sync recorded before the cut; None: none was
    latest: RunRecord  # the latest sync recorded: as_of is before it, hence a replay


@dataclass(frozen=True, slots=True)
class LedgerView:
    """The ledger's state, payouts and write memory, now or at a replay's cut."""

    state: LedgerState
    payouts: tuple[PayoutRecord, ...]
    written: Written
    latest: RunRecord | None  # the latest sync recorded (None: the ledger has none)
    replay: Replay | None = None  # None: the ledger as it stands now


def run_record(row: RunRow) -> RunRecord:
    return RunRecord(row.id, row.kind, row.as_of, row.dry_run, row.status, row.started_at,
                     row.finished_at, row.recorded_at, row.summary, row.error)


def latest_sync(session: Session, before_run: int | None = None) -> RunRecord | None:
    """The recorded sync (or month close) with the latest ``as_of``; a run that failed
    after recording its decisions counts: they are in the ledger."""
    query = (select(RunRow).where(RunRow.kind.in_(DECIDING_JOBS), RunRow.dry_run.is_(False),
                                  RunRow.recorded_at.is_not(None))
             .order_by(RunRow.as_of.desc(), RunRow.id.desc()).limit(1))
    if before_run is not None:
        query = query.where(RunRow.id < before_run)
    row = session.scalar(query)
    return None if row is None else run_record(row)


def replay_of(session: Session, as_of: datetime) -> Replay | None:
    """``None`` unless ``as_of`` is before the latest recorded sync."""
    latest = latest_sync(session)
    if latest is None or as_of >= latest.as_of:
        return None
    cut = session.scalar(select(RunRow).where(RunRow.dry_run.is_(False), RunRow.as_of > as_of)
                         .order_by(RunRow.id).limit(1))
    assert cut is not None  # the latest sync is one
    return Replay(as_of, run_record(cut), latest_sync(session, before_run=cut.id), latest)


def view_now(session: Session) -> LedgerView:
    lines = session.scalars(select(LineRow).where(LineRow.status != "void").order_by(LineRow.id))
    frozen = session.scalars(
        select(FrozenAttributionRow).order_by(FrozenAttributionRow.customer_id))
    payouts = tuple(transitions.list_payouts(session))
    written = {(row.kind, row.target): row.content_hash
               for row in session.scalars(select(WrittenRow))}
    state = LedgerState(tuple(line_of(row) for row in lines),
                        tuple(record.to_payout() for record in payouts),
                        tuple(frozen_of(row) for row in frozen))
    return LedgerView(state, payouts, written, latest_sync(session))


def view_at(session: Session, replay: Replay) -> LedgerView:
    cut, cut_at = replay.cut.id, replay.cut.started_at
    frozen = session.scalars(select(FrozenAttributionRow)
                             .where(FrozenAttributionRow.created_run < cut)
                             .order_by(FrozenAttributionRow.customer_id))
    payouts = tuple(_payouts_at(session, cut, cut_at))
    state = LedgerState(_lines_at(session, cut), tuple(p.to_payout() for p in payouts),
                        tuple(frozen_of(row) for row in frozen))
    return LedgerView(state, payouts, _written_at(session, cut, cut_at), replay.latest, replay)


def _lines_at(session: Session, cut: int) -> tuple[CommissionLine, ...]:
    """Each line's latest version recorded before the cut; voided ones left out. A
    version holds the amounts, explanation and payout; the rest of a line is its
    identity (R16) and its tier and deal, kept from its row."""
    latest = (select(LineVersionRow.line_id, func.max(LineVersionRow.version).label("version"))
              .where(LineVersionRow.run_id < cut).group_by(LineVersionRow.line_id).subquery())
    rows = session.execute(
        select(LineRow, LineVersionRow)
        .join(latest, LineRow.id == latest.c.line_id)
        .join(LineVersionRow, (LineVersionRow.line_id == latest.c.line_id)
              & (LineVersionRow.version == latest.c.version))
        .where(LineVersionRow.action != "voided").order_by(LineRow.id))
    return tuple(replace(line_of(row), amount=version.amount, basis=version.basis,
                         rate=rate_value(version.rate), explanation=version.explanation,
                         payout_id=version.payout_id) for row, version in rows)


def _payouts_at(session: Session, cut: int, cut_at: datetime) -> list[PayoutRecord]:
    rows = list(session.scalars(select(PayoutRow).where(PayoutRow.created_run < cut)
                                .order_by(PayoutRow.id)))
    updated = {row.id: row.updated_at for row in rows}
    holds: dict[str, str | None] = {}  # payout -> hold reason at the cut (None: released)
    for event in controls.audit_events(session):  # in order; the one reader of the trail
        if event.action in HOLD_MOVES and event.at < cut_at and event.payout_id is not None:
            holds[event.payout_id] = event.reason if HOLD_MOVES[event.action] else None
    return [record if updated[record.id] < cut_at
            else payout_at(record, cut_at, holds.get(record.id))
            for record in transitions.records(session, rows)]


def payout_at(record: PayoutRecord, cut_at: datetime, hold: str | None) -> PayoutRecord:
    """A payout changed since ``cut_at``, as it stood then, from its dated steps:
    created, approved (first and second, R33), paid (R26), held and released (R32,
    R35). A failed attempt and a ``manual_pending`` mark are not dated: a payout moved
    since shows the step before them (approved)."""
    def before(instant: datetime | None) -> bool:
        return instant is not None and instant < cut_at

    if before(record.paid_at):
        return replace(record, status=S.PAID, held_from=None, hold_reason=None)
    first, second = before(record.approved_at), before(record.second_approved_at)
    dual = record.second_approved_by is not None or S.PENDING_SECOND_APPROVAL in (
        record.status, record.held_from)
    if second or (first and not dual):
        status = S.APPROVED
    elif first:
        status = S.PENDING_SECOND_APPROVAL
    else:
        status = S.APPROVED if _auto_approved(record) else S.PENDING_APPROVAL
    return replace(
        record, status=S.ON_HOLD if hold else status, held_from=status if hold else None,
        hold_reason=hold, method=None, failure_reason=None, stripe_transfer_id=None,
        payment_reference=None, attempts=0, paid_at=None, paid_by=None, status_note=None,
        approved_by=record.approved_by if first else None,
        approved_at=record.approved_at if first else None,
        second_approved_by=record.second_approved_by if second else None,
        second_approved_at=record.second_approved_at if second else None)


def _auto_approved(record: PayoutRecord) -> bool:
    """R25: approved when it was created, so no one's approval is recorded."""
    reached = record.held_from if record.status is S.ON_HOLD else record.status
    return record.approved_at is None and reached in (S.APPROVED, S.FAILED, S.PAID,
                                                      S.MANUAL_PENDING)


def _written_at(session: Session, cut: int, cut_at: datetime) -> Written:
    """What the runs before the cut last intended for each record: the outbox keeps
    every intent under the key ``kind:target:hash:run<id>`` (``written.plan_write``)."""
    rows = session.execute(select(OutboxRow.key, OutboxRow.kind, OutboxRow.target,
                                  OutboxRow.created_at)
                           .where(OutboxRow.created_at <= cut_at))
    latest: dict[tuple[str, str], tuple[int, datetime, str]] = {}
    for key, kind, target, created_at in rows:
        run, digest = _run_and_hash(key, kind, target)
        record = (kind, target)
        if run is not None and run < cut and (
                record not in latest or (run, created_at) > latest[record][:2]):
            latest[record] = (run, created_at, digest)
    return {record: digest for record, (_, _, digest) in latest.items()}


def merged_intents(session: Session, kind: str, cut: RunRecord) -> dict[str, dict[str, Any]]:
    """Per record, the payloads of ``kind`` the runs before the cut intended, merged in
    order: the values the worker had set by then, for writes that send only the keys
    that changed (Stripe metadata)."""
    rows = session.execute(select(OutboxRow.key, OutboxRow.target, OutboxRow.created_at,
                                  OutboxRow.payload)
                           .where(OutboxRow.kind == kind, OutboxRow.created_at <= cut.started_at))
    ordered = []
    for key, target, created_at, stored in rows:
        run, _ = _run_and_hash(key, kind, target)
        if run is not None and run < cut.id:
            ordered.append(((run, created_at), target, dict(stored.get("payload") or {})))
    merged: dict[str, dict[str, Any]] = {}
    for _, target, payload in sorted(ordered, key=lambda item: item[0]):
        merged.setdefault(target, {}).update(payload)
    return merged


def _run_and_hash(key: str, kind: str, target: str) -> tuple[int | None, str]:
    head, _, tail = key.rpartition(":")
    head, _, digest = head.rpartition(":")
    if head != f"{kind}:{target}" or not tail.startswith("run") or not tail[3:].isdigit():
        return None, ""  # not a record write (a transfer, say)
    return int(tail[3:]), digest
