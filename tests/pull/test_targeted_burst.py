"""A burst of Stripe webhooks read through the events listing (``sync.pull.burst``): above
the threshold, the hourly pull's events step instead of one GET per object, ending with
the same mirror as reads by id; the newest state of an object changed twice; a named
object the listing does not cover still read by id (or noted); at the threshold and
below, by id as before. Calls are counted at the Stripe stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sync.ledger.webhooks import WebhookEvent
from sync.pull.burst import LIST_OVER, Burst
from sync.pull.mirror_inputs import Mirrored
from sync.pull.targeted import TargetedPull, pull_targets
from tests.pull.support import JSON, World, world
from tests.pull.test_pull_changes import differences
from tests.pull.test_targeted_pull import AT

INVOICE, CUSTOMER = Mirrored.STRIPE_INVOICE.value, Mirrored.STRIPE_CUSTOMER.value
SUBSCRIPTION = Mirrored.STRIPE_SUBSCRIPTION.value
EVENTS_CURSOR = "stripe.events.created"
OVERLAP = timedelta(minutes=10)


@contextmanager
def pulled(small_set: Path, directory: Path) -> Iterator[World]:
    """The small set after a full pull, 15 minutes later, calls counted from zero."""
    directory.mkdir(parents=True, exist_ok=True)
    with world(small_set, f"sqlite:///{directory / 'ledger.db'}") as served:
        served.pull()
        served.advance(minutes=15)
        served.reset_calls()
        yield served


def invoice_event(served: World, n: int, invoice_id: str, kind: str = "invoice.updated"
                  ) -> WebhookEvent:
    """A webhook event Stripe sent now (its ``created``: the stand-in's frozen clock)."""
    return WebhookEvent(f"evt_hook_{n}", "stripe", kind, "invoice", invoice_id,
                        served.clock.now())


def tag_invoices(served: World, count: int, tag: str = "burst") -> list[WebhookEvent]:
    """``count`` invoices changed (one ``invoice.updated`` each at Stripe), and the
    webhook events naming them, with the ids Stripe gave its events."""
    ids = sorted(served.mirror.ids(INVOICE))[:count]
    for invoice_id in ids:
        served.stripe_change(action="update", object="invoice", id=invoice_id,
                             fields={"metadata": {"tag": tag}})
    return stripe_hooks(served, "invoice", ids)


def stripe_hooks(served: World, object_type: str, ids: list[str]) -> list[WebhookEvent]:
    """The webhook events Stripe delivered for the newest change of each of ``ids``."""
    newest: dict[str, WebhookEvent] = {}
    for event in served.stripe_sandbox.state.events.all():
        obj = event["data"]["object"]
        if obj.get("object") == object_type and obj["id"] in ids:
            newest[obj["id"]] = WebhookEvent(event["id"], "stripe", event["type"], object_type,
                                             obj["id"], datetime.fromtimestamp(
                                                 event["created"], UTC))
    return [newest[i] for i in ids]


def tags(served: World, events: list[WebhookEvent]) -> dict[str, str]:
    """The mirrored ``tag`` of the invoices ``events`` name."""
    named = {e.object_id for e in events}
    return {i["id"]: i["metadata"]["tag"] for i in served.mirror.records(INVOICE)
            if i["id"] in named}


def targeted(served: World, events: list[WebhookEvent], burst: bool = True,
             over: int = LIST_OVER) -> TargetedPull:
    run_id = served.ledger.start_run("webhook", served.clock.now())
    return pull_targets(served.hubspot, served.stripe, served.ledger, served.mirror, run_id,
                        events, Burst(served.clock.now(), OVERLAP, over) if burst else None)


def test_a_burst_reads_through_the_listing_and_ends_as_reads_by_id(
        small_set: Path, tmp_path: Path) -> None:
    ends = {}
    for way in ("listing", "by id"):
        with pulled(small_set, tmp_path / way.replace(" ", "_")) as served:
            before, cursor = served.snapshot(), served.cursors()[EVENTS_CURSOR]
            events = tag_invoices(served, LIST_OVER + 20)
            customer = sorted(served.mirror.ids(CUSTOMER))[0]
            served.stripe_change(action="delete_customer", id=customer)
            live = {s["id"] for s in before[SUBSCRIPTION]
                    if s["customer"] == customer and s["status"] != "canceled"}
            assert live
            events.append(WebhookEvent("evt_hook_gone", "stripe", "customer.updated",
                                       "customer", customer, AT))

            result = targeted(served, events, burst=way == "listing")

            ends[way] = (served.snapshot(), result.notes, result.summary.changed)
            calls, cursors = served.calls(), served.cursors()
            if way == "listing":
                # 120 invoice.updated, customer.deleted and its live subscriptions'
                # customer.subscription.deleted: under 200 events, two pages.
                assert calls == {"stripe events.list": 2}
                # As every pull moves it: the run's start less the overlap (the clock is
                # frozen at 1796127300), so what Stripe lists late is read next time.
                assert cursors[EVENTS_CURSOR] == str(1796127300 - 600)
            else:
                assert calls == {"stripe invoices.retrieve": LIST_OVER + 20,
                                 "stripe customers.retrieve": 1}
                assert cursors[EVENTS_CURSOR] == cursor
            changed = differences(before, served.snapshot())
            assert len(changed[INVOICE]) == LIST_OVER + 20 and changed[CUSTOMER] == {customer}
    listing, by_id = ends["listing"], ends["by id"]
    # The listing also stored the customer's live subscription its deletion canceled,
    # which no webhook event named (the hourly pull would store it too).
    assert differences(by_id[0], listing[0]) == {SUBSCRIPTION: live}
    assert listing[1] == by_id[1] == {
        "evt_hook_gone": f"Stripe customer {customer} no longer exists: not read"}


def test_an_object_changed_twice_in_the_burst_ends_at_its_newest(small_set: Path,
                                                                  tmp_path: Path) -> None:
    with pulled(small_set, tmp_path) as served:
        first = tag_invoices(served, LIST_OVER + 1, tag="first")
        twice = first[0].object_id
        served.stripe_change(action="update", object="invoice", id=twice,
                             fields={"metadata": {"tag": "second"}})
        events = [*first, *stripe_hooks(served, "invoice", [twice])]

        targeted(served, events)

        assert served.calls() == {"stripe events.list": 2}
        assert tags(served, first) == {
            e.object_id: "second" if e.object_id == twice else "first" for e in first}


def test_named_objects_the_listing_does_not_cover_are_read_by_id_or_noted(
        small_set: Path, tmp_path: Path) -> None:
    with pulled(small_set, tmp_path) as served:
        events = tag_invoices(served, LIST_OVER + 1)
        unchanged = sorted(served.mirror.ids(INVOICE))[-1]  # no event since the cursor
        # A credit note's event is not in the listing (its type is not listed) and is
        # of the same second as the invoice's listed event: the invoice is read again.
        credited = events[0].object_id
        events += [invoice_event(served, 1, unchanged),
                   invoice_event(served, 2, "in_never_was"),
                   invoice_event(served, 3, credited, "credit_note.created")]

        pulled_ = targeted(served, events)

        assert served.calls() == {"stripe events.list": 2, "stripe invoices.retrieve": 3}
        assert pulled_.notes == {
            "evt_hook_2": "Stripe invoice in_never_was no longer exists: not read"}
        assert pulled_.summary.read[INVOICE] == LIST_OVER + 1 + 2  # listed, then by id


class ChangedMeanwhile:
    """The Stripe gateway, with an invoice changed at Stripe just before it is read by id
    (after the listing was read): what is read by id is newer and must be what stays."""

    def __init__(self, served: World, invoice_id: str) -> None:
        self._served, self._invoice_id = served, invoice_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._served.stripe, name)

    def current(self, kind: str, object_id: str) -> JSON | None:
        if object_id == self._invoice_id:
            self._served.stripe_change(action="update", object="invoice", id=object_id,
                                       fields={"metadata": {"tag": "meanwhile"}})
        return self._served.stripe.current(kind, object_id)


