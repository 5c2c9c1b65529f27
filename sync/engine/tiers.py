"""Tier reconciliation: metrics, eligibility, promotion, MDF (R27-R30)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sync.domain.decisions import Promotion, TierMetrics
from sync.domain.inputs import Partner, Tier
from sync.domain.money import Cents, eur, round_half_up
from sync.domain.months import Month, month_end, month_label
from sync.domain.terms import Programme, Terms


@dataclass(frozen=True, slots=True)
class WonCustomer:
    """What R27 needs of a customer a partner won (any option, inside its window or not)."""

    customer_id: str
    conversion_month: Month
    bases: dict[Month, Cents]


def eligible_tier(partner: Partner, referred: int, active: int, mrr: Cents,
                  trailing12: Cents, terms: Terms) -> Tier:
    """R28."""
    premier = terms.eligibility.premier
    if (trailing12 >= premier.trailing12_revenue_min and active >= premier.active_clients_min
            and (partner.certified or not premier.requires_certification)):
        return Tier.PREMIER
    rules = terms.eligibility.partner
    qualified = (partner.interview_passed and partner.training_completed) or not (
        rules.requires_interview_and_training
    )
    if (referred >= rules.referred_clients_min or mrr >= rules.mrr_brought_min) and qualified:
        return Tier.PARTNER
    return Tier.REFERRAL


def _mdf(partner: Partner, month: Month, bases: Sequence[Cents], programme: Programme) -> Cents:
    """R30: 5% of each won customer's basis, rounded per customer-month, while premier."""
    boundary = month_end(month)
    if partner.tier.before(boundary) is not Tier.PREMIER:
        return 0
    share = Fraction(programme.terms_before(boundary).mdf.share)
    return sum(round_half_up(basis * share) for basis in bases)


def partner_metrics(partner: Partner, won: Sequence[WonCustomer], last_closed: Month,
                    programme: Programme) -> list[TierMetrics]:
    """R27-R30 for every closed month from the partner's first conversion on, and for the
    last closed month at least: a partner without a customer converted in a closed month
    (none won, or all converted in the open month) gets that one row, and R29 its tier."""
    first = min([last_closed, *(customer.conversion_month for customer in won)])
    mrr_by_month: dict[Month, Cents] = {}
    metrics: list[TierMetrics] = []
    for month in range(first, last_closed + 1):
        converted = [customer for customer in won if customer.conversion_month <= month]
        bases = [customer.bases.get(month, 0) for customer in converted]
        active = [basis for basis in bases if basis > 0]
        mrr_by_month[month] = sum(active)
        trailing12 = sum(mrr_by_month.get(past, 0) for past in range(month - 11, month + 1))
        terms = programme.terms_before(month_end(month))
        tier = eligible_tier(partner, len(converted), len(active), mrr_by_month[month],
                             trailing12, terms)
        metrics.append(TierMetrics(partner.id, month, len(converted), len(active),
                                   mrr_by_month[month], trailing12, tier,
                                   _mdf(partner, month, active, programme)))
    return metrics


def promotion(partner: Partner, latest: TierMetrics, as_of: datetime,
              programme: Programme) -> Promotion:
    """R29: write the eligible tier; promote only when enabled; never demote."""
    current = partner.tier.at(as_of)
    eligible = latest.eligible_tier
    if current is None:
        return Promotion(partner.id, None, eligible, promote=False, review="")
    promote = programme.promotion.auto and eligible.rank > current.rank
    review = ""
    if eligible.rank < current.rank:
        review = (f"R29: eligible for {eligible.value} in {month_label(latest.month)} "
                  f"(referred {latest.referred_clients}, active {latest.active_clients}, "
                  f"MRR {eur(latest.mrr_brought)}, trailing-12 {eur(latest.trailing12_revenue)})"
                  f" but tier is {current.value}; the worker never demotes: review")
    return Promotion(partner.id, current, eligible, promote, review)
