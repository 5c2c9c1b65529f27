"""What a run writes back to HubSpot and Stripe, as intents (pure).

Each intent names its kind, its target record and a hash of its content. The ledger
keeps the last content intended per record (``sync.ledger.written.plan_write``) and
the outbox records each new intent before the write and confirms it after, so an
identical rerun writes nothing, and a run killed mid-write resends exactly the
unconfirmed ones. Volatile fields (the sync
instant) are left out of the hash and added only to records that change anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from mappings.properties import PropertyMap
from sync.domain.decisions import (
    CommissionLine,
    CustomerAttribution,
    DealAttribution,
    Decisions,
    PayoutStatus,
    Promotion,
    TierMetrics,
)
from sync.domain.money import eur
from sync.domain.months import month_end, month_label
from sync.ledger.records import PartnerControl, PayoutRecord

HUBSPOT_LINE = "hubspot.line"
HUBSPOT_PAYOUT = "hubspot.payout"
HUBSPOT_DEAL = "hubspot.deal"
HUBSPOT_COMPANY = "hubspot.company"
HUBSPOT_COMPANY_CONTROLS = "hubspot.company_controls"  # R32, R35: apart from the totals
STRIPE_CUSTOMER = "stripe.customer_metadata"


@dataclass(frozen=True, slots=True)
class Intent:
    kind: str
    target: str  # the record's id (line id, payout id, deal id, company id, customer id)
    payload: Mapping[str, Any]  # properties or metadata; strings as the APIs take them
    volatile: Mapping[str, Any] = field(default_factory=dict)  # sent, not hashed

    @property
    def content_hash(self) -> str:
        """Of the payload only: the same content is the same write, whatever the run."""
        canonical = json.dumps(self.payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def hubspot_date(day: date) -> str:
    """HubSpot date properties: the day at midnight UTC, ``YYYY-MM-DD``."""
    return day.isoformat()


def hubspot_datetime(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def rate_text(rate: Decimal | None) -> str:
    return "" if rate is None else format(rate.normalize(), "f")


def line_status(line: CommissionLine, payouts: Mapping[str, PayoutRecord]) -> str:
    payout = payouts.get(line.payout_id or "")
    return "paid" if payout is not None and payout.status is PayoutStatus.PAID else "accrued"


def line_properties(line: CommissionLine, status: str, props: PropertyMap) -> dict[str, str]:
    names = props.commission_line
    return {
        names.line_id: line.id, names.partner_id: line.partner_id,
        names.deal_id: line.deal_id or "", names.stripe_customer_id: line.customer_id,
        names.month: month_label(line.month), names.kind: line.kind.value,
        names.tier: line.tier.value, names.rate: rate_text(line.rate),
        names.basis: eur(line.basis), names.amount: eur(line.amount), names.currency: "EUR",
        names.status: status, names.payout_id: line.payout_id or "",
        names.explanation: line.explanation,
    }


def payout_properties(payout: PayoutRecord, props: PropertyMap) -> dict[str, str]:
    names = props.payout
    return {
        names.payout_id: payout.id, names.partner_id: payout.partner_id,
        names.period: month_label(payout.month), names.amount: eur(payout.amount),
        names.currency: "EUR", names.status: payout.status.value,
        names.failure_reason: payout.failure_reason or "", names.method: payout.method or "",
        names.stripe_transfer_id: payout.stripe_transfer_id or "",
        names.line_count: str(len(payout.line_ids)),
        names.status_note: payout.status_note or "", names.approved_by: payout.approved_by or "",
        names.second_approved_by: payout.second_approved_by or "",
        names.hold_reason: payout.hold_reason or "",
    }


def control_properties(control: PartnerControl, props: PropertyMap) -> dict[str, str]:
    """R32, R35 on the partner company: why its payouts hold, its confirmed account."""
    names = props.company
    return {names.payout_hold: "; ".join(control.hold_reasons),
            names.confirmed_stripe_account_id: control.confirmed_account or ""}


def commission_ends_on(month: int | None) -> str:
    """The last day of the window's last month; empty when permanent (docs/configuration.md)."""
    if month is None:
        return ""
    return hubspot_date((month_end(month) - timedelta(days=1)).date())


def deal_properties(deal: DealAttribution, accrued: int, paid: int,
                    props: PropertyMap) -> dict[str, str]:
    names = props.deal
    return {
        names.attribution_status: deal.status.value,
        names.attributed_partner_id: deal.partner_id or "",
        names.attribution_source: deal.source.value if deal.source else "",
        names.converted_at: hubspot_datetime(deal.converted_at) if deal.converted_at else "",
        names.commission_accrued: eur(accrued), names.commission_paid: eur(paid),
        names.commission_ends_on: commission_ends_on(deal.commission_ends_on),
    }


@dataclass(slots=True)
class _Totals:
    accrued: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    paid: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _totals(lines: Iterable[CommissionLine], payouts: Mapping[str, PayoutRecord],
            key: str) -> _Totals:
    totals = _Totals()
    for line in lines:
        owner = line.partner_id if key == "partner" else (line.deal_id or "")
        totals.accrued[owner] += line.amount
        if line_status(line, payouts) == "paid":
            totals.paid[owner] += line.amount
    return totals


