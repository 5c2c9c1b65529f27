"""The outbox: external writes recorded as intents before they are made.

A write to HubSpot or Stripe is enqueued (and committed) first, made second, and
confirmed third. A run killed in between finds the intent still ``pending`` and makes
it again; the key (e.g. ``stripe:transfer:<payout id>:<attempt>``) is deterministic, so
enqueueing the same intent twice is a no-op, and the external call can use it as its
idempotency key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sync.ledger.errors import OutboxError, UnknownRecordError, scrub
from sync.ledger.models import OutboxRow
from sync.ledger.records import OutboxEntry


def enqueue(session: Session, key: str, kind: str, target: str, payload: dict[str, Any],
            now: datetime) -> bool:
    """Record an intent; ``False`` when the key is already recorded (even concurrently)."""
    values = {"key": key, "kind": kind, "target": target, "payload": payload,
              "status": "pending", "attempts": 0, "created_at": now, "updated_at": now}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(OutboxRow).values(**values).on_conflict_do_nothing(
        index_elements=["key"]).returning(OutboxRow.key)
    # a row comes back only when this call inserted it
    return session.connection().execute(statement).first() is not None


def pending(session: Session, kind: str | None = None) -> list[OutboxEntry]:
    """Intents not yet confirmed, oldest first: what a resumed run makes again."""
    query = select(OutboxRow).where(OutboxRow.status == "pending")
    if kind is not None:
        query = query.where(OutboxRow.kind == kind)
    return [entry_of(row) for row in
            session.scalars(query.order_by(OutboxRow.created_at, OutboxRow.key))]


def get(session: Session, key: str) -> OutboxEntry | None:
    row = session.get(OutboxRow, key)
    return None if row is None else entry_of(row)


def confirm(session: Session, key: str, result: dict[str, Any], now: datetime) -> None:
    """The external write happened; ``result`` keeps what it returned (a transfer id)."""
    row = _locked(session, key)
    if row.status == "sent":
        if row.result == result:
            return  # confirmed twice with the same answer: nothing changes
        raise OutboxError(f"outbox {key} was already confirmed with another result")
    if row.status != "pending":
        raise OutboxError(f"outbox {key} is {row.status}, not pending")
    row.status, row.result, row.last_error = "sent", result, None
    row.attempts += 1
    row.updated_at = now


def fail(session: Session, key: str, error: str, now: datetime, *, retry: bool = False) -> None:
    """The external write failed. ``retry`` keeps it pending for the next run (a
    transient failure); otherwise it is ``failed`` for good under this key."""
    row = _locked(session, key)
    if row.status != "pending":
        raise OutboxError(f"outbox {key} is {row.status}, not pending")
    row.status = "pending" if retry else "failed"
    row.last_error = scrub(error)
    row.attempts += 1
    row.updated_at = now


def _locked(session: Session, key: str) -> OutboxRow:
    query = (select(OutboxRow).where(OutboxRow.key == key).with_for_update()
             .execution_options(populate_existing=True))
    row = session.scalars(query).one_or_none()
    if row is None:
        raise UnknownRecordError(f"outbox entry {key} does not exist")
    return row


def entry_of(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        key=row.key, kind=row.kind, target=row.target, payload=row.payload, status=row.status,
        attempts=row.attempts, result=row.result, last_error=row.last_error,
        created_at=row.created_at, updated_at=row.updated_at,
    )
