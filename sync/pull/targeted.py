"""The targeted pull (webhooks, issue 14): the objects pending events name, read again by
id through the APIs and stored in the mirror exactly as the regular pull stores them.
Then the cycle goes on as after any pull (``jobs.cycle``).

What is read, by the regular pull's own reads: Stripe invoices (with all their lines; a
credit note's event names its invoice), subscriptions and customers one by one, the
partners' Connect accounts (``read_accounts``, then ``pull_accounts`` for accounts a
partner newly names); HubSpot companies (partners with their history, as
``read_partners`` decides), deals with their companies (``deals_with_companies``) and
payout records, 100 a call. Every call goes through the gateways' pacers and retry
policy. No cursor moves: the hourly pull still reads everything changed since its own --
except for a burst of Stripe objects (more than ``sync.pull.burst.LIST_OVER``), read
through the hourly pull's own events step, which stores what it read and moves its
cursor as the hourly pull does; the objects it did not cover are read by id after it.

An object the API no longer has is noted on its events (they are processed, the run
goes on): a Stripe invoice or customer leaves the mirror, as the events pull removes a
deleted one; a HubSpot record stays until the next full listing, as between listings.
"""

from __future__ import annotations

import contextvars
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import structlog

from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.stripe.gateway import StripeGateway
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.ledger.webhooks import WebhookEvent
from sync.pull.burst import Burst, Listed, named_objects, read_listing
from sync.pull.common import JSON, Tally, store
from sync.pull.hubspot import deals_with_companies, ledger_partner_ids
from sync.pull.mirror_inputs import Mirrored
from sync.pull.portal import (
    PullSummary,
    partner_account_ids,
    pull_accounts,
    read_accounts,
    summary_of,
)
from sync.pull.stripe import EVENTS_CURSOR, events_since, store_changes

log = structlog.get_logger(__name__)
STRIPE_KINDS = {"invoice": Mirrored.STRIPE_INVOICE.value,
                "subscription": Mirrored.STRIPE_SUBSCRIPTION.value,
                "customer": Mirrored.STRIPE_CUSTOMER.value}
REMOVED_WHEN_GONE = frozenset({"invoice", "customer"})  # as the events pull's REMOVALS


Target = tuple[str, str, str]  # vendor, object type, object id


@dataclass
class Read:
    """What one side read, waiting to be stored in one transaction."""

    upserts: list[tuple[str, list[JSON]]] = field(default_factory=list)
    removals: list[tuple[str, list[str]]] = field(default_factory=list)
    gone: dict[Target, str] = field(default_factory=dict)  # -> why it was not read
    listed: Listed | None = None  # a burst read through the events listing: stored first


@dataclass(frozen=True)
class TargetedPull:
    summary: PullSummary
    notes: dict[str, str]  # event id -> why its object could not be read
    listed: frozenset[str] = frozenset()  # Stripe events read whose objects are stored


Targets = dict[tuple[str, str], set[str]]  # (vendor, object type) -> ids


def targets_of(events: Iterable[WebhookEvent]) -> Targets:
    found: Targets = defaultdict(set)
    for event in events:
        found[(event.vendor, event.object_type)].add(event.object_id)
    return found


