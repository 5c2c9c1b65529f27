"""The engine: ``decide(inputs, ledger, as_of, programme) -> Decisions``.

Pure: no network, no clock, no environment. ``as_of`` is an argument, and inputs
dated after it are cut before any rule runs (docs/rules.md ``--as-of``). Every way the
decisions depend on ``as_of`` is a source of ``sync.engine.horizon.decision_horizon``:
a new one must be added there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sync.domain.decisions import (
    AttributionStatus,
    CommissionLine,
    CustomerAttribution,
    DealAttribution,
    Decisions,
    FrozenAttribution,
    LedgerState,
    MonthTotals,
    ReviewItem,
)
from sync.domain.inputs import Customer, Inputs
from sync.domain.months import Month, last_closed_month, month_of, require_utc
from sync.domain.terms import Programme
from sync.engine.attribution import apply_frozen, attribute_customer, freeze
from sync.engine.basis import CustomerBilling, customer_billing
from sync.engine.commission import PartnerMonths, commission_end_month, customer_lines
from sync.engine.payout_decisions import decide_payouts
from sync.engine.prepare import Prepared, prepare
from sync.engine.reconcile import reconcile
from sync.engine.tiers import WonCustomer, partner_metrics, promotion


@dataclass(slots=True)
class _Totals:
    """Per-month MRR of all customers and of partner-sourced ones (R31)."""

    mrr: dict[Month, int] = field(default_factory=lambda: defaultdict(int))
    active: dict[Month, int] = field(default_factory=lambda: defaultdict(int))
    partner_mrr: dict[Month, int] = field(default_factory=lambda: defaultdict(int))
    partner_active: dict[Month, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, billing: CustomerBilling, won: bool) -> None:
        for month, basis in billing.bases.items():
            if basis.amount <= 0:
                continue
            self.mrr[month] += basis.amount
            self.active[month] += 1
            if won:
                self.partner_mrr[month] += basis.amount
                self.partner_active[month] += 1

    def months(self) -> tuple[MonthTotals, ...]:
        return tuple(
            MonthTotals(month, self.mrr[month], self.active[month],
                        self.partner_mrr.get(month, 0), self.partner_active.get(month, 0))
            for month in sorted(self.mrr)
        )


@dataclass(slots=True)
class _Customers:
    attributions: dict[str, CustomerAttribution] = field(default_factory=dict)
    lines: list[CommissionLine] = field(default_factory=list)
    won: dict[str, list[WonCustomer]] = field(default_factory=lambda: defaultdict(list))
    reviews: list[ReviewItem] = field(default_factory=list)
    totals: _Totals = field(default_factory=_Totals)
    other_currency: list[str] = field(default_factory=list)


def _attribute(customer: Customer, billing: CustomerBilling, prepared: Prepared,
               frozen: FrozenAttribution | None, programme: Programme,
               out: _Customers) -> CustomerAttribution:
    deals = prepared.deals_by_customer.get(customer.id, [])
    fresh = attribute_customer(customer, billing, deals, prepared, programme)
    if frozen is None:
        return fresh
    kept, review = apply_frozen(fresh, frozen)
    if review is not None:
        out.reviews.append(review)
    return kept


def _held_partners(prepared: Prepared, ledger: LedgerState) -> frozenset[str]:
    """Partners with ledger lines that this run did not read (archived, say, or a read that
    failed): recomputing without them would void or move their customers' commission."""
    return frozenset({line.partner_id for line in ledger.lines} - prepared.partners.keys())


def _held_review(partner_id: str, ledger: LedgerState) -> ReviewItem:
    count = sum(1 for line in ledger.lines if line.partner_id == partner_id)
    return ReviewItem("R1", partner_id, (
        f"R1: partner {partner_id} has {count} lines in the ledger but was not read from "
        "HubSpot (archived or merged?); its lines and customers are held unchanged until "
        "it is read again"))


