"""HubSpot stand-in: batch read/create/update/upsert/archive, the 100 cap and 207."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubspot.crm.companies import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    BatchResponseSimplePublicObject,
    BatchResponseSimplePublicObjectWithErrors,
)
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchResponseSimplePublicUpsertObject,
)
from hubspot.crm.properties import PropertyCreate


def test_batch_read_all_found_is_200(hs: Any) -> None:
    answer = hs.crm.companies.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": "101"}, {"id": "102"}], properties=["name"],
        properties_with_history=["vmc_partner_status"]))
    assert isinstance(answer, BatchResponseSimplePublicObject)
    assert {r.id for r in answer.results} == {"101", "102"}
    statuses = {r.id: [h.value for h in r.properties_with_history["vmc_partner_status"]]
                for r in answer.results}
    assert statuses["102"] == ["suspended", "active"]


def test_batch_read_unknown_ids_is_207_with_errors(hs: Any) -> None:
    answer = hs.crm.companies.batch_api.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": "101"}, {"id": "404"}, {"id": "405"}], properties=["name"]))
    assert isinstance(answer, BatchResponseSimplePublicObjectWithErrors)
    assert [r.id for r in answer.results] == ["101"]
    assert answer.num_errors == 1
    assert answer.errors[0].category == "OBJECT_NOT_FOUND"
    assert answer.errors[0].context == {"ids": ["404", "405"]}


def test_batch_create_update_and_archive(hs: Any) -> None:
    created = hs.crm.companies.batch_api.create(BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {"name": f"Co {i}", "domain": f"co{i}.example"}}
                for i in range(3)]))
    ids = sorted(r.id for r in created.results)
    assert len(ids) == 3
    updated = hs.crm.companies.batch_api.update(BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": ids[0], "properties": {"name": "Renamed"}},
                {"id": "99999", "properties": {"name": "Ghost"}}]))
    assert isinstance(updated, BatchResponseSimplePublicObjectWithErrors)
    assert updated.results[0].properties["name"] == "Renamed"
    assert updated.errors[0].context == {"ids": ["99999"]}
    hs.crm.companies.batch_api.archive(BatchInputSimplePublicObjectId(
        inputs=[{"id": i} for i in ids]))
    remaining = hs.crm.companies.basic_api.get_page(limit=100)
    assert not set(ids) & {c.id for c in remaining.results}


def test_more_than_100_inputs_is_400(hs: Any) -> None:
    with pytest.raises(ApiException) as err:
        hs.crm.companies.batch_api.read(BatchReadInputSimplePublicObjectId(
            inputs=[{"id": str(i)} for i in range(101)], properties=[]))
    assert err.value.status == 400
    assert json.loads(err.value.body)["category"] == "VALIDATION_ERROR"


def _unique_referral_code(hs: Any) -> None:
    """A unique property on deals, as `partnersync hubspot setup` would create."""
    hs.crm.properties.core_api.create("deals", PropertyCreate(
        name="vmc_line_key", label="Line key", type="string", field_type="text",
        group_name="dealinformation", has_unique_value=True))


def test_batch_upsert_by_unique_property(hs: Any) -> None:
    _unique_referral_code(hs)
    first = hs.crm.objects.batch_api.upsert("deals", BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[{"id": "L-1", "idProperty": "vmc_line_key", "properties": {"amount": "10"}}]))
    assert isinstance(first, BatchResponseSimplePublicUpsertObject)
    assert first.results[0].new is True
    second = hs.crm.objects.batch_api.upsert(
        "deals", BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
            {"id": "L-1", "idProperty": "vmc_line_key", "properties": {"amount": "20"}},
            {"id": "L-2", "idProperty": "vmc_line_key", "properties": {"amount": "5"}}]))
    by_key = {r.properties["vmc_line_key"]: r for r in second.results}
    assert by_key["L-1"].new is False and by_key["L-1"].id == first.results[0].id
    assert by_key["L-1"].properties["amount"] == "20"
    assert by_key["L-2"].new is True


def test_upsert_on_a_property_that_is_not_unique_is_400(hs: Any) -> None:
    from hubspot.crm.objects import ApiException as ObjectsApiException

    with pytest.raises(ObjectsApiException) as err:
        hs.crm.objects.batch_api.upsert("deals", BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[{"id": "x", "idProperty": "dealname", "properties": {}}]))
    assert err.value.status == 400


def test_unique_property_rejects_duplicates(hs: Any) -> None:
    from hubspot.crm.deals import ApiException as DealsApiException
    from hubspot.crm.deals import SimplePublicObjectInputForCreate

    _unique_referral_code(hs)
    hs.crm.deals.basic_api.create(SimplePublicObjectInputForCreate(
        properties={"vmc_line_key": "K"}))
    with pytest.raises(DealsApiException) as err:
        hs.crm.deals.basic_api.create(SimplePublicObjectInputForCreate(
            properties={"vmc_line_key": "K"}))
    assert err.value.status == 409
