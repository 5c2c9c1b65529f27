"""The Stripe stand-in posts every event it records, signed as Stripe signs, to the
control target and to each enabled `/v1/webhook_endpoints` endpoint; a receiver in the
test verifies each signature with the stripe SDK's own `Webhook.construct_event`."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import stripe

from tests.reference import pinned_keys
from tests.sandbox.stripe_helpers import StripeEnv, fixture_objects, raw
from tests.sandbox.webhooks.checks import FAST, STRIPE_SECRET, event_ids, verified
from tests.sandbox.webhooks.receiver import Receiver

PATH = "/webhooks/stripe"


def listen(env: StripeEnv, receiver: Receiver, **settings: Any) -> dict[str, Any]:
    return env.control.webhooks(url=receiver.url + PATH, secret=STRIPE_SECRET,
                                retry=settings.pop("retry", FAST), **settings)


def listed_events(env: StripeEnv) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = raw(env.client.v1.events.list(params={"limit": 100}))["data"]
    return events


def test_a_change_through_the_sdk_arrives_signed_in_the_event_shape(
        env: StripeEnv, receiver: Receiver) -> None:
    listen(env, receiver)
    customer = env.client.v1.customers.create(params={"email": "a@x.example"})
    env.client.v1.customers.update(customer.id, params={"metadata": {"deal": "201"}})
    created, updated = receiver.wait_for_count(2)
    assert [created.path, updated.path] == [PATH, PATH]
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", str(updated.header("Stripe-Signature")))
    assert updated.header("Content-Type") == "application/json; charset=utf-8"
    event = verified(updated)
    body = json.loads(updated.body)
    assert set(body) == pinned_keys("event")
    assert (event.type, event.data.object["id"]) == ("customer.updated", customer.id)
    assert body["data"]["previous_attributes"] == {"metadata": {}}
    assert body["data"]["object"]["metadata"] == {"deal": "201"}
    assert body["pending_webhooks"] == 1 and body["livemode"] is False
    assert body["request"]["id"].startswith("req_")
    assert verified(created).type == "customer.created"
    # The very events `GET /v1/events` serves (the worker's incremental pull reads them).
    assert event_ids([updated, created]) == [e["id"] for e in listed_events(env)]


def test_a_wrong_secret_is_refused_by_the_sdk(env: StripeEnv, receiver: Receiver) -> None:
    listen(env, receiver)
    env.client.v1.customers.create(params={"email": "a@x.example"})
    (request,) = receiver.wait_for_count(1)
    with pytest.raises(stripe.SignatureVerificationError):
        verified(request, "whsec_someone_else")


def test_webhook_endpoints_through_the_sdk(env: StripeEnv) -> None:
    endpoints = env.client.v1.webhook_endpoints
    created = endpoints.create(params={"url": "http://127.0.0.1:9/hooks",
                                       "enabled_events": ["invoice.paid", "customer.updated"],
                                       "description": "worker"})
    assert re.fullmatch(r"whsec_[A-Za-z0-9]{32}", str(created.secret))
    assert set(raw(created)) == pinned_keys("webhook_endpoint") | {"secret"}
    assert created.id.startswith("we_") and created.status == "enabled"
    fetched = raw(endpoints.retrieve(created.id))
    assert "secret" not in fetched and set(fetched) == pinned_keys("webhook_endpoint")
    assert [e.id for e in endpoints.list().data] == [created.id]
    changed = endpoints.update(created.id, params={"enabled_events": ["*"], "disabled": True,
                                                   "url": "https://partners.example/hooks"})
    assert (changed.enabled_events, changed.status, changed.url) == (
        ["*"], "disabled", "https://partners.example/hooks")
    deleted = endpoints.delete(created.id)
    assert (deleted.id, deleted.deleted) == (created.id, True)
    assert endpoints.list().data == []
    with pytest.raises(stripe.InvalidRequestError) as missing:
        endpoints.retrieve(created.id)
    assert missing.value.http_status == 404


def test_endpoints_missing_or_bad_parameters_get_stripes_errors(env: StripeEnv) -> None:
    endpoints = env.client.v1.webhook_endpoints
    with pytest.raises(stripe.InvalidRequestError) as no_events:
        endpoints.create(params={"url": "http://127.0.0.1:9/hooks"})  # type: ignore[typeddict-item]
    assert (no_events.value.code, no_events.value.param) == ("parameter_missing",
                                                             "enabled_events")
    with pytest.raises(stripe.InvalidRequestError) as bad_url:
        endpoints.create(params={"url": "ftp://x", "enabled_events": ["*"]})
    assert bad_url.value.param == "url"


def test_each_enabled_endpoint_gets_the_events_it_listens_to(
        env: StripeEnv, receiver: Receiver) -> None:
    endpoints = env.client.v1.webhook_endpoints
    paid_only = endpoints.create(params={"url": receiver.url + "/paid",
                                         "enabled_events": ["invoice.paid"]})
    everything = endpoints.create(params={"url": receiver.url + "/all",
                                          "enabled_events": ["*"]})
    off = endpoints.create(params={"url": receiver.url + "/off", "enabled_events": ["*"]})
    endpoints.update(off.id, params={"disabled": True})
    draft = next(i for i in fixture_objects("invoices") if i["status"] == "draft")
    env.control.records(action="pay_invoice", id=draft["id"])
    receiver.wait_for_count(4)
    assert [verified(r, paid_only.secret).type for r in receiver.received("/paid")] == [
        "invoice.paid"]
    assert [verified(r, everything.secret).type for r in receiver.received("/all")] == [
        "invoice.updated", "invoice.paid", "invoice.payment_succeeded"]
    assert receiver.received("/off") == []
    paid = next(e for e in listed_events(env) if e["type"] == "invoice.paid")
    assert paid["pending_webhooks"] == 0  # both endpoints answered 2xx
    assert json.loads(receiver.received("/paid")[0].body)["pending_webhooks"] == 2


def test_a_refused_delivery_is_retried_until_it_is_accepted(
        env: StripeEnv, receiver: Receiver) -> None:
    receiver.answers = [500, 503]
    listen(env, receiver)
    env.client.v1.customers.create(params={"email": "a@x.example"})
    requests = receiver.wait_for_count(3)
    assert len(set(event_ids(requests))) == 1
    assert all(verified(r).type == "customer.created" for r in requests)
    log = env.control.deliveries()["deliveries"]
    assert [(a["attempt"], a["status"], a["result"]) for a in log] == [
        (1, 500, "retry"), (2, 503, "retry"), (3, 200, "delivered")]


def test_a_delivery_refused_every_time_is_given_up_after_max_attempts(
        env: StripeEnv, receiver: Receiver) -> None:
    receiver.answers = [500] * 5
    listen(env, receiver, retry={**FAST, "max_attempts": 2})
    env.client.v1.customers.create(params={"email": "a@x.example"})
    receiver.wait_for_count(2)
    env.sandbox.close()  # nothing left to send: the sender stops at once
    assert [a["result"] for a in env.control.deliveries()["deliveries"]] == ["retry", "failed"]
    assert len(receiver.received()) == 2


def test_the_control_api_refuses_bad_settings_and_never_shows_the_secret(
        env: StripeEnv, receiver: Receiver) -> None:
    shown = listen(env, receiver)
    assert STRIPE_SECRET not in json.dumps(shown) and shown["url"] == receiver.url + PATH
    for bad in ({"url": "not a url"}, {"faults": {"explode": {"count": 1}}},
                {"faults": {"drop": {"count": 1, "probability": 0.5}}},
                {"retry": {"max_attempts": 0}}, {"colour": "red"}):
        with pytest.raises(Exception, match="400"):
            env.control.webhooks(**bad)
    stopped = env.control.stop_webhooks()
    assert stopped["url"] is None
    env.client.v1.customers.create(params={"email": "a@x.example"})
    assert env.control.deliveries()["pending"] == 0 and receiver.received() == []


def test_the_log_can_be_read_in_part(env: StripeEnv, receiver: Receiver) -> None:
    listen(env, receiver)
    for n in range(3):
        env.client.v1.customers.create(params={"email": f"c{n}@x.example"})
    receiver.wait_for_count(3)
    full = env.control.deliveries()
    assert [a["delivery"] for a in full["deliveries"]] == ["whd_1", "whd_2", "whd_3"]
    assert [a["delivery"] for a in env.control.deliveries(2)["deliveries"]] == ["whd_2", "whd_3"]
    assert env.control.deliveries(10)["deliveries"] == full["deliveries"]
    short = env.control.deliveries(0)
    assert short["deliveries"] == [] and short["counts"] == {"delivered": 3}