def _process_customers(prepared: Prepared, ledger: LedgerState, last_closed: Month,
                       programme: Programme, held: frozenset[str]) -> _Customers:
    out = _Customers()
    months = PartnerMonths(programme)
    held_customers = {line.customer_id for line in ledger.lines if line.partner_id in held}
    frozen = {item.customer_id: item for item in ledger.frozen_attributions}
    ids = sorted(prepared.customers.keys() | frozen.keys())
    for customer_id in ids:
        customer = prepared.customers.get(customer_id) or Customer(customer_id)
        billing = customer_billing(customer_id, prepared.invoices_by_customer.get(customer_id, []),
                                   last_closed, prepared.months_per_price,
                                   prepared.subscription_ends)
        out.other_currency.extend(billing.other_currency_invoices)
        attribution = _attribute(customer, billing, prepared, frozen.get(customer_id),
                                 programme, out)
        out.attributions[customer_id] = attribution
        out.totals.add(billing, attribution.won)
        partner = prepared.partners.get(attribution.partner_id or "")
        if not attribution.won or partner is None or attribution.converted_at is None:
            continue
        if customer_id in held_customers:
            continue  # its commission stays with the held partner's lines
        out.lines.extend(customer_lines(attribution, partner, billing, last_closed, months))
        bases = {month: basis.amount for month, basis in billing.bases.items()}
        out.won[partner.id].append(
            WonCustomer(customer_id, month_of(attribution.converted_at), bases))
    return out


def _deal_attributions(prepared: Prepared, customers: _Customers,
                       programme: Programme) -> tuple[DealAttribution, ...]:
    """R10 per deal: a linked deal takes its customer's status and winner."""
    result = []
    for deal in sorted(prepared.deals, key=lambda deal: (deal.numeric_id, deal.id)):
        customer_id = deal.stripe_customer_id
        attribution = customers.attributions.get(customer_id or "")
        if customer_id is None or customer_id not in prepared.customers or attribution is None:
            result.append(DealAttribution(deal.id, AttributionStatus.NOT_LINKED, customer_id))
            continue
        result.append(DealAttribution(
            deal.id, attribution.status, customer_id, attribution.partner_id, attribution.source,
            attribution.converted_at,
            commission_end_month(attribution, prepared.partners.get(attribution.partner_id or ""),
                                 prepared.as_of, programme),
        ))
    return tuple(result)


def decide(inputs: Inputs, ledger: LedgerState, as_of: datetime,
           programme: Programme) -> Decisions:
    require_utc(as_of, "as_of")
    last_closed = last_closed_month(as_of)
    prepared = prepare(inputs, as_of)
    held = _held_partners(prepared, ledger)
    customers = _process_customers(prepared, ledger, last_closed, programme, held)
    customers.reviews.extend(_held_review(partner_id, ledger) for partner_id in sorted(held))
    reconciled = reconcile(customers.lines, ledger.lines, last_closed, held)
    payout_run = decide_payouts(reconciled.lines, ledger.payouts, prepared.partners,
                                last_closed, programme)
    frozen = _frozen_after(ledger, customers, payout_run.lines)
    metrics, promotions = [], []
    for partner_id in sorted(prepared.partners):
        partner = prepared.partners[partner_id]
        partner_rows = partner_metrics(partner, customers.won.get(partner_id, []), last_closed,
                                       programme)
        metrics.extend(partner_rows)
        promotions.append(promotion(partner, partner_rows[-1], as_of, programme))
    reviews = customers.reviews + [
        ReviewItem("R29", item.partner_id, item.review) for item in promotions if item.review
    ]
    return Decisions(
        as_of=as_of,
        last_closed_month=last_closed,
        attributions=tuple(customers.attributions[key] for key in sorted(customers.attributions)),
        deals=_deal_attributions(prepared, customers, programme),
        ledger=LedgerState(
            lines=tuple(payout_run.lines[key] for key in sorted(payout_run.lines)),
            payouts=tuple(sorted((*ledger.payouts, *payout_run.payouts), key=lambda p: p.id)),
            frozen_attributions=frozen,
        ),
        changes=reconciled.changes,
        new_payouts=payout_run.payouts,
        unrecovered=reconciled.unrecovered,
        reviews=tuple(reviews),
        metrics=tuple(metrics),
        promotions=tuple(promotions),
        quarantined=tuple(prepared.quarantined),
        excluded_invoices=tuple(sorted(customers.other_currency)),
        monthly=customers.totals.months(),
    )


def _frozen_after(ledger: LedgerState, customers: _Customers,
                  lines: dict[str, CommissionLine]) -> tuple[FrozenAttribution, ...]:
    """R10a: every customer with a line in a payout keeps its winner from now on."""
    frozen = {item.customer_id: item for item in ledger.frozen_attributions}
    for line in lines.values():
        if line.frozen and line.customer_id not in frozen:
            attribution = customers.attributions.get(line.customer_id)
            if attribution is not None and attribution.won:
                frozen[line.customer_id] = freeze(attribution)
    return tuple(frozen[key] for key in sorted(frozen))
