"""Failures, retries and rate limits of the HubSpot gateway, and their classification."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sandbox.core import FaultPlan, NthCallRule
from sync.adapters.hubspot.errors import classify_status
from sync.adapters.pacing import RollingWindowPacer
from sync.errors import (
    AuthenticationError,
    DailyLimitReached,
    NetworkError,
    RateLimited,
    RequestRejected,
    ServerError,
    UpstreamError,
)
from sync.runtime.logs import SecretScrubber
from sync.runtime.metrics import REGISTRY
from tests.adapters.hubspot_support import Portal, served_portal

READ_PATH = "/crm/v3/objects/companies/batch/read"
SECRET = "pat-na1-very-secret-token-0123"


@pytest.fixture
def portal() -> Iterator[Portal]:
    with served_portal() as served:
        yield served


def _calls(operation: str, status: str) -> float:
    value = REGISTRY.get_sample_value("partnersync_api_calls_total", {
        "api": "hubspot", "operation": operation, "status": status})
    return value or 0.0


def _retries(reason: str) -> float:
    return REGISTRY.get_sample_value("partnersync_api_retries_total",
                                     {"api": "hubspot", "reason": reason}) or 0.0


def _error_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error)


def test_sdk_and_urllib3_retries_are_off(portal: Portal) -> None:
    api = portal.gateway().transport.api
    for sdk_api in (api.objects, api.batch, api.search, api.associations, api.schemas):
        assert sdk_api.api_client.configuration.retries is False
        retries = sdk_api.api_client.rest_client.pool_manager.connection_pool_kw["retries"]
        assert retries.total is False  # urllib3: no retry, no redirect, raise at once


@pytest.mark.parametrize(("kind", "reason", "status"), [
    ("429", "rate_limited", "429"), ("500", "server_error", "5xx"),
    ("502", "server_error", "5xx"), ("503", "server_error", "5xx"),
    ("drop", "network", "network"),
])
def test_a_transient_failure_is_retried_to_success(portal: Portal, kind: str, reason: str,
                                                   status: str) -> None:
    portal.sandbox.faults.replace(FaultPlan(nth=[NthCallRule(READ_PATH, 1, kind)]))
    retries, failures = _retries(reason), _calls("companies.read", status)

    companies = portal.gateway().companies(["101", "102"])

    assert [c["id"] for c in companies] == ["101", "102"]
    assert [c.status for c in portal.sandbox.calls.calls()] == [
        0 if kind == "drop" else int(kind), 200]
    assert len(portal.sleeps) == 1  # one retry, ours: urllib3 did not retry the drop
    assert _retries(reason) == retries + 1
    assert _calls("companies.read", status) == failures + 1


def test_a_storm_of_faults_still_reads_and_writes_everything(portal: Portal) -> None:
    portal.sandbox.faults.replace(FaultPlan(seed=3, share=0.4, kinds={
        "429": 1, "500": 1, "502": 1, "503": 1, "drop": 1}))
    gateway = portal.gateway(attempts=12)

    partners = gateway.partner_companies(known_ids=["103"])
    deals = gateway.deals_modified_since(datetime(2025, 1, 1, tzinfo=UTC))
    updated = gateway.update_records("companies", [("101", {"name": "Northwind"})])

    assert [c["id"] for c in partners] == ["101", "102", "103"]
    assert [d["id"] for d in deals] == ["201", "202"]
    assert all("associations" in d for d in deals)
    assert updated.ok
    assert portal.count() - portal.count(status=200) >= 3  # faults did happen


def test_an_answer_slower_than_the_timeout_is_retried(portal: Portal) -> None:
    portal.sandbox.faults.replace(FaultPlan(slow_seconds=0.6,
                                            nth=[NthCallRule(READ_PATH, 1, "slow")]))
    timeouts = _retries("network")

    companies = portal.gateway(timeout=0.2).companies(["101"])

    assert [c["id"] for c in companies] == ["101"]
    assert _retries("network") == timeouts + 1


def test_daily_limit_stops_at_once(portal: Portal) -> None:
    portal.sandbox.limits.configure({"daily_limit": 1})
    gateway = portal.gateway()
    gateway.companies(["101"])

    with pytest.raises(DailyLimitReached) as err:
        gateway.companies(["102"])

    assert err.value.status == 429 and err.value.code == "DAILY"
    assert portal.count() == 2 and portal.sleeps == []


def test_a_wrong_token_is_an_authentication_error_without_the_token() -> None:
    with served_portal() as portal, pytest.raises(AuthenticationError) as err:
        portal.gateway(token=SECRET).companies(["101"])
    assert err.value.status == 401 and err.value.code == "INVALID_AUTHENTICATION"
    assert "correlationId" in str(err.value)
    assert SECRET not in _error_text(err.value)
    assert portal.sleeps == []


def test_an_unreachable_portal_is_a_network_error_without_the_token() -> None:
    with served_portal() as portal:
        pass
    gateway = portal.gateway(token=SECRET, attempts=2)  # its server has stopped

    with pytest.raises(NetworkError) as err:
        gateway.companies(["101"])

    assert SECRET not in _error_text(err.value)
    assert len(portal.sleeps) == 1


def test_a_rejected_request_names_category_and_correlation_id(portal: Portal) -> None:
    gateway = portal.gateway(token="sandbox-hubspot-token")
    with pytest.raises(RequestRejected) as err:
        gateway.transport.call("companies.get", gateway.transport.api.objects.get_by_id,
                               "companies", "424242")
    assert err.value.status == 404 and err.value.code == "OBJECT_NOT_FOUND"
    assert "424242" in str(err.value) and "correlationId" in str(err.value)


def test_the_pacer_learns_the_portal_limit_and_avoids_429(portal: Portal) -> None:
    clock = portal.sandbox.clock
    clock.time_scale = 50  # the 10-second window passes in 0.2 s
    portal.sandbox.limits.configure({"ten_second_limit": 4})
    # A 10% longer window absorbs the network: the portal counts a request on arrival.
    pacer = RollingWindowPacer(190, 11.0, clock=clock.monotonic, sleep=clock.sleep)
    gateway = portal.gateway(pacer=pacer)

    for _ in range(14):
        gateway.companies(["101"])

    assert pacer.limit == 4  # from X-HubSpot-RateLimit-Max
    assert portal.count(status=429) == 0 and portal.count() == 14
    assert pacer.waited > 0


def test_the_search_pacer_keeps_searches_under_the_secondly_limit(portal: Portal) -> None:
    clock = portal.sandbox.clock
    # Real seconds: the pacer's 10% slack (0.1 s) must cover the loopback's spread, which
    # on two loaded cores exceeded the 0.02 s it was at a time scale of 5 (2 of 20 runs).
    clock.time_scale = 1
    search_pacer = RollingWindowPacer(5, 1.1, clock=clock.monotonic, sleep=clock.sleep)
    gateway = portal.gateway(search_pacer=search_pacer)

    for _ in range(12):
        gateway.deals_modified_since(datetime(2027, 1, 1, tzinfo=UTC))

    assert portal.count("crm.objects.search") == 12
    assert portal.count(status=429) == 0


def test_without_a_pacer_the_limit_answers_429_with_retry_after(portal: Portal) -> None:
    portal.sandbox.limits.configure({"ten_second_limit": 2})
    gateway = portal.gateway(attempts=2)
    gateway.companies(["101"])
    gateway.companies(["101"])

    with pytest.raises(RateLimited) as err:
        gateway.companies(["101"])

    assert err.value.policy == "TEN_SECONDLY_ROLLING"
    assert err.value.retry_after == 10.0  # Retry-After, frozen clock: a full window
    assert portal.count(status=429) == 2


# -- classification -------------------------------------------------------------------

NO_SECRETS = SecretScrubber([SECRET])


def _classify(status: int, body: dict[str, str], headers: dict[str, str] | None = None
              ) -> UpstreamError:
    return classify_status(status, body, headers, "companies.read", NO_SECRETS)


@pytest.mark.parametrize(("policy", "headers", "wait"), [
    ("TEN_SECONDLY_ROLLING", None, 10.0),
    ("SECONDLY", None, 1.0),
    ("SECONDLY", {"Retry-After": "3"}, 3.0),
    (None, None, None),
])
def test_429_waits_what_hubspot_asks(policy: str | None, headers: dict[str, str] | None,
                                     wait: float | None) -> None:
    body = {"category": "RATE_LIMITS"} | ({"policyName": policy} if policy else {})
    error = _classify(429, body, headers)
    assert isinstance(error, RateLimited)
    assert (error.retry_after, error.policy) == (wait, policy)


@pytest.mark.parametrize(("status", "body", "kind", "code"), [
    (429, {"policyName": "DAILY", "category": "RATE_LIMITS"}, DailyLimitReached, "DAILY"),
    (500, {"category": "INTERNAL_ERROR"}, ServerError, "INTERNAL_ERROR"),
    (504, {}, ServerError, None),
    (0, {}, NetworkError, None),
    (401, {"category": "INVALID_AUTHENTICATION"}, AuthenticationError, "INVALID_AUTHENTICATION"),
    (403, {"category": "MISSING_SCOPES"}, AuthenticationError, "MISSING_SCOPES"),
    (400, {"category": "VALIDATION_ERROR"}, RequestRejected, "VALIDATION_ERROR"),
    (409, {"category": "CONFLICT"}, RequestRejected, "CONFLICT"),
])
def test_statuses_map_to_the_error_tree(status: int, body: dict[str, str],
                                        kind: type[UpstreamError], code: str | None) -> None:
    error = _classify(status, body)
    assert type(error) is kind
    assert error.api == "hubspot" and error.code == code


def test_messages_carry_hubspot_details_but_never_the_token() -> None:
    error = _classify(400, {"category": "VALIDATION_ERROR", "correlationId": "c-1",
                            "message": f"Property values were not valid (token {SECRET})"})
    assert str(error) == ("HubSpot companies.read: HTTP 400 VALIDATION_ERROR: Property values "
                          "were not valid (token [redacted]) (correlationId c-1)")


# HubSpot's 400 for a deal stage that is not one of the pipeline's (its JSON in the
# message, as HubSpot writes "Property values were not valid"), for a property the
# account lacks (the errors[] shape), the review's stand-in (a stage named, no code),
# and for values that are the record's own (an email, a number).
STAGE_MESSAGE = ('Property values were not valid: [{"isValid":false,"message":"bogus was '
                 'not one of the allowed options","error":"INVALID_OPTION","name":'
                 '"dealstage"}]')
MISSING = {"message": "Property values were not valid", "category": "VALIDATION_ERROR",
           "errors": [{"message": 'Property "vmc_registered_at" does not exist',
                       "code": "PROPERTY_DOESNT_EXIST",
                       "context": {"propertyName": ["vmc_registered_at"]}}]}
NAMED_STAGE = ('Property values were not valid: [{"isValid":false,"message":"internal '
               'pipeline 12345","name":"dealstage"}]')
BAD_EMAIL = ('Property values were not valid: [{"isValid":false,"message":"Email address '
             'x@ is invalid","error":"INVALID_EMAIL","name":"email"}]')


@pytest.mark.parametrize(("body", "expected"), [
    ({"message": STAGE_MESSAGE, "category": "VALIDATION_ERROR"}, "SetupRejected"),
    ({"message": STAGE_MESSAGE.replace("dealstage", "pipeline")}, "SetupRejected"),
    (MISSING, "SetupRejected"),
    ({"message": NAMED_STAGE, "category": "VALIDATION_ERROR"}, "SetupRejected"),
    ({"message": BAD_EMAIL, "category": "VALIDATION_ERROR"}, "RequestRejected"),
    ({"message": "Invalid input JSON", "category": "VALIDATION_ERROR"}, "RequestRejected"),
    ({}, "RequestRejected"),
])
def test_a_400_blaming_the_setup_is_a_setup_rejection(body: dict[str, object],
                                                      expected: str) -> None:
    """The adapter decides: a detail with PROPERTY_DOESNT_EXIST or INVALID_OPTION, or
    naming the deal's pipeline or stage, is the setup's fault (SetupRejected, still a
    RequestRejected to every other caller); anything else is the record's."""
    error = classify_status(400, body, None, "deals.upsert", SecretScrubber([SECRET]))
    assert type(error).__name__ == expected
    assert isinstance(error, RequestRejected) and error.status == 400
