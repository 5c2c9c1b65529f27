"""Stripe invoices and their lines (API 2026-10-28.endive): deep copies of Stripe's
examples with the fields the worker reads set consistently (docs/sandbox.md, Stripe).
The invoice names its subscription in ``parent.subscription_details``, each line its
subscription item in ``parent.subscription_item_details``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.synthetic.clock import epoch
from sandbox.synthetic.reference import JsonObject, reference
from sandbox.synthetic.specs import Payment, PriceSpec

FINALISE_AFTER = timedelta(hours=1)
ACCOUNT_NAME = "VMC Cloud SAS"


@dataclass(frozen=True, slots=True)
class LineFacts:
    """One subscription line: what it bills, for which period, under which item."""

    line_id: str
    price: PriceSpec
    start: datetime
    end: datetime
    amount: int
    quantity: int
    subscription_id: str
    item_id: str
    proration: bool = False
    discount: tuple[str, int] | None = None  # (discount id, amount)
    credited: tuple[str, str] | None = None  # proration credit: (invoice id, line id)
    invoice_item_id: str | None = None  # prorations come from pending invoice items


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    invoice_id: str
    number: str
    customer_id: str
    customer_email: str | None
    customer_name: str
    currency: str
    subscription_id: str
    created: datetime
    billing_reason: str
    period: tuple[datetime, datetime]
    payment: Payment


def line(facts: LineFacts, invoice_id: str, currency: str) -> JsonObject:
    obj = reference("line_item")
    discount_ids = [] if facts.discount is None else [facts.discount[0]]
    obj.update(
        id=facts.line_id, invoice=invoice_id, amount=facts.amount, subtotal=facts.amount,
        currency=currency, quantity=facts.quantity, quantity_decimal=str(facts.quantity),
        description=_describe(facts), discountable=not facts.proration,
        discounts=discount_ids, subscription=facts.subscription_id,
        discount_amounts=[] if facts.discount is None else [
            {"amount": facts.discount[1], "discount": facts.discount[0]}],
        period={"start": epoch(facts.start), "end": epoch(facts.end)},
        pretax_credit_amounts=[], taxes=[], metadata={},
        pricing={"type": "price_details",
                 "price_details": {"price": facts.price.id, "product": facts.price.product_id},
                 "unit_amount_decimal": str(facts.price.unit_amount)},
        parent=_parent(facts),
    )
    return obj


def _parent(facts: LineFacts) -> JsonObject:
    credited = None if facts.credited is None else {
        "invoice": facts.credited[0], "invoice_line_items": [facts.credited[1]]}
    return {
        "type": "subscription_item_details",
        "subscription_item_details": {
            "invoice_item": facts.invoice_item_id,
            "proration": facts.proration,
            "proration_details": {"credited_items": credited},
            "subscription": facts.subscription_id,
            "subscription_item": facts.item_id,
        },
        "invoice_item_details": None,
    }


def _describe(facts: LineFacts) -> str:
    if facts.proration:
        verb = "Unused time on" if facts.amount < 0 else "Remaining time on"
        return f"{verb} {facts.quantity} × {facts.price.nickname} after {facts.start:%d %b %Y}"
    unit = f"{facts.price.unit_amount / 100:.2f} {facts.price.currency.upper()}"
    return f"{facts.quantity} × {facts.price.nickname} (at {unit} / {facts.price.interval})"


def invoice(facts: InvoiceFacts, lines: list[JsonObject]) -> JsonObject:
    obj = reference("invoice")
    subtotal = sum(int(item["amount"]) for item in lines)
    discounts = [entry for item in lines for entry in item["discount_amounts"]]
    total = subtotal - sum(entry["amount"] for entry in discounts)
    _set_identity(obj, facts, lines)
    _set_amounts(obj, facts.payment, subtotal, total, discounts)
    _set_status(obj, facts, total)
    return obj


def _set_identity(obj: JsonObject, facts: InvoiceFacts, lines: list[JsonObject]) -> None:
    obj.update(
        id=facts.invoice_id, number=facts.number, customer=facts.customer_id,
        customer_email=facts.customer_email, customer_name=facts.customer_name,
        customer_address={"city": None, "country": "FR", "line1": None, "line2": None,
                          "postal_code": None, "state": None},
        customer_shipping=None, currency=facts.currency, account_country="FR",
        account_name=ACCOUNT_NAME, billing_reason=facts.billing_reason,
        created=epoch(facts.created), webhooks_delivered_at=epoch(facts.created),
        period_start=epoch(facts.period[0]), period_end=epoch(facts.period[1]),
        from_invoice=None, last_finalization_error=None,
        shipping_cost=None, shipping_details=None, due_date=None, metadata={},
        hosted_invoice_url=f"https://invoice.stripe.com/i/{facts.invoice_id}",
        invoice_pdf=f"https://pay.stripe.com/invoice/{facts.invoice_id}/pdf",
        parent={"type": "subscription_details", "quote_details": None,
                "subscription_details": {"metadata": {}, "subscription": facts.subscription_id}},
        lines={"data": lines, "has_more": False, "object": "list",
               "url": f"/v1/invoices/{facts.invoice_id}/lines"},
    )


def _set_amounts(obj: JsonObject, payment: Payment, subtotal: int, total: int,
                 discounts: list[JsonObject]) -> None:
    due = max(total, 0)
    paid = due if payment.status == "paid" else 0
    obj.update(
        subtotal=subtotal, subtotal_excluding_tax=subtotal, total=total,
        total_excluding_tax=total, total_taxes=[], total_pretax_credit_amounts=[],
        total_discount_amounts=discounts,
        discounts=sorted({entry["discount"] for entry in discounts}),
        amount_due=due, amount_paid=paid,
        amount_remaining=0 if payment.status in ("paid", "void") else due,
        amount_overpaid=0, amount_shipping=0, starting_balance=0,
        ending_balance=min(total, 0), pre_payment_credit_notes_amount=0,
        post_payment_credit_notes_amount=round(paid * payment.credited),
    )


def _set_status(obj: JsonObject, facts: InvoiceFacts, total: int) -> None:
    finalized = facts.created + FINALISE_AFTER
    settled = finalized + facts.payment.delay
    status = facts.payment.status
    late = facts.payment.delay > timedelta(days=1)
    obj.update(
        status=status, effective_at=epoch(finalized), auto_advance=status == "open",
        attempted=True, attempt_count=4 if late or status != "paid" else 1,
        next_payment_attempt=epoch(finalized + timedelta(days=3)) if status == "open" else None,
        receipt_number=None, collection_method="charge_automatically",
        status_transitions={
            "finalized_at": epoch(finalized),
            "paid_at": epoch(settled) if status == "paid" else None,
            "marked_uncollectible_at": epoch(settled) if status == "uncollectible" else None,
            "voided_at": epoch(settled) if status == "void" else None,
        },
    )
    if total <= 0 and status == "paid":
        obj["status_transitions"]["paid_at"] = epoch(finalized)
