"""Billing a subscription plan over time: the Stripe subscription and its invoices.

A plan is invoiced at the start of each billing period (charge automatically). A
switch to another interval resets the anchor and credits the unused time on one
invoice; a switch within the same interval keeps the anchor and invoices the
prorations at once. A coupon discounts the periods of its first months.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from sandbox.synthetic.clock import add_months, epoch, stripe_id
from sandbox.synthetic.reference import JsonObject, reference
from sandbox.synthetic.specs import CustomerSpec, Payment, PlanSpec, PriceSpec
from sandbox.synthetic.stripe_catalog import discount_id, price
from sandbox.synthetic.stripe_lines import InvoiceFacts, LineFacts, invoice, line

CATALOG_DATE = datetime.fromisoformat("2024-01-15T09:00:00+00:00")
ON_TIME = Payment()


def advance(start: datetime, spec: PriceSpec) -> datetime:
    """The end of the billing period that starts at ``start``."""
    count = spec.interval_count
    if spec.interval == "month":
        return add_months(start, count)
    if spec.interval == "year":
        return add_months(start, 12 * count)
    return start + timedelta(days=(7 if spec.interval == "week" else 1) * count)


@dataclass(slots=True)
class CustomerBilling:
    """A customer's invoices across its plans, numbered in one sequence."""

    customer: CustomerSpec
    invoices: list[JsonObject] = field(default_factory=list)

    def next_number(self) -> str:
        return f"{self.customer.customer_id[4:12].upper()}-{len(self.invoices) + 1:04d}"


@dataclass(frozen=True, slots=True)
class _Period:
    start: datetime
    end: datetime
    price: PriceSpec
    reason: str
    prorations: tuple[tuple[PriceSpec, int, datetime, datetime], ...] = ()


def _periods(plan: PlanSpec, horizon: datetime) -> Iterator[_Period]:
    current, start, reason = plan.price, plan.start, "subscription_create"
    stop = horizon if plan.ended_at is None else min(horizon, plan.ended_at)
    while start < stop:
        end = advance(start, current)
        yield _Period(start, end, current, reason)
        reason = "subscription_cycle"
        switch = plan.switch
        if switch is None or not start <= switch.at < end or switch.at >= stop:
            start = end
            continue
        share = Fraction(epoch(end) - epoch(switch.at), epoch(end) - epoch(start))
        credit = (current, -round(current.unit_amount * plan.quantity * share), switch.at, end)
        new = switch.price
        if new.interval == current.interval and new.interval_count == current.interval_count:
            charge = (new, round(new.unit_amount * plan.quantity * share), switch.at, end)
            yield _Period(switch.at, end, new, "subscription_update", (credit, charge))
            start = end
        else:
            yield _Period(switch.at, advance(switch.at, new), new, "subscription_update",
                          (credit,))
            start = advance(switch.at, new)
        current = new


def _discount(plan: PlanSpec, period: _Period, amount: int) -> tuple[str, int] | None:
    coupon = plan.coupon
    if coupon is None or period.start >= add_months(plan.start, coupon.duration_in_months):
        return None
    return discount_id(coupon.id, plan.subscription_id), round(
        Fraction(amount * coupon.percent_off, 100))


def _lines(plan: PlanSpec, period: _Period, invoice_id: str,
           previous: tuple[str, str] | None) -> list[LineFacts]:
    key = f"{invoice_id}/line"
    facts = [
        LineFacts(stripe_id("il", f"{key}{index}"), spec, start, end, amount, plan.quantity,
                  plan.subscription_id, plan.item_id, proration=True,
                  credited=previous if amount < 0 else None,
                  invoice_item_id=stripe_id("ii", f"{key}{index}"))
        for index, (spec, amount, start, end) in enumerate(period.prorations)
    ]
    if len(period.prorations) != 2:  # a cycle, or a reset switch: the full new period
        amount = period.price.unit_amount * plan.quantity
        facts.append(LineFacts(stripe_id("il", f"{key}"), period.price, period.start,
                               period.end, amount, plan.quantity, plan.subscription_id,
                               plan.item_id, discount=_discount(plan, period, amount)))
    return facts


