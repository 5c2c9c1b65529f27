"""`/v1/subscriptions`: create, retrieve, update, cancel, list (`status=all`)."""

from __future__ import annotations

import calendar
import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import as_bool, as_list
from sandbox.stripe.lists import created_filter, field_filter
from sandbox.stripe.objects import JSON, blank, list_object, reference
from sandbox.stripe.routes.common import ApiCall, Route, merged_metadata, updated_fields
from sandbox.stripe.state import StripeState

STATUSES = frozenset({
    "incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled",
    "unpaid", "paused",
})
ENDED = frozenset({"canceled", "incomplete_expired"})


def create(call: ApiCall) -> JSON:
    call.only("customer", "items", "metadata", "description", "cancel_at_period_end")
    state, now = call.state, call.state.now()
    customer = call.params.get("customer") or ""
    if not customer:
        raise StripeError.invalid_request(
            "Missing required param: customer.", param="customer", code="parameter_missing"
        )
    state.referenced("customer", customer, param="customer")
    subscription = blank(
        "subscription", now, customer=customer, status="active", start_date=now,
        billing_cycle_anchor=now, description=call.text("description"),
        metadata=merged_metadata({}, call.params.get("metadata")),
        payment_settings={"payment_method_options": None, "payment_method_types": None,
                          "save_default_payment_method": "off"},
        billing_mode={"type": "classic", "flexible": None},
    )
    items = _new_items(call, subscription["id"], now)
    subscription["items"] = list_object(
        f"/v1/subscription_items?subscription={subscription['id']}", items
    )
    subscription["currency"] = items[0]["price"]["currency"]
    _set_cancel_at_period_end(call, subscription)
    state.add("subscription", subscription)
    state.events.record("customer.subscription.created", subscription)
    return call.serve(subscription)


def _new_items(call: ApiCall, subscription_id: str, now: int) -> list[JSON]:
    raw_items = as_list(call.params.get("items"))
    if not raw_items:
        raise StripeError.invalid_request(
            "Missing required param: items.", param="items", code="parameter_missing"
        )
    return [_new_item(call, raw, n, subscription_id, now) for n, raw in enumerate(raw_items)]


def _new_item(call: ApiCall, raw: object, n: int, subscription_id: str, now: int) -> JSON:
    param = f"items[{n}][price]"
    price_id = raw.get("price") if isinstance(raw, dict) else None
    if not price_id:
        raise StripeError.invalid_request(
            f"Missing required param: {param}.", param=param, code="parameter_missing"
        )
    price = call.state.referenced("price", str(price_id), param=param)
    if not price.get("recurring"):
        raise StripeError.invalid_request(
            "The price specified is set to `type=one_time` but this field only accepts "
            "prices with `type=recurring`.", param=param,
        )
    recurring = price["recurring"]
    quantity = int(raw.get("quantity") or 1) if isinstance(raw, dict) else 1
    return blank(
        "subscription_item", now, price=copy.deepcopy(price), plan=plan_of(price),
        quantity=quantity, subscription=subscription_id, discounts=[], tax_rates=[],
        current_period_start=now,
        current_period_end=add_interval(now, recurring["interval"], recurring["interval_count"]),
    )


def plan_of(price: JSON) -> JSON:
    """The legacy `plan` Stripe still embeds in subscription items, from the price."""
    recurring = price.get("recurring") or {}
    plan: JSON = reference("subscription_item")["plan"]
    plan.update(
        id=price["id"], active=price["active"], amount=price.get("unit_amount"),
        amount_decimal=price.get("unit_amount_decimal"), billing_scheme=price["billing_scheme"],
        created=price["created"], currency=price["currency"], livemode=False,
        metadata=price.get("metadata", {}), nickname=price.get("nickname"),
        product=price.get("product"), tiers_mode=None, transform_usage=None,
        interval=recurring.get("interval"), interval_count=recurring.get("interval_count"),
        meter=None, trial_period_days=None, usage_type=recurring.get("usage_type", "licensed"),
    )
    return plan


