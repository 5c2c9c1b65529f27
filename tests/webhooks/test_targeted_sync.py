"""The ``webhook`` job against the stand-ins: a targeted sync ends where a regular sync of
the same changes ends; duplicated, reordered and late events change nothing; an object
that no longer exists is noted, not a failure; events arriving during a run wait for
the next; the same job lock as the hourly sync."""

from __future__ import annotations

import threading
from dataclasses import fields
from pathlib import Path
from typing import Any

from jobs.cycle import run_sync
from jobs.webhooks import run_targeted_sync
from sync.ledger.webhooks import WebhookEvent
from sync.wiring import Services
from tests.e2e.support import Outcome, World, outcome
from tests.webhooks.worlds import AS_OF, change_billing, paid_events, pay_open_invoices, synced


def assert_same_outcome(got: Outcome, reference: Outcome) -> None:
    for field in fields(Outcome):
        assert getattr(got, field.name) == getattr(reference, field.name), field.name


def regular_reference(fixtures: Path, directory: Path) -> tuple[Outcome, Outcome]:
    """What the portal holds before the change, and after a regular sync of it."""
    with synced(fixtures, directory) as world:
        before = outcome(world)
        change_billing(world)
        world.run(AS_OF)
        return before, outcome(world)


def targeted(world: World, services: Services | None = None) -> Any:
    summary = run_targeted_sync(services or world.services(), AS_OF)
    assert summary.outcome == "succeeded", summary.error
    return summary


def test_a_targeted_sync_ends_as_a_regular_sync_and_duplicates_change_nothing(
        small_fixtures: Path, tmp_path: Path) -> None:
    before, reference = regular_reference(small_fixtures, tmp_path / "regular")
    # The change is one the programme sees: the November invoice's line.
    novembers = {line for line in set(reference.lines) - set(before.lines) if "_2026-11_" in line}
    assert novembers

    with synced(small_fixtures, tmp_path / "targeted") as world:
        paid = change_billing(world)
        ledger = world.ledger()
        # Delivered in reverse order, one twice, one under two event ids.
        events = paid_events(paid)
        assert ledger.store_webhook_events(events[::-1]) == [True] * len(events)
        assert ledger.store_webhook_events([events[0]]) == [False]
        ledger.store_webhook_events(paid_events(paid[:1], "evt_again"))

        summary = targeted(world)

        assert summary.webhook_events == len(paid) + 1
        assert summary.read["stripe.invoice"] == len(paid)  # one read per invoice
        assert_same_outcome(outcome(world), reference)
        assert ledger.pending_webhook_events() == []
        assert all(ledger.webhook_event(e.id).processed_run is not None  # type: ignore[union-attr]
                   for e in events)

        # The vendors deliver them all again, and one more for an invoice: nothing moves.
        world.reset_calls()
        assert ledger.store_webhook_events(events) == [False] * len(events)
        ledger.store_webhook_events(paid_events(paid[1:2], "evt_late"))
        targeted(world)
        assert_same_outcome(outcome(world), reference)
        assert world.hubspot_writes() == {} and world.stripe_posts() == 0


def test_an_event_for_an_object_that_no_longer_exists_is_processed_with_a_note(
        small_fixtures: Path, tmp_path: Path) -> None:
    with synced(small_fixtures, tmp_path) as world:
        ledger = world.ledger()
        at = AS_OF
        ledger.store_webhook_events([
            WebhookEvent("evt_gone", "stripe", "invoice.updated", "invoice", "in_gone", at),
            WebhookEvent("hubspot:1", "hubspot", "deal.propertyChange", "deal", "999", at)])

        summary = targeted(world)

        assert summary.outcome == "succeeded"
        gone = ledger.webhook_event("evt_gone")
        assert gone is not None and gone.processed_run is not None
        assert gone.note == "Stripe invoice in_gone no longer exists: not read"
        deal = ledger.webhook_event("hubspot:1")
        assert deal is not None and deal.note == "HubSpot deal 999 no longer exists: not read"
        assert summary.read["stripe.invoice"] == summary.read["hubspot.deal"] == 0
        assert ledger.pending_webhook_events() == []


class Gate:
    """Forwards to the Stripe gateway; its first ``current`` call waits to be let through."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.reached, self.release = threading.Event(), threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def current(self, kind: str, object_id: str) -> Any:
        self.reached.set()
        assert self.release.wait(30)
        return self._real.current(kind, object_id)


def test_events_arriving_while_a_sync_runs_wait_for_the_next_one(
        small_fixtures: Path, tmp_path: Path) -> None:
    with synced(small_fixtures, tmp_path) as world:
        paid = pay_open_invoices(world)
        first, late = paid_events(paid[:1]), paid_events(paid[1:], "evt_late")
        services = world.services()
        gate = Gate(services.stripe)
        services.__dict__["stripe"] = gate
        ledger = world.ledger()
        ledger.store_webhook_events(first)
        results: list[Any] = []
        running = threading.Thread(target=lambda: results.append(
            run_targeted_sync(services, AS_OF)))
        running.start()
        try:
            assert gate.reached.wait(30)  # the run took its events and is reading
            ledger.store_webhook_events(late)
            # The hourly sync meanwhile: the same job lock, so it skips.
            assert run_sync(world.services(), AS_OF).outcome == "skipped"
        finally:
            gate.release.set()
            running.join(60)
        (summary,) = results
        assert summary.outcome == "succeeded" and summary.webhook_events == 1
        assert [e.id for e in ledger.pending_webhook_events()] == [e.id for e in late]

        second = targeted(world)
        assert second.webhook_events == len(late)
        assert ledger.pending_webhook_events() == []
        processed = {e.id: ledger.webhook_event(e.id) for e in first + late}
        runs = {e.processed_run for e in processed.values() if e is not None}
        assert len(runs) == 2  # the first event by the first run, the late ones by the next
