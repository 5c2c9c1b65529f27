"""The portal benchmark's arithmetic: the portal's counts, the fewest calls the APIs
allow for a sync, the floor their rate limits put under its wall time, and the table.

The minimum per endpoint follows from the counts and the APIs' page and batch sizes
(docs/sandbox.md, "Batch limits", has HubSpot's sources): a list page holds 100 records
(HubSpot objects, every Stripe list), a search page 200, an object batch read, update or
upsert 100 inputs, a v4 association batch read 1,000 ids and a default association
batch 100 pairs (HubSpot documents no figure for it; 100 is what the worker sends);
Stripe has no batch update, so a customer's metadata is one call. A partner needs a
search (who has a tier) and a batch read (only the batch read returns property history).

The floor: HubSpot counts its v4 association batches in their own 10-second window, the
searches in theirs (5 a second), everything else in the general one; the three fill in
parallel, so HubSpot's floor is the longest of the three.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.portal_world import Limits
from mappings.hubspot import primary_company_id
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.synthetic.portal import Portal

LIST_PAGE, SEARCH_PAGE, BATCH = 100, 200, 100
ASSOCIATION_READ_BATCH, ASSOCIATION_DEFAULT_BATCH = 1_000, 100
HUBSPOT_WINDOW_S = 10.0
SEARCH_ENDPOINT = "hubspot:crm.objects.search"
ASSOCIATION_ENDPOINTS = frozenset(f"hubspot:crm.associations.batch.{kind}"
                                  for kind in ("create", "read", "default", "archive"))


def pages(count: int, size: int = LIST_PAGE) -> int:
    return max(1, math.ceil(count / size))


def batches(count: int, size: int = BATCH) -> int:
    return math.ceil(count / size)


@dataclass
class PortalCounts:
    """What the generated portal holds, counted while it was written."""

    partners: int = 0
    companies: int = 0  # all companies, partners included
    deals: int = 0
    deal_companies: int = 0  # distinct primary companies of deals that are not partners
    customers: int = 0
    prices: int = 0
    subscriptions: int = 0
    invoices: int = 0
    invoice_lines: int = 0
    accounts: int = 0
    _deal_company_ids: set[str] = field(default_factory=set, repr=False)
    _partner_ids: set[str] = field(default_factory=set, repr=False)

    def count(self, parts: Iterable[Portal]) -> Iterator[Portal]:
        """Pass the parts through, counting them."""
        for part in parts:
            self._add(part)
            yield part
        self.deal_companies = len(self._deal_company_ids - self._partner_ids)

    def _add(self, part: Portal) -> None:
        tier = PROPS.company.tier
        for company in part.companies:
            self.companies += 1
            if (company.get("properties") or {}).get(tier):
                self.partners += 1
                self._partner_ids.add(str(company["id"]))
        for deal in part.deals:
            self.deals += 1
            company_id = primary_company_id(deal, PROPS.associations)
            if company_id is not None:
                self._deal_company_ids.add(str(company_id))
        self.customers += len(part.customers)
        self.prices += len(part.prices)
        self.subscriptions += len(part.subscriptions)
        self.invoices += len(part.invoices)
        self.invoice_lines += sum(len(i["lines"]["data"]) for i in part.invoices)
        self.accounts += len(part.accounts)


def full_read_minimum(counts: PortalCounts, payouts_in_hubspot: int) -> dict[str, int]:
    """The fewest read calls of a full sync, by the stand-ins' endpoint names."""
    return {
        "hubspot:crm.objects.search": pages(counts.partners, SEARCH_PAGE),
        "hubspot:crm.objects.batch.read": batches(counts.partners)
        + batches(counts.deal_companies),
        "hubspot:crm.objects.list": pages(counts.deals) + pages(payouts_in_hubspot),
        "hubspot:crm.schemas.list": 1,
        "stripe:events.list": 1,
        "stripe:customers.list": pages(counts.customers),
        "stripe:prices.list": pages(counts.prices),
        "stripe:subscriptions.list": pages(counts.subscriptions),
        "stripe:invoices.list": pages(counts.invoices),
        "stripe:accounts.list": pages(counts.accounts),
    }


@dataclass(frozen=True)
class Written:
    """The records a run wrote, from the ledger's outbox."""

    kinds: Mapping[str, int]
    lines_with_deal: int
    lines_with_partner: int
    payouts_with_partner: int

    def minimum(self) -> dict[str, int]:
        kinds = self.kinds
        custom = batches(kinds.get("hubspot.line", 0)) + batches(kinds.get("hubspot.payout", 0))
        links = sum(batches(count, ASSOCIATION_DEFAULT_BATCH) for count in (
            self.lines_with_partner, self.lines_with_deal, self.payouts_with_partner))
        return {
            "hubspot:crm.objects.batch.upsert": custom,
            "hubspot:crm.associations.batch.default": links,
            "hubspot:crm.objects.batch.update": batches(kinds.get("hubspot.deal", 0))
            + batches(kinds.get("hubspot.company", 0)),
            "stripe:customers.update": kinds.get("stripe.customer_metadata", 0),
        }


def outbox_mark(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT coalesce(max(rowid), 0) FROM outbox").fetchone()
    return int(row[0])


def written_since(database: Path, mark: int) -> Written:
    """Outbox entries recorded after ``mark`` (a rowid): what that run wrote."""
    line, payout = PROPS.commission_line, PROPS.payout
    query = ("SELECT kind, json_extract(payload, ?), json_extract(payload, ?), "
             "json_extract(payload, ?) FROM outbox WHERE rowid > ?")
    paths = [f"$.payload.{line.deal_id}", f"$.payload.{line.partner_id}",
             f"$.payload.{payout.partner_id}"]
    kinds: Counter[str] = Counter()
    with_deal = with_partner = payout_partner = 0
    with sqlite3.connect(database) as connection:
        for kind, deal, partner, owner in connection.execute(query, [*paths, mark]):
            kinds[kind] += 1
            if kind == "hubspot.line":
                with_deal += bool(deal)
                with_partner += bool(partner)
            elif kind == "hubspot.payout":
                payout_partner += bool(owner)
    return Written(dict(kinds), with_deal, with_partner, payout_partner)


def last_read(database: Path) -> dict[str, int]:
    """Records the last run read, by mirrored type (its summary in the ledger)."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT json_extract(summary, '$.read') FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    read: dict[str, int] = json.loads(row[0]) if row and row[0] else {}
    return read


def floor_seconds(calls: Mapping[str, int], limits: Limits) -> dict[str, float]:
    """Seconds the rate limits alone need for ``calls`` (at real speed), per API. HubSpot
    search has its own 5/s limit and the v4 association batches their own 10-second
    window; every other HubSpot call shares the general one. Stripe's reads and writes
    are limited apart, but a sync's writes need its reads."""
    search = calls.get(SEARCH_ENDPOINT, 0)
    associations = sum(n for name, n in calls.items() if name in ASSOCIATION_ENDPOINTS)
    other = sum(n for name, n in calls.items()
                if name.startswith("hubspot:")) - search - associations
    hubspot = max(other * HUBSPOT_WINDOW_S / limits.hubspot_per_10s,
                  search / limits.hubspot_searches_per_s,
                  associations * HUBSPOT_WINDOW_S / limits.hubspot_associations_per_10s)
    stripe = sum(n for name, n in calls.items() if name.startswith("stripe:"))
    return {"hubspot": hubspot, "stripe": stripe / limits.stripe_per_s}
