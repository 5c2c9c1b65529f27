"""The HubSpot half of the pull: partners, deals with their companies, payouts.

Every read happens before the transaction that stores it, so the ledger's write lock
is held only while writing; each transaction stores one step with the cursor covering
it, so a cursor never runs ahead of what is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import select

from mappings.hubspot import primary_company_id
from sync.adapters.hubspot_gateway import COMPANIES, HubSpotGateway
from sync.adapters.hubspot_shapes import SEARCH_PAGE, SEARCH_RESULT_CAP, next_after
from sync.adapters.hubspot_transport import JsonObject, json_objects
from sync.inputs import Mirrored
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.ledger.models import LineRow, PayoutRow
from sync.pull_common import (
    JSON,
    Progress,
    Tally,
    Turn,
    counted,
    full_due,
    instant_cursor,
    store,
)

DEALS_CURSOR = "hubspot.deals.modified_since"  # ISO instant the last deal read started
DEALS_FULL_AT = "hubspot.deals.full_at"  # ISO instant the last full deal listing started
MAX_FILTER_GROUPS = 5  # HubSpot's search limit

log = structlog.get_logger(__name__)


def pull_hubspot(hubspot: HubSpotGateway, ledger: Ledger, mirror: Mirror, run_id: int,
                 now: datetime, *, force_full: bool, full_every: timedelta,
                 overlap: timedelta, progress: Progress | None, turn: Turn) -> Tally:
    """Partners (every run), deals (changed since the cursor, or all), payouts (all)."""
    with turn:
        since = instant_cursor(ledger, DEALS_CURSOR)
        last_full = instant_cursor(ledger, DEALS_FULL_AT)
    full = force_full or since is None or full_due(last_full, now, full_every)
    tally = Tally(full=full)
    pull_partners(hubspot, ledger, mirror, run_id, tally, progress, turn, discover=full)
    pull_deals(hubspot, ledger, mirror, run_id, now,
               None if full or since is None else since - overlap, tally, progress, turn)
    payouts = counted(hubspot.payouts(), Mirrored.HUBSPOT_PAYOUT.value, progress)
    with turn, ledger.transaction():
        store(mirror, Mirrored.HUBSPOT_PAYOUT.value, payouts, run_id, tally, full=True)
    return tally


def pull_partners(hubspot: HubSpotGateway, ledger: Ledger, mirror: Mirror, run_id: int,
                  tally: Tally, progress: Progress | None, turn: Turn, *,
                  discover: bool) -> None:
    """R1: companies with a tier now, plus every company known to have had one (mirror,
    ledger lines and payouts; on full pulls also a search for programme properties).

    A known partner HubSpot no longer returns (archived, merged away) is NOT removed:
    the engine holds its lines and payouts, so its last copy stays in the mirror and it
    is reported as missing -- whether to keep paying what is due is the business' call.
    """
    kind = Mirrored.HUBSPOT_PARTNER.value
    with turn:
        known = mirror.ids(kind) | ledger_partner_ids(ledger)
    candidates = former_partner_ids(hubspot) if discover else []
    companies = counted(hubspot.partner_companies(sorted(known | set(candidates))), kind,
                        progress)
    with turn, ledger.transaction():
        store(mirror, kind, companies, run_id, tally, full=False)
    missing = sorted(known - {str(company["id"]) for company in companies})
    tally.missing_ids[kind] = missing
    if missing:
        log.warning("pull.partners_missing", count=len(missing), partner_ids=missing,
                    kept="last mirror copy")


def pull_deals(hubspot: HubSpotGateway, ledger: Ledger, mirror: Mirror, run_id: int,
               now: datetime, since: datetime | None, tally: Tally,
               progress: Progress | None, turn: Turn) -> None:
    """Deals changed at or after ``since`` (all when None) and their primary companies
    for R8, stored with the cursors in one transaction. The cursor becomes ``now``, the
    pull's start: what changes while it reads is read again next time.

    Companies: partners are read with their history already; the others all again on a
    full listing, else only those not mirrored yet (a new domain waits for the next)."""
    full = since is None
    with turn:
        skip = mirror.ids(Mirrored.HUBSPOT_PARTNER.value)
        if not full:
            skip |= mirror.ids(Mirrored.HUBSPOT_COMPANY.value)
    deals = counted(hubspot.deals_modified_since(since), Mirrored.HUBSPOT_DEAL.value,
                    progress)
    companies = deal_companies(hubspot, deals, skip, progress)
    with turn, ledger.transaction():
        store(mirror, Mirrored.HUBSPOT_DEAL.value, deals, run_id, tally, full=full)
        store(mirror, Mirrored.HUBSPOT_COMPANY.value, companies, run_id, tally, full=full)
        ledger.set_cursor(DEALS_CURSOR, now.isoformat())
        if full:
            ledger.set_cursor(DEALS_FULL_AT, now.isoformat())


def deal_companies(hubspot: HubSpotGateway, deals: list[JSON], skip: set[str],
                   progress: Progress | None) -> list[JSON]:
    """The deals' primary companies (R8's domain check), but those in ``skip``."""
    names = hubspot.props.associations
    wanted = {primary_company_id(deal, names) for deal in deals}
    ids = sorted(str(company_id) for company_id in wanted
                 if company_id is not None and company_id not in skip)
    if not ids:
        return []
    return counted(hubspot.companies(ids), Mirrored.HUBSPOT_COMPANY.value, progress)


def ledger_partner_ids(ledger: Ledger) -> set[str]:
    """Partners the ledger holds lines or payouts of: never forgotten (R1)."""
    with ledger.transaction() as session:
        lines = session.scalars(select(LineRow.partner_id).distinct())
        payouts = session.scalars(select(PayoutRow.partner_id).distinct())
        return {str(partner_id) for partner_id in [*lines, *payouts]}


def former_partner_ids(hubspot: HubSpotGateway) -> list[str]:
    """R1 on a cold start (empty mirror and ledger): a company whose tier was cleared is
    found by the programme properties it still carries (status, option, referral code).
    HubSpot cannot search property history, so this is the best signal it offers."""
    tier = hubspot.props.company.tier
    names = [n for n in hubspot.props.company_properties_with_history() if n != tier]
    groups = [[{"propertyName": name, "operator": "HAS_PROPERTY"}]
              for name in names[:MAX_FILTER_GROUPS]]
    return _search_any(hubspot, groups) if groups else []


def _search_any(hubspot: HubSpotGateway, groups: list[list[JsonObject]]) -> list[str]:
    """Ids of companies matching any group, ascending, past the 10,000 cap like the
    gateway's own search (restart above the last id seen)."""
    ids: list[str] = []
    floor: str | None = None
    after: str | None = None
    while True:
        page = hubspot.transport.call(
            "companies.search", hubspot.transport.api.search.do_search, COMPANIES,
            _any_body(groups, floor, after), search=True).body
        hits = [str(result["id"]) for result in json_objects(page.get("results"))]
        ids += hits
        after = next_after(page)
        if after is None or not hits:
            return ids
        if after.isdigit() and int(after) + SEARCH_PAGE > SEARCH_RESULT_CAP:
            floor, after = hits[-1], None


def _any_body(groups: list[list[JsonObject]], floor: str | None, after: str | None
              ) -> JsonObject:
    above = [{"propertyName": "hs_object_id", "operator": "GT", "value": floor}] if floor else []
    body: JsonObject = {
        "filterGroups": [{"filters": [*filters, *above]} for filters in groups],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "properties": ["hs_object_id"], "limit": SEARCH_PAGE}
    if after is not None:
        body["after"] = after
    return body
