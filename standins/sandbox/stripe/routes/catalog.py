"""`/v1/products`, `/v1/prices`, `/v1/coupons`: create, retrieve, update, list."""

from __future__ import annotations

import copy

from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import as_bool, require
from sandbox.stripe.lists import created_filter, field_filter
from sandbox.stripe.objects import JSON, blank, reference
from sandbox.stripe.routes.common import (
    ApiCall,
    Handler,
    Route,
    merged_metadata,
    positive_int,
    updated_fields,
)

PRODUCT_FIELDS = ("name", "description", "url", "unit_label", "statement_descriptor")


def create_product(call: ApiCall) -> JSON:
    call.only(*PRODUCT_FIELDS, "active", "metadata", "id")
    now = call.state.now()
    product = blank("product", now, updated=now, name=str(require(call.params, "name")))
    product.update(updated_fields(call, product, *PRODUCT_FIELDS, "metadata"))
    product["active"] = as_bool(call.params, "active", True)
    product["id"] = _chosen_id(call, "product", product["id"])
    call.state.add("product", product)
    call.state.events.record("product.created", product)
    return call.serve(product)


def update_product(call: ApiCall, id: str) -> JSON:
    call.only(*PRODUCT_FIELDS, "active", "metadata", "default_price")
    fields = updated_fields(call, call.state.get("product", id), *PRODUCT_FIELDS,
                            "default_price")
    if "active" in call.params:
        fields["active"] = as_bool(call.params, "active")
    fields["updated"] = call.state.now()
    return call.serve(call.state.update_fields("product", id, fields, "product.updated"))


def list_products(call: ApiCall) -> JSON:
    call.only_list("active", "created", "shippable", "url")
    active = as_bool(call.params, "active")
    by_created = created_filter(call.params)
    items = call.state.newest_first(
        "product", lambda p: by_created(p) and (active is None or p["active"] is active)
    )
    return call.page(items, "/v1/products", "product")


PRICE_FIELDS = ("nickname", "lookup_key")


def create_price(call: ApiCall) -> JSON:
    call.only(*PRICE_FIELDS, "currency", "unit_amount", "product", "recurring", "active",
              "metadata", "tax_behavior")
    product = str(require(call.params, "product"))
    call.state.referenced("product", product, param="product")
    amount = positive_int(call, "unit_amount")
    price = blank(
        "price", call.state.now(), product=product, unit_amount=amount,
        unit_amount_decimal=str(amount), currency=str(require(call.params, "currency")).lower(),
        active=as_bool(call.params, "active", True), **_recurring(call),
    )
    price.update(updated_fields(call, price, *PRICE_FIELDS, "metadata"))
    call.state.add("price", price)
    call.state.events.record("price.created", price)
    return call.serve(price)


def _recurring(call: ApiCall) -> JSON:
    raw = call.params.get("recurring")
    if not raw:
        return {"type": "one_time", "recurring": None}
    if not isinstance(raw, dict) or raw.get("interval") not in ("day", "week", "month", "year"):
        raise StripeError.invalid_request(
            "Invalid recurring[interval]: must be one of day, week, month, or year",
            param="recurring[interval]",
        )
    recurring = reference("price")["recurring"]
    recurring.update(interval=raw["interval"], interval_count=int(raw.get("interval_count", 1)))
    return {"type": "recurring", "recurring": recurring}


def update_price(call: ApiCall, id: str) -> JSON:
    call.only(*PRICE_FIELDS, "active", "metadata")
    fields = updated_fields(call, call.state.get("price", id), *PRICE_FIELDS)
    if "active" in call.params:
        fields["active"] = as_bool(call.params, "active")
    return call.serve(call.state.update_fields("price", id, fields, "price.updated"))


def list_prices(call: ApiCall) -> JSON:
    call.only_list("active", "currency", "product", "type", "created", "lookup_keys")
    active = as_bool(call.params, "active")
    by_fields = field_filter(call.params, "currency", "product", "type")
    by_created = created_filter(call.params)
    items = call.state.newest_first(
        "price",
        lambda p: by_fields(p) and by_created(p) and (active is None or p["active"] is active),
    )
    return call.page(items, "/v1/prices", "price")