def pull_targets(hubspot: HubSpotGateway, stripe: StripeGateway, ledger: Ledger,
                 mirror: Mirror, run_id: int, events: list[WebhookEvent],
                 burst: Burst | None = None) -> TargetedPull:
    """``burst``: read many Stripe objects through the events listing (``sync.pull.burst``);
    None: each by id."""
    targets = targets_of(events)
    known = _Known(mirror, ledger)
    stripe_side = partial_stripe(stripe, events, burst, ledger.get_cursor(EVENTS_CURSOR))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="targeted") as pool:
        sides = [pool.submit(contextvars.copy_context().run, read, targets)
                 for read in (partial_hubspot(hubspot, known), stripe_side)]
        hubspot_read, stripe_read = (side.result() for side in sides)
    tallies = [Tally(), Tally()]
    with ledger.transaction():
        for side, tally in zip((hubspot_read, stripe_read), tallies, strict=True):
            if side.listed is not None:  # older than the reads by id: stored before them
                store_changes(ledger, mirror, run_id, side.listed.changes,
                              side.listed.cursor, tally)
            for kind, records in side.upserts:
                store(mirror, kind, records, run_id, tally, full=False)
            for kind, ids in side.removals:
                removed = sorted(mirror.ids(kind) & set(ids))
                mirror.remove(kind, removed)
                tally.add(kind, removed=len(removed))
    accounts, account_notes = _accounts(stripe, ledger, mirror, run_id, hubspot,
                                        targets.get(("stripe", "account"), set()))
    not_read = hubspot_read.gone | stripe_read.gone | account_notes
    notes = {event.id: not_read[target] for event in events
             if (target := (event.vendor, event.object_type, event.object_id)) in not_read}
    if notes:
        log.info("webhook.objects_not_read", events=len(notes), objects=len(not_read))
    listed = frozenset() if stripe_read.listed is None else stripe_read.listed.event_ids
    return TargetedPull(summary_of(*tallies, accounts), notes, listed)


class _Known:
    """The companies the mirror and the ledger know, read before any API call."""

    def __init__(self, mirror: Mirror, ledger: Ledger) -> None:
        self.mirrored_partners = mirror.ids(Mirrored.HUBSPOT_PARTNER.value)
        self.partners = self.mirrored_partners | ledger_partner_ids(ledger)
        self.companies = mirror.ids(Mirrored.HUBSPOT_COMPANY.value)


def _gone(read: Read, target: tuple[str, str], what: str, ids: Iterable[str]) -> None:
    vendor, object_type = target
    for object_id in ids:
        read.gone[(vendor, object_type, object_id)] = (f"{what} {object_id} no longer "
                                                       "exists: not read")


def partial_stripe(stripe: StripeGateway, events: list[WebhookEvent] | None = None,
                   burst: Burst | None = None, cursor: str | None = None
                   ) -> Callable[[Targets], Read]:
    """Each named object by id, or, for more than ``burst.over`` of them while the
    hourly pull's events cursor is usable, through the listing first."""
    def read(targets: Targets) -> Read:
        result = Read()
        result.listed = listed = _listed(stripe, events or [], burst, cursor)
        for kind, mirrored in STRIPE_KINDS.items():
            covered = set() if listed is None else {i for k, i in listed.covered if k == kind}
            if listed is not None:  # the listing's newest event of these deleted them
                _gone(result, ("stripe", kind), f"Stripe {kind}", sorted(
                    covered & set(listed.changes.removals.get(mirrored, ()))))
            found: list[JSON] = []
            missing: list[str] = []
            for object_id in sorted(set(targets.get(("stripe", kind), ())) - covered):
                current = stripe.current(kind, object_id)
                if current is None:
                    missing.append(object_id)
                else:
                    found.append(current)
            result.upserts.append((mirrored, found))
            if kind in REMOVED_WHEN_GONE:
                result.removals.append((mirrored, missing))
            _gone(result, ("stripe", kind), f"Stripe {kind}", missing)
        return result
    return read


def _listed(stripe: StripeGateway, events: list[WebhookEvent], burst: Burst | None,
            cursor: str | None) -> Listed | None:
    """The listing's read, when worth it (``sync.pull.burst``); None: all by id."""
    named = named_objects(events, STRIPE_KINDS)
    since = None if burst is None else events_since(cursor, burst.now)
    if burst is None or since is None or len(named) <= burst.over:
        return None
    listed = read_listing(stripe, since, named, burst)
    log.info("webhook.stripe_listed", named=len(named), covered=len(listed.covered),
             pages=listed.pages, complete=listed.cursor is not None)
    return listed


def partial_hubspot(hubspot: HubSpotGateway, known: _Known) -> Callable[[Targets], Read]:
    def read(targets: Targets) -> Read:
        result = Read()
        _companies(hubspot, known, sorted(targets.get(("hubspot", "company"), ())), result)
        _deals(hubspot, known, sorted(targets.get(("hubspot", "deal"), ())), result)
        _custom(hubspot, {type_id: ids for (vendor, type_id), ids in targets.items()
                          if vendor == "hubspot" and type_id not in ("company", "deal")},
                result)
        return result
    return read