def test_what_is_read_by_id_after_the_listing_is_stored_after_it(small_set: Path,
                                                                  tmp_path: Path) -> None:
    with pulled(small_set, tmp_path) as served:
        events = tag_invoices(served, LIST_OVER + 1)
        credited = events[0].object_id
        events.append(invoice_event(served, 1, credited, "credit_note.created"))
        run_id = served.ledger.start_run("webhook", served.clock.now())

        pull_targets(served.hubspot, ChangedMeanwhile(served, credited),  # type: ignore[arg-type]
                     served.ledger, served.mirror, run_id, events,
                     Burst(served.clock.now(), OVERLAP))

        assert tags(served, events) == {
            e.object_id: "meanwhile" if e.object_id == credited else "burst" for e in events}


def test_at_the_threshold_and_without_a_burst_each_object_is_read_by_id(
        small_set: Path, tmp_path: Path) -> None:
    with pulled(small_set, tmp_path) as served:
        cursor = served.cursors()[EVENTS_CURSOR]
        events = tag_invoices(served, LIST_OVER)

        targeted(served, events)

        assert served.calls() == {"stripe invoices.retrieve": LIST_OVER}
        assert served.cursors()[EVENTS_CURSOR] == cursor


def test_a_listing_longer_than_its_budget_is_cut_short_and_the_cursor_stays(
        small_set: Path, tmp_path: Path) -> None:
    with pulled(small_set, tmp_path) as served:
        cursor = served.cursors()[EVENTS_CURSOR]
        other = sorted(served.mirror.ids(INVOICE))[-40:]
        for n in range(300):  # other traffic first: 3 pages under the burst's page
            served.stripe_change(action="update", object="invoice", id=other[n % 40],
                                 fields={"metadata": {"n": str(n)}})
        events = tag_invoices(served, 6)  # over 4: a budget of 3 pages

        pulled_ = targeted(served, events, over=4)

        assert served.calls() == {"stripe events.list": 3}
        assert served.cursors()[EVENTS_CURSOR] == cursor  # the hourly pull reads it all
        tags = {i["id"]: i["metadata"] for i in served.mirror.records(INVOICE)}
        assert all(tags[e.object_id] == {"tag": "burst"} for e in events)
        # Of the other traffic, the pages read stored nothing: not what was named.
        assert all("n" not in tags[i] for i in other)
        assert pulled_.summary.read[INVOICE] == 6
        # Only the named objects' events count as read (their objects stored).
        assert pulled_.listed == {e.id for e in events}
