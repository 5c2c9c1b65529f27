"""HubSpot stand-in: properties API, schemas API and associations v4, through the SDK."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubspot.crm.associations.v4 import (
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    BatchResponsePublicAssociationMultiWithLabel,
    BatchResponsePublicAssociationMultiWithLabelWithErrors,
)
from hubspot.crm.objects import BatchInputSimplePublicObjectBatchInputUpsert
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.properties import (
    BatchInputPropertyCreate,
    BatchResponsePropertyWithErrors,
    CollectionResponsePropertyNoPaging,
    ModelProperty,
    PropertyCreate,
)
from hubspot.crm.schemas import ObjectSchema, ObjectSchemaEgg


def _prop(name: str, **extra: Any) -> PropertyCreate:
    return PropertyCreate(name=name, label=name, type="string", field_type="text",
                          group_name="companyinformation", **extra)


def test_properties_read_create_and_batch_create(hs: Any) -> None:
    listed = hs.crm.properties.core_api.get_all("companies")
    assert isinstance(listed, CollectionResponsePropertyNoPaging)
    assert "vmc_partner_tier" in {p.name for p in listed.results}
    created = hs.crm.properties.core_api.create("companies", _prop("vmc_eligible_tier"))
    assert isinstance(created, ModelProperty) and created.name == "vmc_eligible_tier"
    assert hs.crm.properties.core_api.get_by_name("companies", "vmc_eligible_tier").label
    with pytest.raises(PropertiesApiException) as err:
        hs.crm.properties.core_api.create("companies", _prop("vmc_eligible_tier"))
    assert err.value.status == 409
    batch = hs.crm.properties.batch_api.create("companies", BatchInputPropertyCreate(
        inputs=[_prop("vmc_synced_at"), _prop("vmc_eligible_tier")]))
    assert isinstance(batch, BatchResponsePropertyWithErrors)
    assert [p.name for p in batch.results] == ["vmc_synced_at"]
    assert batch.errors[0].context == {"name": ["vmc_eligible_tier"]}


def _create_line_schema(hs: Any) -> ObjectSchema:
    return hs.crm.schemas.core_api.create(ObjectSchemaEgg(
        name="vmc_commission_line",
        labels={"singular": "Commission line", "plural": "Commission lines"},
        primary_display_property="vmc_line_id",
        required_properties=["vmc_line_id"],
        properties=[{"name": "vmc_line_id", "label": "Line id", "type": "string",
                     "fieldType": "text", "hasUniqueValue": True},
                    {"name": "vmc_amount", "label": "Amount", "type": "number",
                     "fieldType": "number"}],
        associated_objects=["COMPANY", "DEAL"]))


def test_schemas_create_list_get(hs: Any) -> None:
    schema = _create_line_schema(hs)
    assert isinstance(schema, ObjectSchema)
    assert schema.object_type_id == "2-1"
    assert schema.fully_qualified_name.endswith("_vmc_commission_line")
    assert {a.to_object_type_id for a in schema.associations} == {"0-2", "0-3"}
    listed = hs.crm.schemas.core_api.get_all()
    assert [s.name for s in listed.results] == ["vmc_commission_line"]
    for key in ("2-1", schema.fully_qualified_name, "vmc_commission_line"):
        assert hs.crm.schemas.core_api.get_by_id(key).object_type_id == "2-1"
    unique = hs.crm.properties.core_api.get_by_name("2-1", "vmc_line_id")
    assert unique.has_unique_value is True


def test_custom_objects_upsert_and_associate(hs: Any) -> None:
    schema = _create_line_schema(hs)
    upsert = hs.crm.objects.batch_api.upsert(
        schema.object_type_id, BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
            {"id": "2026-01-101-201", "idProperty": "vmc_line_id",
             "properties": {"vmc_amount": "120.00"}}]))
    line_id = upsert.results[0].id
    to_company = next(a for a in schema.associations if a.to_object_type_id == "0-2")
    created = hs.crm.associations.v4.batch_api.create(
        schema.object_type_id, "companies", BatchInputPublicAssociationMultiPost(inputs=[{
            "from": {"id": line_id}, "to": {"id": "101"},
            "types": [{"associationCategory": "USER_DEFINED",
                       "associationTypeId": int(to_company.id)}]}]))
    assert created.results[0].to_object_id == "101"
    hs.crm.associations.v4.batch_api.create_default(
        schema.object_type_id, "deals", BatchInputPublicDefaultAssociationMultiPost(
            inputs=[{"from": {"id": line_id}, "to": {"id": "201"}}]))
    back = hs.crm.associations.v4.batch_api.get_page(
        "companies", schema.object_type_id,
        BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": "101"}]))
    assert [t.to_object_id for t in back.results[0].to] == [line_id]
    line = hs.crm.objects.basic_api.get_by_id(
        schema.object_type_id, line_id, associations=["deals", "companies"])
    assert set(line.associations) == {"deals", "companies"}


def test_deal_company_associations_v4(hs: Any) -> None:
    batch = hs.crm.associations.v4.batch_api
    batch.create("deals", "companies", BatchInputPublicAssociationMultiPost(inputs=[{
        "from": {"id": "202"}, "to": {"id": "101"},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]}]))
    read = batch.get_page("deals", "companies", BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": "202"}]))
    assert isinstance(read, BatchResponsePublicAssociationMultiWithLabel)
    by_company = {t.to_object_id: {a.type_id for a in t.association_types}
                  for t in read.results[0].to}
    assert by_company == {"103": {5, 341}, "101": {5}}
    reverse = hs.crm.associations.v4.basic_api.get_page("companies", "101", "deals")
    assert {r.to_object_id for r in reverse.results} == {"201", "202"}
    assert {a.type_id for r in reverse.results for a in r.association_types} == {6, 342}
    missing = batch.get_page("deals", "companies", BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": "202"}, {"id": "777"}]))
    assert isinstance(missing, BatchResponsePublicAssociationMultiWithLabelWithErrors)
    assert missing.num_errors == 1


def test_default_association_is_unlabeled(hs: Any) -> None:
    hs.crm.associations.v4.basic_api.create_default("deals", "202", "companies", "102")
    read = hs.crm.associations.v4.basic_api.get_page("deals", "202", "companies")
    types = {r.to_object_id: [a.type_id for a in r.association_types] for r in read.results}
    assert types["102"] == [341]


def _wire(answer: Any) -> Any:
    """The JSON the stand-in sent, for an SDK call made with ``_preload_content=False``
    (as the worker's HubSpot adapter calls)."""
    return json.loads(answer.data)


def test_association_ids_are_strings_as_hubspot_s_v4_spec_says(hs: Any) -> None:
    """Associations v4 (HubSpot's associations.json, v4): ``toObjectId`` of
    MultiAssociatedObjectWithLabel and ``fromObjectId``/``toObjectId`` of
    LabelsBetweenObjectPair are strings; the SDK models type them ``str``."""
    batch, basic = hs.crm.associations.v4.batch_api, hs.crm.associations.v4.basic_api
    read = _wire(batch.get_page("deals", "companies", BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": "201"}]), _preload_content=False))
    assert read["results"][0]["from"] == {"id": "201"}
    assert [t["toObjectId"] for t in read["results"][0]["to"]] == ["103", "101"]
    listed = _wire(basic.get_page("companies", "101", "deals", _preload_content=False))
    assert [r["toObjectId"] for r in listed["results"]] == ["201"]
    created = _wire(batch.create("deals", "companies", BatchInputPublicAssociationMultiPost(
        inputs=[{"from": {"id": "202"}, "to": {"id": "102"}, "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 341}]}]),
        _preload_content=False))
    pair = created["results"][0]
    assert (pair["fromObjectId"], pair["toObjectId"]) == ("202", "102")
    labeled = _wire(basic.create("deals", "202", "companies", "101", [
        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 341}],
        _preload_content=False))
    assert (labeled["fromObjectId"], labeled["toObjectId"]) == ("202", "101")
    model = batch.get_page("deals", "companies", BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": "201"}]))
    assert [t.to_object_id for t in model.results[0].to] == ["103", "101"]
