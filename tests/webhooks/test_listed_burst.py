"""The ``webhook`` job on a burst above ``sync.pull.burst.LIST_OVER`` Stripe objects: read
through the events listing, not one GET each, it ends where a regular sync of the same
changes ends (ledger and HubSpot), and its events are processed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

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
