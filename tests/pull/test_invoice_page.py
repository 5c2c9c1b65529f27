"""A full listing's invoice and subscription pages are decoded straight into what the
mirror keeps (``invoice_page``, ``subscription_page``): stored, they must be exactly
what decoding everything and ``kept`` give, whatever the page holds."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.pull.kept import (
    INVOICE,
    INVOICE_LINE,
    INVOICE_LINES,
    SUBSCRIPTION,
    invoice_page,
    kept,
    subscription_page,
)
from sync.pull.mirror_inputs import Mirrored
from sync.runtime import fastjson
from tests.pull.support import DEMO

KIND = Mirrored.STRIPE_INVOICE.value
SUBSCRIPTIONS = Mirrored.STRIPE_SUBSCRIPTION.value
JSON = dict[str, Any]


def _stored(page: JSON) -> tuple[list[Any], Any]:
    """What the gateway yields (objects only) as the store keeps it, and ``has_more``."""
    items = [kept(KIND, item) for item in page.get("data") or () if isinstance(item, dict)]
    return items, page.get("has_more")


def _same_as_whole(raw: bytes) -> None:
    assert _stored(invoice_page(raw)) == _stored(fastjson.loads(raw))


def _page(invoices: list[Any]) -> bytes:
    return json.dumps({"object": "list", "url": "/v1/invoices", "has_more": True,
                       "data": invoices}).encode()


def _demo_invoices() -> list[JSON]:
    loaded: list[JSON] = json.loads((DEMO / "stripe/invoices.json").read_text("utf-8"))
    return loaded


def test_the_demo_s_invoices_are_kept_alike_and_not_copied_again() -> None:
    raw = _page(_demo_invoices())
    _same_as_whole(raw)
    decoded = invoice_page(raw)["data"]
    assert all(kept(KIND, invoice) is invoice for invoice in decoded)  # nothing to drop
    assert all(set(invoice) <= INVOICE for invoice in decoded)


def _with(field: str, value: Any, *, line: bool = False) -> bytes:
    invoice = _demo_invoices()[0]
    if line:
        invoice["lines"]["data"][0][field] = value
    else:
        invoice[field] = value
    return _page([invoice])


def test_odd_values_read_as_the_whole_decoding_reads_them() -> None:
    cases = [
        _with("amount_paid", 10**30),  # beyond 64 bits: kept exact
        _with("total", -(2**64)),
        _with("lines", "not an object"),
        _with("lines", {"object": "list", "data": "not a list", "extra": 1}),
        _with("status_transitions", None),  # a field of another shape, kept as it is
        _with("amount", 1.5, line=True),
        _with("unread_field", {"deep": [1, {"x": None}]}),
        _page(["an invoice that is a string", {"id": "in_1", "status": "paid"}]),
    ]
    invoice = _demo_invoices()[0]
    invoice["lines"]["data"].append("a line that is a string")
    cases.append(_page([invoice]))
    for raw in cases:
        _same_as_whole(raw)


def test_what_only_the_standard_library_reads_falls_back_to_it() -> None:
    text = _page(_demo_invoices()[:1]).decode()
    nan = text.replace('"total": ', '"unread": NaN, "total": ', 1).encode()
    surrogate = text.replace('"total": ', '"description": "\\ud800", "total": ', 1).encode()
    duplicate = text.replace('"total": ', '"total": 1, "total": ', 1).encode()
    for raw in (nan, surrogate, duplicate):
        _same_as_whole(raw)
    assert invoice_page(nan)["data"][0]["unread"] != invoice_page(nan)["data"][0]["unread"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                               max_size=3),
    max_leaves=8)
line_keys = st.sampled_from(sorted(INVOICE_LINE | {"tax_amounts", "metadata", "quantity"}))
lines_keys = st.sampled_from(sorted(INVOICE_LINES | {"extra"}))
invoice_keys = st.sampled_from(sorted(INVOICE | {"customer_address", "hosted_invoice_url"}))
lines = st.fixed_dictionaries({}, optional={"data": st.lists(
    st.dictionaries(line_keys, json_values, max_size=6) | json_values, max_size=3)}) | st.tuples(
    st.dictionaries(lines_keys, json_values, max_size=4)).map(lambda one: one[0])
invoices = st.builds(lambda fields, listed: {**fields, **({"lines": listed} if listed else {})},
                     st.dictionaries(invoice_keys, json_values, max_size=8),
                     st.none() | lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(invoices | json_values, max_size=4), json_values)
def test_any_page_is_stored_as_decoding_it_whole_stores_it(items: list[Any],
                                                           has_more: Any) -> None:
    raw = json.dumps({"object": "list", "data": items, "has_more": has_more}).encode()
    _same_as_whole(raw)


@given(st.binary(max_size=40))
def test_bytes_that_are_not_a_page_fail_as_they_would_whole(raw: bytes) -> None:
    try:
        whole = fastjson.loads(raw)
    except ValueError:
        try:
            invoice_page(raw)
        except ValueError:
            return
        raise AssertionError("decoded what the whole decoding refuses") from None
    if isinstance(whole, dict):
        _same_as_whole(raw)


subscriptions = st.dictionaries(
    st.sampled_from(sorted(SUBSCRIPTION | {"items", "plan", "latest_invoice"})), json_values,
    max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(subscriptions | json_values, max_size=4), json_values)
def test_any_subscription_page_is_stored_as_decoding_it_whole_stores_it(
        items: list[Any], has_more: Any) -> None:
    raw = json.dumps({"object": "list", "data": items, "has_more": has_more}).encode()

    def stored(page: JSON) -> tuple[list[Any], Any]:
        return ([kept(SUBSCRIPTIONS, item) for item in page.get("data") or ()
                 if isinstance(item, dict)], page.get("has_more"))

    assert stored(subscription_page(raw)) == stored(fastjson.loads(raw))


def test_the_demo_s_subscriptions_are_kept_alike_and_not_copied_again() -> None:
    listed = json.loads((DEMO / "stripe/subscriptions.json").read_text("utf-8"))
    raw = json.dumps({"object": "list", "data": listed, "has_more": False}).encode()
    decoded = subscription_page(raw)["data"]
    assert decoded == [kept(SUBSCRIPTIONS, item) for item in listed]
    assert all(kept(SUBSCRIPTIONS, item) is item for item in decoded)


def test_the_mirror_keeps_no_subscription_field_outside_parent() -> None:
    """The mapping reads an invoice's subscriptions under ``parent`` only (API
    2026-10-28.endive): the removed top-level ``subscription`` and the line fields of the
    older shapes are not kept, whether they arrive in a listing or alone."""
    old = _demo_invoices()[0]
    old["subscription"] = "sub_old"
    old["lines"]["data"][0].update(type="subscription", proration=False,
                                   subscription_item="si_old", price="price_old", plan=None)
    for slim in (kept(KIND, old), invoice_page(_page([old]))["data"][0]):
        assert "subscription" not in slim
        assert "parent" in slim
        assert set(slim["lines"]["data"][0]) == {
            "id", "object", "amount", "currency", "period", "discount_amounts", "parent",
            "pricing", "invoice"}
