"""The HubSpot stand-in posts webhooks (Webhooks API shape, v3 signature) for the
creations and property changes made through the SDK or the control endpoint. The
receiver checks each signature with the HMAC written in `checks.py` from HubSpot's
documentation (and once with the HubSpot SDK's own checker)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.companies import BatchInputSimplePublicObjectBatchInput
from hubspot.crm.companies import SimplePublicObjectInput as CompanyInput
from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealInput
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjectInput
from hubspot.crm.schemas import ObjectSchemaEgg
from hubspot.utils.signature import Signature

from sandbox.core import SandboxControl
from sandbox.hubspot import HubSpotSandbox
from tests.sandbox.conftest import hubspot_client, served
from tests.sandbox.webhooks.checks import (
    FAST,
    HUBSPOT_SECRET,
    hubspot_events,
    hubspot_signature_is_valid,
)
from tests.sandbox.webhooks.receiver import Receiver, sender_threads

PATH = "/webhooks/hubspot"
EVENT_KEYS = {"eventId", "subscriptionId", "portalId", "appId", "occurredAt",
              "subscriptionType", "attemptNumber", "objectId", "changeSource", "sourceId"}


class Portal:
    def __init__(self, sandbox: HubSpotSandbox, url: str, receiver: Receiver) -> None:
        self.sandbox, self.url, self.receiver = sandbox, url, receiver
        self.control = SandboxControl(url)
        self.sdk: HubSpot = hubspot_client(url)
        self.target = receiver.url + PATH

    def listen(self, **settings: Any) -> None:
        self.control.webhooks(url=self.target, secret=HUBSPOT_SECRET,
                              retry=settings.pop("retry", FAST), **settings)

    def settled(self) -> list[dict[str, Any]]:
        """Every event received once nothing is pending, each request checked."""
        self.receiver.wait_for(lambda _: self.control.deliveries()["pending"] == 0)
        requests = self.receiver.received()
        assert all(hubspot_signature_is_valid(r, self.target) for r in requests)
        return hubspot_events(requests)


@pytest.fixture
def portal(hubspot_sandbox: HubSpotSandbox, receiver: Receiver) -> Iterator[Portal]:
    with served(hubspot_sandbox.wsgi_app) as url:
        try:
            yield Portal(hubspot_sandbox, url, receiver)
        finally:
            hubspot_sandbox.close()
    assert sender_threads() == []


def test_a_property_change_through_the_sdk_arrives_signed_one_event_per_property(
        portal: Portal) -> None:
    portal.listen()
    portal.sdk.crm.companies.basic_api.update("101", CompanyInput(properties={
        "vmc_partner_tier": "premier", "vmc_partner_status": "paused", "name": "Northwind"}))
    (request,) = portal.receiver.wait_for_count(1)
    assert hubspot_signature_is_valid(request, portal.target)
    assert not hubspot_signature_is_valid(request, portal.target, "another-secret")
    assert request.header("X-HubSpot-Signature-Version") == "v3"
    assert request.header("Content-Type") == "application/json"
    # The SDK's own checker agrees with the hand-written one.
    assert Signature.is_valid(
        request.header("X-HubSpot-Signature-v3") or "", HUBSPOT_SECRET, request.body.decode(),
        portal.target, "POST", "v3", request.header("X-HubSpot-Request-Timestamp"))
    changes = hubspot_events([request])
    assert [(e["subscriptionType"], e["objectId"], e["propertyName"], e["propertyValue"])
            for e in changes] == [
        ("company.propertyChange", 101, "vmc_partner_tier", "premier"),
        ("company.propertyChange", 101, "vmc_partner_status", "paused"),
        ("company.propertyChange", 101, "name", "Northwind")]
    first = changes[0]
    assert set(first) == EVENT_KEYS | {"propertyName", "propertyValue"}
    assert (first["portalId"], first["appId"], first["attemptNumber"]) == (12345678, 3141592, 0)
    assert (first["changeSource"], first["sourceId"]) == ("INTEGRATION", "sandbox-private-app")
    # The sandbox clock (frozen at 2026-02-01 12:00 UTC) stamps the change.
    assert {e["occurredAt"] for e in changes} == {1769947200000}
    assert len({e["eventId"] for e in changes}) == 3


def test_a_value_written_again_unchanged_raises_no_event(portal: Portal) -> None:
    portal.listen()
    tier = portal.sandbox.state.stores["0-2"].get("101")
    assert tier is not None
    portal.sdk.crm.companies.basic_api.update("101", CompanyInput(
        properties={"vmc_partner_tier": tier.properties["vmc_partner_tier"]}))
    assert portal.settled() == []


def test_a_deal_created_through_the_sdk_raises_creation_and_its_properties(
        portal: Portal) -> None:
    portal.listen()
    deal = portal.sdk.crm.deals.basic_api.create(DealInput(properties={
        "dealname": "Litware - GPU", "vmc_referral_code": "NORTHWIND"}))
    kinds = [(e["subscriptionType"], e.get("propertyName"), e["objectId"])
             for e in portal.settled()]
    assert kinds == [("deal.creation", None, int(deal.id)),
                     ("deal.propertyChange", "dealname", int(deal.id)),
                     ("deal.propertyChange", "vmc_referral_code", int(deal.id))]


def test_payout_records_raise_generic_object_events_with_their_type_id(portal: Portal) -> None:
    schema = portal.sdk.crm.schemas.core_api.create(ObjectSchemaEgg(
        name="vmc_payout", labels={"singular": "Payout", "plural": "Payouts"},
        primary_display_property="vmc_payout_id", required_properties=["vmc_payout_id"],
        properties=[{"name": "vmc_payout_id", "label": "Payout id", "type": "string",
                     "fieldType": "text", "hasUniqueValue": True},
                    {"name": "vmc_status", "label": "Status", "type": "string",
                     "fieldType": "text"}],
        associated_objects=["COMPANY"]))
    portal.listen()
    objects = portal.sdk.crm.objects.basic_api
    payout = objects.create(schema.object_type_id, ObjectInput(properties={
        "vmc_payout_id": "vmcpo_101_2026-01", "vmc_status": "pending_approval"}))
    objects.update(schema.object_type_id, payout.id, CompanyInput(
        properties={"vmc_status": "approved"}))
    received = portal.settled()
    assert {e["objectTypeId"] for e in received} == {schema.object_type_id} == {"2-1"}
    assert [(e["subscriptionType"], e.get("propertyName"), e.get("propertyValue"))
            for e in received] == [
        ("object.creation", None, None),
        ("object.propertyChange", "vmc_payout_id", "vmcpo_101_2026-01"),
        ("object.propertyChange", "vmc_status", "pending_approval"),
        ("object.propertyChange", "vmc_status", "approved")]


def test_a_change_through_the_control_endpoint_names_the_user(portal: Portal) -> None:
    portal.listen()
    portal.control.records(object_type="companies", user_id=7001,
                           update=[{"id": "102", "properties": {"vmc_partner_tier": "partner"}}])
    (event,) = portal.settled()
    assert (event["changeSource"], event["sourceId"]) == ("CRM_UI", "userId:7001")


def test_at_most_100_events_go_in_one_request(portal: Portal) -> None:
    portal.listen()
    portal.sdk.crm.companies.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[
        {"id": record_id, "properties": {"vmc_partner_tier": "referral",
                                         "vmc_partner_status": "paused"}}
        for record_id in ("101", "102")]))  # both values change on both companies
    created = [{"name": f"Company {n}", "domain": f"c{n}.example"} for n in range(40)]
    portal.control.records(object_type="companies", create=created)
    received = portal.settled()
    sizes = [len(json.loads(r.body)) for r in portal.receiver.received()]
    assert sum(sizes) == len(received) == 4 + 40 * 3 and max(sizes) == 100
    assert len({e["eventId"] for e in received}) == len(received)


def test_subscriptions_choose_the_events(portal: Portal) -> None:
    portal.listen(subscriptions=[{"subscriptionType": "company.propertyChange",
                                  "propertyName": "vmc_partner_tier"}])
    portal.control.records(object_type="companies", create=[{"name": "Fabrikam"}], update=[
        {"id": "101", "properties": {"vmc_partner_tier": "premier", "name": "N"}}])
    (event,) = portal.settled()
    assert (event["propertyName"], event["subscriptionId"]) == ("vmc_partner_tier", 2000001)


def test_a_retry_carries_the_same_event_with_the_next_attempt_number(portal: Portal) -> None:
    portal.receiver.answers = [500]
    portal.listen()
    portal.control.records(object_type="companies",
                           update=[{"id": "101", "properties": {"vmc_partner_tier": "premier"}}])
    first, retried = hubspot_events(portal.receiver.wait_for_count(2))
    assert first["eventId"] == retried["eventId"]
    assert (first["attemptNumber"], retried["attemptNumber"]) == (0, 1)
    assert all(hubspot_signature_is_valid(r, portal.target) for r in portal.receiver.received())


def test_bad_signature_and_duplicate_faults_at_the_receiver(portal: Portal) -> None:
    portal.receiver.answers = [401]
    portal.listen(faults={"bad_signature": {"count": 1}, "duplicate": {"count": 1}})
    portal.control.records(object_type="companies",
                           update=[{"id": "101", "properties": {"vmc_partner_tier": "premier"}}])
    portal.receiver.wait_for(lambda _: portal.control.deliveries()["pending"] == 0)
    requests = portal.receiver.received()
    valid = [hubspot_signature_is_valid(r, portal.target) for r in requests]
    assert sorted(valid) == [False, True, True]  # refused once, retried, and the copy
    assert len({e["eventId"] for e in hubspot_events(requests)}) == 1
