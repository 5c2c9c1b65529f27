"""The Stripe half of the pull: customers, prices, subscriptions and invoices, from a
full listing or from the events since the cursor (Stripe keeps events 30 days).

Every event carries the whole object as it was then, so applying one twice is harmless
and the newest one per object is all that counts. The cursor
(``stripe.events.created``, epoch seconds) is the pull's start minus the overlap
(``PARTNERSYNC_PULL_OVERLAP_SECONDS``), never the newest event read: an event Stripe
lists late (its index lags, or the clocks disagree) is created within the overlap, so
the next pull, which asks for the events after the cursor, still reads it; an event read
twice changes nothing. It moves on every pull, so a quiet account never drifts out of
the 30 days and into a full listing.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sync.adapters.stripe.gateway import MAX_EVENT_TYPES, StripeGateway
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.common import (
    JSON,
    Progress,
    Tally,
    Turn,
    counted,
    counting,
    full_due,
    instant_cursor,
    store,
)
from sync.pull.kept import invoice_page, subscription_page
from sync.pull.mirror_inputs import ListedInvoices, Mirrored
from sync.pull.read_ahead import read_ahead

EVENTS_CURSOR = "stripe.events.created"  # epoch seconds, see the module docstring
FULL_AT = "stripe.full_at"  # ISO instant the last full listing started
EVENTS_KEPT = timedelta(days=30)  # Stripe's retention
SAFETY = timedelta(days=1)
INVOICE_PARTS = 2  # invoice listings read side by side (3 measured slower: CPU-bound)

KINDS = {  # an event's `data.object.object` -> the mirrored type
    "customer": Mirrored.STRIPE_CUSTOMER.value,
    "price": Mirrored.STRIPE_PRICE.value,
    "subscription": Mirrored.STRIPE_SUBSCRIPTION.value,
    "invoice": Mirrored.STRIPE_INVOICE.value,
}
EVENT_TYPES = (  # 19: one events call a page (Stripe takes at most 20 types)
    "customer.created", "customer.updated", "customer.deleted",
    "price.created", "price.updated", "price.deleted",
    "customer.subscription.created", "customer.subscription.updated",
    "customer.subscription.deleted", "customer.subscription.paused",
    "customer.subscription.resumed",
    "invoice.created", "invoice.updated", "invoice.deleted", "invoice.finalized",
    "invoice.paid", "invoice.payment_succeeded", "invoice.voided",
    "invoice.marked_uncollectible",
)
REMOVALS = frozenset({"customer.deleted", "price.deleted", "invoice.deleted"})


def pull_stripe(stripe: StripeGateway, ledger: Ledger, mirror: Mirror, run_id: int,
                now: datetime, *, force_full: bool, full_every: timedelta,
                overlap: timedelta, progress: Progress | None, turn: Turn,
                listed: ListedInvoices | None = None) -> Tally:
    """``listed``: given the invoices of a full listing as it stores them."""
    with turn:
        cursor = ledger.get_cursor(EVENTS_CURSOR)
        last_full = instant_cursor(ledger, FULL_AT)
    since = events_since(cursor, now)
    if force_full or since is None or full_due(last_full, now, full_every):
        return _full_listing(stripe, ledger, mirror, run_id, now, now - overlap, progress,
                             turn, listed)
    events = counted(events_after(stripe, since), "stripe.events", progress)
    changes = newest_states(events, stripe)
    with turn, ledger.transaction():
        return store_changes(ledger, mirror, run_id, changes,
                             next_cursor(since, now - overlap))


def events_since(cursor: str | None, now: datetime) -> int | None:
    """The cursor, when the events since it are all still kept (else a full listing)."""
    if cursor is None or now - datetime.fromtimestamp(int(cursor), UTC) > EVENTS_KEPT - SAFETY:
        return None
    return int(cursor)


def next_cursor(cursor: int, floor: datetime) -> int:
    """After applying the events since ``cursor``, read from ``floor`` (the pull's start
    less the overlap) on: see the module docstring. Not the newest event's second: an
    event of that second, or of the overlap before it, may still be listed late."""
    return max(cursor, _epoch(floor))


def _full_listing(stripe: StripeGateway, ledger: Ledger, mirror: Mirror, run_id: int,
                  now: datetime, since: datetime, progress: Progress | None, turn: Turn,
                  listed: ListedInvoices | None) -> Tally:
    """Every object, streamed into the mirror as it arrives, a chunk at a time, in one
    transaction with both cursors: a listing cut short stores nothing. The events
    cursor is the newest event seen BEFORE listing (or ``since``, when later: nothing
    newer was missed), so changes made while listing are applied again next time.
    Events older than ``since`` are not needed for that (one page, usually)."""
    floor = _epoch(since)
    newest = max((event["created"] for event in events_after(stripe, floor)), default=floor)
    customers = Oldest(stripe.customers())
    listings: dict[str, Callable[[], list[Iterable[JSON]]]] = {
        Mirrored.STRIPE_CUSTOMER.value: lambda: [customers],
        Mirrored.STRIPE_PRICE.value: lambda: [stripe.prices()],
        Mirrored.STRIPE_SUBSCRIPTION.value: lambda: [
            stripe.subscriptions(decode=subscription_page)],
        Mirrored.STRIPE_INVOICE.value: lambda: invoice_listings(stripe, customers.created,
                                                                _epoch(now)),
    }
    tally = Tally(full=True)
    with turn, ledger.transaction():
        for kind, fetch in listings.items():
            records = read_ahead(*fetch())  # the next pages arrive while these are stored
            store(mirror, kind, counting(records, kind, progress), run_id, tally, full=True,
                  seen=None if listed is None else listed.seen(kind))
        ledger.set_cursor(EVENTS_CURSOR, str(newest))
        ledger.set_cursor(FULL_AT, now.isoformat())
    if listed is not None:
        listed.complete = True  # committed: the mirror holds what was mapped
    return tally


class Oldest:
    """A listing passed through, noting the oldest ``created`` in it."""

    def __init__(self, records: Iterable[JSON]) -> None:
        self._records = records
        self.created: int | None = None

    def __iter__(self) -> Iterator[JSON]:
        for record in self._records:
            created = record.get("created")
            if isinstance(created, int) and (self.created is None or created < self.created):
                self.created = created
            yield record


def invoice_listings(stripe: StripeGateway, oldest_customer: int | None,
                     now: int) -> list[Iterable[JSON]]:
    """The invoices as ``INVOICE_PARTS`` listings of consecutive ``created`` ranges,
    read side by side. Every invoice is in exactly one of them whatever the split
    instants (its ``created`` never changes); they only balance the parts. Invoices come
    from the customers billed each month, so for a customer base that grew steadily from
    the first customer to now, the share created before ``sqrt(q)`` of that span is
    ``q``: the splits are placed there. One listing when there is no customer to date
    the account by."""
    if oldest_customer is None or oldest_customer >= now:
        return [stripe.invoices(decode=invoice_page)]
    span = now - oldest_customer
    splits = sorted({oldest_customer + int(span * math.sqrt(part / INVOICE_PARTS))
                     for part in range(1, INVOICE_PARTS)})
    bounds = [None, *splits, None]
    listings: list[Iterable[JSON]] = [
        stripe.invoices(created_gte=start, created_lt=end, decode=invoice_page)
        for start, end in itertools.pairwise(bounds)]
    return listings[::-1]  # newest first, as one listing would give them


@dataclass
class Changes:
    """The newest state of every object the events touched, by mirrored type."""

    upserts: dict[str, list[JSON]] = field(default_factory=dict)
    removals: dict[str, list[str]] = field(default_factory=dict)


def store_changes(ledger: Ledger, mirror: Mirror, run_id: int, changes: Changes,
                  cursor: int | None, tally: Tally | None = None) -> Tally:
    """What the events changed and the cursor (None: it stays), in the caller's one
    transaction; counted in ``tally`` when given."""
    tally = Tally(full=False) if tally is None else tally
    for kind, records in changes.upserts.items():
        store(mirror, kind, records, run_id, tally, full=False)
    for kind, ids in changes.removals.items():
        gone = mirror.ids(kind) & set(ids)
        mirror.remove(kind, sorted(gone))
        tally.add(kind, read=len(ids), removed=len(gone))
    if cursor is not None:
        ledger.set_cursor(EVENTS_CURSOR, str(cursor))
    return tally


def newest_states(events: list[JSON], stripe: StripeGateway) -> Changes:
    """Events oldest first -> each object's last state; an invoice whose embedded lines
    say ``has_more`` is read again whole (docs/configuration.md: all its lines)."""
    last: dict[tuple[str, str], JSON] = {}
    for event in events:
        obj = event["data"]["object"]
        kind = KINDS.get(str(obj.get("object")))
        if kind is not None:
            last.pop((kind, obj["id"]), None)  # keep the order of the last change
            last[(kind, obj["id"])] = event
    changes = Changes()
    for (kind, object_id), event in last.items():
        if event["type"] in REMOVALS:
            changes.removals.setdefault(kind, []).append(object_id)
            continue
        obj = event["data"]["object"]
        if (obj.get("lines") or {}).get("has_more"):
            obj = stripe.invoice(object_id)
        changes.upserts.setdefault(kind, []).append(obj)
    return changes


def events_after(stripe: StripeGateway, created_gt: int,
                 types: tuple[str, ...] = EVENT_TYPES) -> list[JSON]:
    """Events after ``created_gt``, oldest first; the types asked 20 at a time."""
    chunks = [types[i:i + MAX_EVENT_TYPES] for i in range(0, len(types), MAX_EVENT_TYPES)]
    events = [event for chunk in chunks for event in stripe.events(chunk, created_gt)]
    return events if len(chunks) == 1 else sorted(events, key=lambda e: int(e["created"]))


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())
