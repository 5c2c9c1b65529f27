"""What the report shows (R31), computed once for the terminal and the HTML page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sync.domain.decisions import Decisions, PayoutStatus
from sync.domain.inputs import Inputs
from sync.domain.money import Cents, eur, percent
from sync.domain.months import Month
from sync.domain.terms import Programme
from sync.engine.kpis import Kpis, programme_kpis
from sync.ledger import Finding, PayoutRecord


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: Month
    partner_mrr: Cents
    total_mrr: Cents
    accrued: Cents  # lines payable in the month (R17's adjustments in their found month)
    paid: Cents  # payouts of the month's payout point that are paid

    @property
    def share(self) -> Decimal | None:
        return None if self.total_mrr == 0 else Decimal(self.partner_mrr) / self.total_mrr


@dataclass(frozen=True, slots=True)
class PartnerPayouts:
    partner_id: str
    name: str
    paid: Cents
    unpaid: Cents  # pending approval, approved, failed or manual pending

    @property
    def label(self) -> str:
        return f"{self.name} ({self.partner_id})" if self.name else self.partner_id


@dataclass(frozen=True, slots=True)
class ReportData:
    as_of: datetime
    month: Month
    kpis: Kpis
    months: tuple[MonthRow, ...]
    payouts: tuple[PartnerPayouts, ...]
    quarantined: tuple[Finding, ...]
    reviews: tuple[Finding, ...]
    unrecovered: tuple[Finding, ...]
    excluded_invoices: tuple[str, ...]
    holds: tuple[Finding, ...] = ()  # payouts on hold now, and why (R32, R35)


def _month_rows(decisions: Decisions, month: Month) -> tuple[MonthRow, ...]:
    accrued: dict[Month, int] = defaultdict(int)
    for line in decisions.ledger.lines:
        accrued[line.payable_month] += line.amount
    paid: dict[Month, int] = defaultdict(int)
    for payout in decisions.ledger.payouts:
        if payout.status is PayoutStatus.PAID:
            paid[payout.month] += payout.amount
    totals = {row.month: row for row in decisions.monthly}
    known = [*totals, *accrued, *paid]
    first = min(known, default=month)
    rows = []
    for current in range(min(first, month), month + 1):
        row = totals.get(current)
        rows.append(MonthRow(current, row.partner_mrr if row else 0, row.mrr if row else 0,
                             accrued.get(current, 0), paid.get(current, 0)))
    return tuple(rows)


def _partner_payouts(inputs: Inputs, decisions: Decisions,
                     month: Month) -> tuple[PartnerPayouts, ...]:
    names = {partner.id: partner.name for partner in inputs.partners}
    paid: dict[str, int] = defaultdict(int)
    unpaid: dict[str, int] = defaultdict(int)
    for payout in decisions.ledger.payouts:
        if payout.month > month:
            continue
        target = paid if payout.status is PayoutStatus.PAID else unpaid
        target[payout.partner_id] += payout.amount
    ids = sorted(paid.keys() | unpaid.keys(),
                 key=lambda key: (-(paid.get(key, 0) + unpaid.get(key, 0)), key))
    return tuple(PartnerPayouts(key, names.get(key, ""), paid.get(key, 0), unpaid.get(key, 0))
                 for key in ids)


def held_payouts(inputs: Inputs, held: list[PayoutRecord]) -> tuple[Finding, ...]:
    """Payouts on hold, as the report lists its other findings (R32, R35)."""
    names = {partner.id: partner.name for partner in inputs.partners}
    return tuple(
        Finding(0, "hold", f"{payout.id} ({names.get(payout.partner_id, payout.partner_id)}, "
                f"{eur(payout.amount)} EUR)",
                "R32" if (payout.hold_reason or "").startswith("destination") else "R35",
                payout.hold_reason or "") for payout in held)


def build_report(inputs: Inputs, decisions: Decisions, findings: list[Finding], month: Month,
                 programme: Programme, held: list[PayoutRecord] | None = None) -> ReportData:
    def of_kind(kind: str) -> tuple[Finding, ...]:
        return tuple(item for item in findings if item.kind == kind)

    return ReportData(
        as_of=decisions.as_of, month=month,
        kpis=programme_kpis(inputs, decisions, month, programme),
        months=_month_rows(decisions, month),
        payouts=_partner_payouts(inputs, decisions, month),
        quarantined=of_kind("quarantined"), reviews=of_kind("review"),
        unrecovered=of_kind("unrecovered"), excluded_invoices=decisions.excluded_invoices,
        holds=held_payouts(inputs, held or []),
    )


def _money(cents: Cents | None) -> str:
    return "n/a" if cents is None else f"{eur(cents)} EUR"


def _share(value: Decimal | None) -> str:
    return "n/a" if value is None else percent(value.normalize())


def kpi_rows(kpis: Kpis) -> list[tuple[str, str]]:
    """(label, value) pairs of R31, in docs/rules.md's order; money as EUR, 2 decimals."""
    median = kpis.median_days_to_first_conversion
    return [
        ("Partners", str(kpis.partners)),
        ("Engaged partners (a touch in the engaged window)", str(kpis.engaged_partners)),
        ("Deals registered", str(kpis.deals_registered)),
        ("Conversions (partner-sourced)", str(kpis.conversions)),
        ("Partner-sourced MRR", _money(kpis.partner_mrr)),
        ("Total MRR", _money(kpis.total_mrr)),
        ("Partner-sourced share of MRR", _share(kpis.partner_share)),
        ("Target share", _share(kpis.target_share)),
        ("Average MRR per partner-sourced customer", _money(kpis.avg_mrr_partner)),
        ("Average MRR per direct customer", _money(kpis.avg_mrr_direct)),
        ("Median days from joining to first conversion",
         "n/a" if median is None else f"{median:g} days"),
        ("Commission accrued", _money(kpis.commission_accrued)),
        ("Commission paid", _money(kpis.commission_paid)),
        ("MDF accrued (R30)", _money(kpis.mdf_accrued)),
        ("Programme ROI (partner revenue / commission paid, to date)",
         "n/a" if kpis.roi is None else f"{kpis.roi}x"),
    ]
