"""Every Stripe endpoint of the stand-in, through stripe-python; shapes match the reference."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
import stripe

from tests.reference import published_examples
from tests.sandbox.stripe_helpers import StripeEnv, fixture_objects, raw, reference_keys, stripe_env


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def assert_shape(kind: str, body: dict[str, Any]) -> None:
    """The object has exactly the top-level keys of Stripe's example `kind`."""
    assert set(body) == reference_keys(kind), kind


def assert_list_shape(kind: str, body: dict[str, Any]) -> None:
    assert {"object", "data", "has_more", "url"} <= set(body)
    assert body["object"] == "list"
    assert body["data"], f"empty {kind} list"
    for item in body["data"]:
        assert_shape(kind, item)


def active_account(env: StripeEnv) -> str:
    accounts = raw(env.client.v1.accounts.list())["data"]
    return str(next(a["id"] for a in accounts if a["capabilities"]["transfers"] == "active"))


def test_customers_create_retrieve_update_list_delete(env: StripeEnv) -> None:
    v1 = env.client.v1
    created = v1.customers.create(params={"email": "ops@new.example", "name": "New SA",
                                          "metadata": {"hubspot_deal_id": "42"}})
    assert_shape("customer", raw(created))
    assert created.id.startswith("cus_") and raw(created)["metadata"] == {"hubspot_deal_id": "42"}
    assert_shape("customer", raw(v1.customers.retrieve(created.id)))
    updated = v1.customers.update(created.id, params={"name": "Renamed SA"})
    assert updated.name == "Renamed SA" and updated.email == "ops@new.example"
    assert_shape("customer", raw(updated))
    listed = v1.customers.list(params={"email": "ops@new.example"})
    assert [c.id for c in listed.data] == [created.id]
    assert_list_shape("customer", raw(listed))
    deleted = v1.customers.delete(created.id)
    assert_shape("deleted_customer", raw(deleted))
    again = raw(v1.customers.retrieve(created.id))
    assert again == {"id": created.id, "object": "customer", "deleted": True}


def test_customer_metadata_empty_string_removes_the_key(env: StripeEnv) -> None:
    customer = fixture_objects("customers")[0]
    v1 = env.client.v1
    v1.customers.update(customer["id"], params={"metadata": {"vmc_partner_id": "p1",
                                                             "vmc_attribution_source": "x"}})
    after = v1.customers.update(customer["id"], params={"metadata": {"vmc_attribution_source": ""}})
    assert raw(after)["metadata"] == {**customer["metadata"], "vmc_partner_id": "p1"}
    clear_all: Any = {"metadata": ""}
    cleared = v1.customers.update(customer["id"], params=clear_all)
    assert raw(cleared)["metadata"] == {}


def test_products_prices_and_coupons(env: StripeEnv) -> None:
    v1 = env.client.v1
    product = v1.products.create(params={"name": "Object Storage"})
    assert_shape("product", raw(product))
    price = v1.prices.create(params={"product": product.id, "currency": "eur",
                                     "unit_amount": 1900, "recurring": {"interval": "month"}})
    assert_shape("price", raw(price))
    assert price.recurring is not None and price.recurring.interval == "month"
    coupon = v1.coupons.create(params={"percent_off": 10, "duration": "once"})
    assert_shape("coupon", raw(coupon))
    assert v1.products.update(product.id, params={"active": False}).active is False
    assert v1.prices.update(price.id, params={"nickname": "storage"}).nickname == "storage"
    assert v1.coupons.update(coupon.id, params={"name": "Ten"}).name == "Ten"
    for kind, listed in [("product", v1.products.list()), ("price", v1.prices.list()),
                         ("coupon", v1.coupons.list())]:
        assert_list_shape(kind, raw(listed))
    assert [p.id for p in v1.prices.list(params={"product": product.id}).data] == [price.id]
    assert_shape("product", raw(v1.products.retrieve(product.id)))
    assert_shape("price", raw(v1.prices.retrieve(price.id)))
    assert_shape("coupon", raw(v1.coupons.retrieve(coupon.id)))
    assert_shape("deleted_coupon", raw(v1.coupons.delete(coupon.id)))


def test_subscriptions_create_update_cancel_and_status_all(env: StripeEnv) -> None:
    v1 = env.client.v1
    customer = fixture_objects("customers")[5]["id"]
    price = fixture_objects("prices")[1]["id"]  # yearly
    sub = v1.subscriptions.create(params={"customer": customer, "items": [{"price": price}]})
    body = raw(sub)
    assert_shape("subscription", body)
    assert_shape("subscription_item", body["items"]["data"][0])
    assert body["status"] == "active" and body["currency"] == "eur"
    updated = v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})
    assert updated.cancel_at_period_end is True and updated.cancel_at is not None
    canceled = v1.subscriptions.cancel(sub.id)
    assert canceled.status == "canceled" and canceled.ended_at is not None
    assert_shape("subscription", raw(v1.subscriptions.retrieve(sub.id)))
    default_ids = {s.id for s in v1.subscriptions.list(params={"limit": 100}).auto_paging_iter()}
    all_ids = {s.id for s in v1.subscriptions.list(params={"status": "all"}).auto_paging_iter()}
    fixture_canceled = {s["id"] for s in fixture_objects("subscriptions")
                        if s["status"] == "canceled"}
    assert sub.id not in default_ids and not fixture_canceled & default_ids
    assert {sub.id} | fixture_canceled <= all_ids
    assert_list_shape("subscription", raw(v1.subscriptions.list(params={"status": "all"})))


