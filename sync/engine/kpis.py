"""Programme KPIs for one month (R31), from the inputs and a run's decisions.

What was paid, and so the ROI, depends on payment dates, which the ledger holds and the
engine does not decide: ``sync.report.payments`` computes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import median

from sync.domain.decisions import Decisions
from sync.domain.inputs import Inputs
from sync.domain.money import Cents, round_half_up
from sync.domain.months import Month, midnight_utc, month_end, month_of
from sync.domain.terms import Programme
from sync.engine.attribution import resolve_partner, touches_of
from sync.engine.prepare import Prepared, prepare


@dataclass(frozen=True, slots=True)
class Kpis:
    month: Month
    partners: int
    engaged_partners: int  # a touch in the 90 days before t_m
    deals_registered: int
    conversions: int  # partner-sourced customers converted in the month
    partner_mrr: Cents
    total_mrr: Cents
    partner_share: Decimal | None  # of total MRR
    target_share: Decimal
    avg_mrr_partner: Cents | None  # per active partner-sourced customer
    avg_mrr_direct: Cents | None  # per active direct customer
    median_days_to_first_conversion: float | None
    commission_accrued: Cents  # lines payable in the month
    mdf_accrued: Cents
    partner_revenue_to_date: Cents  # partner-sourced MRR summed over months up to this one


def _ratio(numerator: int, denominator: int, places: str = "0.0001") -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def _average(total: Cents, count: int) -> Cents | None:
    return round_half_up(Fraction(total, count)) if count else None


def _touch_counts(prepared: Prepared, month: Month, engaged_days: int) -> tuple[int, int]:
    """(engaged partners, deals registered in the month)."""
    end = month_end(month)
    since = end - timedelta(days=engaged_days)
    engaged: set[str] = set()
    for touch in touches_of(prepared.deals):
        if since <= touch.at < end:
            partner, _ = resolve_partner(touch, prepared)
            if partner is not None:
                engaged.add(partner.id)
    registered = sum(1 for deal in prepared.deals
                     if deal.registered_at is not None and month_of(deal.registered_at) == month)
    return len(engaged), registered


def _median_days_to_first_conversion(prepared: Prepared, decisions: Decisions,
                                      month: Month) -> float | None:
    """Median of days from ``partner_since`` to the partner's first won conversion."""
    first: dict[str, datetime] = {}
    for attribution in decisions.attributions:
        converted, partner_id = attribution.converted_at, attribution.partner_id
        if not attribution.won or converted is None or partner_id is None:
            continue
        if partner_id not in first or converted < first[partner_id]:
            first[partner_id] = converted
    end = month_end(month)
    days = [
        (first[partner.id] - midnight_utc(partner.partner_since)).days
        for partner in prepared.partners.values()
        if partner.partner_since is not None and partner.id in first and first[partner.id] < end
    ]
    return float(median(days)) if days else None


def programme_kpis(inputs: Inputs, decisions: Decisions, month: Month,
                   programme: Programme) -> Kpis:
    totals = {row.month: row for row in decisions.monthly}
    row = totals.get(month)
    total_mrr = row.mrr if row else 0
    partner_mrr = row.partner_mrr if row else 0
    partner_active = row.partner_active_customers if row else 0
    direct_active = (row.active_customers - partner_active) if row else 0
    boundary = month_end(month)
    terms = programme.terms_before(boundary)
    # The partners as the run saw them: a company read twice is one partner, its second copy
    # quarantined (docs/rules.md "Bad input").
    prepared = prepare(inputs, decisions.as_of)
    engaged, registered = _touch_counts(prepared, month, terms.report.engaged_days)
    revenue_to_date = sum(r.partner_mrr for r in decisions.monthly if r.month <= month)
    return Kpis(
        month=month,
        partners=sum(1 for p in prepared.partners.values() if p.tier.before(boundary) is not None),
        engaged_partners=engaged,
        deals_registered=registered,
        conversions=sum(1 for a in decisions.attributions
                        if a.won and a.converted_at and month_of(a.converted_at) == month),
        partner_mrr=partner_mrr,
        total_mrr=total_mrr,
        partner_share=_ratio(partner_mrr, total_mrr),
        target_share=terms.report.target_share,
        avg_mrr_partner=_average(partner_mrr, partner_active),
        avg_mrr_direct=_average(total_mrr - partner_mrr, direct_active),
        median_days_to_first_conversion=_median_days_to_first_conversion(prepared, decisions,
                                                                         month),
        commission_accrued=sum(line.amount for line in decisions.ledger.lines
                               if line.payable_month == month),
        mdf_accrued=sum(m.mdf for m in decisions.metrics if m.month == month),
        partner_revenue_to_date=revenue_to_date,
    )
