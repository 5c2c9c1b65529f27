"""HubSpot stand-in: property history names who made a change. A `pat-user-<digits>`
token writes as that user (a UI edit); any other token writes as the integration."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hubspot.crm.companies import SimplePublicObjectInput
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects import SimplePublicObjectInput as ObjectInput
from hubspot.crm.schemas import ObjectSchemaEgg

from tests.sandbox.conftest import hubspot_client

PAYOUT = "vmc_payout"
UI_EDIT_BY_1001 = {"sourceType": "CRM_UI", "sourceId": "userId:1001", "updatedByUserId": 1001}
# A write path: (client, payout type id, existing payout id) -> the id it wrote.
Writer = Callable[[Any, str, str], str]


def _history(hs: Any, object_type: str, record_id: str, name: str) -> list[dict[str, Any]]:
    """The raw `propertiesWithHistory` entries of one property, newest first."""
    answer = hs.crm.objects.basic_api.get_by_id(
        object_type, record_id, properties_with_history=[name], _preload_content=False)
    entries: list[dict[str, Any]] = json.loads(answer.data)["propertiesWithHistory"][name]
    return entries


def _source(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry[k] for k in ("sourceType", "sourceId", "updatedByUserId") if k in entry}


@pytest.fixture
def payouts(hs: Any) -> tuple[str, str]:
    """A custom payout object (as `hubspot setup` makes) and one payout written by the
    integration: (type id, record id)."""
    schema = hs.crm.schemas.core_api.create(ObjectSchemaEgg(
        name=PAYOUT, labels={"singular": "Payout", "plural": "Payouts"},
        primary_display_property="vmc_payout_id", required_properties=["vmc_payout_id"],
        properties=[{"name": "vmc_payout_id", "label": "Payout id", "type": "string",
                     "fieldType": "text", "hasUniqueValue": True},
                    {"name": "vmc_status", "label": "Status", "type": "string",
                     "fieldType": "text"}]))
    created = hs.crm.objects.basic_api.create(schema.object_type_id, SimplePublicObjectInputForCreate(
        properties={"vmc_payout_id": "po-1", "vmc_status": "pending_approval"}))
    return schema.object_type_id, created.id


def _create(user: Any, object_type: str, _: str) -> str:
    return str(user.crm.objects.basic_api.create(object_type, SimplePublicObjectInputForCreate(
        properties={"vmc_payout_id": "po-2", "vmc_status": "approved"})).id)


def _update(user: Any, object_type: str, record_id: str) -> str:
    user.crm.objects.basic_api.update(object_type, record_id,
                                      ObjectInput(properties={"vmc_status": "approved"}))
    return record_id


def _batch_create(user: Any, object_type: str, _: str) -> str:
    answer = user.crm.objects.batch_api.create(
        object_type, BatchInputSimplePublicObjectBatchInputForCreate(inputs=[
            {"properties": {"vmc_payout_id": "po-2", "vmc_status": "approved"},
             "associations": []}]))
    return str(answer.results[0].id)


def _batch_update(user: Any, object_type: str, record_id: str) -> str:
    user.crm.objects.batch_api.update(object_type, BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": record_id, "properties": {"vmc_status": "approved"}}]))
    return record_id


def _batch_upsert(user: Any, object_type: str, record_id: str) -> str:
    answer = user.crm.objects.batch_api.upsert(
        object_type, BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
            {"id": "po-1", "idProperty": "vmc_payout_id",
             "properties": {"vmc_status": "approved"}}]))
    assert answer.results[0].id == record_id and answer.results[0].new is False
    return record_id


@pytest.mark.parametrize("write", [_create, _update, _batch_create, _batch_update,
                                   _batch_upsert])
def test_a_user_token_records_a_ui_edit_by_that_user(
        hubspot_url: str, hs: Any, payouts: tuple[str, str], write: Writer) -> None:
    object_type, existing = payouts
    record_id = write(hubspot_client(hubspot_url, "pat-user-1001"), object_type, existing)
    newest = _history(hs, object_type, record_id, "vmc_status")[0]
    assert newest["value"] == "approved"
    assert _source(newest) == UI_EDIT_BY_1001


def test_the_sdk_reads_the_user_from_property_history(hubspot_url: str, hs: Any) -> None:
    user = hubspot_client(hubspot_url, "pat-user-1001")
    user.crm.companies.basic_api.update(
        "101", SimplePublicObjectInput(properties={"vmc_partner_status": "paused"}))
    company = hs.crm.companies.basic_api.get_by_id(
        "101", properties_with_history=["vmc_partner_status"])
    newest, older = company.properties_with_history["vmc_partner_status"][:2]
    assert (newest.value, newest.source_type, newest.updated_by_user_id) == (
        "paused", "CRM_UI", 1001)
    assert newest.source_id == "userId:1001"
    assert older.value == "active"  # the fixture's entry is kept below it


def test_the_integration_token_records_an_integration_change(
        hs: Any, payouts: tuple[str, str]) -> None:
    object_type, record_id = payouts
    _update(hs, object_type, record_id)
    newest, created = _history(hs, object_type, record_id, "vmc_status")[:2]
    for entry in (newest, created):
        assert _source(entry) == {"sourceType": "INTEGRATION",
                                  "sourceId": "sandbox-private-app"}
    assert newest["value"] == "approved"


def test_each_request_writes_as_its_own_token(hubspot_url: str, hs: Any) -> None:
    """The source is per request: a user's write does not stick to the next one."""
    update = hs.crm.companies.basic_api.update
    hubspot_client(hubspot_url, "pat-user-1002").crm.companies.basic_api.update(
        "102", SimplePublicObjectInput(properties={"vmc_partner_status": "paused"}))
    update("102", SimplePublicObjectInput(properties={"vmc_partner_status": "active"}))
    entries = _history(hs, "companies", "102", "vmc_partner_status")
    assert [_source(e)["sourceType"] for e in entries[:2]] == ["INTEGRATION", "CRM_UI"]
    assert entries[1]["updatedByUserId"] == 1002
