"""The HubSpot half of the pull: partners, deals with their companies, payouts.

Every read happens before the transaction that stores it, so the ledger's write lock
is held only while writing; each transaction stores one step with the cursor covering
it, so a cursor never runs ahead of what is stored. Every read comes first, then the
stores, so on SQLite (one writer) this side never waits for the Stripe side's listing
to finish before reading.

Incremental pulls read only what changed since each cursor (less ``overlap``): one
search each for companies, deals and payouts, so a quiet portal costs three calls.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select

from mappings.hubspot import primary_company_id
from sync.adapters.hubspot.batch import BATCH_SIZE
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.shapes import id_order
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.ledger.models import LineRow, PayoutRow
from sync.pull.common import (
    JSON,
    Progress,
    Tally,
    Turn,
    counted,
    full_due,
    instant_cursor,
    store,
)
from sync.pull.mirror_inputs import Mirrored

DEALS_CURSOR = "hubspot.deals.modified_since"  # ISO instant the last deal read started
DEALS_FULL_AT = "hubspot.deals.full_at"  # ISO instant the last full deal listing started
COMPANIES_CURSOR = "hubspot.companies.modified_since"  # ISO instant of the last read
PAYOUTS_CURSOR = "hubspot.payouts.modified_since"  # ISO instant of the last read
MAX_FILTER_GROUPS = 5  # HubSpot's search limit

log = structlog.get_logger(__name__)


@dataclass
class Known:
    """What the mirror and the ledger hold, read in one turn before any HubSpot read: on
    SQLite the Stripe side holds the ledger while its full listing streams in, and this
    side's reads must not wait for it."""

    cursors: dict[str, datetime | None]
    partners: set[str]  # mirrored partners and partners the ledger has lines or payouts of
    mirrored_partners: set[str]
    companies: set[str]  # deals' companies mirrored
    deals: int  # deals mirrored


@dataclass
class Read:
    """One HubSpot step's records, read, waiting to be stored with its cursors."""

    stores: list[tuple[str, list[JSON], bool]] = field(default_factory=list)  # kind, records, full
    cursors: list[str] = field(default_factory=list)


def pull_hubspot(hubspot: HubSpotGateway, ledger: Ledger, mirror: Mirror, run_id: int,
                 now: datetime, *, force_full: bool, full_every: timedelta,
                 overlap: timedelta, progress: Progress | None, turn: Turn) -> Tally:
    """Partners, deals and payouts: all of them on a full pull, else what changed. All
    is read first, then each step is stored with its cursors in its own transaction."""
    with turn:
        known = _known(ledger, mirror)
    cursors = known.cursors
    full = (force_full or cursors[DEALS_CURSOR] is None
            or full_due(cursors[DEALS_FULL_AT], now, full_every))

    def since(name: str) -> datetime | None:
        cursor = cursors[name]
        return None if full or cursor is None else cursor - overlap

    tally = Tally(full=full)
    steps = [read_partners(hubspot, known, since(COMPANIES_CURSOR), tally, progress),
             read_deals(hubspot, known, since(DEALS_CURSOR), progress),
             read_payouts(hubspot, since(PAYOUTS_CURSOR), progress)]
    log.debug("pull.hubspot_read")  # the run's timeline: the stores may wait their turn
    with turn:
        for step in steps:
            with ledger.transaction():
                for kind, records, replace in step.stores:
                    store(mirror, kind, records, run_id, tally, full=replace)
                for name in step.cursors:
                    ledger.set_cursor(name, now.isoformat())
    return tally


def _known(ledger: Ledger, mirror: Mirror) -> Known:
    names = (DEALS_CURSOR, DEALS_FULL_AT, COMPANIES_CURSOR, PAYOUTS_CURSOR)
    mirrored = mirror.ids(Mirrored.HUBSPOT_PARTNER.value)
    return Known(cursors={name: instant_cursor(ledger, name) for name in names},
                 partners=mirrored | ledger_partner_ids(ledger), mirrored_partners=mirrored,
                 companies=mirror.ids(Mirrored.HUBSPOT_COMPANY.value),
                 deals=mirror.count(Mirrored.HUBSPOT_DEAL.value))


def read_partners(hubspot: HubSpotGateway, known: Known, since: datetime | None,
                  tally: Tally, progress: Progress | None) -> Read:
    """R1: companies with a tier now, plus every company known to have had one (mirror,
    ledger lines and payouts; on full pulls also a search for programme properties).
    ``since`` (incremental): only the companies changed since then are read again, the
    partners among them with their history and the deals' companies without.

    A known partner HubSpot no longer returns (archived, merged away) is NOT removed:
    the engine holds its lines and payouts, so its last copy stays in the mirror and it
    is reported as missing (on full pulls: not returned; between them: archived) --
    whether to keep paying what is due is the business' call.
    """
    kind, others = Mirrored.HUBSPOT_PARTNER.value, Mirrored.HUBSPOT_COMPANY.value
    refreshed: list[JSON] = []
    if since is None:
        companies = counted(hubspot.partner_companies(sorted(known.partners),
                                                      _programme_names(hubspot)),
                            kind, progress)
    else:
        tier = hubspot.props.company.tier
        changed = hubspot.changed_companies(since)
        wanted = {str(c["id"]) for c in changed
                  if str(c["id"]) in known.partners or (c.get("properties") or {}).get(tier)}
        companies = counted(hubspot.partners(sorted(wanted)), kind, progress)
        stale = {str(c["id"]) for c in changed} & known.companies - wanted
        refreshed = hubspot.companies(sorted(stale)) if stale else []
    missing = sorted(known.partners - {str(c["id"]) for c in companies} if since is None
                     else known.partners & set(hubspot.archived_companies()))
    tally.missing_ids[kind] = missing
    if missing:
        log.warning("pull.partners_missing", count=len(missing), partner_ids=missing,
                    kept="last mirror copy")
    known.mirrored_partners |= {str(c["id"]) for c in companies}
    return Read([(kind, companies, False), (others, refreshed, False)], [COMPANIES_CURSOR])


