"""HubSpot stand-in: seeding, basic object calls and auth, through the official SDK."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hubspot.crm.companies import ApiException as CompaniesApiException
from hubspot.crm.companies import SimplePublicObjectInput, SimplePublicObjectWithAssociations
from hubspot.crm.deals import ApiException as DealsApiException
from hubspot.crm.deals import SimplePublicObjectInputForCreate

from tests.sandbox.conftest import hubspot_client


def _fixture(fixtures_dir: Path, name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (fixtures_dir / "basic" / "hubspot" / f"{name}.json").read_text())
    return data


@pytest.mark.parametrize("object_type", ["companies", "deals"])
def test_fixture_objects_are_served_back_verbatim(hs: Any, fixtures_dir: Path,
                                                  object_type: str) -> None:
    api = getattr(hs.crm, object_type).basic_api
    for expected in _fixture(fixtures_dir, object_type):
        answer = api.get_by_id(
            expected["id"], properties=list(expected["properties"]),
            properties_with_history=list(expected.get("propertiesWithHistory", {})) or None,
            associations=list(expected.get("associations", {})) or None,
            _preload_content=False)
        assert json.loads(answer.data) == expected


def test_get_deserializes_with_history_and_associations(hs: Any) -> None:
    company = hs.crm.companies.basic_api.get_by_id(
        "101", properties=["name", "vmc_partner_tier"],
        properties_with_history=["vmc_partner_tier"], associations=["deals"])
    assert isinstance(company, SimplePublicObjectWithAssociations)
    assert company.properties == {"name": "Northwind Partners", "vmc_partner_tier": "partner"}
    history = company.properties_with_history["vmc_partner_tier"]
    assert [h.value for h in history] == ["partner", "referral"]
    assert history[0].source_type == "CRM_UI"
    assert [a.id for a in company.associations["deals"].results] == ["201"]


def test_default_properties_without_properties_param(hs: Any) -> None:
    deal = hs.crm.deals.basic_api.get_by_id("201")
    assert set(deal.properties) == {"amount", "closedate", "createdate", "dealname",
                                    "dealstage", "hs_lastmodifieddate", "hs_object_id",
                                    "pipeline"}


def test_list_pages_with_after(hs: Any) -> None:
    first = hs.crm.companies.basic_api.get_page(limit=2, properties=["name"])
    assert [c.id for c in first.results] == ["101", "102"]
    second = hs.crm.companies.basic_api.get_page(limit=2, after=first.paging.next.after,
                                                  associations=["deals"])
    assert [c.id for c in second.results] == ["103"]
    assert second.paging is None
    assert [a.type for a in second.results[0].associations["deals"].results] == [
        "company_to_deal", "company_to_deal_unlabeled"] * 2


def test_create_update_archive_record_history_newest_first(hubspot_sandbox: Any, hs: Any
                                                           ) -> None:
    created = hs.crm.deals.basic_api.create(SimplePublicObjectInputForCreate(
        properties={"dealname": "New deal", "amount": "100"},
        associations=[{"to": {"id": "103"}, "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]}]))
    assert created.properties["hs_object_id"] == created.id
    hubspot_sandbox.clock.advance(60)
    hs.crm.deals.basic_api.update(created.id, SimplePublicObjectInput(
        properties={"amount": "250"}))
    deal = hs.crm.deals.basic_api.get_by_id(
        created.id, properties=["amount"], properties_with_history=["amount"],
        associations=["companies"])
    assert deal.properties["amount"] == "250"
    history = deal.properties_with_history["amount"]
    assert [h.value for h in history] == ["250", "100"]
    assert history[0].timestamp > history[1].timestamp
    assert history[0].source_type == "INTEGRATION"
    assert deal.associations["companies"].results[0].type == "deal_to_company"
    hs.crm.deals.basic_api.archive(created.id)
    with pytest.raises(DealsApiException) as err:
        hs.crm.deals.basic_api.get_by_id(created.id)
    assert err.value.status == 404
    archived = hs.crm.deals.basic_api.get_by_id(created.id, archived=True)
    assert archived.archived is True
    listed = hs.crm.deals.basic_api.get_page(archived=True)
    assert [d.id for d in listed.results] == [created.id]


def test_update_unchanged_value_adds_no_history(hs: Any) -> None:
    hs.crm.companies.basic_api.update("101", SimplePublicObjectInput(
        properties={"vmc_partner_tier": "partner"}))
    company = hs.crm.companies.basic_api.get_by_id(
        "101", properties_with_history=["vmc_partner_tier"])
    assert len(company.properties_with_history["vmc_partner_tier"]) == 2


def test_unknown_property_is_a_validation_error(hs: Any) -> None:
    with pytest.raises(CompaniesApiException) as err:
        hs.crm.companies.basic_api.update("101", SimplePublicObjectInput(
            properties={"no_such_property": "x"}))
    body = json.loads(err.value.body)
    assert err.value.status == 400
    assert body["category"] == "VALIDATION_ERROR"
    assert body["status"] == "error" and body["correlationId"]


def test_missing_record_is_404_in_hubspot_shape(hs: Any) -> None:
    with pytest.raises(CompaniesApiException) as err:
        hs.crm.companies.basic_api.get_by_id("999")
    body = json.loads(err.value.body)
    assert err.value.status == 404
    assert set(body) >= {"status", "message", "correlationId", "category"}
    assert body["category"] == "OBJECT_NOT_FOUND"


@pytest.mark.parametrize("token", ["wrong-token", ""])
def test_bearer_token_is_required(hubspot_url: str, token: str) -> None:
    client = hubspot_client(hubspot_url, token=token)
    with pytest.raises(CompaniesApiException) as err:
        client.crm.companies.basic_api.get_page()
    body = json.loads(err.value.body)
    assert err.value.status == 401
    assert body["category"] == "INVALID_AUTHENTICATION"
    assert "sandbox-hubspot-token" not in err.value.body
