"""Gateway reads against the Stripe sandbox, through the real SDK: complete listings in
the fewest calls, every invoice line, events oldest first, Connect accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mappings.stripe.billing import invoices_from_stripe
from sandbox.stripe.fixtures import add_object
from tests.adapters.stripe_support import (
    StripeEnv,
    fixture_objects,
    gateway,
    invoice_with_lines,
    minimum_calls,
    seed_clones,
    stripe_env,
)


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


LISTINGS = [
    # (gateway method, sandbox kind, fixture file, call-log endpoint)
    ("customers", "customer", "customers", "customers.list"),
    ("prices", "price", "prices", "prices.list"),
    ("subscriptions", "subscription", "subscriptions", "subscriptions.list"),
    ("invoices", "invoice", "invoices", "invoices.list"),
]


@pytest.mark.parametrize(("method", "kind", "name", "endpoint"), LISTINGS)
@pytest.mark.parametrize("extra", [0, 100 - 4, 188])
def test_listing_returns_every_object_in_the_fewest_calls(
    env: StripeEnv, method: str, kind: str, name: str, endpoint: str, extra: int
) -> None:
    seeded = fixture_objects(name)
    # Single-line template so invoices need no extra line pages here.
    template = next(o for o in seeded if kind != "invoice" or len(o["lines"]["data"]) == 1)
    clones = seed_clones(env.sandbox, kind, template, extra)
    listed = list(getattr(gateway(env.url), method)())
    expected = {o["id"] for o in seeded} | set(clones)
    ids = [o["id"] for o in listed]
    assert set(ids) == expected and len(ids) == len(expected)  # all, none twice
    assert env.sandbox.calls.count(endpoint=endpoint) == minimum_calls(len(expected))


def test_listings_are_plain_json_in_the_pinned_shape(env: StripeEnv) -> None:
    by_id = {p["id"]: p for p in fixture_objects("prices")}
    for price in gateway(env.url).prices():
        assert price == by_id[price["id"]]  # decimal strings stay strings, nothing added
        assert type(price) is dict and type(price["recurring"]) is dict


def test_subscriptions_include_ended_ones(env: StripeEnv) -> None:
    listed = list(gateway(env.url).subscriptions())
    assert {s["status"] for s in listed} == {s["status"] for s in fixture_objects("subscriptions")}
    assert len(listed) == len(fixture_objects("subscriptions"))


def test_invoice_lines_beyond_the_first_page_are_all_returned(env: StripeEnv) -> None:
    templates = fixture_objects("invoices")
    big = invoice_with_lines(templates[0], 235, "in_gwbig0001")
    add_object(env.sandbox.state, "invoice", big, emit_event=False)
    fifteen = next(i for i in templates if len(i["lines"]["data"]) == 15)

    invoices = {i["id"]: i for i in gateway(env.url).invoices()}

    got = invoices["in_gwbig0001"]["lines"]
    assert [line["id"] for line in got["data"]] == [line["id"] for line in big["lines"]["data"]]
    assert got["has_more"] is False
    assert invoices[fifteen["id"]]["lines"]["data"] == fifteen["lines"]["data"]
    # 10 embedded; 225 more in pages of 100 (3 calls); 5 more for the other (1 call).
    assert env.sandbox.calls.count(endpoint="invoices.lines") == 3 + 1
    mapped, quarantined = invoices_from_stripe(invoices.values())
    assert quarantined == [] and len(mapped) == len(invoices)
    assert len(next(i for i in mapped if i.id == "in_gwbig0001").lines) == 235


def test_invoices_created_since(env: StripeEnv) -> None:
    templates = fixture_objects("invoices")
    since = sorted(i["created"] for i in templates)[4]
    listed = list(gateway(env.url).invoices(created_gte=since))
    assert {i["id"] for i in listed} == {i["id"] for i in templates if i["created"] >= since}


def test_events_filtered_by_type_and_time_oldest_first(env: StripeEnv) -> None:
    customer_ids = [c["id"] for c in fixture_objects("customers")]
    stripe = gateway(env.url)
    stripe.update_customer_metadata(customer_ids[0], {"vmc_partner_id": "p1"}, "k-0")
    env.clock.advance(10)
    cutoff = int(env.clock.now().timestamp())
    for n, customer_id in enumerate(customer_ids[1:4], start=1):
        env.clock.advance(1)
        stripe.update_customer_metadata(customer_id, {"vmc_partner_id": f"p{n}"}, f"k-{n}")
    env.sandbox.state.update_fields("price", fixture_objects("prices")[0]["id"],
                                    {"nickname": "x"}, "price.updated")

    events = stripe.events(["customer.updated"], created_gt=cutoff)

    assert [e["data"]["object"]["id"] for e in events] == customer_ids[1:4]
    assert [e["created"] for e in events] == sorted(e["created"] for e in events)
    assert all(e["type"] == "customer.updated" for e in events)
    assert env.sandbox.calls.count(endpoint="events.list") == 1


def test_events_page_through_more_than_a_hundred(env: StripeEnv) -> None:
    customer_id = fixture_objects("customers")[0]["id"]
    for n in range(130):
        env.sandbox.state.update_fields("customer", customer_id,
                                        {"metadata": {"n": str(n)}}, "customer.updated")
    events = gateway(env.url).events(["customer.updated", "invoice.paid"], created_gt=0)
    assert [e["data"]["object"]["metadata"]["n"] for e in events] == [str(n) for n in range(130)]
    assert env.sandbox.calls.count(endpoint="events.list") == 2


def test_account_is_returned_when_connected(env: StripeEnv) -> None:
    account = fixture_objects("accounts")[0]
    assert gateway(env.url).account(account["id"]) == account


def test_missing_account_is_none_not_an_error(env: StripeEnv) -> None:
    assert gateway(env.url).account("acct_doesnotexist00") is None
    assert env.sandbox.calls.count(endpoint="accounts.retrieve") == 1  # not retried


def test_too_many_event_types_is_refused_before_calling() -> None:
    with pytest.raises(ValueError, match="at most 20"):
        gateway("http://127.0.0.1:9").events([f"t{n}" for n in range(21)], created_gt=0)
