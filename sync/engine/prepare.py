"""Cut the inputs at ``as_of``, check what the engine relies on, and index them.

docs/rules.md ``--as-of``: inputs dated after the instant do not exist (touches,
payments, property-history entries, subscription ends). Records that break an
invariant the rules depend on are quarantined here with an actionable reason and
take no part in the run; they never raise and never vanish.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from fractions import Fraction

from sync.domain.inputs import (
    BillingInterval,
    Customer,
    Deal,
    Inputs,
    Invoice,
    InvoiceLine,
    Partner,
    Price,
    Quarantined,
)

_MONTHS_PER_INTERVAL = {
    BillingInterval.MONTH: Fraction(1),
    BillingInterval.YEAR: Fraction(12),
    BillingInterval.WEEK: Fraction(12, 52),
    BillingInterval.DAY: Fraction(12, 365),
}


def months_per_period(price: Price) -> Fraction | None:
    """R11: ``interval_count`` x (1 month, 12 year, 12/52 week, 12/365 day)."""
    if price.interval is None:
        return None
    return price.interval_count * _MONTHS_PER_INTERVAL[price.interval]


def normalise_code(code: str | None) -> str:
    """R5: referral codes compare trimmed and case-insensitively."""
    return (code or "").strip().casefold()


@dataclass(slots=True)
class Prepared:
    """The run's inputs, cut at ``as_of`` and indexed for the rules."""

    as_of: datetime
    partners: dict[str, Partner]
    partners_by_code: dict[str, list[Partner]]
    customers: dict[str, Customer]
    deals: list[Deal]
    deals_by_customer: dict[str, list[Deal]]
    invoices_by_customer: dict[str, list[Invoice]]
    months_per_price: dict[str, Fraction]
    subscription_ends: dict[str, datetime | None]
    quarantined: list[Quarantined] = field(default_factory=list)


def _cut_partner(partner: Partner, as_of: datetime) -> Partner:
    return replace(
        partner,
        tier=partner.tier.until(as_of),
        status=partner.status.until(as_of),
        option=partner.option.until(as_of),
        referral_code=partner.referral_code.until(as_of),
    )


def _cut_deal(deal: Deal, as_of: datetime) -> Deal:
    if deal.referral_at is not None and deal.referral_at > as_of:
        deal = replace(deal, referral_code=None, referral_at=None)
    if deal.registered_at is not None and deal.registered_at > as_of:
        deal = replace(deal, registered_by=None, registered_at=None)
    return deal


def _cut_invoice(invoice: Invoice, as_of: datetime) -> Invoice:
    """A payment dated after ``as_of`` has not happened yet: the invoice is open."""
    if invoice.paid_at is not None and invoice.paid_at > as_of:
        return replace(invoice, status="open", paid_at=None, amount_paid=0)
    return invoice


def _bad(invoice: Invoice, field_name: str, reason: str, value: object = "") -> Quarantined:
    return Quarantined("stripe", "invoice", invoice.id, field_name, reason, str(value))


def _invoice_problem(invoice: Invoice, months_per_price: dict[str, Fraction]) -> Quarantined | None:
    if len(invoice.currency) != 3 or not invoice.currency.isalpha():
        return _bad(invoice, "currency", "expected a three-letter ISO currency code",
                    invoice.currency)
    # A negative total is a downgrade, not bad input: R18 gives it a kept ratio of 0.
    if invoice.amount_paid < 0:
        return _bad(invoice, "amount_paid", "expected an amount >= 0 in cents",
                    invoice.amount_paid)
    if invoice.post_payment_credit_notes_amount < 0:
        return _bad(invoice, "post_payment_credit_notes_amount",
                    "expected an amount >= 0 in cents", invoice.post_payment_credit_notes_amount)
    if invoice.status == "paid" and invoice.paid_at is None:
        return _bad(invoice, "status_transitions.paid_at",
                    "a paid invoice needs its payment instant")
    for line in invoice.lines:
        problem = _line_problem(invoice, line, months_per_price)
        if problem is not None:
            return problem
    return None


def _line_problem(invoice: Invoice, line: InvoiceLine,
                  months_per_price: dict[str, Fraction]) -> Quarantined | None:
    if line.period_end < line.period_start:
        return _bad(invoice, f"lines[{line.id}].period", "period end is before its start")
    if line.subscription_item_id is None or line.proration:
        return None
    if line.amount < 0:
        return _bad(invoice, f"lines[{line.id}].amount",
                    "a subscription line must not be negative", line.amount)
    if line.price_id is None or line.price_id not in months_per_price:
        return _bad(invoice, f"lines[{line.id}].pricing.price_details.price",
                    "the line's recurring price is unknown (not among the listed prices)",
                    line.price_id or "")
    return None


def _index_prices(inputs: Inputs, quarantined: list[Quarantined]) -> dict[str, Fraction]:
    result: dict[str, Fraction] = {}
    for price in inputs.prices:
        if price.interval is None:
            continue
        if price.interval_count < 1:
            quarantined.append(Quarantined(
                "stripe", "price", price.id, "recurring.interval_count",
                "expected a whole number of intervals >= 1", str(price.interval_count)))
            continue
        per_period = months_per_period(price)
        if per_period is not None:
            result[price.id] = per_period
    return result


def _index_partners(inputs: Inputs, as_of: datetime,
                    quarantined: list[Quarantined]) -> dict[str, Partner]:
    partners: dict[str, Partner] = {}
    for partner in inputs.partners:
        if partner.id in partners:
            quarantined.append(Quarantined("hubspot", "company", partner.id, "id",
                                           "the same partner company was read twice"))
            continue
        partners[partner.id] = _cut_partner(partner, as_of)
    return partners


def _index_codes(partners: dict[str, Partner]) -> dict[str, list[Partner]]:
    """Every code a partner ever held; R5 then checks the code at the touch instant."""
    by_code: dict[str, list[Partner]] = defaultdict(list)
    for partner in partners.values():
        for code in {normalise_code(value) for value in partner.referral_code.values()}:
            if code:
                by_code[code].append(partner)
    return by_code


def prepare(inputs: Inputs, as_of: datetime) -> Prepared:
    quarantined = list(inputs.quarantined)
    months_per_price = _index_prices(inputs, quarantined)
    partners = _index_partners(inputs, as_of, quarantined)
    customers = {customer.id: customer for customer in inputs.customers}
    deals = [_cut_deal(deal, as_of) for deal in inputs.deals]
    deals_by_customer: dict[str, list[Deal]] = defaultdict(list)
    for deal in deals:
        if deal.stripe_customer_id is not None:
            deals_by_customer[deal.stripe_customer_id].append(deal)
    invoices_by_customer: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in inputs.invoices:
        problem = _invoice_problem(invoice, months_per_price)
        if problem is not None:
            quarantined.append(problem)
            continue
        invoices_by_customer[invoice.customer_id].append(_cut_invoice(invoice, as_of))
    subscription_ends = {
        subscription.id: (
            subscription.ended_at
            if subscription.ended_at is not None and subscription.ended_at <= as_of
            else None
        )
        for subscription in inputs.subscriptions
    }
    return Prepared(
        as_of=as_of,
        partners=partners,
        partners_by_code=_index_codes(partners),
        customers=customers,
        deals=deals,
        deals_by_customer=deals_by_customer,
        invoices_by_customer=invoices_by_customer,
        months_per_price=months_per_price,
        subscription_ends=subscription_ends,
        quarantined=quarantined,
    )