def company_properties(partner_id: str, metrics: TierMetrics | None, promotion: Promotion | None,
                       mdf_total: int, totals: _Totals, last_paid: datetime | None,
                       props: PropertyMap) -> dict[str, str]:
    names = props.company
    accrued, paid = totals.accrued.get(partner_id, 0), totals.paid.get(partner_id, 0)
    values = {
        names.commission_accrued_total: eur(accrued), names.commission_paid_total: eur(paid),
        names.commission_balance: eur(accrued - paid), names.mdf_accrued_total: eur(mdf_total),
        names.last_payout_date: hubspot_date(last_paid.date()) if last_paid else "",
    }
    if metrics is not None:
        values |= {
            names.referred_clients: str(metrics.referred_clients),
            names.active_clients: str(metrics.active_clients),
            names.mrr_brought: eur(metrics.mrr_brought),
            names.trailing12_revenue: eur(metrics.trailing12_revenue),
        }
    if promotion is not None:
        values |= {names.eligible_tier: promotion.eligible_tier.value,
                   names.tier_review: promotion.review}
        if promotion.promote:
            values[names.tier] = promotion.eligible_tier.value  # R29, effective now (R1)
    return values


def customer_metadata(attribution: CustomerAttribution, current: Mapping[str, str],
                      props: PropertyMap) -> dict[str, str] | None:
    """The metadata to send, or ``None`` when Stripe already holds it."""
    keys = props.stripe_metadata
    wanted = {keys.partner_id: "", keys.attribution_source: "", keys.attributed_at: ""}
    if attribution.won:
        wanted = {
            keys.partner_id: attribution.partner_id or "",
            keys.attribution_source: attribution.source.value if attribution.source else "",
            keys.attributed_at: (hubspot_datetime(attribution.converted_at)
                                 if attribution.converted_at else ""),
        }
    # A key set to "" removes it in Stripe; an absent key already equals "".
    changed = {k: v for k, v in wanted.items() if current.get(k, "") != v}
    return changed or None


def ledger_intents(lines: Iterable[CommissionLine], voided: Iterable[CommissionLine],
                   payouts: Iterable[PayoutRecord], props: PropertyMap,
                   controls: Mapping[str, PartnerControl] | None = None) -> list[Intent]:
    """Line and payout records, and the partners' payout controls: what the ledger
    holds, for finance in HubSpot. The payment job uses this alone after it moves
    payouts."""
    by_id = {payout.id: payout for payout in payouts}
    intents = [Intent(HUBSPOT_LINE, line.id, line_properties(line, line_status(line, by_id), props))
               for line in lines]
    intents += [Intent(HUBSPOT_LINE, line.id, line_properties(line, "void", props))
                for line in voided]
    intents += [Intent(HUBSPOT_PAYOUT, payout.id, payout_properties(payout, props))
                for payout in sorted(by_id.values(), key=lambda p: p.id)]
    intents += [Intent(HUBSPOT_COMPANY_CONTROLS, partner_id, control_properties(control, props))
                for partner_id, control in sorted((controls or {}).items())]
    return intents


def build_intents(decisions: Decisions, payouts: Iterable[PayoutRecord],
                  customer_metadata_now: Mapping[str, Mapping[str, str]],
                  props: PropertyMap, synced_at: datetime,
                  controls: Mapping[str, PartnerControl] | None = None) -> list[Intent]:
    """Every write this run intends, in a stable order."""
    by_id = {payout.id: payout for payout in payouts}
    lines = decisions.ledger.lines
    voided = [change.line for change in decisions.changes if change.action == "voided"]
    intents = ledger_intents(lines, voided, by_id.values(), props, controls)
    per_deal = _totals(lines, by_id, "deal")
    intents += [Intent(HUBSPOT_DEAL, deal.deal_id, deal_properties(
        deal, per_deal.accrued.get(deal.deal_id, 0), per_deal.paid.get(deal.deal_id, 0), props))
        for deal in decisions.deals]
    intents += _company_intents(decisions, by_id, props, synced_at)
    for attribution in decisions.attributions:
        if attribution.customer_id not in customer_metadata_now:
            continue  # not a Stripe customer we read (deleted, say): nothing to write on
        metadata = customer_metadata(attribution, customer_metadata_now[attribution.customer_id],
                                     props)
        if metadata is not None:
            intents.append(Intent(STRIPE_CUSTOMER, attribution.customer_id, metadata))
    return intents


def _company_intents(decisions: Decisions, payouts: Mapping[str, PayoutRecord],
                     props: PropertyMap, synced_at: datetime) -> list[Intent]:
    latest = {row.partner_id: row for row in decisions.metrics
              if row.month == decisions.last_closed_month}
    mdf: dict[str, int] = defaultdict(int)
    for row in decisions.metrics:
        mdf[row.partner_id] += row.mdf
    promotions = {item.partner_id: item for item in decisions.promotions}
    totals = _totals(decisions.ledger.lines, payouts, "partner")
    last_paid: dict[str, datetime] = {}
    for payout in payouts.values():
        if payout.paid_at is not None and (payout.partner_id not in last_paid
                                           or payout.paid_at > last_paid[payout.partner_id]):
            last_paid[payout.partner_id] = payout.paid_at
    partners = sorted(set(latest) | set(promotions) | set(totals.accrued))
    volatile = {props.company.synced_at: hubspot_datetime(synced_at)}
    return [Intent(HUBSPOT_COMPANY, pid, company_properties(
        pid, latest.get(pid), promotions.get(pid), mdf[pid], totals, last_paid.get(pid), props),
        volatile) for pid in partners]