def add_interval(start: int, interval: str, count: int) -> int:
    """`start` moved on by `count` Stripe billing intervals (day/week/month/year)."""
    moment = datetime.fromtimestamp(start, UTC)
    if interval in ("day", "week"):
        days = count * (7 if interval == "week" else 1)
        return int((moment + timedelta(days=days)).timestamp())
    months = count * (12 if interval == "year" else 1)
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return int(moment.replace(year=year, month=month + 1, day=day).timestamp())


def _set_cancel_at_period_end(call: ApiCall, subscription: JSON) -> None:
    flag = as_bool(call.params, "cancel_at_period_end")
    if flag is None:
        return
    subscription["cancel_at_period_end"] = flag
    subscription["cancel_at"] = _period_end(subscription) if flag else None


def _period_end(subscription: JSON) -> int | None:
    items = subscription.get("items", {}).get("data", [])
    ends = [i.get("current_period_end") for i in items if i.get("current_period_end")]
    return min(ends) if ends else None


def retrieve(call: ApiCall, id: str) -> JSON:
    call.only()
    return call.serve(call.state.get("subscription", id))


def update(call: ApiCall, id: str) -> JSON:
    call.only("metadata", "description", "cancel_at_period_end")
    with call.state.lock:
        current = call.state.get("subscription", id)
        if current["status"] in ENDED and set(call.params) - {"metadata", "expand"}:
            raise StripeError.invalid_request(
                "A canceled subscription can only update its cancellation_details and "
                "metadata."
            )
        new = copy.deepcopy(current)
        new.update(updated_fields(call, current, "description"))
        _set_cancel_at_period_end(call, new)
        stored = call.state.replace("subscription", new, "customer.subscription.updated")
    return call.serve(stored)


def cancel(call: ApiCall, id: str) -> JSON:
    call.only("invoice_now", "prorate", "cancellation_details")
    return call.serve(cancel_subscription(call.state, id))


def cancel_subscription(state: StripeState, id: str) -> JSON:
    """End a subscription now: `customer.subscription.deleted` carries the ended object."""
    with state.lock:
        current = state.get("subscription", id)
        if current["status"] in ENDED:
            raise StripeError.invalid_request(
                f"No such subscription: '{id}'", code="resource_missing", param="id"
            )
        now = state.now()
        ended = copy.deepcopy(current)
        ended.update(
            status="canceled", canceled_at=now, ended_at=now,
            cancellation_details={"comment": None, "feedback": None,
                                  "reason": "cancellation_requested"},
        )
        state.replace("subscription", ended)
        state.events.record("customer.subscription.deleted", ended)
    return ended


def list_(call: ApiCall) -> JSON:
    call.only_list("customer", "price", "status", "created", "collection_method")
    status = call.params.get("status")
    if status is not None and status not in STATUSES | {"all", "ended"}:
        raise StripeError.invalid_request(f"Invalid status: {status}", param="status")
    keep_status = _status_filter(status)
    by_customer = field_filter(call.params, "customer", "collection_method")
    by_created = created_filter(call.params)
    price = call.params.get("price")
    items = call.state.newest_first(
        "subscription",
        lambda s: keep_status(s["status"]) and by_customer(s) and by_created(s)
        and (price is None or price in _price_ids(s)),
    )
    return call.page(items, "/v1/subscriptions", "subscription")


def _status_filter(status: str | None) -> Callable[[str], bool]:
    if status == "all":
        return lambda _s: True
    if status == "ended":
        return lambda s: s in ENDED
    if status is None:
        return lambda s: s != "canceled"  # Stripe's default hides canceled ones
    return lambda s: s == status


def _price_ids(subscription: JSON) -> set[str]:
    items = subscription.get("items", {}).get("data", [])
    return {str((i.get("price") or {}).get("id")) for i in items}


ROUTES = [
    Route("POST", "/v1/subscriptions", "subscriptions.create", create),
    Route("GET", "/v1/subscriptions", "subscriptions.list", list_),
    Route("GET", "/v1/subscriptions/<id>", "subscriptions.retrieve", retrieve),
    Route("POST", "/v1/subscriptions/<id>", "subscriptions.update", update),
    Route("DELETE", "/v1/subscriptions/<id>", "subscriptions.cancel", cancel),
]
