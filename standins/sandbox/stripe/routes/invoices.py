"""`/v1/invoices`: retrieve and list with only the first page of lines embedded, the
rest paged from `/v1/invoices/{id}/lines`; update metadata; pay.

An invoice of the pinned version names its subscription in
`parent.subscription_details.subscription` (no top-level `subscription` since
2025-03-31.basil); the list's `subscription` parameter filters on it."""

from __future__ import annotations

import copy

from sandbox.stripe.errors import StripeError
from sandbox.stripe.lists import created_filter, field_filter, paginate
from sandbox.stripe.objects import JSON
from sandbox.stripe.routes.common import ApiCall, Route, updated_fields
from sandbox.stripe.state import StripeState

STATUSES = frozenset({"draft", "open", "paid", "uncollectible", "void"})


def _served(call: ApiCall, invoice: JSON) -> JSON:
    return call.state.rendered("invoice", invoice)


def retrieve(call: ApiCall, id: str) -> JSON:
    call.only()
    return call.serve(_served(call, call.state.get("invoice", id)))


def list_(call: ApiCall) -> JSON:
    call.only_list("customer", "subscription", "status", "created", "collection_method",
                   "due_date")
    status = call.params.get("status")
    if status is not None and status not in STATUSES:
        raise StripeError.invalid_request(f"Invalid status: {status}", param="status")
    by_fields = field_filter(call.params, "customer", "status", "collection_method")
    by_created = created_filter(call.params)
    subscription = call.params.get("subscription")

    def wanted(invoice: JSON) -> bool:
        if subscription not in (None, "") and subscription_of(invoice) != subscription:
            return False
        return by_fields(invoice) and by_created(invoice)

    invoices = call.state.newest_first("invoice", wanted)
    return call.page([_served(call, i) for i in invoices], "/v1/invoices", "invoice")


def subscription_of(invoice: JSON) -> str | None:
    """`parent.subscription_details.subscription`, an id or an expanded object's id."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    found = details.get("subscription")
    return found.get("id") if isinstance(found, dict) else found


def lines(call: ApiCall, id: str) -> JSON:
    """All lines of the invoice, in invoice order (not newest first), paged."""
    call.only_list()
    all_lines = call.state.lines(id)
    page = paginate(all_lines, call.params, f"/v1/invoices/{id}/lines", "line_item")
    return call.serve(page)


def update(call: ApiCall, id: str) -> JSON:
    call.only("metadata", "description", "footer")
    with call.state.lock:
        fields = updated_fields(call, call.state.get("invoice", id), "description", "footer")
        stored = call.state.update_fields("invoice", id, fields, "invoice.updated")
    return call.serve(_served(call, stored))


def pay(call: ApiCall, id: str) -> JSON:
    call.only("paid_out_of_band", "payment_method", "source", "off_session", "forgive")
    return call.serve(_served(call, mark_paid(call.state, id)))


def mark_paid(state: StripeState, id: str, paid_at: int | None = None) -> JSON:
    """Pay an open (or draft) invoice in full, recording what Stripe emits for it."""
    with state.lock:
        current = state.get("invoice", id)
        if current["status"] == "paid":
            raise StripeError.invalid_request("Invoice is already paid", param="id")
        if current["status"] in ("void", "uncollectible"):
            raise StripeError.invalid_request(
                f"You can only pay an invoice that is open, not {current['status']}."
            )
        paid = copy.deepcopy(current)
        when = paid_at if paid_at is not None else state.now()
        transitions = dict(paid.get("status_transitions") or {})
        transitions["paid_at"] = when
        transitions["finalized_at"] = transitions.get("finalized_at") or when
        paid.update(
            status="paid", attempted=True, amount_paid=paid.get("amount_due", 0),
            amount_remaining=0, status_transitions=transitions,
        )
        state.replace("invoice", paid, "invoice.updated")
        served = state.rendered("invoice", paid)
        state.events.record("invoice.paid", served)
        state.events.record("invoice.payment_succeeded", served)
    return paid


ROUTES = [
    Route("GET", "/v1/invoices", "invoices.list", list_),
    Route("GET", "/v1/invoices/<id>", "invoices.retrieve", retrieve),
    Route("POST", "/v1/invoices/<id>", "invoices.update", update),
    Route("GET", "/v1/invoices/<id>/lines", "invoices.lines", lines),
    Route("POST", "/v1/invoices/<id>/pay", "invoices.pay", pay),
]
