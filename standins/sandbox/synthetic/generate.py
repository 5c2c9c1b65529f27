"""``generate_portal``: a seeded synthetic portal at any scale, built in linear time.

Everything comes from one ``random.Random(seed)`` drawn in a fixed order, so a seed
always gives the same JSON. ``iter_portal`` yields the portal in parts (HubSpot and
catalogue first, then customers in batches) so a very large one can be written
without holding every invoice in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from random import Random

from sandbox.synthetic.assemble import Scenario, render_catalog, render_customers, render_hubspot
from sandbox.synthetic.clock import instant
from sandbox.synthetic.generate_customers import (
    Counters,
    generate_customer,
    partner_weights,
    pipeline_deal,
)
from sandbox.synthetic.generate_partners import Period, generate_partners
from sandbox.synthetic.names import DomainBook
from sandbox.synthetic.portal import Portal

BATCH = 500  # customers rendered per part


def generate_scenario(seed: int, *, partners: int, deals: int, customers: int, months: int,
                      start: str) -> Scenario:
    rng = Random(seed)
    period = Period(_month_start(start), months)
    counters, domains = Counters(), DomainBook()
    partner_specs = generate_partners(rng, partners, next(counters.company), period, domains)
    for _ in range(partners - 1):
        next(counters.company)  # partner ids were taken in one block
    scenario = Scenario(period.horizon, partners=partner_specs)
    weights = partner_weights(partner_specs)
    for index in range(customers):
        case = generate_customer(rng, index, partner_specs, weights, period, counters, domains)
        scenario.customers.append((case.customer, case.plans))
        if case.company is not None:
            scenario.companies.append(case.company)
        scenario.deals.extend(case.deals[: max(0, deals - len(scenario.deals))])
    while len(scenario.deals) < deals:
        spec, company = pipeline_deal(rng, partner_specs, weights, period, counters, domains)
        scenario.deals.append(spec)
        if company is not None:
            scenario.companies.append(company)
    return scenario


def iter_portal(scenario: Scenario, batch: int = BATCH) -> Iterator[Portal]:
    head = Portal()
    render_hubspot(scenario, head)
    render_catalog([plan for _, plans in scenario.customers for plan in plans], head)
    yield head
    for first in range(0, len(scenario.customers), batch):
        part = Portal()
        render_customers(scenario.customers[first: first + batch], scenario.horizon, part)
        yield part


def generate_portal(seed: int, *, partners: int, deals: int, customers: int, months: int,
                    start: str) -> Portal:
    """A seeded portal of ``partners`` partner companies, ``deals`` deals (the customers'
    own first, then open or lost pipeline deals) and ``customers`` Stripe customers
    billed over ``months`` months from ``start`` (``YYYY-MM`` or a date)."""
    scenario = generate_scenario(seed, partners=partners, deals=deals, customers=customers,
                                 months=months, start=start)
    portal = Portal()
    for part in iter_portal(scenario):
        portal.extend(part)
    return portal


def _month_start(text: str) -> datetime:
    return instant(text if len(text) > 7 else f"{text}-01")
