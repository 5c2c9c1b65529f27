"""A burst of Stripe webhooks read through the events listing (issue 14), not one GET per
object: a month-start burst of thousands of paid invoices costs a few dozen calls.

The listing is the hourly pull's own incremental step (``sync.pull.stripe``): the events
since its cursor, oldest first, each object's newest state kept (a deletion removes it),
an invoice with truncated lines read again whole. Read to its end, it is stored as that
step stores it and the cursor moves as it moves it (to the run's start less the
overlap: the next pull reads again only the events of that overlap, which a burst still
arriving while it is read may add to). The hourly pull and the targeted syncs share the
job lock, so nobody moves the cursor in between.

The cost, and so the threshold: per id, ``n`` named objects cost ``n`` calls; the listing
costs one call per 100 events since the cursor, and a paid invoice alone brings three of
them (``invoice.updated``, ``invoice.paid``, ``invoice.payment_succeeded``), so a burst's
own events cost about ``3n / 100`` calls, plus whatever else changed since the hourly
pull. That other traffic is unknown before reading, so the listing is tried only above
``LIST_OVER`` objects (a page's worth, like the accounts' listing: below it the saving is
at most a second at Stripe's 100 reads a second, and the listing would widen what the
cycle decides to everything changed since the cursor) and read for at most
``n // PAGES_PER_OBJECTS`` pages: at worst (a listing of other traffic) the reads cost
1.5 x the per-id ones, never unbounded. A listing cut short by that budget is not
complete, so the cursor stays; the named objects it did reach are still at their newest
(the pages run newest first) and are stored.

A named object counts as covered only when the listing holds, for each event naming it,
that event itself or a later one of the same object (``created`` strictly later: Stripe
orders events of one second by its own rule). Otherwise -- a credit note's event (its
type is not listed), an event older than the cursor, an object the listing did not reach
-- it is read by id as before, after the listing, and stored after it (newest wins).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync.adapters.stripe.gateway import MAX_EVENT_TYPES, StripeGateway
from sync.ledger.webhooks import WebhookEvent
from sync.pull.common import JSON
from sync.pull.stripe import EVENT_TYPES, Changes, newest_states, next_cursor

LIST_OVER = 100  # named Stripe objects above which the listing is tried (docstring)
PAGES_PER_OBJECTS = 2  # the listing's budget: a page for every two named objects
assert len(EVENT_TYPES) <= MAX_EVENT_TYPES  # one listing, so its pages are newest first

Named = tuple[str, str]  # object type as events name it ("invoice"...), object id


@dataclass(frozen=True)
class Burst:
    """What reading through the listing needs: the pull's start and overlap (as the
    hourly pull has them) and the threshold."""

    now: datetime
    overlap: timedelta
    over: int = LIST_OVER


@dataclass
class Listed:
    """What the listing read: the changes to store first, the cursor to set with them
    (None: cut short, it stays) and the named objects whose newest state they hold."""

    changes: Changes
    cursor: int | None
    covered: set[Named] = field(default_factory=set)
    pages: int = 0
    # Its events whose objects it stores, at or after them: one delivered while the run
    # went on is done with too (``jobs.webhooks``).
    event_ids: frozenset[str] = frozenset()


def named_objects(events: Iterable[WebhookEvent], kinds: Iterable[str]
                  ) -> dict[Named, list[WebhookEvent]]:
    wanted = set(kinds)
    named: dict[Named, list[WebhookEvent]] = defaultdict(list)
    for event in events:
        if event.vendor == "stripe" and event.object_type in wanted:
            named[(event.object_type, event.object_id)].append(event)
    return named


def read_listing(stripe: StripeGateway, since: int, named: dict[Named, list[WebhookEvent]],
                 burst: Burst) -> Listed:
    """The events since ``since`` (the cursor), at most the budget's pages of them."""
    budget = max(1, len(named) // PAGES_PER_OBJECTS)
    newest_first: list[JSON] = []
    pages, more = 0, True
    listing = stripe.event_pages(EVENT_TYPES, since)
    while more and pages < budget:
        page, more = next(listing)
        newest_first += page
        pages += 1
    oldest_first = newest_first[::-1]
    if more:  # cut short: only what it says of the named objects
        stored = [event for event in oldest_first if _named(event) in named]
        listed = Listed(newest_states(stored, stripe), None, pages=pages)
    else:
        stored = oldest_first
        listed = Listed(newest_states(oldest_first, stripe),
                        next_cursor(since, burst.now - burst.overlap), pages=pages)
    listed.event_ids = frozenset(str(event["id"]) for event in stored)
    listed.covered = covered(oldest_first, named)
    return listed


def covered(oldest_first: list[JSON], named: dict[Named, list[WebhookEvent]]) -> set[Named]:
    """The named objects the listing has at or after every event naming them."""
    ids = {str(event["id"]) for event in oldest_first}
    newest: dict[Named, int] = {}
    for event in oldest_first:
        newest[_named(event)] = int(event["created"])
    return {key for key, events in named.items() if key in newest and all(
        event.id in ids or newest[key] > int(event.occurred_at.timestamp())
        for event in events)}


def _named(event: JSON) -> Named:
    obj = event["data"]["object"]
    return str(obj.get("object")), str(obj.get("id"))
