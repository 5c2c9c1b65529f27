"""HubSpot stand-in: search operators, sorts, paging, the 10,000 cap and index lag."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hubspot.crm.companies import ApiException as CompaniesApiException
from hubspot.crm.companies import PublicObjectSearchRequest
from hubspot.crm.deals import (
    CollectionResponseWithTotalSimplePublicObjectForwardPaging,
    SimplePublicObjectInput,
)
from hubspot.crm.deals import PublicObjectSearchRequest as DealSearch

from sandbox.hubspot.records import Record
from tests.sandbox.conftest import served


def _deal_ids(hs: Any, *filters: dict[str, Any], **request: Any) -> list[str]:
    groups = [{"filters": list(filters)}] if filters else []
    answer = hs.crm.deals.search_api.do_search(DealSearch(filter_groups=groups, **request))
    assert isinstance(answer, CollectionResponseWithTotalSimplePublicObjectForwardPaging)
    return [r.id for r in answer.results]


@pytest.mark.parametrize(("flt", "expected"), [
    ({"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}, ["201"]),
    ({"propertyName": "dealstage", "operator": "NEQ", "value": "closedwon"}, ["202"]),
    ({"propertyName": "amount", "operator": "LT", "value": "4800"}, ["202"]),
    ({"propertyName": "amount", "operator": "LTE", "value": "4800"}, ["201", "202"]),
    ({"propertyName": "amount", "operator": "GT", "value": "1200.50"}, ["201"]),
    ({"propertyName": "amount", "operator": "GTE", "value": "1200.5"}, ["201", "202"]),
    ({"propertyName": "createdate", "operator": "BETWEEN", "value": "2025-12-01T00:00:00Z",
      "highValue": "2025-12-31T00:00:00Z"}, ["202"]),
    ({"propertyName": "amount", "operator": "BETWEEN", "value": "1000",
      "highValue": "5000"}, ["201", "202"]),
    ({"propertyName": "dealname", "operator": "IN",
      "values": ["fabrikam - add-on", "other"]}, ["202"]),
    ({"propertyName": "dealstage", "operator": "NOT_IN", "values": ["closedwon"]}, ["202"]),
    ({"propertyName": "vmc_stripe_customer_id", "operator": "HAS_PROPERTY"}, ["201"]),
    ({"propertyName": "closedate", "operator": "NOT_HAS_PROPERTY"}, ["202"]),
])
def test_each_operator(hs: Any, flt: dict[str, Any], expected: list[str]) -> None:
    assert _deal_ids(hs, flt) == expected


def test_filter_groups_are_ored_and_filters_anded(hs: Any) -> None:
    answer = hs.crm.companies.search_api.do_search(PublicObjectSearchRequest(filter_groups=[
        {"filters": [{"propertyName": "vmc_partner_tier", "operator": "HAS_PROPERTY"},
                     {"propertyName": "vmc_partner_status", "operator": "EQ",
                      "value": "active"}]},
        {"filters": [{"propertyName": "domain", "operator": "EQ", "value": "fabrikam.io"}]},
    ], properties=["name"]))
    assert answer.total == 2
    assert {r.id for r in answer.results} == {"101", "103"}
    assert set(answer.results[0].properties) == {"name"}


def test_sorts_both_directions(hs: Any) -> None:
    by_amount = [{"propertyName": "amount", "direction": "DESCENDING"}]
    assert _deal_ids(hs, sorts=by_amount) == ["201", "202"]
    assert _deal_ids(hs, sorts=["amount"]) == ["202", "201"]
    assert _deal_ids(hs, sorts=["-createdate"]) == ["202", "201"]


def test_limit_above_200_is_400(hs: Any) -> None:
    with pytest.raises(CompaniesApiException) as err:
        hs.crm.companies.search_api.do_search(PublicObjectSearchRequest(limit=201))
    assert err.value.status == 400


def _seed_companies(sandbox: Any, count: int) -> None:
    """Many records at once, in process: the index takes them immediately."""
    state = sandbox.state
    otype = state.resolve_type("companies")
    with state.lock:
        for n in range(count):
            record_id = str(500_000 + n)
            state.seed(otype, Record(record_id, {"hs_object_id": record_id,
                                                 "name": f"Bulk {n}", "industry": "bulk"},
                                     {}, "2026-01-01T00:00:00.000Z",
                                     "2026-01-01T00:00:00.000Z"))


def test_paging_and_the_10000_result_cap(hubspot_sandbox: Any, hs: Any) -> None:
    _seed_companies(hubspot_sandbox, 10_050)
    bulk = {"filters": [{"propertyName": "industry", "operator": "EQ", "value": "bulk"}]}
    first = hs.crm.companies.search_api.do_search(PublicObjectSearchRequest(
        filter_groups=[bulk], limit=200, properties=["name"]))
    assert first.total == 10_050
    assert first.paging.next.after == "200"
    last = hs.crm.companies.search_api.do_search(PublicObjectSearchRequest(
        filter_groups=[bulk], limit=200, after="9900"))
    assert len(last.results) == 100
    assert last.paging.next.after == "10000"
    with pytest.raises(CompaniesApiException) as err:
        hs.crm.companies.search_api.do_search(PublicObjectSearchRequest(
            filter_groups=[bulk], limit=200, after=last.paging.next.after))
    assert err.value.status == 400
    assert json.loads(err.value.body)["category"] == "VALIDATION_ERROR"


def test_index_lag_delays_writes_in_search(fixtures_dir: Any) -> None:
    from datetime import UTC, datetime

    from sandbox.core import SandboxClock
    from sandbox.hubspot import HubSpotSandbox
    from tests.sandbox.conftest import hubspot_client

    clock = SandboxClock(datetime(2026, 2, 1, tzinfo=UTC), time_scale=0)
    sandbox = HubSpotSandbox.from_fixtures(fixtures_dir / "basic", clock=clock,
                                           index_lag_seconds=5)
    with served(sandbox.wsgi_app) as url:
        hs = hubspot_client(url)
        hs.crm.deals.basic_api.update("202", SimplePublicObjectInput(
            properties={"dealstage": "closedwon"}))
        won = {"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}
        assert _deal_ids(hs, won) == ["201"]
        assert hs.crm.deals.basic_api.get_by_id("202").properties["dealstage"] == "closedwon"
        clock.advance(5)
        assert _deal_ids(hs, won) == ["201", "202"]
