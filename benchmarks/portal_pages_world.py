"""The partner-pages benchmark's world: one partner that brought ``customers`` customers,
each billed monthly for ``months`` months, so ``customers x months`` commission lines.

The stand-ins' own vocabulary writes it (``sandbox.synthetic``: partner, companies,
registered deals, Stripe customers, subscriptions and paid invoices in the vendors'
JSON); it goes into the ledger's mirror as a sync would leave it there, and the engine
decides and the ledger records exactly as ``partnersync sync`` does (no network: the
pages read the ledger and the mirror, not HubSpot or Stripe).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.synthetic.assemble import Scenario, render
from sandbox.synthetic.catalog import MONTHLY
from sandbox.synthetic.clock import company_id, instant, stripe_id
from sandbox.synthetic.demo_book import Billing, DemoBook
from sandbox.synthetic.generate_customers import Counters
from sandbox.synthetic.names import DomainBook
from sandbox.synthetic.portal import Portal
from sandbox.synthetic.specs import PartnerSpec
from sync.engine.decide import decide
from sync.engine.partner_facts import facts_from
from sync.ledger.mirror import Mirror
from sync.pull.mirror_inputs import Mirrored, inputs_from_mirror
from sync.wiring import Services

PARTNER_KEY = "bench"
PARTNER_ID = company_id(1)
JOINED = "2024-09-02T09:00"
FIRST_BILLING = "2024-11-01T08:00"  # with the default 24 months: through October 2026


@dataclass(frozen=True, slots=True)
class Size:
    customers: int = 1_000
    months: int = 24


def _partner() -> PartnerSpec:
    joined = instant(JOINED)
    return PartnerSpec(
        company_id=PARTNER_ID, name="Agence Benchmark", domain="agence-benchmark.fr",
        city="Lyon", joined=joined, tier=((joined, "partner"),),
        status=((joined, "active"),), option=((joined, "recurring"),),
        code=((joined, "BENCH"),), account_id=stripe_id("acct", "bench/partner"),
        interview=True, training=True)


def horizon(size: Size) -> datetime:
    """The first instant of the month after the last billed one: no billing period starts
    at or after it, and a sync as of it closes every billed month (24 months: 2026-11-01)."""
    later = instant(FIRST_BILLING) + timedelta(days=31 * size.months)
    return later.replace(day=1, hour=0, minute=0)


def portal_of(size: Size) -> Portal:
    """Every customer registered by the partner (R9) a week before its first invoice."""
    partner = _partner()
    start = instant(FIRST_BILLING)
    counters = Counters()
    next(counters.company)  # company 1 is the partner
    domains = DomainBook()
    domains.reserve("agence-benchmark.fr")
    book = DemoBook(Scenario(horizon(size), partners=[partner]), {PARTNER_KEY: partner}, counters,
                    domains)
    registered = (start - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    for index, price in zip(range(size.customers), itertools.cycle(MONTHLY), strict=False):
        book.won(f"bench/{index}", f"Client {index:04d}", Billing(price, FIRST_BILLING),
                 registration=(PARTNER_KEY, registered))
    return render(book.scenario)


def _ever_partner(company: dict[str, Any]) -> bool:
    return bool(company["properties"].get("vmc_partner_tier"))


def _records(objects: Iterable[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(str(item["id"]), item) for item in objects]


def fill_mirror(mirror: Mirror, portal: Portal, run_id: int) -> None:
    """The mirror as a full sync leaves it (sync/pull/portal.py's object types)."""
    companies = portal.companies
    mirror.upsert(Mirrored.HUBSPOT_PARTNER, _records(c for c in companies if _ever_partner(c)),
                  run_id)
    mirror.upsert(Mirrored.HUBSPOT_COMPANY,
                  _records(c for c in companies if not _ever_partner(c)), run_id)
    mirror.upsert(Mirrored.HUBSPOT_DEAL, _records(portal.deals), run_id)
    for object_type, objects in ((Mirrored.STRIPE_CUSTOMER, portal.customers),
                                 (Mirrored.STRIPE_PRICE, portal.prices),
                                 (Mirrored.STRIPE_SUBSCRIPTION, portal.subscriptions),
                                 (Mirrored.STRIPE_INVOICE, portal.invoices),
                                 (Mirrored.STRIPE_ACCOUNT, portal.accounts)):
        mirror.upsert(object_type, _records(objects), run_id)


@dataclass(frozen=True, slots=True)
class Built:
    lines: int
    payouts: int
    invoices: int


def build(services: Services, size: Size) -> Built:
    """Fill the (migrated, empty) ledger of ``services``: the mirror, then one sync
    recorded as of ``horizon(size)``."""
    portal = portal_of(size)
    as_of = horizon(size)
    ledger = services.ledger
    run_id = ledger.start_run("sync", as_of)
    fill_mirror(services.mirror, portal, run_id)
    inputs = inputs_from_mirror(services.mirror, services.props)
    decisions = decide(inputs, ledger.load_state(), as_of, services.programme)
    # with the portal's read model of them, as the sync cycle records them
    ledger.record_decisions(run_id, decisions,
                            facts_from(decisions, inputs.deals, inputs.customers))
    ledger.finish_run(run_id, "succeeded", {})
    return Built(len(decisions.ledger.lines), len(decisions.ledger.payouts),
                 len(portal.invoices))
