"""The ``webhook`` job on a burst above ``sync.pull.burst.LIST_OVER`` Stripe objects: read
through the events listing, not one GET each, it ends where a regular sync of the same
changes ends (ledger and HubSpot), and its events are processed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jobs.webhooks import run_targeted_sync
from sync.ledger.webhooks import WebhookEvent
from sync.pull.burst import LIST_OVER
from sync.pull.mirror_inputs import Mirrored
from tests.e2e.kills import KillPoint
from tests.e2e.support import Outcome, World, outcome
from tests.webhooks.test_kills import kill_targeted_sync
from tests.webhooks.test_targeted_sync import assert_same_outcome
from tests.webhooks.worlds import AS_OF, NOVEMBER_INVOICE, change_billing, synced

TAGGED = LIST_OVER + 20


def burst(world: World) -> list[str]:
    """The billing changes of the other tests, and ``TAGGED`` more invoices changed (a
    metadata key no mapping reads): the invoices changed."""
    paid = change_billing(world)
    time.sleep(1.1)  # the November invoice's event a second older than the newest
    others = sorted(set(world.services().mirror.ids(Mirrored.STRIPE_INVOICE.value)) -
                    set(paid))[:TAGGED]
    for invoice_id in others:
        world.stripe.control({"action": "update", "object": "invoice", "id": invoice_id,
                              "fields": {"metadata": {"burst_note": "month start"}}})
    return [*paid, *others]


def delivered(world: World, invoices: list[str]) -> list[WebhookEvent]:
    """The events Stripe recorded for those invoices, as its webhooks deliver them, but
    none for the November invoice (its ``invoice.created`` is no subscribed type): only
    the listing, as the hourly pull, finds it -- and its line."""
    wanted = set(invoices) - {NOVEMBER_INVOICE}
    return [WebhookEvent(event["id"], "stripe", event["type"], "invoice",
                         event["data"]["object"]["id"],
                         datetime.fromtimestamp(event["created"], UTC))
            for event in world.stripe.state.events.all()
            if event["data"]["object"].get("object") == "invoice"
            and event["data"]["object"]["id"] in wanted]


def regular(fixtures: Path, directory: Path) -> Outcome:
    """What a regular sync of the same burst leaves."""
    with synced(fixtures, directory) as world:
        burst(world)
        world.run(AS_OF)
        return outcome(world)


def test_a_burst_read_through_the_listing_ends_as_a_regular_sync(
        small_fixtures: Path, tmp_path: Path) -> None:
    reference = regular(small_fixtures, tmp_path / "regular")

    with synced(small_fixtures, tmp_path / "targeted") as world:
        changed = burst(world)
        ledger = world.ledger()
        events = delivered(world, changed)
        assert len({e.object_id for e in events}) == len(changed) - 1 > LIST_OVER
        ledger.store_webhook_events(events)
        world.reset_calls()

        summary = run_targeted_sync(world.services(), AS_OF)

        assert summary.outcome == "succeeded", summary.error
        calls = world.stripe.calls.counters()
        assert calls.get("events.list", 0) >= 1
        assert "invoices.retrieve" not in calls  # every named invoice was in the listing
        assert_same_outcome(outcome(world), reference)
        assert ledger.pending_webhook_events() == []


@pytest.mark.parametrize("point", [
    KillPoint("ledger", frozenset({"set_cursor"})),  # the listing stored, not committed
    KillPoint("ledger", frozenset({"record_decisions"})),  # committed, cursor moved
    KillPoint("ledger", frozenset({"mark_webhook_events_processed"}), after=False)],
    ids=["listing-stored-uncommitted", "after-decisions-recorded", "before-events-marked"])
def test_a_burst_killed_anywhere_loses_nothing(point: KillPoint, small_fixtures: Path,
                                               tmp_path: Path) -> None:
    """Killed with the cursor moved or not, its events stay pending; the next run reads
    what the listing no longer covers by id and ends as a regular sync."""
    reference = regular(small_fixtures, tmp_path / "regular")
    with synced(small_fixtures, tmp_path / "killed") as world:
        events = delivered(world, burst(world))
        world.ledger().store_webhook_events(events)

        kill_targeted_sync(world, point)
        assert len(world.ledger().pending_webhook_events()) == len(events)

        time.sleep(1.1)  # a restarted process: Stripe's 1-second window has passed
        summary = run_targeted_sync(world.services(), AS_OF)
        assert summary.outcome == "succeeded", summary.error
        assert world.ledger().pending_webhook_events() == []
        assert_same_outcome(outcome(world), reference)


class DeliveredWhileListing:
    """The Stripe gateway; ``late`` events are stored (delivered) just before the listing
    is read, after the run took the pending ones."""

    def __init__(self, real: Any, world: World, late: list[WebhookEvent]) -> None:
        self._real, self._world, self._late = real, world, late

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def event_pages(self, types: Any, created_gt: int) -> Any:
        self._world.ledger().store_webhook_events(self._late)
        return self._real.event_pages(types, created_gt)


def test_events_delivered_during_the_run_that_its_listing_read_are_done_with_it(
        small_fixtures: Path, tmp_path: Path) -> None:
    with synced(small_fixtures, tmp_path) as world:
        events = delivered(world, burst(world))
        first = set(sorted({e.object_id for e in events})[:LIST_OVER + 1])
        taken = [e for e in events if e.object_id in first]
        late = [e for e in events if e.object_id not in first]
        unlisted = WebhookEvent("evt_not_listed", "stripe", "invoice.updated", "invoice",
                                late[0].object_id, late[0].occurred_at)
        ledger = world.ledger()
        ledger.store_webhook_events(taken)
        services = world.services()
        services.__dict__["stripe"] = DeliveredWhileListing(services.stripe, world,
                                                            [*late, unlisted])

        summary = run_targeted_sync(services, AS_OF)

        assert summary.outcome == "succeeded" and summary.webhook_events == len(taken)
        run = ledger.last_run("webhook")
        assert run is not None
        assert {e.id: ledger.webhook_event(e.id).processed_run  # type: ignore[union-attr]
                for e in [*taken, *late]} == {e.id: run.id for e in [*taken, *late]}
        # Not among the events the listing read: the next run reads its object.
        assert [e.id for e in ledger.pending_webhook_events()] == ["evt_not_listed"]
