"""What the report shows (R31), computed once for the terminal and the HTML page."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sync.domain.decisions import Decisions, PayoutStatus
from sync.domain.inputs import Inputs
from sync.domain.money import Cents, grouped_eur, percent
from sync.domain.months import Month, month_end, month_label
from sync.domain.terms import Programme
from sync.engine.kpis import Kpis, programme_kpis
from sync.ledger import Finding, PayoutRecord
from sync.report import payments
from sync.report.payments import PartnerPayouts, StandingTotal


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: Month
    partner_mrr: Cents
    total_mrr: Cents
    accrued: Cents  # lines payable in the month (R17's adjustments in their found month)
    paid: Cents  # payouts paid in the month, by payment date

    @property
    def share(self) -> Decimal | None:
        return None if self.total_mrr == 0 else Decimal(self.partner_mrr) / self.total_mrr


@dataclass(frozen=True, slots=True)
class Item:
    """A finding as a person reads it: the subject's name beside its id."""

    rule: str
    subject: str
    name: str
    message: str


@dataclass(frozen=True, slots=True)
class Excluded:
    """R19: invoices in one other currency."""

    currency: str
    invoices: int
    customers: int


@dataclass(frozen=True, slots=True)
class ReportData:
    as_of: datetime
    generated_at: datetime
    month: Month
    kpis: Kpis
    paid_in_month: Cents  # by payment date
    paid_later: StandingTotal  # paid after the month, up to the report
    roi: Decimal | None  # partner-sourced MRR to date / paid by the month's end
    months: tuple[MonthRow, ...]
    standings: tuple[StandingTotal, ...]  # payouts of points up to the month, now
    payouts: tuple[PartnerPayouts, ...]
    quarantined: tuple[Item, ...]
    reviews: tuple[Item, ...]
    unrecovered: tuple[Item, ...]
    holds: tuple[Item, ...]  # payouts on hold now, and why (R32, R35)
    excluded_invoices: tuple[str, ...]
    excluded: tuple[Excluded, ...]


def _month_rows(decisions: Decisions, payouts: list[PayoutRecord],
                month: Month) -> tuple[MonthRow, ...]:
    accrued: dict[Month, int] = defaultdict(int)
    for line in decisions.ledger.lines:
        accrued[line.payable_month] += line.amount
    paid = payments.paid_by_month(payouts)
    totals = {row.month: row for row in decisions.monthly}
    first = min([*totals, *accrued], default=month)
    rows = []
    for current in range(min(first, month), month + 1):
        row = totals.get(current)
        rows.append(MonthRow(current, row.partner_mrr if row else 0, row.mrr if row else 0,
                             accrued.get(current, 0), paid.get(current, 0)))
    return tuple(rows)


def subject_names(inputs: Inputs) -> dict[str, str]:
    """Names of what findings are about: partners, Stripe customers (name, else email),
    deals."""
    names = {deal.id: deal.name for deal in inputs.deals if deal.name}
    names.update({customer.id: customer.name or customer.email or ""
                  for customer in inputs.customers})
    names.update({partner.id: partner.name for partner in inputs.partners})
    return names


def _items(findings: list[Finding], kind: str, names: Mapping[str, str]) -> tuple[Item, ...]:
    return tuple(Item(item.rule, item.subject, names.get(item.subject, ""), item.message)
                 for item in findings if item.kind == kind)


def held_payouts(held: list[PayoutRecord], names: Mapping[str, str]) -> tuple[Item, ...]:
    """Payouts on hold, as the report lists its other findings (R32, R35)."""
    return tuple(
        Item("R32" if (payout.hold_reason or "").startswith("destination") else "R35",
             f"{payout.id} ({grouped_eur(payout.amount)} EUR)",
             names.get(payout.partner_id, ""), payout.hold_reason or "") for payout in held)


