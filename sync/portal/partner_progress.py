"""Progress towards the next tier, against R28's thresholds.

R28 says what makes a partner eligible; this module only lays the partner's latest
metrics (R27, the last closed month, as the engine computed them) beside the
thresholds of the terms in force now, for the tier above the partner's own:
"2 of 3 referred clients, or 380.00 of 500.00 EUR MRR". Which tier the partner is
eligible for is the engine's answer (``TierMetrics.eligible_tier``), not this one's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sync.domain.decisions import TierMetrics
from sync.domain.inputs import Partner, Tier
from sync.domain.months import month_end, month_of
from sync.domain.terms import Programme, Terms


class Measure(StrEnum):
    REFERRED_CLIENTS = "referred_clients"
    MRR_BROUGHT = "mrr_brought"  # cents
    TRAILING12_REVENUE = "trailing12_revenue"  # cents
    ACTIVE_CLIENTS = "active_clients"


class Qualification(StrEnum):
    INTERVIEW_AND_TRAINING = "interview_and_training"
    CERTIFICATION = "certification"


MONEY = frozenset({Measure.MRR_BROUGHT, Measure.TRAILING12_REVENUE})


@dataclass(frozen=True, slots=True)
class Progress:
    measure: Measure
    value: int  # a count, or cents for MONEY measures
    target: int

    @property
    def money(self) -> bool:
        return self.measure in MONEY

    @property
    def met(self) -> bool:
        return self.value >= self.target


@dataclass(frozen=True, slots=True)
class NextTier:
    tier: Tier
    any_of: bool  # True: one measure is enough (partner); False: every one (premier)
    measures: tuple[Progress, ...]
    qualifications: tuple[tuple[Qualification, bool], ...]  # (what, passed)


NEXT = {Tier.REFERRAL: Tier.PARTNER, Tier.PARTNER: Tier.PREMIER}


def next_tier(partner: Partner, tier: Tier | None, latest: TierMetrics | None,
              programme: Programme, now: datetime) -> NextTier | None:
    """``None`` for a premier partner, or a company without a tier now."""
    target = NEXT.get(tier) if tier is not None else None
    if target is None:
        return None
    terms = programme.terms_before(month_end(month_of(now)))  # the open month's (R28)
    if target is Tier.PARTNER:
        return _partner(partner, latest, terms)
    return _premier(partner, latest, terms)


def _value(latest: TierMetrics | None, measure: Measure) -> int:
    return 0 if latest is None else int(getattr(latest, measure.value))


def _partner(partner: Partner, latest: TierMetrics | None, terms: Terms) -> NextTier:
    rules = terms.eligibility.partner
    measures = (Progress(Measure.REFERRED_CLIENTS, _value(latest, Measure.REFERRED_CLIENTS),
                         rules.referred_clients_min),
                Progress(Measure.MRR_BROUGHT, _value(latest, Measure.MRR_BROUGHT),
                         rules.mrr_brought_min))
    qualified = partner.interview_passed and partner.training_completed
    needs = ((Qualification.INTERVIEW_AND_TRAINING, qualified),) \
        if rules.requires_interview_and_training else ()
    return NextTier(Tier.PARTNER, True, measures, needs)


def _premier(partner: Partner, latest: TierMetrics | None, terms: Terms) -> NextTier:
    rules = terms.eligibility.premier
    measures = (Progress(Measure.TRAILING12_REVENUE, _value(latest, Measure.TRAILING12_REVENUE),
                         rules.trailing12_revenue_min),
                Progress(Measure.ACTIVE_CLIENTS, _value(latest, Measure.ACTIVE_CLIENTS),
                         rules.active_clients_min))
    needs = ((Qualification.CERTIFICATION, partner.certified),) \
        if rules.requires_certification else ()
    return NextTier(Tier.PREMIER, False, measures, needs)
