"""Webhook events in the ledger, on SQLite and PostgreSQL: stored once by id, pending
until a run marks them processed, a note kept for an object that no longer exists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sync.ledger import Ledger
from sync.ledger.webhooks import WebhookEvent
from tests.ledger.conftest import START, Clock

OCCURRED = datetime(2025, 2, 28, 23, 59, tzinfo=UTC)


def event(event_id: str, object_id: str = "in_1", vendor: str = "stripe") -> WebhookEvent:
    return WebhookEvent(event_id, vendor, "invoice.paid", "invoice", object_id, OCCURRED)


def test_an_event_is_stored_once_by_its_id(ledger: Ledger) -> None:
    assert ledger.store_webhook_events([event("evt_1"), event("evt_2", "in_2")]) == [True, True]
    # The same delivery again, and a retry of evt_2 alongside a new one.
    assert ledger.store_webhook_events([event("evt_1")]) == [False]
    assert ledger.store_webhook_events([event("evt_2", "in_2"), event("evt_3")]) == [False, True]
    assert [e.id for e in ledger.pending_webhook_events()] == ["evt_1", "evt_2", "evt_3"]
    stored = ledger.webhook_event("evt_2")
    assert stored is not None and stored.event == event("evt_2", "in_2")
    assert stored.received_at == START and stored.processed_at is None


def test_pending_events_come_oldest_delivery_first(ledger: Ledger, clock: Clock) -> None:
    ledger.store_webhook_events([event("evt_b")])
    clock.advance(seconds=3)
    ledger.store_webhook_events([event("evt_a"), event("hubspot:9", "40", "hubspot")])
    assert [e.id for e in ledger.pending_webhook_events()] == ["evt_b", "evt_a", "hubspot:9"]
    assert ledger.webhook_backlog() == (3, START)


def test_marked_events_are_pending_no_more_and_keep_their_run_and_note(
        ledger: Ledger, clock: Clock) -> None:
    ledger.store_webhook_events([event("evt_1"), event("evt_2", "in_gone"), event("evt_3")])
    run_id = ledger.start_run("webhook", START)
    clock.advance(seconds=10)
    marked = ledger.mark_webhook_events_processed(
        run_id, ["evt_1", "evt_2"], {"evt_2": "invoice in_gone no longer exists"})
    assert marked == 2
    assert [e.id for e in ledger.pending_webhook_events()] == ["evt_3"]
    gone = ledger.webhook_event("evt_2")
    assert gone is not None and gone.processed_run == run_id
    assert gone.processed_at == START + timedelta(seconds=10)
    assert gone.note == "invoice in_gone no longer exists"
    kept = ledger.webhook_event("evt_1")
    assert kept is not None and kept.note is None
    # Marked again by a later run: already processed, nothing changes.
    later = ledger.start_run("webhook", START)
    assert ledger.mark_webhook_events_processed(later, ["evt_1"]) == 0
    again = ledger.webhook_event("evt_1")
    assert again is not None and again.processed_run == run_id
    # A repeated delivery of a processed event stores nothing and stays processed.
    assert ledger.store_webhook_events([event("evt_1")]) == [False]
    assert [e.id for e in ledger.pending_webhook_events()] == ["evt_3"]


def test_nothing_pending_has_no_oldest(ledger: Ledger) -> None:
    assert ledger.webhook_backlog() == (0, None)
    assert ledger.pending_webhook_events() == []


def test_processed_events_are_pruned_after_a_while_pending_ones_never(
        ledger: Ledger, clock: Clock) -> None:
    ledger.store_webhook_events([event("evt_old"), event("evt_pending")])
    ledger.mark_webhook_events_processed(ledger.start_run("webhook", START), ["evt_old"])
    clock.advance(days=31)
    assert ledger.prune_webhook_events(START + timedelta(days=1)) == 1
    assert ledger.webhook_event("evt_old") is None
    assert [e.id for e in ledger.pending_webhook_events()] == ["evt_pending"]


def test_two_processes_storing_the_same_event_store_it_once(
        open_ledger: Callable[[], Ledger]) -> None:
    first, second = open_ledger(), open_ledger()
    assert first.store_webhook_events([event("evt_1")]) == [True]
    assert second.store_webhook_events([event("evt_1")]) == [False]
    assert [e.id for e in second.pending_webhook_events()] == ["evt_1"]
