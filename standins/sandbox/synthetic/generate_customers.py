"""Generated customers: their HubSpot company and deals, and their Stripe billing.

About a fifth are partner-sourced (a deal registration or a referral-link touch a
few weeks before the first payment; a few expired or after the conversion); the rest
came direct. Billing mixes monthly, yearly and weekly prices, churn and comebacks,
coupons, upgrades, late or unpaid invoices and credit notes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from fractions import Fraction
from random import Random

from sandbox.synthetic import catalog
from sandbox.synthetic.clock import add_months, company_id, deal_id, hubspot_time, stripe_id
from sandbox.synthetic.generate_partners import Period
from sandbox.synthetic.names import CITIES, TLDS, DomainBook, customer_name, email, person
from sandbox.synthetic.specs import (
    CompanySpec,
    CustomerSpec,
    DealSpec,
    PartnerSpec,
    Payment,
    PlanSpec,
    PriceSpec,
    Switch,
    Timeline,
)
from sandbox.synthetic.stripe_billing import advance

PARTNER_SOURCED = 0.22
TIER_WEIGHT = {"referral": 1, "partner": 3, "premier": 5, "": 1}


@dataclass(slots=True)
class Counters:
    """Next HubSpot ids; shared by every generator of one portal."""

    company: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    deal: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_company(self) -> str:
        return company_id(next(self.company))

    def next_deal(self) -> str:
        return deal_id(next(self.deal))


@dataclass(slots=True)
class CustomerCase:
    customer: CustomerSpec
    plans: list[PlanSpec]
    company: CompanySpec | None = None
    deals: list[DealSpec] = field(default_factory=list)


def value_at(timeline: Timeline, at: datetime) -> str:
    """R1: the latest value at or before ``at``, else the earliest."""
    current = timeline[0][1]
    for when, value in timeline:
        if when <= at:
            current = value
    return current


def partner_weights(partners: list[PartnerSpec]) -> list[int]:
    return [TIER_WEIGHT.get(spec.tier[-1][1], 1) for spec in partners]


def _price(rng: Random, usd: bool) -> PriceSpec:
    if usd:
        return catalog.VPS_M_USD
    roll = rng.random()
    if roll < 0.86:
        return rng.choices(catalog.MONTHLY, catalog.MONTHLY_WEIGHTS)[0]
    return rng.choice(catalog.YEARLY) if roll < 0.98 else catalog.GPU_BURST_WEEK


def _payments(rng: Random, start: datetime, months: int) -> dict[str, Payment]:
    payments: dict[str, Payment] = {}
    for offset in range(months):
        roll = rng.random()
        if roll < 0.03:
            payment = Payment(delay=timedelta(days=rng.randint(4, 45)))  # late (R11)
        elif roll < 0.04:
            payment = Payment(status=rng.choice(("open", "uncollectible")))
        elif roll < 0.06:
            payment = Payment(credited=rng.choice((Fraction(1, 4), Fraction(1, 2))))  # R18
        elif roll < 0.065:
            payment = Payment(credited=Fraction(1))  # R18: fully credited
        else:
            continue
        payments[f"{add_months(start, offset):%Y-%m}"] = payment
    return payments


def _plans(rng: Random, customer_id: str, start: datetime, period: Period) -> list[PlanSpec]:
    price = _price(rng, rng.random() < 0.03)
    quantity = rng.choices((1, 2, 3, 5), (70, 18, 8, 4))[0]
    ended_at = None
    if rng.random() < 0.25:  # churn after a few periods (R11)
        ended_at = start
        for _ in range(rng.randint(1, 14)):
            ended_at = advance(ended_at, price)
    switch = None
    upgrade = catalog.UPGRADES.get(price.id)
    if upgrade is not None and rng.random() < 0.06:
        switch = Switch(start + timedelta(days=rng.randint(40, 300)), upgrade)
    coupon = rng.choices((None, catalog.WELCOME, catalog.STARTUP), (92, 6, 2))[0]
    key = f"{customer_id}/sub"
    plans = [PlanSpec(stripe_id("sub", key), stripe_id("si", key), customer_id, price, start,
                      quantity, ended_at, coupon, switch,
                      _payments(rng, start, period.months))]
    if ended_at is not None and rng.random() < 0.15:  # a comeback resumes commission
        back = add_months(ended_at, rng.randint(2, 5))
        if back < period.horizon:
            plans.append(PlanSpec(stripe_id("sub", f"{key}2"), stripe_id("si", f"{key}2"),
                                  customer_id, price, back, quantity))
    return plans


def _first_payment(rng: Random, period: Period) -> datetime:
    offset = int(rng.random() ** 1.3 * period.months)
    month = add_months(period.start, offset)
    return month.replace(day=rng.randint(1, 28), hour=rng.randint(7, 20),
                         minute=rng.randint(0, 59))


def _touch(rng: Random, partners: list[PartnerSpec], weights: list[int],
           converted: datetime) -> tuple[PartnerSpec, bool, datetime]:
    """(partner, is a registration, instant): mostly within 90 days before (R6)."""
    partner = rng.choices(partners, weights)[0]
    roll = rng.random()
    if roll < 0.04:
        at = converted - timedelta(days=rng.uniform(100, 200))  # R6: expired
    elif roll < 0.07:
        at = converted + timedelta(days=rng.uniform(5, 60))  # R7: after conversion
    else:
        at = converted - timedelta(days=rng.uniform(0.5, 80))
    return partner, rng.random() < 0.4, at.replace(microsecond=0)


def _deal(counters: Counters, name: str, company: str, customer_id: str | None,
          created: datetime, closed: datetime, annual: int) -> DealSpec:
    return DealSpec(counters.next_deal(), name, created, company, customer_id,
                    str(annual // 100), "closedwon", closed)


def _with_touch(spec: DealSpec, partner: PartnerSpec, registration: bool,
                at: datetime) -> DealSpec:
    if registration:
        return replace(spec, registered_by=partner.company_id, registered_at=hubspot_time(at))
    return replace(spec, referral_code=value_at(partner.code, at), referral_at=hubspot_time(at))


def generate_customer(rng: Random, index: int, partners: list[PartnerSpec], weights: list[int],
                      period: Period, counters: Counters, domains: DomainBook) -> CustomerCase:
    name = customer_name(rng)
    domain = domains.take(name, rng.choice(TLDS))
    first, last = person(rng)
    customer_id = stripe_id("cus", f"customer/{index}")
    start = _first_payment(rng, period)
    plans = _plans(rng, customer_id, start, period)
    if rng.random() < 0.04:  # signed up, never paid: R10 not_converted
        plans = [replace(plans[0], ended_at=advance(start, plans[0].price), switch=None,
                         payments={f"{start:%Y-%m}": Payment(status="open")})]
    customer = CustomerSpec(customer_id, name, email(first, last, domain),
                            start - timedelta(minutes=20), plans[0].price.currency)
    case = CustomerCase(customer, plans)
    if rng.random() < 0.2:
        return case  # self-serve: never in HubSpot
    case.company = CompanySpec(counters.next_company(), name, domain, rng.choice(CITIES),
                               start - timedelta(days=rng.randint(10, 120)))
    annual = plans[0].price.unit_amount * plans[0].quantity * 12
    deal = _deal(counters, f"{name} - {plans[0].price.nickname}", case.company.company_id,
                 customer_id, case.company.created, start, annual)
    if partners and rng.random() < PARTNER_SOURCED:
        partner, registration, at = _touch(rng, partners, weights, start)
        deal = _with_touch(deal, partner, registration, at)
        deal = replace(deal, created=min(deal.created, at))
    if rng.random() < 0.03:  # linked through the customer's metadata (docs/configuration.md)
        deal = replace(deal, customer_id=None)
        case.customer = replace(customer, hubspot_deal_id=deal.deal_id)
    case.deals.append(deal)
    if rng.random() < 0.08:  # a sibling deal: an upsell on the same customer
        case.deals.append(_deal(counters, f"{name} - extension", case.company.company_id,
                                customer_id, start + timedelta(days=30),
                                start + timedelta(days=45), 900 * 12))
    return case


def pipeline_deal(rng: Random, partners: list[PartnerSpec], weights: list[int],
                  period: Period, counters: Counters, domains: DomainBook,
                  ) -> tuple[DealSpec, CompanySpec | None]:
    """A deal that never became a Stripe customer: open or lost (R10 not_linked)."""
    created = period.instant(rng)
    company = None
    name = customer_name(rng)
    if rng.random() < 0.6:
        company = CompanySpec(counters.next_company(), name,
                              domains.take(name, rng.choice(TLDS)), rng.choice(CITIES), created)
    stage = rng.choice(("appointmentscheduled", "qualifiedtobuy", "contractsent", "closedlost"))
    spec = DealSpec(counters.next_deal(), f"{name} - projet cloud", created,
                    None if company is None else company.company_id, None,
                    str(rng.randint(5, 400) * 120), stage,
                    created + timedelta(days=30) if stage == "closedlost" else None)
    if partners and rng.random() < 0.3:
        partner = rng.choices(partners, weights)[0]
        spec = _with_touch(spec, partner, rng.random() < 0.5, created)
    return spec, company
