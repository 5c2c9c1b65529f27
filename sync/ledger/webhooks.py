"""Webhook events in the ledger (``webhook_events``): stored before the receiver answers
2xx, taken by the next targeted sync, marked processed once that sync succeeded.

An event is pending until ``mark_webhook_events_processed``: a worker killed between
storing it and syncing it leaves it pending, and the next targeted sync (in this process
or the next one) takes it. The id is the vendor's own, so a repeated delivery stores
nothing new (``store_webhook_events`` reports it as a duplicate).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sync.domain.months import require_utc
from sync.ledger.webhook_models import WEBHOOK_VENDORS, WebhookEventRow

CHUNK = 500  # ids a statement


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """What a delivery said changed: an object to read again, never its contents."""

    id: str  # evt_... or hubspot:<eventId>
    vendor: str  # stripe or hubspot
    event_type: str
    object_type: str
    object_id: str
    occurred_at: datetime

    def __post_init__(self) -> None:
        if self.vendor not in WEBHOOK_VENDORS:
            raise ValueError(f"unknown webhook vendor {self.vendor!r}")
        require_utc(self.occurred_at, "occurred_at")


@dataclass(frozen=True, slots=True)
class StoredWebhookEvent:
    event: WebhookEvent
    received_at: datetime
    processed_run: int | None
    processed_at: datetime | None
    note: str | None


def _stored(row: WebhookEventRow) -> StoredWebhookEvent:
    event = WebhookEvent(row.id, row.vendor, row.event_type, row.object_type, row.object_id,
                         row.occurred_at)
    return StoredWebhookEvent(event, row.received_at, row.processed_run, row.processed_at,
                              row.note)


class WebhookMethods:
    """Mixed into ``Ledger``, which provides the unit of work and the clock."""

    def transaction(self, *, snapshot: bool = False,
                    read_only: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def now(self) -> datetime:
        raise NotImplementedError

    def store_webhook_events(self, events: Iterable[WebhookEvent]) -> list[bool]:
        """Store the events in one committed transaction; for each, True when it is new,
        False when its id was stored before (a repeated delivery: nothing changes)."""
        events = list(events)
        with self.transaction() as session:
            postgres = session.get_bind().dialect.name == "postgresql"
            insert = postgresql.insert if postgres else sqlite.insert
            received = self.now()
            new = []
            for event in events:
                statement = insert(WebhookEventRow).values(
                    id=event.id, vendor=event.vendor, event_type=event.event_type,
                    object_type=event.object_type, object_id=event.object_id,
                    occurred_at=event.occurred_at, received_at=received,
                ).on_conflict_do_nothing(index_elements=["id"]).returning(WebhookEventRow.id)
                new.append(session.execute(statement).scalar() is not None)
            return new

    def pending_webhook_events(self) -> list[WebhookEvent]:
        """The events no sync has processed yet, oldest delivery first."""
        with self.transaction() as session:
            rows = session.scalars(select(WebhookEventRow)
                                   .where(WebhookEventRow.processed_at.is_(None))
                                   .order_by(WebhookEventRow.received_at, WebhookEventRow.id))
            return [_stored(row).event for row in rows]

    def webhook_backlog(self) -> tuple[int, datetime | None]:
        """How many events are pending, and when the oldest of them was received."""
        with self.transaction() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(WebhookEventRow.received_at))
                .where(WebhookEventRow.processed_at.is_(None))).one()
            return int(count), oldest

    def mark_webhook_events_processed(self, run_id: int, ids: Iterable[str],
                                      notes: Mapping[str, str] | None = None) -> int:
        """The run read these events' objects again: they are pending no more (``notes``:
        why one's object could not be read, e.g. it no longer exists). Returns how many
        were still pending."""
        ids, notes, now = sorted(set(ids)), dict(notes or {}), self.now()
        marked = 0
        with self.transaction() as session:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start:start + CHUNK]
                marked += _rowcount(session.execute(
                    update(WebhookEventRow).where(WebhookEventRow.id.in_(chunk),
                                                  WebhookEventRow.processed_at.is_(None))
                    .values(processed_run=run_id, processed_at=now)))
            for event_id, note in notes.items():
                session.execute(update(WebhookEventRow).where(WebhookEventRow.id == event_id,
                                                              WebhookEventRow.processed_run
                                                              == run_id).values(note=note))
        return marked

    def webhook_event(self, event_id: str) -> StoredWebhookEvent | None:
        with self.transaction() as session:
            row = session.get(WebhookEventRow, event_id)
            return None if row is None else _stored(row)

    def prune_webhook_events(self, processed_before: datetime) -> int:
        """Forget events processed before then (the vendors stop retrying a delivery
        after three days, so an older id will not come again); returns how many."""
        with self.transaction() as session:
            return _rowcount(session.execute(delete(WebhookEventRow).where(
                WebhookEventRow.processed_at < require_utc(processed_before, "before"))))


def _rowcount(result: object) -> int:
    """Rows an UPDATE or DELETE touched (a ``CursorResult``'s count)."""
    return int(getattr(result, "rowcount", 0))