def create_coupon(call: ApiCall) -> JSON:
    call.only("id", "name", "percent_off", "amount_off", "currency", "duration",
              "duration_in_months", "max_redemptions", "redeem_by", "metadata")
    coupon = blank("coupon", call.state.now(), name=call.text("name"),
                   metadata=merged_metadata({}, call.params.get("metadata")))
    coupon.update(_discount_terms(call))
    coupon["id"] = _chosen_id(call, "coupon", coupon["id"])
    call.state.add("coupon", coupon)
    call.state.events.record("coupon.created", coupon)
    return call.serve(coupon)


def _discount_terms(call: ApiCall) -> JSON:
    percent, amount = call.params.get("percent_off"), call.params.get("amount_off")
    if bool(percent) == bool(amount):
        raise StripeError.invalid_request(
            "You must pass exactly one of percent_off or amount_off.", param="percent_off"
        )
    duration = call.params.get("duration", "once")
    if duration not in ("once", "repeating", "forever"):
        raise StripeError.invalid_request(f"Invalid duration: {duration}", param="duration")
    return {
        "percent_off": float(percent) if percent else None,
        "amount_off": positive_int(call, "amount_off") if amount else None,
        "currency": str(require(call.params, "currency")).lower() if amount else None,
        "duration": duration,
        "duration_in_months": positive_int(call, "duration_in_months", required=False),
        "max_redemptions": positive_int(call, "max_redemptions", required=False),
        "redeem_by": positive_int(call, "redeem_by", required=False),
    }


def update_coupon(call: ApiCall, id: str) -> JSON:
    call.only("name", "metadata")
    fields = updated_fields(call, call.state.get("coupon", id), "name")
    return call.serve(call.state.update_fields("coupon", id, fields, "coupon.updated"))


def delete_coupon(call: ApiCall, id: str) -> JSON:
    call.only()
    with call.state.lock:
        coupon = copy.deepcopy(call.state.get("coupon", id))
        stub = reference("deleted_coupon") | {"id": id}
        call.state.delete("coupon", id, stub)
        call.state.events.record("coupon.deleted", coupon)
    return stub


def list_coupons(call: ApiCall) -> JSON:
    call.only_list("created")
    return call.page(
        call.state.newest_first("coupon", created_filter(call.params)), "/v1/coupons", "coupon"
    )


def _chosen_id(call: ApiCall, kind: str, generated: str) -> str:
    """The caller's `id` if it gave one (products, coupons); it must be new."""
    chosen = call.text("id")
    if chosen is None:
        return generated
    if call.state.exists(kind, chosen):
        raise StripeError.invalid_request(
            f"{kind.capitalize()} already exists.", param="id", code="resource_already_exists"
        )
    return chosen


def _retrieve(kind: str) -> Handler:
    def retrieve(call: ApiCall, id: str) -> JSON:
        call.only()
        return call.serve(call.state.get(kind, id))

    return retrieve


ROUTES = [
    Route("POST", "/v1/products", "products.create", create_product),
    Route("GET", "/v1/products", "products.list", list_products),
    Route("GET", "/v1/products/<id>", "products.retrieve", _retrieve("product")),
    Route("POST", "/v1/products/<id>", "products.update", update_product),
    Route("POST", "/v1/prices", "prices.create", create_price),
    Route("GET", "/v1/prices", "prices.list", list_prices),
    Route("GET", "/v1/prices/<id>", "prices.retrieve", _retrieve("price")),
    Route("POST", "/v1/prices/<id>", "prices.update", update_price),
    Route("POST", "/v1/coupons", "coupons.create", create_coupon),
    Route("GET", "/v1/coupons", "coupons.list", list_coupons),
    Route("GET", "/v1/coupons/<id>", "coupons.retrieve", _retrieve("coupon")),
    Route("POST", "/v1/coupons/<id>", "coupons.update", update_coupon),
    Route("DELETE", "/v1/coupons/<id>", "coupons.delete", delete_coupon),
]
