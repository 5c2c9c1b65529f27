"""The commission a won customer earns, month by month (R12-R15, R20).

This computes what the lines *should* be from today's inputs; reconciling them with
lines already frozen in payouts (R16, R17) is ``reconcile``'s job.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from sync.domain import CommissionOption, Partner, PartnerStatus, Tier
from sync.engine.basis import CustomerBilling, MonthBasis, kept_ratio
from sync.engine.model import CommissionLine, CustomerAttribution, LineKind, line_id
from sync.money import eur, percent, round_half_up
from sync.months import Month, month_end, month_of
from sync.programme import Programme, TierTerms


def window_position(conversion_month: Month, month: Month, terms: TierTerms) -> str | None:
    """R13: ``"month k/W (R13)"`` inside the window, ``None`` outside it."""
    index = month - conversion_month
    window = terms.window
    if window is None:
        return f"month {index + 1} (R13 permanent)"
    if index >= window:
        return None
    return f"month {index + 1}/{window} (R13)"


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
                   basis: MonthBasis, programme: Programme) -> CommissionLine | None:
    """R14: one line per closed month inside the window, basis > 0, not terminated."""
    boundary = month_end(month)
    tier = partner.tier.before(boundary)
    if tier is None or basis.amount <= 0:
        return None  # not a partner at t_m, or the customer was not active (R11)
    if partner.status.before(boundary) is PartnerStatus.TERMINATED:
        return None  # R23: nothing accrues while terminated
    terms = programme.terms_before(boundary).tier(tier)
    assert attribution.converted_at is not None
    position = window_position(month_of(attribution.converted_at), month, terms)
    if position is None:
        return None
    rate, rate_label = rate_for(tier, terms, basis.amount)
    amount = round_half_up(basis.amount * Fraction(rate))
    explanation = (f"{_basis_text(basis)} x R12 {percent(rate)} ({rate_label}) = "
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
                   last_closed: Month, programme: Programme) -> list[CommissionLine]:
    """Every line a won customer earns up to the last closed month."""
    if attribution.converted_at is None or month_of(attribution.converted_at) > last_closed:
        return []
    if attribution.option is CommissionOption.RESELLER:
        return []  # R2: the reseller bills the customer itself
    if attribution.option is CommissionOption.FLAT:
        line = flat_line(attribution, partner, billing, programme)
        return [line] if line is not None else []
    conversion_month = month_of(attribution.converted_at)
    lines = []
    for month in sorted(billing.bases):
        if conversion_month <= month <= last_closed:
            line = recurring_line(attribution, partner, month, billing.bases[month], programme)
            if line is not None:
                lines.append(line)
    return lines
