"""The commission a won customer earns, month by month (R12-R15, R20).

This computes what the lines *should* be from today's inputs; reconciling them with
lines already frozen in payouts (R16, R17) is ``reconcile``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from sync.domain.decisions import CommissionLine, CustomerAttribution, LineKind, line_id
from sync.domain.inputs import CommissionOption, Partner, PartnerStatus, Tier
from sync.domain.money import eur, percent, round_half_up
from sync.domain.months import Month, last_closed_month, month_end, month_of
from sync.domain.terms import Programme, TierTerms
from sync.engine.basis import CustomerBilling, MonthBasis, kept_ratio


@dataclass(frozen=True, slots=True)
class AtMonthEnd:
    """A partner's tier and status at ``t_m``, and the tier's terms then."""

    tier: Tier | None
    status: PartnerStatus | None
    terms: TierTerms | None


class PartnerMonths:
    """``AtMonthEnd`` once per (partner, month) and run: thousands of customers share
    a partner, and looking histories up per line dominated the engine's time."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self._seen: dict[tuple[str, Month], AtMonthEnd] = {}

    def at(self, partner: Partner, month: Month) -> AtMonthEnd:
        key = (partner.id, month)
        found = self._seen.get(key)
        if found is None:
            boundary = month_end(month)
            tier = partner.tier.before(boundary)
            terms = self.programme.terms_before(boundary).tier(tier) if tier else None
            found = AtMonthEnd(tier, partner.status.before(boundary), terms)
            self._seen[key] = found
        return found


@lru_cache(maxsize=256)
def _rate_parts(rate: Decimal) -> tuple[Fraction, str]:
    return Fraction(rate), percent(rate)


def window_position(conversion_month: Month, month: Month, terms: TierTerms) -> str | None:
    """R13: ``"month k/W (R13)"`` inside the window, ``None`` outside it."""
    index = month - conversion_month
    window = terms.window
    if window is None:
        return f"month {index + 1} (R13 permanent)"
    if index >= window:
        return None
    return f"month {index + 1}/{window} (R13)"


def commission_end_month(attribution: CustomerAttribution, partner: Partner | None,
                         as_of: datetime, programme: Programme) -> Month | None:
    """R13: the month whose last day is the deal's "commission ends on", by the tier and
    terms at ``as_of``; ``None`` when the window is permanent (or the customer not won)."""
    if not attribution.won or attribution.converted_at is None:
        return None
    conversion_month = month_of(attribution.converted_at)
    if attribution.option is not CommissionOption.RECURRING:
        return conversion_month  # flat: its one line; reseller: nothing ever accrues (R2)
    tier = partner.tier.at(as_of) if partner is not None else None
    if tier is None:
        # Nothing more accrues: the last closed month, even before an open-month conversion.
        return last_closed_month(as_of)
    window = programme.terms_at(as_of).tier(tier).window
    return None if window is None else conversion_month + window - 1


def rate_for(tier: Tier, terms: TierTerms, basis: int) -> tuple[Decimal, str]:
    """R12: the tier's rate, plus the bonus points above the threshold."""
    threshold = terms.bonus_threshold
    if threshold is not None and terms.bonus_rate and basis > threshold:
        return terms.rate + terms.bonus_rate, f"{tier.value} + bonus"
    return terms.rate, tier.value


def _basis_text(basis: MonthBasis) -> str:
    parts = ", ".join(f"{sub}: {eur(round_half_up(part))}" for sub, part in basis.by_subscription)
    return f"R11 basis {eur(basis.amount)} ({parts})"


def recurring_line(attribution: CustomerAttribution, partner: Partner, month: Month,
                   basis: MonthBasis, months: PartnerMonths) -> CommissionLine | None:
    """R14: one line per closed month inside the window, basis > 0, not terminated."""
    state = months.at(partner, month)
    tier, terms = state.tier, state.terms
    if tier is None or terms is None or basis.amount <= 0:
        return None  # not a partner at t_m, or the customer was not active (R11)
    if state.status is PartnerStatus.TERMINATED:
        return None  # R23: nothing accrues while terminated
    assert attribution.converted_at is not None
    position = window_position(month_of(attribution.converted_at), month, terms)
    if position is None:
        return None
    rate, rate_label = rate_for(tier, terms, basis.amount)
    exact_rate, rate_text = _rate_parts(rate)
    amount = round_half_up(basis.amount * exact_rate)
    explanation = (f"{_basis_text(basis)} x R12 {rate_text} ({rate_label}) = "
                   f"{eur(amount)}; {position}")
    return CommissionLine(
        line_id(partner.id, attribution.customer_id, month, LineKind.RECURRING),
        partner.id, attribution.customer_id, attribution.deal_id, month, LineKind.RECURRING,
        tier, rate, basis.amount, amount, explanation,
    )


def flat_line(attribution: CustomerAttribution, partner: Partner, billing: CustomerBilling,
              programme: Programme) -> CommissionLine | None:
    """R15: one flat line in the conversion month, if the conversion invoice kept > 0."""
    invoice = billing.conversion_invoice
    assert attribution.converted_at is not None and invoice is not None
    month = month_of(attribution.converted_at)
    boundary = month_end(month)
    if partner.tier.before(boundary) is None:
        return None  # not a partner at t_m (R1): nothing accrues
    if partner.status.before(boundary) is PartnerStatus.TERMINATED:
        return None
    if kept_ratio(invoice) == 0:
        return None  # R15/R18: a fully credited conversion earns no flat line
    amount = programme.terms_before(boundary).flat.amount
    tier = attribution.tier_at_conversion or Tier.REFERRAL
    explanation = (f"R15 flat {eur(amount)}: {tier.value} tier with flat option at conversion "
                   f"(R2); R3 converted {attribution.converted_at:%Y-%m-%d} by {invoice.id}")
    return CommissionLine(
        line_id(partner.id, attribution.customer_id, month, LineKind.FLAT),
        partner.id, attribution.customer_id, attribution.deal_id, month, LineKind.FLAT,
        tier, None, billing.basis(month), amount, explanation,
    )


def customer_lines(attribution: CustomerAttribution, partner: Partner, billing: CustomerBilling,
                   last_closed: Month, months: PartnerMonths) -> list[CommissionLine]:
    """Every line a won customer earns up to the last closed month."""
    if attribution.converted_at is None or month_of(attribution.converted_at) > last_closed:
        return []
    if attribution.option is CommissionOption.RESELLER:
        return []  # R2: the reseller bills the customer itself
    if attribution.option is CommissionOption.FLAT:
        line = flat_line(attribution, partner, billing, months.programme)
        return [line] if line is not None else []
    conversion_month = month_of(attribution.converted_at)
    lines = []
    for month in sorted(billing.bases):
        if conversion_month <= month <= last_closed:
            line = recurring_line(attribution, partner, month, billing.bases[month], months)
            if line is not None:
                lines.append(line)
    return lines
