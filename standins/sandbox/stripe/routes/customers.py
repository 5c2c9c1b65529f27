"""`/v1/customers`: create, retrieve, update (metadata merge), delete, list."""

from __future__ import annotations

import copy
import secrets

from sandbox.stripe.lists import created_filter, field_filter
from sandbox.stripe.objects import JSON, blank, reference
from sandbox.stripe.routes.common import ApiCall, Route, merged_metadata, updated_fields
from sandbox.stripe.routes.subscriptions import ENDED, cancel_subscription
from sandbox.stripe.state import StripeState

FIELDS = ("email", "name", "description", "phone", "address", "preferred_locales")


def create(call: ApiCall) -> JSON:
    call.only(*FIELDS, "metadata")
    customer = blank(
        "customer",
        call.state.now(),
        invoice_prefix=secrets.token_hex(4).upper(),
        metadata=merged_metadata({}, call.params.get("metadata")),
    )
    customer.update(updated_fields(call, customer, *FIELDS))
    call.state.add("customer", customer)
    call.state.events.record("customer.created", customer)
    return call.serve(customer)


def retrieve(call: ApiCall, id: str) -> JSON:
    call.only()
    return call.serve(call.state.get_or_deleted("customer", id))


def update(call: ApiCall, id: str) -> JSON:
    call.only(*FIELDS, "metadata")
    current = call.state.get("customer", id)
    fields = updated_fields(call, current, *FIELDS)
    return call.serve(call.state.update_fields("customer", id, fields, "customer.updated"))


def delete(call: ApiCall, id: str) -> JSON:
    """Deleting a customer cancels its subscriptions at once, as Stripe does."""
    call.only()
    return delete_customer(call.state, id)


def delete_customer(state: StripeState, id: str) -> JSON:
    with state.lock:
        customer = copy.deepcopy(state.get("customer", id))
        owned = field_filter({"customer": id}, "customer")
        for subscription in state.newest_first("subscription", owned):
            if subscription["status"] not in ENDED:
                cancel_subscription(state, subscription["id"])
        stub = reference("deleted_customer") | {"id": id}
        state.delete("customer", id, stub)
        state.events.record("customer.deleted", customer)
    return copy.deepcopy(stub)


def list_(call: ApiCall) -> JSON:
    call.only_list("email", "created", "test_clock")
    email = call.params.get("email")
    by_created = created_filter(call.params)
    items = call.state.newest_first(
        "customer", lambda c: by_created(c) and (email is None or c.get("email") == email)
    )
    return call.page(items, "/v1/customers", "customer")


ROUTES = [
    Route("POST", "/v1/customers", "customers.create", create),
    Route("GET", "/v1/customers", "customers.list", list_),
    Route("GET", "/v1/customers/<id>", "customers.retrieve", retrieve),
    Route("POST", "/v1/customers/<id>", "customers.update", update),
    Route("DELETE", "/v1/customers/<id>", "customers.delete", delete),
]
