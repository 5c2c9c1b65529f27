"""Recording a run's commission lines (R16, R17), part of ``record_decisions``.

A line's stored state is made equal to the decided one; each difference must be the
change the engine announced against the stored state, else the decisions are stale.
A line in a payout never changes. Every change is a new version row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from sync.domain.decisions import CommissionLine, Decisions, LineChange
from sync.domain.months import month_label
from sync.ledger.bulk import insert_rows
from sync.ledger.errors import FrozenLineError, StaleDecisionsError
from sync.ledger.models import LineRow, LineVersionRow, table_of
from sync.ledger.records import line_of, rate_text
from sync.ledger.types import to_label

STALE = "reload the ledger and decide again"


@dataclass(slots=True)
class LineWriter:
    """One recording: its session, run and instant, the ids of void lines (R16: a voided
    line may come back under its id) and the version rows it adds."""

    session: Session
    run_id: int
    now: datetime
    voided: set[str] = field(default_factory=set)  # ids of void lines (R16: may return)
    versions: list[LineVersionRow] = field(default_factory=list)


def check_frozen_lines(live: dict[str, LineRow], lines: dict[str, CommissionLine]) -> None:
    for row in live.values():
        if row.payout_id is not None and line_of(row) != lines.get(row.id):
            raise FrozenLineError(f"line {row.id} is in payout {row.payout_id}: decisions would "
                                  "change it, and a line in a payout never changes (R16)")


def apply_lines(writer: LineWriter, decisions: Decisions, live: dict[str, LineRow],
                 lines: dict[str, CommissionLine]) -> None:
    changes = {change.line.id: change for change in decisions.changes}
    first_seen = []
    for line_key in sorted(live.keys() | lines.keys()):
        row, new, change = live.get(line_key), lines.get(line_key), changes.get(line_key)
        if row is None and new is not None and line_key not in writer.voided:
            first_seen.append((new, change))
        else:
            _apply_line(writer, line_key, row, new, change)
    _insert_first_seen(writer, first_seen)


def _insert_first_seen(writer: LineWriter,
                       created: list[tuple[CommissionLine, LineChange | None]]) -> None:
    """Lines never stored before, checked like the others and inserted in bulk: a first
    run over a large portal creates tens of thousands, which one ORM object (and its
    unit of work) each took minutes to store. Same rows and versions as ``_create``."""
    lines: list[dict[str, object]] = []
    versions: list[dict[str, object]] = []
    for new, change in created:
        _expect(new.id, change, "created", None)
        fields = _fields(new)  # no payout: it is assigned by a version of its own
        row: dict[str, object] = {
            "id": new.id, **fields, "status": "accrued", "payout_id": new.payout_id,
            "version": 1 if new.payout_id is None else 2}
        lines.append(row)
        versions.append(_version_fields(new.id, 1, "created", fields, None))
        if new.payout_id is not None:
            versions.append(_version_fields(new.id, 2, "assigned", fields, new.payout_id))
    # The run and the instant are the same on every row: bound once (bulk.insert_rows).
    connection = writer.session.connection()
    insert_rows(connection, table_of(LineRow), lines, {
        "created_run": writer.run_id, "updated_run": writer.run_id, "updated_at": writer.now})
    insert_rows(connection, table_of(LineVersionRow), versions,
                {"run_id": writer.run_id, "at": writer.now})


def _version_fields(line_id: str, version: int, action: str, fields: dict[str, object],
                    payout_id: str | None) -> dict[str, object]:
    return {"line_id": line_id, "version": version, "action": action,
            "amount": fields["amount"], "basis": fields["basis"], "rate": fields["rate"],
            "explanation": fields["explanation"], "payout_id": payout_id}


def _apply_line(writer: LineWriter, line_key: str, row: LineRow | None,
                new: CommissionLine | None, change: LineChange | None) -> None:
    current = None if row is None else line_of(row)
    if current == new:
        return
    assert current is None or not current.frozen  # _check_frozen_lines
    if new is None:
        assert row is not None
        _expect(line_key, change, "voided", current)
        _set_status(writer, row, "void", "voided")
        return
    content = replace(new, payout_id=None)
    if row is None:
        _expect(line_key, change, "created", None)
        row = _create(writer, content)
    elif current != content:
        _expect(line_key, change, "replaced", current)
        _write_fields(row, content)
        _version(writer, row, "replaced")
    if new.payout_id is not None:
        row.payout_id = new.payout_id
        _version(writer, row, "assigned")


def _expect(line_key: str, change: LineChange | None, action: str,
            previous: CommissionLine | None) -> None:
    """The engine must have announced this change against the state stored now."""
    if change is None or change.action != action or change.previous != previous:
        raise StaleDecisionsError(f"line {line_key}: the decisions do not announce it as "
                                  f"{action} from the stored state; {STALE}")


def _create(writer: LineWriter, line: CommissionLine) -> LineRow:
    # A voided line may come back (R16 identity); a new one needs no lookup.
    row = writer.session.get(LineRow, line.id) if line.id in writer.voided else None
    if row is None:
        row = LineRow(id=line.id, version=0, created_run=writer.run_id)
        writer.session.add(row)
    _write_fields(row, line)
    row.status = "accrued"
    _version(writer, row, "created")
    return row


def _fields(line: CommissionLine) -> dict[str, object]:
    """A line's stored columns, but status, payout and version bookkeeping."""
    return {"partner_id": line.partner_id, "customer_id": line.customer_id,
            "deal_id": line.deal_id, "month": month_label(line.month),
            "kind": line.kind.value, "tier": line.tier.value, "rate": rate_text(line.rate),
            "basis": line.basis, "amount": line.amount, "explanation": line.explanation,
            "found_month": to_label(line.found_month)}


def _write_fields(row: LineRow, line: CommissionLine) -> None:
    for name, value in _fields(line).items():
        setattr(row, name, value)


def _set_status(writer: LineWriter, row: LineRow, status: str, action: str) -> None:
    row.status = status
    _version(writer, row, action)


def _version(writer: LineWriter, row: LineRow, action: str) -> None:
    row.version += 1
    row.updated_run, row.updated_at = writer.run_id, writer.now
    writer.versions.append(LineVersionRow(
        line_id=row.id, version=row.version, action=action, amount=row.amount,
        basis=row.basis, rate=row.rate, explanation=row.explanation, payout_id=row.payout_id,
        run_id=writer.run_id, at=writer.now,
    ))


def add_line(session: Session, line: CommissionLine, run_id: int, now: datetime) -> None:
    """One line outside a run's decisions (R34's manual line), with its first version."""
    writer = LineWriter(session, run_id, now)
    _create(writer, line)
    session.flush()
    session.add_all(writer.versions)
