"""Events: recorded for every change (API or control), filtered, newest first, 30 days."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.sandbox.stripe_helpers import StripeEnv, fixture_objects, raw, stripe_env

DAY = 24 * 60 * 60


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def events(env: StripeEnv, **params: Any) -> list[dict[str, Any]]:
    query: Any = {"limit": 100, **params}
    listed: list[dict[str, Any]] = raw(env.client.v1.events.list(params=query))["data"]
    return listed


def types(env: StripeEnv, **params: Any) -> list[str]:
    return [e["type"] for e in events(env, **params)]


def test_seeding_records_no_events(env: StripeEnv) -> None:
    assert events(env) == []


def test_api_changes_record_events_newest_first(env: StripeEnv) -> None:
    v1 = env.client.v1
    customer = v1.customers.create(params={"email": "a@x.example", "metadata": {"k": "1"}})
    env.clock.advance(5)
    v1.customers.update(customer.id, params={"metadata": {"k": "2"}})
    env.clock.advance(5)
    v1.customers.delete(customer.id)
    assert types(env) == ["customer.deleted", "customer.updated", "customer.created"]
    updated = events(env, type="customer.updated")[0]
    assert updated["data"]["object"]["metadata"] == {"k": "2"}
    assert updated["data"]["previous_attributes"] == {"metadata": {"k": "1"}}
    assert updated["request"]["id"].startswith("req_")
    assert updated["request"]["idempotency_key"]
    assert updated["api_version"] == "2026-10-28.endive"


def test_subscription_lifecycle_events(env: StripeEnv) -> None:
    v1 = env.client.v1
    customer = fixture_objects("customers")[6]["id"]
    price = fixture_objects("prices")[0]["id"]
    sub = v1.subscriptions.create(params={"customer": customer, "items": [{"price": price}]})
    v1.subscriptions.update(sub.id, params={"metadata": {"plan": "x"}})
    v1.subscriptions.cancel(sub.id)
    assert types(env) == ["customer.subscription.deleted", "customer.subscription.updated",
                          "customer.subscription.created"]


def test_paying_an_invoice_records_invoice_paid(env: StripeEnv) -> None:
    open_invoice = next(i for i in fixture_objects("invoices") if i["status"] == "open")
    env.client.v1.invoices.pay(open_invoice["id"])
    paid = events(env, type="invoice.paid")[0]
    assert paid["data"]["object"]["id"] == open_invoice["id"]
    assert paid["data"]["object"]["status"] == "paid"
    assert set(types(env)) == {"invoice.paid", "invoice.payment_succeeded", "invoice.updated"}


def test_control_changes_record_the_events_stripe_would_emit(env: StripeEnv) -> None:
    invoices = fixture_objects("invoices")
    draft = next(i for i in invoices if i["status"] == "draft")
    env.control.records(action="pay_invoice", id=draft["id"])
    customer = fixture_objects("customers")[0]
    env.control.records(action="update", object="customer", id=customer["id"],
                        fields={"email": "new@x.example"})
    env.control.records(action="delete_customer", id=customer["id"])
    kinds = types(env)
    assert kinds[0] == "customer.deleted"
    assert "customer.subscription.deleted" in kinds  # its subscription ended with it
    assert {"customer.updated", "invoice.paid", "invoice.updated"} <= set(kinds)
    control_made = events(env, type="customer.updated")[0]
    assert control_made["request"] == {"id": None, "idempotency_key": None}
    assert raw(env.client.v1.customers.retrieve(customer["id"]))["deleted"] is True
    paid = env.client.v1.invoices.retrieve(draft["id"])
    assert paid.status == "paid" and paid.status_transitions.paid_at is not None


def test_control_add_records_created_event(env: StripeEnv) -> None:
    invoice = dict(fixture_objects("invoices")[0], id="in_added_by_control")
    env.control.records(action="add", object="invoice", data=invoice)
    created = events(env, type="invoice.created")[0]
    assert created["data"]["object"]["id"] == "in_added_by_control"
    assert env.client.v1.invoices.retrieve("in_added_by_control").id == "in_added_by_control"


def test_types_and_wildcard_type_filters(env: StripeEnv) -> None:
    v1 = env.client.v1
    customer = v1.customers.create(params={"email": "t@x.example"})
    v1.customers.update(customer.id, params={"name": "T"})
    v1.products.create(params={"name": "P"})
    assert types(env, types=["customer.created", "product.created"]) == [
        "product.created", "customer.created"
    ]
    assert types(env, type="customer.*") == ["customer.updated", "customer.created"]
    with pytest.raises(stripe.InvalidRequestError):
        events(env, type="customer.created", types=["product.created"])


def test_created_range_filters(env: StripeEnv) -> None:
    v1 = env.client.v1
    start = int(env.clock.now().timestamp())
    for n in range(3):
        v1.products.create(params={"name": f"P{n}"})
        env.clock.advance(10)
    names = [e["data"]["object"]["name"] for e in events(env, created={"gte": start + 10})]
    assert names == ["P2", "P1"]
    names = [e["data"]["object"]["name"] for e in events(env, created={"gt": start, "lt": start + 20})]
    assert names == ["P1"]
    assert len(events(env, created={"lte": start})) == 1


def test_events_are_kept_30_days(env: StripeEnv) -> None:
    v1 = env.client.v1
    old = v1.products.create(params={"name": "old"})
    env.clock.advance(20 * DAY)
    v1.products.create(params={"name": "recent"})
    event_id = events(env, type="product.created")[-1]["id"]
    env.clock.advance(10 * DAY + 1)
    assert [e["data"]["object"]["name"] for e in events(env)] == ["recent"]
    with pytest.raises(stripe.InvalidRequestError) as gone:
        v1.events.retrieve(event_id)
    assert gone.value.http_status == 404
    assert v1.products.retrieve(old.id).name == "old"  # only the event expired


def test_events_page_like_every_list(env: StripeEnv) -> None:
    v1 = env.client.v1
    for n in range(5):
        v1.products.create(params={"name": f"P{n}"})
    walked = [e.data.object["name"] for e in v1.events.list(params={"limit": 2}).auto_paging_iter()]
    assert walked == ["P4", "P3", "P2", "P1", "P0"]