def read_deals(hubspot: HubSpotGateway, known: Known, since: datetime | None,
               progress: Progress | None) -> Read:
    """Deals changed at or after ``since`` (all when None, or when so many changed that
    listing them all costs fewer calls) and their primary companies for R8. The cursor
    becomes the pull's start: what changes while it reads is read again next time.

    Companies: partners are read with their history already; the others all again on a
    full listing, else only those not mirrored yet (and, in ``read_partners``, those
    changed)."""
    kind, others = Mirrored.HUBSPOT_DEAL.value, Mirrored.HUBSPOT_COMPANY.value
    changed = None if since is None else hubspot.changed_deals(
        since, at_most=max(known.deals * 2 // 3, 1000))
    full = changed is None
    skip = known.mirrored_partners | (set() if full else known.companies)
    deals, companies = deals_with_companies(
        hubspot, hubspot.all_deals() if changed is None else changed, skip, progress)
    cursors = [DEALS_CURSOR, DEALS_FULL_AT] if full else [DEALS_CURSOR]
    return Read([(kind, deals, full), (others, companies, full)], cursors)


def read_payouts(hubspot: HubSpotGateway, since: datetime | None, progress: Progress | None
                 ) -> Read:
    """Finance's approvals and paid marks: every payout record, or those changed."""
    kind = Mirrored.HUBSPOT_PAYOUT.value
    read = hubspot.payouts() if since is None else hubspot.changed_payouts(since)
    return Read([(kind, counted(read, kind, progress), since is None)], [PAYOUTS_CURSOR])


def deals_with_companies(hubspot: HubSpotGateway, deals: Iterable[JSON], skip: set[str],
                         progress: Progress | None) -> tuple[list[JSON], list[JSON]]:
    """The deals, and their primary companies (R8's domain check) but those in ``skip``.

    The companies are read 100 at a time on a second thread as soon as the deals
    arriving name 100 new ones, so their reads overlap the deal listing's instead of
    following it (a full pull of 50,000 deals: 500 listing calls, then 380 company
    reads). Same calls, same records, in id order."""
    names = hubspot.props.associations
    listed: list[JSON] = []
    seen: set[str] = set()
    waiting: list[str] = []
    reads: list[Future[list[JSON]]] = []
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pull-companies")

    def read_waiting() -> None:
        # On the reader thread with the run's log context (contextvars).
        reads.append(pool.submit(contextvars.copy_context().run, hubspot.companies,
                                 list(waiting)))
        waiting.clear()

    try:
        for deal in counted(deals, Mirrored.HUBSPOT_DEAL.value, progress):
            listed.append(deal)
            company_id = primary_company_id(deal, names)
            if company_id is None or (key := str(company_id)) in skip or key in seen:
                continue
            seen.add(key)
            waiting.append(key)
            if len(waiting) == BATCH_SIZE:
                read_waiting()
        if waiting:
            read_waiting()
        companies = [company for read in reads for company in read.result()]
    finally:
        pool.shutdown(cancel_futures=True)  # a failed listing reads no more companies
    if companies and progress is not None:
        progress(Mirrored.HUBSPOT_COMPANY.value, len(companies))
    return listed, sorted(companies, key=lambda c: id_order(str(c.get("id"))))


def ledger_partner_ids(ledger: Ledger) -> set[str]:
    """Partners the ledger holds lines or payouts of: never forgotten (R1)."""
    with ledger.transaction() as session:
        lines = session.scalars(select(LineRow.partner_id).distinct())
        payouts = session.scalars(select(PayoutRow.partner_id).distinct())
        return {str(partner_id) for partner_id in [*lines, *payouts]}


def _programme_names(hubspot: HubSpotGateway) -> list[str]:
    """R1 on full pulls: a company whose tier was cleared is found by the programme
    properties it still carries (status, option, referral code). HubSpot cannot search
    property history, so this is the best signal it offers; searched with the tier in
    one search (any of at most 5 filter groups)."""
    company = hubspot.props.company
    names = [n for n in hubspot.props.company_properties_with_history()
             if n not in (company.tier, company.confirmed_stripe_account_id)]
    return names[:MAX_FILTER_GROUPS - 1]
