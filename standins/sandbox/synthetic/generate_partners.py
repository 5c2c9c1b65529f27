"""Generated partners: a realistic mix of tiers, options, statuses and their history.

Tier, status, option and referral code are timelines (R1): some partners are promoted
during the period, a few are suspended, terminated or have their tier cleared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from sandbox.synthetic.clock import add_months, company_id, stripe_id
from sandbox.synthetic.names import CITIES, TLDS, DomainBook, partner_name, slug
from sandbox.synthetic.specs import PartnerSpec, Timeline

KINDS = ("referrer", "freelancer", "agency", "msp", "reseller")
KIND_WEIGHTS = (35, 25, 25, 10, 5)
FIRST_TIER = {"referrer": "referral", "freelancer": "referral", "agency": "partner",
              "msp": "partner", "reseller": "premier"}


@dataclass(frozen=True, slots=True)
class Period:
    """The generated months: ``start`` (first instant) and ``months`` long."""

    start: datetime
    months: int

    @property
    def horizon(self) -> datetime:
        return add_months(self.start, self.months)

    def instant(self, rng: Random, first: float = 0.0, last: float = 1.0) -> datetime:
        """A random instant between fractions ``first`` and ``last`` of the period."""
        span = (self.horizon - self.start).total_seconds()
        offset = rng.uniform(first * span, last * span)
        return self.start + timedelta(seconds=int(offset))


def _tier(rng: Random, kind: str, joined: datetime, period: Period) -> Timeline:
    tier = FIRST_TIER[kind]
    if kind == "msp" and rng.random() < 0.4:
        tier = "premier"
    timeline: Timeline = ((joined, tier),)
    roll = rng.random()
    later = max(joined, period.instant(rng, 0.2, 0.9))
    if tier == "referral" and roll < 0.15:
        timeline += ((later, "partner"),)  # R1: promoted during the period
    elif tier == "partner" and roll < 0.08:
        timeline += ((later, "premier"),)
    elif roll > 0.97:
        timeline += ((later, ""),)  # R1: tier cleared, lines and payouts kept
    return timeline


def _status(rng: Random, joined: datetime, period: Period) -> Timeline:
    timeline: Timeline = ((joined, "active"),)
    roll = rng.random()
    if roll < 0.05:
        suspended = max(joined, period.instant(rng, 0.3, 0.9))
        timeline += ((suspended, "suspended"),)  # R23: lines accrue, payouts wait
        if rng.random() < 0.5:
            timeline += ((suspended + timedelta(days=rng.randint(20, 90)), "active"),)
    elif roll < 0.08:
        timeline += ((max(joined, period.instant(rng, 0.4, 0.95)), "terminated"),)
    return timeline


def _option(rng: Random, tier: str, joined: datetime) -> Timeline:
    if tier == "referral" and rng.random() < 0.25:
        return ((joined, "flat"),)  # R15
    if tier == "premier" and rng.random() < 0.3:
        return ((joined, "reseller"),)  # R2
    return ((joined, "recurring"),)


def _code(rng: Random, name: str, index: int, joined: datetime, period: Period) -> Timeline:
    code = f"{slug(name).replace('-', '')[:10].upper()}{index}"
    timeline: Timeline = ((joined, code),)
    if rng.random() < 0.04:  # a renamed link: the old code stops resolving (R5)
        timeline += ((max(joined, period.instant(rng, 0.3, 0.9)), f"{code}X"),)
    return timeline


def generate_partner(rng: Random, index: int, sequence: int, period: Period,
                     domains: DomainBook) -> PartnerSpec:
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
    name = partner_name(rng, kind)
    joined = period.start - timedelta(days=rng.randint(30, 900))
    if rng.random() < 0.3:
        joined = period.instant(rng, 0.0, 0.8)  # joined during the period (R31)
    tier = _tier(rng, kind, joined, period)
    has_account = rng.random() < 0.85
    key = f"partner/{sequence}"
    return PartnerSpec(
        company_id=company_id(sequence), name=name,
        domain=None if kind == "referrer" else domains.take(name, rng.choice(TLDS)),
        city=rng.choice(CITIES), joined=joined, tier=tier,
        status=_status(rng, joined, period), option=_option(rng, tier[0][1], joined),
        code=_code(rng, name, index, joined, period),
        account_id=stripe_id("acct", key) if has_account else None,
        transfers_active=rng.random() > 0.08,
        interview=rng.random() < 0.6, training=rng.random() < 0.55,
        certified=tier[-1][1] == "premier" or rng.random() < 0.1,
    )


def generate_partners(rng: Random, count: int, first_sequence: int, period: Period,
                      domains: DomainBook) -> list[PartnerSpec]:
    return [generate_partner(rng, index + 1, first_sequence + index, period, domains)
            for index in range(count)]