def _excluded(inputs: Inputs, invoice_ids: tuple[str, ...]) -> tuple[Excluded, ...]:
    wanted = set(invoice_ids)
    invoices = [invoice for invoice in inputs.invoices if invoice.id in wanted]
    counts = Counter(invoice.currency.upper() for invoice in invoices)
    customers: dict[str, set[str]] = defaultdict(set)
    for invoice in invoices:
        customers[invoice.currency.upper()].add(invoice.customer_id)
    return tuple(Excluded(currency, count, len(customers[currency]))
                 for currency, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def build_report(inputs: Inputs, decisions: Decisions, findings: list[Finding], month: Month,
                 programme: Programme, payouts: list[PayoutRecord],
                 generated_at: datetime) -> ReportData:
    """``payouts``: every payout the ledger holds now (their statuses and payment dates)."""
    names = subject_names(inputs)
    kpis = programme_kpis(inputs, decisions, month, programme)
    up_to_month = [payout for payout in payouts if payout.month <= month]
    return ReportData(
        as_of=decisions.as_of, generated_at=generated_at, month=month, kpis=kpis,
        paid_in_month=payments.paid_in(payouts, month),
        paid_later=payments.paid_after(payouts, month),
        roi=payments.roi(kpis.partner_revenue_to_date,
                         payments.paid_by_end_of(payouts, month)),
        months=_month_rows(decisions, payouts, month),
        standings=payments.standings(up_to_month),
        payouts=payments.by_partner(up_to_month, names),
        quarantined=_items(findings, "quarantined", names),
        reviews=_items(findings, "review", names),
        unrecovered=_items(findings, "unrecovered", names),
        holds=held_payouts([p for p in payouts if p.status is PayoutStatus.ON_HOLD], names),
        excluded_invoices=decisions.excluded_invoices,
        excluded=_excluded(inputs, decisions.excluded_invoices),
    )


def excluded_summary(groups: tuple[Excluded, ...]) -> str:
    """R19 in one sentence: how many invoices, in which currencies, of how many customers."""
    count = sum(group.invoices for group in groups)
    if count == 0:
        return "none: every paid invoice is in EUR"
    parts = "; ".join(
        f"{group.currency}: {group.invoices} invoice{'s' if group.invoices != 1 else ''} "
        f"of {group.customers} customer{'s' if group.customers != 1 else ''}"
        for group in groups)
    return (f"{count} invoice{'s' if count != 1 else ''} not in EUR take no part in "
            f"conversion (R3) or the basis (R11): {parts}")


def money(cents: Cents | None) -> str:
    return "n/a" if cents is None else f"{grouped_eur(cents)} EUR"


def _share(value: Decimal | None) -> str:
    return "n/a" if value is None else percent(value.normalize())


def instant(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def kpi_rows(data: ReportData) -> list[tuple[str, str]]:
    """(label, value) pairs of R31, in docs/rules.md's order; EUR with thousands separators."""
    kpis, month = data.kpis, month_label(data.month)
    median = kpis.median_days_to_first_conversion
    by_end = (month_end(data.month) - timedelta(days=1)).date().isoformat()
    return [
        ("Partners", str(kpis.partners)),
        ("Engaged partners (a touch in the engaged window)", str(kpis.engaged_partners)),
        ("Deals registered", str(kpis.deals_registered)),
        ("Conversions (partner-sourced)", str(kpis.conversions)),
        ("Partner-sourced MRR", money(kpis.partner_mrr)),
        ("Total MRR", money(kpis.total_mrr)),
        ("Partner-sourced share of MRR", _share(kpis.partner_share)),
        ("Target share", _share(kpis.target_share)),
        ("Average MRR per partner-sourced customer", money(kpis.avg_mrr_partner)),
        ("Average MRR per direct customer", money(kpis.avg_mrr_direct)),
        ("Median days from joining to first conversion",
         "n/a" if median is None else f"{median:g} days"),
        (f"Commission accrued in {month} (lines payable in the month)",
         money(kpis.commission_accrued)),
        (f"Commission paid in {month} (by payment date)", money(data.paid_in_month)),
        ("MDF accrued (R30)", money(kpis.mdf_accrued)),
        (f"Programme ROI to {month} (partner-sourced MRR / commission paid by {by_end})",
         f"n/a: nothing paid by {by_end}" if data.roi is None else f"{data.roi}x"),
    ]
