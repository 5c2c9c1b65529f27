"""A deliberately simple reference for the generated portal's commission lines.

It reads the generator's own specs (``sandbox.synthetic``: who touched which deal, which
plan each customer bought, how each invoice was settled), never the JSON the worker
reads nor anything of the worker, and applies docs/rules.md with the defaults of
docs/configuration.md, one rule a line. It covers the customers whose case it can state
in a few lines and leaves the others out:

- covered: one touch on the customer's deals, one plan, a monthly or yearly EUR price,
  late or unpaid invoices, credit notes after payment, coupons, partners whose tier,
  status, option or referral code changed over time, the flat and reseller options;
- left out: plan switches (prorations), several plans (comebacks), weekly prices, and a
  touch that R5-R8 reject (the customer then earns nothing, which the smoke test checks
  apart: only customers with a planted touch have lines).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from sandbox.synthetic.assemble import Scenario
from sandbox.synthetic.specs import DealSpec, Payment, PlanSpec, Timeline

RATES = {"referral": Fraction(20, 100), "partner": Fraction(25, 100),
         "premier": Fraction(30, 100)}  # R12
BONUS, BONUS_ABOVE = Fraction(5, 100), 100_000  # R12: partner tier, basis above 1000.00
WINDOWS = {"referral": 12, "partner": 24, "premier": None}  # R13, months; None: permanent
FLAT = 10_000  # R15
ATTRIBUTION_DAYS = 90  # R6
PAID_AFTER = timedelta(hours=1)  # an invoice is finalised an hour after it is created,
# then paid after its payment's delay (sandbox.synthetic.stripe_lines)


def month_of(at: datetime) -> int:
    return at.year * 12 + at.month - 1


def first_instant(month: int) -> datetime:
    return datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC)


def label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def half_up(amount: Fraction) -> int:
    """docs/rules.md, Money and rounding: to a whole cent, a half away from zero (>= 0 here)."""
    return int((amount * 2 + 1) // 2)


def later(at: datetime, months: int) -> datetime:
    """The generator's billing periods: same day and time ``months`` later (days <= 28)."""
    month = month_of(at) + months
    return at.replace(year=month // 12, month=month % 12 + 1)


def value_at(timeline: Timeline, at: datetime, *, before: bool = False) -> str:
    """R1: the newest value at ``at`` (``before``: strictly before, as at ``t_m``); before
    the first entry, the earliest. ``""`` means none (a cleared tier)."""
    current = timeline[0][1]
    for when, value in timeline:
        if when < at or (when == at and not before):
            current = value
    return current


@dataclass(frozen=True)
class Invoice:
    start: datetime  # the billing period's start, when it is created
    months: int  # months the period covers (R11: 1 for a monthly price, 12 for a yearly)
    total: int  # cents, after the coupon's discount
    payment: Payment

    @property
    def paid_at(self) -> datetime | None:
        return self.start + PAID_AFTER + self.payment.delay if self.payment.status == "paid" \
            else None

    @property
    def kept(self) -> int:
        """R18: what the customer kept paying after credit notes, in cents."""
        return self.total - round(self.total * self.payment.credited)


def invoices(plan: PlanSpec, horizon: datetime) -> list[Invoice]:
    """One invoice at the start of each period, until the plan ends or the horizon."""
    months = 12 if plan.price.interval == "year" else 1
    stop = horizon if plan.ended_at is None else min(horizon, plan.ended_at)
    out, start = [], plan.start
    while start < stop:
        total = plan.price.unit_amount * plan.quantity
        coupon = plan.coupon
        if coupon is not None and start < later(plan.start, coupon.duration_in_months):
            total -= round(Fraction(total * coupon.percent_off, 100))
        out.append(Invoice(start, months, total, plan.payments.get(f"{start:%Y-%m}", Payment())))
        start = later(start, months)
    return out


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _domain(email: str | None) -> str | None:
    return email.rsplit("@", 1)[1] if email else None


def reference_lines(scenario: Scenario, last_closed: int) -> dict[str, dict[str, int]]:
    """Customer id -> {line id: cents} for every customer this reference covers (an
    empty dict: a customer won without commission, a reseller's)."""
    partners = {spec.company_id: spec for spec in scenario.partners}
    domains = {spec.company_id: spec.domain for spec in scenario.companies}
    deals: dict[str, list[DealSpec]] = {}
    for deal in scenario.deals:
        deals.setdefault(deal.customer_id or "", []).append(deal)
    expected: dict[str, dict[str, int]] = {}
    for customer, plans in scenario.customers:
        own = [*deals.get(customer.customer_id, []),
               *(deal for deal in deals.get("", []) if deal.deal_id == customer.hubspot_deal_id)]
        touched = [deal for deal in own if deal.referral_code or deal.registered_by]
        if len(touched) != 1 or len(plans) != 1:
            continue
        plan, deal = plans[0], touched[0]
        if (plan.switch is not None or plan.price.currency != "eur"
                or plan.price.interval not in ("month", "year") or plan.price.interval_count != 1):
            continue
        billed = invoices(plan, scenario.horizon)
        paid = sorted((invoice for invoice in billed if invoice.paid_at is not None),
                      key=lambda invoice: invoice.start)
        paid = [invoice for invoice in paid if invoice.total > 0]
        if not paid:
            continue
        conversion = min(paid, key=lambda invoice: invoice.paid_at or invoice.start)  # R3
        converted = conversion.paid_at
        assert converted is not None
        # R4/R5: the touch's partner, by registration or by the code held at the instant.
        at = _instant(deal.registered_at if deal.registered_by else deal.referral_at)
        if at is None:
            continue
        if deal.referral_code:
            code = deal.referral_code.strip().casefold()
            holders = [spec for spec in scenario.partners
                       if value_at(spec.code, at).strip().casefold() == code]
        else:
            holders = [partners[deal.registered_by]] if deal.registered_by in partners else []
        holders = [spec for spec in holders if value_at(spec.tier, at) != ""]
        if len(holders) != 1 or value_at(holders[0].status, at) != "active":
            continue  # R5: unknown, ambiguous or inactive partner
        partner = holders[0]
        tier_then, option = value_at(partner.tier, converted), value_at(partner.option, converted)
        if not (option == "flat" and tier_then == "referral") and not (
                option == "reseller" and tier_then == "premier"):
            option = "recurring"  # R2: an option that does not fit the tier
        customer_domains = {_domain(customer.email), domains.get(deal.company_id or "")}
        if option != "reseller" and partner.domain in customer_domains:
            continue  # R8
        if not timedelta(0) <= converted - at <= timedelta(days=ATTRIBUTION_DAYS):
            continue  # R7 (the first payment is the conversion) and R6
        lines = _lines(customer.customer_id, partner.company_id, partner.tier, partner.status,
                       option, conversion, paid, last_closed)
        expected[customer.customer_id] = lines
    return expected


def _lines(customer_id: str, partner_id: str, tiers: Timeline, statuses: Timeline,
           option: str, conversion: Invoice, paid: Iterable[Invoice],
           last_closed: int) -> dict[str, int]:
    assert conversion.paid_at is not None
    first = month_of(conversion.paid_at)
    prefix = f"vmcl_{partner_id}_{customer_id}"
    if option == "reseller":
        return {}  # R2: the reseller bills the customer itself
    if option == "flat":  # R15: one line in the conversion month, if the invoice kept > 0
        boundary = first_instant(first + 1)
        alive = value_at(tiers, boundary, before=True) != "" and value_at(
            statuses, boundary, before=True) != "terminated"
        return {f"{prefix}_{label(first)}_flat": FLAT} if alive and conversion.kept > 0 else {}
    lines: dict[str, int] = {}
    for invoice in paid:
        for month in range(month_of(invoice.start), month_of(invoice.start) + invoice.months):
            boundary = first_instant(month + 1)  # t_m
            tier = value_at(tiers, boundary, before=True)
            if not first <= month <= last_closed or tier == "":
                continue  # R14: from the conversion month, closed months, a tier at t_m
            if value_at(statuses, boundary, before=True) == "terminated":
                continue  # R23
            window = WINDOWS[tier]
            if window is not None and month - first >= window:
                continue  # R13
            basis = half_up(Fraction(invoice.kept, invoice.months))  # R11, R18
            if basis <= 0:
                continue
            rate = RATES[tier] + (BONUS if tier == "partner" and basis > BONUS_ABOVE else 0)
            lines[f"{prefix}_{label(month)}_recurring"] = half_up(basis * rate)  # R12, R14
    return lines