def _companies(hubspot: HubSpotGateway, known: _Known, ids: list[str], result: Read) -> None:
    """As ``read_partners`` between full pulls: a known partner or a company with a tier
    is read with its history; a deal's company already mirrored, without."""
    if not ids:
        return
    tier = hubspot.props.company.tier
    plain = hubspot.companies([i for i in ids if i not in known.partners])
    newly = [str(c["id"]) for c in plain if (c.get("properties") or {}).get(tier)]
    partners = hubspot.partners(sorted({*(i for i in ids if i in known.partners), *newly}))
    others = [c for c in plain if str(c["id"]) in known.companies and str(c["id"]) not in newly]
    result.upserts += [(Mirrored.HUBSPOT_PARTNER.value, partners),
                       (Mirrored.HUBSPOT_COMPANY.value, others)]
    returned = {str(c["id"]) for c in [*plain, *partners]}
    missing = [i for i in ids if i not in returned]
    if set(missing) & known.partners:  # R1: the last copy stays (``read_partners``)
        log.warning("pull.partners_missing", partner_ids=sorted(set(missing) & known.partners),
                    kept="last mirror copy")
    _gone(result, ("hubspot", "company"), "HubSpot company", missing)


def _deals(hubspot: HubSpotGateway, known: _Known, ids: list[str], result: Read) -> None:
    if not ids:
        return
    deals = hubspot.deals(ids)
    listed, companies = deals_with_companies(hubspot, deals, known.mirrored_partners
                                             | known.companies, None)
    result.upserts += [(Mirrored.HUBSPOT_DEAL.value, listed),
                       (Mirrored.HUBSPOT_COMPANY.value, companies)]
    _gone(result, ("hubspot", "deal"), "HubSpot deal",
          sorted(set(ids) - {str(d["id"]) for d in deals}))


def _custom(hubspot: HubSpotGateway, by_type: dict[str, set[str]], result: Read) -> None:
    """Payout records; another custom object's event (a commission line record) is not
    the cycle's to read: the payment job reads edited line records back."""
    if not by_type:
        return
    payouts = hubspot.object_type_id(hubspot.props.payout.object_name)
    ids = sorted(by_type.pop(payouts, set()))
    records = hubspot.payout_records(ids) if ids else []
    result.upserts.append((Mirrored.HUBSPOT_PAYOUT.value, records))
    _gone(result, ("hubspot", payouts), "HubSpot payout record",
          sorted(set(ids) - {str(r["id"]) for r in records}))
    for type_id, others in by_type.items():
        for object_id in others:
            result.gone[("hubspot", type_id, object_id)] = (
                f"HubSpot object type {type_id} is not the payout records: not read")


def _accounts(stripe: StripeGateway, ledger: Ledger, mirror: Mirror, run_id: int,
              hubspot: HubSpotGateway, named: set[str]
              ) -> tuple[Tally, dict[Target, str]]:
    """The named accounts a partner has, read again; then, as after any pull, the
    accounts partners newly name (``pull_accounts``)."""
    wanted = partner_account_ids(mirror, hubspot.props)
    found, deleted = read_accounts(stripe, sorted(named & wanted))
    tally = Tally()
    with ledger.transaction():
        store(mirror, Mirrored.STRIPE_ACCOUNT.value, found, run_id, tally, full=False)
        mirror.remove(Mirrored.STRIPE_ACCOUNT.value, sorted(deleted))
    new = pull_accounts(stripe, ledger, mirror, run_id, hubspot.props, refresh_all=False)
    tally.add(Mirrored.STRIPE_ACCOUNT.value, read=sum(new.read.values()),
              changed=sum(new.changed.values()), removed=sum(new.removed.values()) +
              len(deleted))
    notes = {("stripe", "account", i): f"Stripe account {i} no longer exists: not read"
             for i in deleted}
    notes |= {("stripe", "account", i): f"Stripe account {i} is no partner's Connect "
              "account: not read" for i in named - wanted}
    return tally, notes
