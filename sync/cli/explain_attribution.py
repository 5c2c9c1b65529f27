"""``explain --deal`` and ``explain --customer``: attribution (R3-R10a) and what it led to.

A deal is explained through its customer: attribution is per Stripe customer, over the
touches of all its deals (R4). The customer's lines (R16, R20), review items (R10a),
unrecovered differences (R17), quarantined records and R19 exclusions follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from sync.cli.common import EXIT_OK, cell, fail, money, plain
from sync.cli.offline import require_decisions
from sync.domain.decisions import AttributionStatus, CustomerAttribution, DealAttribution, Decisions
from sync.domain.inputs import Deal, Inputs
from sync.domain.months import month_label
from sync.ledger import Finding
from sync.pull.mirror_inputs import Mirrored
from sync.wiring import Services

S = AttributionStatus
RULE_OF_STATUS = {
    S.NOT_LINKED: "R10", S.UNSUPPORTED_CURRENCY: "R19", S.NOT_CONVERTED: "R3",
    S.ATTRIBUTED: "R4", S.NO_TOUCH: "R10", S.EXPIRED: "R6", S.EXISTING_CUSTOMER: "R7",
    S.SELF_REFERRAL: "R8", S.UNKNOWN_PARTNER: "R5", S.AMBIGUOUS_PARTNER: "R5",
    S.PARTNER_INACTIVE: "R5",
}


@dataclass(frozen=True, slots=True)
class Context:
    services: Services
    inputs: Inputs
    decisions: Decisions
    findings: list[Finding]
    names: dict[str, str]

    def partner(self, partner_id: str | None) -> str:
        if partner_id is None:
            return ""
        name = self.names.get(partner_id)
        return f"{name} ({partner_id})" if name else partner_id


def _context(services: Services) -> Context:
    inputs, decisions = require_decisions(services)
    names = {partner.id: partner.name for partner in inputs.partners}
    return Context(services, inputs, decisions, services.ledger.findings(), names)


def instant(value: datetime | None) -> str:
    return "" if value is None else value.isoformat().replace("+00:00", "Z")


def _status(status: AttributionStatus) -> str:
    return f"{status.value} ({RULE_OF_STATUS[status]})"


def _pairs(out: Console, rows: list[tuple[str, object]]) -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value")
    for name, value in rows:
        if value not in ("", None):
            table.add_row(cell(name), cell(value))
    out.print(table)


def _only_quarantined(out: Console, ctx: Context, record_id: str, what: str) -> int:
    """An id the engine never saw: quarantined by the last run, or unknown (exit 1)."""
    found = [item for item in ctx.findings if item.subject == record_id]
    if not found:
        return fail(f"{what} {record_id} is not in the data of the last sync (unknown id?)")
    _findings(out, f"Findings about {what} {record_id}", found)
    return EXIT_OK


def _findings(out: Console, title: str, findings: list[Finding]) -> None:
    if not findings:
        return
    plain(out)
    plain(out, f"{title}:")
    for item in findings:
        plain(out, f"- {item.kind} ({item.rule}) {item.subject}: {item.message}")


# Deals ------------------------------------------------------------------------------


def _deal_touches(deal: Deal) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    if deal.referral_code:
        at = instant(deal.referral_at) or "no valid instant: touch quarantined (R4)"
        rows.append(("referral link", f"code {deal.referral_code} at {at}"))
    if deal.registered_by:
        at = instant(deal.registered_at) or "no valid instant: touch quarantined (R4)"
        rows.append(("deal registration", f"by {deal.registered_by} at {at}"))
    return rows or [("touches (R4)", "none usable on this deal")]


def explain_deal(services: Services, deal_id: str, out: Console) -> int:
    ctx = _context(services)
    verdict = next((item for item in ctx.decisions.deals if item.deal_id == deal_id), None)
    deal = next((item for item in ctx.inputs.deals if item.id == deal_id), None)
    if verdict is None or deal is None:
        return _only_quarantined(out, ctx, deal_id, "deal")
    plain(out, f"Deal {deal_id} {deal.name}".rstrip())
    _pairs(out, [
        ("R10 status", _status(verdict.status)), ("customer", verdict.customer_id or ""),
        ("partner", ctx.partner(verdict.partner_id)),
        ("source", "" if verdict.source is None else verdict.source.value),
        ("R3 converted at", instant(verdict.converted_at)),
        ("R13 commission ends", _ends_on(verdict)), *_deal_touches(deal),
    ])
    attribution = _attribution(ctx, verdict.customer_id)
    if attribution is None:
        subjects = {deal_id, verdict.customer_id or deal_id, *_registrars([deal])}
        found = _about(ctx, subjects) + [
            item for item in ctx.findings if item.subject not in subjects
            and item.kind == "quarantined" and item.data.get("value") == deal_id]
        _findings(out, "Findings (last run)", found)
        return EXIT_OK
    _customer_section(out, ctx, attribution)
    return EXIT_OK


def _ends_on(verdict: DealAttribution) -> str:
    if verdict.status is not S.ATTRIBUTED:
        return ""
    if verdict.commission_ends_on is None:
        return "permanent"
    return month_label(verdict.commission_ends_on)


# Customers --------------------------------------------------------------------------


def _attribution(ctx: Context, customer_id: str | None) -> CustomerAttribution | None:
    return next((item for item in ctx.decisions.attributions
                 if item.customer_id == customer_id), None)


def explain_customer(services: Services, customer_id: str, out: Console) -> int:
    ctx = _context(services)
    attribution = _attribution(ctx, customer_id)
    if attribution is None:
        return _only_quarantined(out, ctx, customer_id, "customer")
    deals = [item for item in ctx.decisions.deals if item.customer_id == customer_id]
    table = Table(title=f"Deals of customer {customer_id} (R10)")
    for column in ("deal", "R10 status", "partner", "source"):
        table.add_column(column)
    for item in deals:
        table.add_row(cell(item.deal_id), cell(_status(item.status)),
                      cell(ctx.partner(item.partner_id)),
                      cell(None if item.source is None else item.source.value))
    out.print(table)
    _customer_section(out, ctx, attribution)
    return EXIT_OK


def _customer_section(out: Console, ctx: Context, attribution: CustomerAttribution) -> None:
    plain(out)
    plain(out, f"Customer {attribution.customer_id}")
    _pairs(out, [
        ("R10 status", _status(attribution.status)),
        ("R4 winner", ctx.partner(attribution.partner_id) or "none"),
        ("source", "" if attribution.source is None else attribution.source.value),
        ("winning deal", attribution.deal_id or ""),
        ("R3 converted at", instant(attribution.converted_at)),
        ("R2 option", "" if attribution.option is None else attribution.option.value),
        ("tier at conversion", "" if attribution.tier_at_conversion is None
         else attribution.tier_at_conversion.value),
        ("R10a frozen", "yes: kept from the ledger" if attribution.frozen else "no"),
    ])
    out.print(_candidates(ctx, attribution))
    _lines(out, ctx, attribution.customer_id)
    _customer_findings(out, ctx, attribution)


def _candidates(ctx: Context, attribution: CustomerAttribution) -> Table:
    table = Table(title="Candidates in R4 order (each checked R5, R8, R7, R6)")
    for column in ("#", "kind", "instant", "deal", "code / registered by", "partner",
                   "status", "result"):
        table.add_column(column)
    ordered = sorted(attribution.candidates, key=lambda verdict: verdict.touch.order_key)
    for number, verdict in enumerate(ordered, 1):
        touch = verdict.touch
        won = verdict.status is S.ATTRIBUTED
        table.add_row(
            cell(number), cell(touch.kind.value), cell(instant(touch.at)), cell(touch.deal_id),
            cell(touch.referral_code or touch.registered_by), cell(ctx.partner(verdict.partner_id)),
            cell(_status(verdict.status)), cell("winner" if won else ""))
    if not ordered:
        table.caption = "no touch on any deal of this customer"
    return table


def _lines(out: Console, ctx: Context, customer_id: str) -> None:
    lines = [line for line in ctx.decisions.ledger.lines if line.customer_id == customer_id]
    plain(out)
    if not lines:
        plain(out, "Lines (R16): none")
        return
    plain(out, f"Lines (R16): {len(lines)}, {money(sum(line.amount for line in lines))}")
    for line in lines:
        status = ctx.services.ledger.line_status(line.id) or "not recorded"
        payout = f", payout {line.payout_id}" if line.payout_id else ", not in a payout yet"
        plain(out, f"- {line.id}: {month_label(line.month)} {line.kind.value} "
                   f"{money(line.amount)}, {status}{payout}")
        plain(out, f"    {line.explanation}")


def _about(ctx: Context, subjects: set[str]) -> list[Finding]:
    return [item for item in ctx.findings if item.subject in subjects]


def _registrars(deals: list[Deal]) -> set[str]:
    """Registering partners named by the deals: a quarantined one explains R5's
    ``unknown_partner`` (its tier could not be read)."""
    return {deal.registered_by for deal in deals if deal.registered_by}


def _customer_findings(out: Console, ctx: Context, attribution: CustomerAttribution) -> None:
    customer_id = attribution.customer_id
    deal_ids = {item.deal_id for item in ctx.decisions.deals if item.customer_id == customer_id}
    partners = {verdict.partner_id for verdict in attribution.candidates if verdict.partner_id}
    partners |= _registrars([deal for deal in ctx.inputs.deals if deal.id in deal_ids])
    if attribution.partner_id:
        partners.add(attribution.partner_id)
    billing = _quarantined_billing(ctx, customer_id)
    findings = [item for item in _about(ctx, {customer_id, *deal_ids, *partners, *billing})
                if item.kind != "review" or item.subject in {customer_id, *deal_ids}]
    _findings(out, "Reviews (R10a), unrecovered (R17), quarantined (last run)", findings)
    excluded = set(ctx.decisions.excluded_invoices)
    own = sorted(item.id for item in ctx.inputs.invoices
                 if item.customer_id == customer_id and item.id in excluded)
    if own:
        plain(out, f"R19: invoices in another currency, excluded: {', '.join(own)}")


def _customer_of(body: dict[str, Any]) -> object:
    customer = body.get("customer")
    return customer.get("id") if isinstance(customer, dict) else customer


_BILLING = {"invoice": Mirrored.STRIPE_INVOICE, "subscription": Mirrored.STRIPE_SUBSCRIPTION}


def _quarantined_billing(ctx: Context, customer_id: str) -> set[str]:
    """Quarantined invoices and subscriptions of the customer, found from their
    mirrored bodies, and the quarantined prices those invoices name."""
    found: set[str] = set()
    for object_type, kind in _BILLING.items():
        ids = {item.subject for item in ctx.findings
               if item.kind == "quarantined" and item.data.get("object_type") == object_type}
        if ids:
            found |= {str(body.get("id")) for body in ctx.services.mirror.records(kind)
                      if str(body.get("id")) in ids and _customer_of(body) == customer_id}
    prices = {item.subject for item in ctx.findings
              if item.kind == "quarantined" and item.data.get("object_type") == "price"}
    named = {item.data.get("value") for item in ctx.findings if item.subject in found}
    return found | (prices & {str(value) for value in named})
