"""The ``webhook`` job on a burst above ``sync.pull.burst.LIST_OVER`` Stripe objects: read
through the events listing, not one GET each, it ends where a regular sync of the same
changes ends (ledger and HubSpot), and its events are processed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jobs.webhooks import run_targeted_sync
from sync.ledger.webhooks import WebhookEvent
from sync.pull.burst import LIST_OVER
from sync.pull.mirror_inputs import Mirrored
from tests.e2e.support import World, outcome
from tests.webhooks.test_targeted_sync import assert_same_outcome
from tests.webhooks.worlds import AS_OF, change_billing, synced

TAGGED = LIST_OVER + 20


def burst(world: World) -> list[str]:
    """The billing changes of the other tests, and ``TAGGED`` more invoices changed (a
    metadata key no mapping reads): the invoices changed."""
    paid = change_billing(world)
    others = sorted(set(world.services().mirror.ids(Mirrored.STRIPE_INVOICE.value)) -
                    set(paid))[:TAGGED]
    for invoice_id in others:
        world.stripe.control({"action": "update", "object": "invoice", "id": invoice_id,
                              "fields": {"metadata": {"burst_note": "month start"}}})
    return [*paid, *others]


def delivered(world: World, invoices: list[str]) -> list[WebhookEvent]:
    """The events Stripe recorded for those invoices, as its webhooks deliver them (the
    November invoice's is its ``invoice.created``: the stand-in adds it paid)."""
    wanted = set(invoices)
    return [WebhookEvent(event["id"], "stripe", event["type"], "invoice",
                         event["data"]["object"]["id"],
                         datetime.fromtimestamp(event["created"], UTC))
            for event in world.stripe.state.events.all()
            if event["data"]["object"].get("object") == "invoice"
            and event["data"]["object"]["id"] in wanted]


def test_a_burst_read_through_the_listing_ends_as_a_regular_sync(
        small_fixtures: Path, tmp_path: Path) -> None:
    with synced(small_fixtures, tmp_path / "regular") as world:
        burst(world)
        world.run(AS_OF)
        reference = outcome(world)

    with synced(small_fixtures, tmp_path / "targeted") as world:
        changed = burst(world)
        ledger = world.ledger()
        events = delivered(world, changed)
        assert len({e.object_id for e in events}) == len(changed) > LIST_OVER
        ledger.store_webhook_events(events)
        world.reset_calls()

        summary = run_targeted_sync(world.services(), AS_OF)

        assert summary.outcome == "succeeded", summary.error
        calls = world.stripe.calls.counters()
        assert calls.get("events.list", 0) >= 1
        assert "invoices.retrieve" not in calls  # every named invoice was in the listing
        assert_same_outcome(outcome(world), reference)
        assert ledger.pending_webhook_events() == []
