"""Seeding verbatim, list pagination, invoice lines past the first page, and `expand`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.sandbox.stripe_helpers import StripeEnv, fixture_objects, raw, stripe_env


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def newest_first(objects: list[dict[str, Any]]) -> list[str]:
    # Fixture customers have distinct `created`, so this is Stripe's order.
    return [o["id"] for o in sorted(objects, key=lambda o: o["created"], reverse=True)]


def test_fixture_objects_are_served_verbatim(env: StripeEnv) -> None:
    v1 = env.client.v1
    retrieve = {
        "customers": v1.customers.retrieve,
        "products": v1.products.retrieve,
        "prices": v1.prices.retrieve,
        "coupons": v1.coupons.retrieve,
        "subscriptions": v1.subscriptions.retrieve,
        "accounts": v1.accounts.retrieve,
    }
    for name, get in retrieve.items():
        for obj in fixture_objects(name):
            assert raw(get(obj["id"])) == obj, f"{name} {obj['id']}"
    for invoice in fixture_objects("invoices"):
        if len(invoice["lines"]["data"]) <= 10:
            assert raw(v1.invoices.retrieve(invoice["id"])) == invoice


def test_list_is_newest_first_with_has_more(env: StripeEnv) -> None:
    expected = newest_first(fixture_objects("customers"))
    page = env.client.v1.customers.list(params={"limit": 5})
    assert [c.id for c in page.data] == expected[:5]
    assert page.has_more is True
    whole = env.client.v1.customers.list(params={"limit": 100})
    assert [c.id for c in whole.data] == expected and whole.has_more is False


def test_starting_after_pages_forward_to_the_end(env: StripeEnv) -> None:
    expected = newest_first(fixture_objects("customers"))
    v1 = env.client.v1
    second = v1.customers.list(params={"limit": 5, "starting_after": expected[4]})
    assert [c.id for c in second.data] == expected[5:10] and second.has_more is True
    last = v1.customers.list(params={"limit": 5, "starting_after": expected[9]})
    assert [c.id for c in last.data] == expected[10:] and last.has_more is False
    walked = [c.id for c in v1.customers.list(params={"limit": 3}).auto_paging_iter()]
    assert walked == expected


def test_ending_before_pages_backward(env: StripeEnv) -> None:
    expected = newest_first(fixture_objects("customers"))
    v1 = env.client.v1
    page = v1.customers.list(params={"limit": 3, "ending_before": expected[8]})
    assert [c.id for c in page.data] == expected[5:8] and page.has_more is True
    first = v1.customers.list(params={"limit": 3, "ending_before": expected[2]})
    assert [c.id for c in first.data] == expected[:2] and first.has_more is False


def test_new_objects_come_first_and_bad_cursors_fail(env: StripeEnv) -> None:
    v1 = env.client.v1
    created = v1.customers.create(params={"email": "newest@x.example"})
    assert v1.customers.list(params={"limit": 1}).data[0].id == created.id
    with pytest.raises(stripe.InvalidRequestError) as missing:
        v1.customers.list(params={"starting_after": "cus_nope"})
    assert missing.value.code == "resource_missing" and missing.value.param == "starting_after"
    with pytest.raises(stripe.InvalidRequestError) as too_many:
        v1.customers.list(params={"limit": 101})
    assert too_many.value.param == "limit"


def test_invoice_embeds_first_page_of_lines_and_pages_the_rest(env: StripeEnv) -> None:
    big = next(i for i in fixture_objects("invoices") if len(i["lines"]["data"]) > 10)
    all_lines = big["lines"]["data"]
    v1 = env.client.v1
    served = raw(v1.invoices.retrieve(big["id"]))
    assert served["lines"]["data"] == all_lines[:10]
    assert served["lines"]["has_more"] is True
    assert served["lines"]["url"] == f"/v1/invoices/{big['id']}/lines"
    assert {k: v for k, v in served.items() if k != "lines"} == {
        k: v for k, v in big.items() if k != "lines"
    }
    rest = v1.invoices.line_items.list(big["id"], params={"starting_after": all_lines[9]["id"]})
    assert raw(rest)["data"] == all_lines[10:] and rest.has_more is False
    walked = [li.id for li in v1.invoices.line_items.list(big["id"]).auto_paging_iter()]
    assert walked == [li["id"] for li in all_lines]
    in_list = next(i for i in raw(v1.invoices.list(params={"limit": 100}))["data"]
                   if i["id"] == big["id"])
    assert len(in_list["lines"]["data"]) == 10 and in_list["lines"]["has_more"] is True


def test_line_page_size_is_configurable(env: StripeEnv) -> None:
    env.control.records(action="config", invoice_lines_page_size=4)
    big = next(i for i in fixture_objects("invoices") if len(i["lines"]["data"]) > 10)
    served = raw(env.client.v1.invoices.retrieve(big["id"]))
    assert len(served["lines"]["data"]) == 4 and served["lines"]["has_more"] is True


def test_lines_carry_the_pinned_shape(env: StripeEnv) -> None:
    invoice = next(i for i in fixture_objects("invoices") if i["status"] == "paid")
    line = raw(env.client.v1.invoices.line_items.list(invoice["id"]))["data"][0]
    assert line["pricing"]["price_details"]["price"].startswith("price_")
    details = line["parent"]["subscription_item_details"]
    assert details["subscription"] == invoice["parent"]["subscription_details"]["subscription"]
    assert details["proration"] is False


def test_expand_on_retrieve_list_and_nested(env: StripeEnv) -> None:
    v1 = env.client.v1
    sub = fixture_objects("subscriptions")[0]
    customer = next(c for c in fixture_objects("customers") if c["id"] == sub["customer"])
    expanded = raw(v1.subscriptions.retrieve(sub["id"], params={"expand": ["customer"]}))
    assert expanded["customer"] == customer
    listed = raw(v1.subscriptions.list(params={"expand": ["data.customer"]}))
    assert all(isinstance(s["customer"], dict) for s in listed["data"])
    nested = raw(v1.subscriptions.retrieve(
        sub["id"], params={"expand": ["items.data.price.product"]}
    ))
    product = nested["items"]["data"][0]["price"]["product"]
    assert product["object"] == "product"
    invoice = fixture_objects("invoices")[0]
    with_customer = v1.invoices.retrieve(invoice["id"], params={"expand": ["customer"]})
    assert with_customer.customer.email == customer["email"]  # type: ignore[union-attr]
    with pytest.raises(stripe.InvalidRequestError) as bad:
        v1.customers.retrieve(customer["id"], params={"expand": ["email"]})
    assert bad.value.param == "expand"
