"""A customer's billing facts: conversion (R3), prior payments (R7), monthly basis (R11).

R11: for a closed month m the basis sums, over paid EUR invoices (paid at or before
``as_of``), the non-proration subscription lines covering ``t_m`` whose subscription
has not ended at ``t_m``; per subscription item only the covering line whose period
starts latest counts. Each line counts ``(amount - discounts) x kept ratio (R18) /
months per billing period``; the sum is rounded once (ROUND_HALF_UP).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from sync.domain.inputs import Invoice
from sync.domain.money import Cents, round_half_up
from sync.domain.months import Month, month_end, month_of

EUR = "eur"

# A candidate covering line: (period start, paid at, invoice id, line id) orders the
# candidates so the one whose period starts latest wins, deterministically on ties.
_Rank = tuple[datetime, datetime, str, str]


@dataclass(frozen=True, slots=True)
class MonthBasis:
    amount: Cents
    by_subscription: tuple[tuple[str, Fraction | int], ...]  # exact parts, for R20


@dataclass(frozen=True, slots=True)
class CustomerBilling:
    customer_id: str
    conversion_at: datetime | None  # R3
    conversion_invoice: Invoice | None
    first_payment_at: datetime | None  # R7: any currency, amount_paid > 0
    has_paid_eur: bool
    has_paid_other_currency: bool
    other_currency_invoices: tuple[str, ...]  # R19: listed in the report
    bases: dict[Month, MonthBasis]

    def basis(self, month: Month) -> Cents:
        entry = self.bases.get(month)
        return entry.amount if entry is not None else 0


def kept_ratio(invoice: Invoice) -> Fraction | int:
    """R18: (amount_paid - post-payment credit notes) / total, clamped to [0, 1]."""
    if invoice.total <= 0:
        return 0
    kept = invoice.amount_paid - invoice.post_payment_credit_notes_amount
    if kept >= invoice.total:
        return 1
    if kept <= 0:
        return 0
    return Fraction(kept, invoice.total)


def _payments(invoices: list[Invoice]) -> tuple[Invoice | None, datetime | None, bool, list[str]]:
    conversion: Invoice | None = None
    first_payment: datetime | None = None
    has_paid_eur = False
    other: list[str] = []
    for invoice in invoices:
        if not invoice.is_paid:
            continue
        paid_at = invoice.paid_at
        assert paid_at is not None  # is_paid
        if invoice.currency != EUR:
            other.append(invoice.id)
        else:
            has_paid_eur = True
        if invoice.amount_paid <= 0:
            continue
        if first_payment is None or paid_at < first_payment:
            first_payment = paid_at
        if invoice.currency == EUR and (
            conversion is None or (paid_at, invoice.id) < (conversion.paid_at, conversion.id)
        ):
            conversion = invoice
    return conversion, first_payment, has_paid_eur, other


def _covering_lines(
    invoices: list[Invoice],
    last_closed: Month,
    months_per_price: dict[str, Fraction],
    subscription_ends: dict[str, datetime | None],
) -> dict[tuple[str, Month], tuple[_Rank, str, Fraction | int]]:
    """Per (subscription item, month): the latest-starting covering line and its part."""
    chosen: dict[tuple[str, Month], tuple[_Rank, str, Fraction | int]] = {}
    for invoice in invoices:
        if invoice.currency != EUR or not invoice.is_paid:
            continue
        ratio = kept_ratio(invoice)
        paid_at: datetime = invoice.paid_at  # type: ignore[assignment]
        for line in invoice.lines:
            item = line.subscription_item_id
            if item is None or line.proration:
                continue  # R11: only subscription lines, never prorations
            # Months m whose boundary month_end(m) lies in (period.start, period.end].
            first, last = month_of(line.period_start), month_of(line.period_end) - 1
            if last > last_closed:
                last = last_closed
            if first > last:
                continue
            per_period = months_per_price[line.price_id]  # type: ignore[index]
            net = line.amount - line.discount
            part: Fraction | int = net * ratio
            if per_period != 1:
                part = Fraction(part) / per_period
            subscription = line.subscription_id or ""
            ended_at = subscription_ends.get(subscription)
            rank: _Rank = (line.period_start, paid_at, invoice.id, line.id)
            for month in range(first, last + 1):
                if ended_at is not None and ended_at < month_end(month):
                    continue  # the subscription had ended at t_m
                key = (item, month)
                held = chosen.get(key)
                if held is None or held[0] < rank:
                    chosen[key] = (rank, subscription, part)
    return chosen


def _sum_by_month(
    chosen: dict[tuple[str, Month], tuple[_Rank, str, Fraction | int]],
) -> dict[Month, MonthBasis]:
    parts: dict[Month, list[tuple[str, Fraction | int]]] = {}
    for (_, month), (_, subscription, part) in chosen.items():
        bucket = parts.get(month)
        if bucket is None:
            parts[month] = [(subscription, part)]
        else:
            bucket.append((subscription, part))
    bases: dict[Month, MonthBasis] = {}
    for month, bucket in parts.items():
        if len(bucket) == 1:  # the usual month: one subscription, one item
            bases[month] = MonthBasis(round_half_up(bucket[0][1]), (bucket[0],))
            continue
        merged: dict[str, Fraction | int] = {}
        for subscription, part in bucket:
            merged[subscription] = merged.get(subscription, 0) + part
        total = sum(merged.values())  # rounded once, over the exact parts (R11)
        bases[month] = MonthBasis(round_half_up(total), tuple(sorted(merged.items())))
    return bases


def customer_billing(
    customer_id: str,
    invoices: list[Invoice],
    last_closed: Month,
    months_per_price: dict[str, Fraction],
    subscription_ends: dict[str, datetime | None],
) -> CustomerBilling:
    conversion, first_payment, has_paid_eur, other = _payments(invoices)
    chosen = _covering_lines(invoices, last_closed, months_per_price, subscription_ends)
    return CustomerBilling(
        customer_id=customer_id,
        conversion_at=conversion.paid_at if conversion is not None else None,
        conversion_invoice=conversion,
        first_payment_at=first_payment,
        has_paid_eur=has_paid_eur,
        has_paid_other_currency=bool(other),
        other_currency_invoices=tuple(other),
        bases=_sum_by_month(chosen),
    )
