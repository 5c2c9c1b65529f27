"""HubSpot stand-in: rate limits (429 bodies, headers, time scale), faults, control."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hubspot.crm.companies import ApiException, PublicObjectSearchRequest
from urllib3.exceptions import HTTPError as Urllib3Error

from sandbox.core import SandboxControl


def _get(hs: Any) -> tuple[int, dict[str, str]]:
    _, status, headers = hs.crm.companies.basic_api.get_by_id_with_http_info("101")
    return status, dict(headers)


def _refused(call: Any) -> ApiException:
    with pytest.raises(ApiException) as err:
        call()
    return err.value


def test_ten_second_window_429_body_and_headers(hs: Any, hubspot_url: str) -> None:
    control = SandboxControl(hubspot_url)
    control.limits(ten_second_limit=3, daily_limit=1000)
    status, headers = _get(hs)
    assert status == 200
    assert headers["X-HubSpot-RateLimit-Max"] == "3"
    assert headers["X-HubSpot-RateLimit-Remaining"] == "2"
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert headers["X-HubSpot-RateLimit-Daily"] == "1000"
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == "999"
    _get(hs)
    _get(hs)
    refused = _refused(lambda: _get(hs))
    body = json.loads(refused.body)
    assert refused.status == 429
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["category"] == "RATE_LIMITS"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert refused.headers["Retry-After"] == "10"
    control.advance(10)
    assert _get(hs)[0] == 200


def test_time_scale_shortens_the_window(hs: Any, hubspot_url: str) -> None:
    control = SandboxControl(hubspot_url)
    control.limits(ten_second_limit=2)
    control.clock(time_scale=200)
    _get(hs)
    _get(hs)
    assert _refused(lambda: _get(hs)).status == 429
    time.sleep(0.06)  # 12 sandbox seconds
    assert _get(hs)[0] == 200


def test_search_has_its_own_secondly_limit(hs: Any, hubspot_url: str) -> None:
    def search() -> Any:
        return hs.crm.companies.search_api.do_search_with_http_info(PublicObjectSearchRequest())

    for _ in range(5):
        _, status, headers = search()
        assert status == 200
        assert not any(h.startswith("X-HubSpot-RateLimit") for h in headers)
    refused = _refused(search)
    assert refused.status == 429
    assert json.loads(refused.body)["policyName"] == "SECONDLY"
    assert json.loads(refused.body)["message"] == "You have reached your secondly limit."
    assert _get(hs)[0] == 200  # the ten-second window is separate
    SandboxControl(hubspot_url).advance(1)
    assert search()[1] == 200


def test_daily_limit_resets_with_the_sandbox_day(hs: Any, hubspot_url: str) -> None:
    control = SandboxControl(hubspot_url)
    control.limits(daily_limit=2)
    _get(hs)
    _get(hs)
    refused = _refused(lambda: _get(hs))
    assert json.loads(refused.body)["policyName"] == "DAILY"
    assert refused.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    control.advance(86_400)
    assert _get(hs)[0] == 200
    _get(hs)
    assert _refused(lambda: _get(hs)).status == 429
    assert control.limits(reset=True)["daily_limit"] == 2
    assert _get(hs)[0] == 200


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_status_faults_in_hubspot_shape(hs: Any, hubspot_url: str, status: int) -> None:
    SandboxControl(hubspot_url).faults(share=1.0, kinds=[str(status)])
    refused = _refused(lambda: _get(hs))
    body = json.loads(refused.body)
    assert refused.status == status
    assert set(body) >= {"status", "message", "correlationId", "category"}


def test_slow_fault(hs: Any, hubspot_url: str) -> None:
    SandboxControl(hubspot_url).faults(share=1.0, kinds=["slow"], slow_seconds=0.25)
    started = time.monotonic()
    assert _get(hs)[0] == 200
    assert time.monotonic() - started >= 0.25


def test_drop_fault_is_a_connection_error(hubspot_sandbox: Any, hs: Any, hubspot_url: str
                                          ) -> None:
    SandboxControl(hubspot_url).faults(share=1.0, kinds=["drop"])
    with pytest.raises(Urllib3Error):
        _get(hs)
    assert hubspot_sandbox.calls.count(status=0) == 1


def test_exactly_the_nth_call_to_a_path(hs: Any, hubspot_url: str) -> None:
    SandboxControl(hubspot_url).faults(
        nth=[{"path": "/crm/v3/objects/companies/*", "n": 2, "kind": "503", "method": "GET"}])
    assert _get(hs)[0] == 200
    assert _refused(lambda: _get(hs)).status == 503
    assert _get(hs)[0] == 200


def test_share_of_faults_is_deterministic_from_seed(hs: Any, hubspot_url: str) -> None:
    control = SandboxControl(hubspot_url)

    def statuses() -> list[int]:
        control.faults(seed=42, share=0.5, kinds=["500", "503"])
        out = []
        for _ in range(12):
            try:
                out.append(_get(hs)[0])
            except ApiException as exc:
                out.append(exc.status)
        return out

    first = statuses()
    assert first == statuses()
    assert 200 in first
    assert set(first) - {200}


def test_control_changes_records_loads_fixtures_and_counts_calls(
        hubspot_sandbox: Any, hs: Any, hubspot_url: str, tmp_path: Path) -> None:
    control = SandboxControl(hubspot_url)
    changed = control.records(object_type="companies", user_id=7001, update=[
        {"id": "101", "properties": {"vmc_partner_status": "terminated"}}])
    assert changed["records"][0]["properties"]["vmc_partner_status"] == "terminated"
    company = hs.crm.companies.basic_api.get_by_id(
        "101", properties_with_history=["vmc_partner_status"])
    newest = company.properties_with_history["vmc_partner_status"][0]
    assert (newest.value, newest.source_type, newest.updated_by_user_id) == (
        "terminated", "CRM_UI", 7001)
    control.records(object_type="deals", archive=["202"])
    assert [d.id for d in hs.crm.deals.basic_api.get_page().results] == ["201"]
    (tmp_path / "hubspot").mkdir()
    (tmp_path / "hubspot" / "companies.json").write_text(json.dumps([{
        "id": "150", "properties": {"name": "Late Co", "hs_object_id": "150"},
        "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
        "archived": False}]))
    assert control.load_fixtures(tmp_path) == {"loaded": {"companies": 1}}
    assert hs.crm.companies.basic_api.get_by_id("150").properties["name"] == "Late Co"
    counters = control.calls()["counters"]
    assert counters["crm.objects.get"] == 2
    assert counters["crm.objects.list"] == 1
    assert hubspot_sandbox.calls.count(endpoint="crm.objects.get", method="GET") == 2