def test_invoices_retrieve_list_lines_update_and_pay(env: StripeEnv) -> None:
    v1 = env.client.v1
    invoices = fixture_objects("invoices")
    open_invoice = next(i for i in invoices if i["status"] == "open")
    assert_shape("invoice", raw(v1.invoices.retrieve(open_invoice["id"])))
    listed = v1.invoices.list(params={"customer": open_invoice["customer"], "status": "open"})
    assert [i.id for i in listed.data] == [open_invoice["id"]]
    assert_list_shape("invoice", raw(v1.invoices.list()))
    lines = raw(v1.invoices.line_items.list(open_invoice["id"]))
    assert_list_shape("line_item", lines)
    updated = v1.invoices.update(open_invoice["id"], params={"metadata": {"k": "v"}})
    assert raw(updated)["metadata"] == {"k": "v"}
    paid = raw(v1.invoices.pay(open_invoice["id"]))
    assert_shape("invoice", paid)
    assert paid["status"] == "paid" and paid["amount_paid"] == open_invoice["amount_due"]
    assert paid["status_transitions"]["paid_at"] == int(env.clock.now().timestamp())
    with pytest.raises(stripe.InvalidRequestError):
        v1.invoices.pay(open_invoice["id"])


def test_accounts_with_transfers_capability(env: StripeEnv) -> None:
    v1 = env.client.v1
    listed = raw(v1.accounts.list())
    assert_list_shape("account", listed)
    states = {a["capabilities"]["transfers"] for a in listed["data"]}
    assert states == {"active", "inactive"}
    account = v1.accounts.retrieve(listed["data"][0]["id"])
    assert_shape("account", raw(account))
    updated = v1.accounts.update(account.id, params={"metadata": {"vmc_partner_id": "p9"}})
    assert raw(updated)["metadata"]["vmc_partner_id"] == "p9"


def test_transfers_create_retrieve_list_by_group_and_destination(env: StripeEnv) -> None:
    v1 = env.client.v1
    destination = active_account(env)
    params: Any = {"amount": 48000, "currency": "eur", "destination": destination,
                   "transfer_group": "po_2026_05_p1", "description": "Partner 1, May 2026",
                   "metadata": {"vmc_payout_id": "po_2026_05_p1", "vmc_partner_id": "p1"}}
    transfer = v1.transfers.create(params=params)
    assert_shape("transfer", raw(transfer))
    assert transfer.id.startswith("tr_") and transfer.amount == 48000
    other_params: Any = {**params, "transfer_group": "po_other"}
    other = v1.transfers.create(params=other_params)
    assert_shape("transfer", raw(v1.transfers.retrieve(transfer.id)))
    by_group = v1.transfers.list(params={"transfer_group": "po_2026_05_p1"})
    assert [t.id for t in by_group.data] == [transfer.id]
    by_destination = v1.transfers.list(params={"destination": destination})
    assert [t.id for t in by_destination.data] == [other.id, transfer.id]
    assert_list_shape("transfer", raw(by_destination))
    assert v1.transfers.update(transfer.id, params={"description": "x"}).description == "x"


def test_balance_reflects_transfers(env: StripeEnv) -> None:
    env.sandbox.set_balance(100_00)
    v1 = env.client.v1
    v1.transfers.create(params={"amount": 30_00, "currency": "eur",
                                "destination": active_account(env)})
    balance = raw(v1.balance.retrieve())
    assert_shape("balance", balance)
    assert balance["available"][0] == {"amount": 70_00, "currency": "eur",
                                       "source_types": {"card": 70_00}}


def test_events_retrieve_and_list_shapes(env: StripeEnv) -> None:
    v1 = env.client.v1
    created = v1.customers.create(params={"email": "e@x.example"})
    listed = raw(v1.events.list())
    assert_list_shape("event", listed)
    event = v1.events.retrieve(listed["data"][0]["id"])
    assert_shape("event", raw(event))
    assert event.type == "customer.created" and event.data.object["id"] == created.id


def test_vendored_reference_objects_are_the_published_ones() -> None:
    """The stand-in builds new objects from its own copy of Stripe's examples: a copy of
    the published file (tests/reference/), resource by resource."""
    vendored = json.loads(resources.files("sandbox.stripe").joinpath(
        "reference_objects.json").read_text(encoding="utf-8"))
    published = published_examples()
    assert sorted(vendored) == ["account", "balance", "coupon", "customer", "deleted_coupon",
                                "deleted_customer", "deleted_product",
                                "deleted_webhook_endpoint", "event", "invoice", "line_item",
                                "price", "product", "subscription", "subscription_item",
                                "transfer", "webhook_endpoint"]
    for name, example in vendored.items():
        assert example == published[name], name