def bill(plan: PlanSpec, horizon: datetime, account: CustomerBilling) -> JsonObject:
    """Append the plan's invoices to ``account`` and return its subscription."""
    previous: tuple[str, str] | None = None
    last_start = plan.start
    last: tuple[datetime, datetime, PriceSpec] = (plan.start, plan.start, plan.price)
    for period in _periods(plan, horizon):
        invoice_id = stripe_id("in", f"{plan.subscription_id}/{epoch(period.start)}/"
                                     f"{period.reason}")
        facts = _lines(plan, period, invoice_id, previous)
        payment = plan.payments.get(f"{period.start:%Y-%m}", ON_TIME)
        customer = account.customer
        account.invoices.append(invoice(InvoiceFacts(
            invoice_id, account.next_number(), customer.customer_id, customer.email,
            customer.name, period.price.currency, plan.subscription_id, period.start,
            period.reason, (last_start, period.start), payment,
        ), [line(item, invoice_id, period.price.currency) for item in facts]))
        previous = (invoice_id, facts[-1].line_id)
        last_start, last = period.start, (period.start, period.end, period.price)
    return subscription(plan, horizon, last, account.invoices)


def subscription(plan: PlanSpec, horizon: datetime,
                 last: tuple[datetime, datetime, PriceSpec],
                 invoices: list[JsonObject]) -> JsonObject:
    ended = plan.ended_at if plan.ended_at is not None and plan.ended_at <= horizon else None
    mine = [item for item in invoices
            if item["parent"]["subscription_details"]["subscription"] == plan.subscription_id]
    obj = reference("subscription")
    obj.update(
        id=plan.subscription_id, customer=plan.customer_id, currency=plan.price.currency,
        created=epoch(plan.start), start_date=epoch(plan.start),
        billing_cycle_anchor=epoch(plan.start), billing_cycle_anchor_config=None,
        cancel_at=epoch(plan.ended_at) if plan.ended_at else None,
        canceled_at=epoch(plan.ended_at - timedelta(days=12)) if plan.ended_at else None,
        cancel_at_period_end=plan.ended_at is not None and ended is None,
        ended_at=None if ended is None else epoch(ended),
        cancellation_details={"comment": None, "feedback": "too_expensive" if ended else None,
                              "reason": "cancellation_requested" if plan.ended_at else None},
        discounts=[] if plan.coupon is None else [discount_id(plan.coupon.id,
                                                              plan.subscription_id)],
        items=_items(plan, last), latest_invoice=mine[-1]["id"] if mine else None,
        status=_status(ended, mine), metadata={}, default_tax_rates=[], description=None,
        next_pending_invoice_item_invoice=None, pause_collection=None,
        pending_invoice_item_interval=None, pending_setup_intent=None, pending_update=None,
        schedule=None, transfer_data=None, trial_end=None, trial_start=None,
        billing_thresholds=None, billing_schedules=[], test_clock=None,
        automatic_tax={"enabled": False, "liability": None, "disabled_reason": None},
    )
    return obj


def _status(ended: datetime | None, invoices: list[JsonObject]) -> str:
    if ended is not None:
        return "canceled"
    latest = invoices[-1]["status"] if invoices else "paid"
    return {"open": "past_due", "uncollectible": "unpaid"}.get(latest, "active")


def _items(plan: PlanSpec, last: tuple[datetime, datetime, PriceSpec]) -> JsonObject:
    start, end, current = last
    item = reference("subscription_item")
    price_object = price(current, CATALOG_DATE)
    plan_object = item["plan"]
    plan_object.update(
        id=current.id, amount=current.unit_amount, amount_decimal=str(current.unit_amount),
        currency=current.currency, interval=current.interval,
        interval_count=current.interval_count, product=current.product_id,
        nickname=current.nickname, created=price_object["created"], livemode=False,
        billing_scheme="per_unit", metadata={}, transform_usage=None,
    )
    item.update(
        id=plan.item_id, created=epoch(plan.start), price=price_object, plan=plan_object,
        quantity=plan.quantity, subscription=plan.subscription_id, discounts=[],
        metadata={}, tax_rates=[], billing_thresholds=None,
        current_period_start=epoch(start), current_period_end=epoch(end),
    )
    return {"data": [item], "has_more": False, "object": "list",
            "url": f"/v1/subscription_items?subscription={plan.subscription_id}"}
