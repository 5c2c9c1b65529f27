"""HubSpot stand-in: the v4 association batches' input limits and their own rate window,
through the SDK (docs/sandbox.md, "Batch limits" and "Rate limits")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hubspot.crm.associations.v4 import (
    ApiException,
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
)
from hubspot.crm.companies import ApiException as CompaniesApiException
from hubspot.crm.companies import BatchReadInputSimplePublicObjectId

PAIR = {"from": {"id": "202"}, "to": {"id": "102"}}  # not associated in the fixtures
UNLABELED = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 341}]


def _read(hs: Any, count: int) -> Any:
    return hs.crm.associations.v4.batch_api.get_page(
        "deals", "companies", BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[{"id": "201"}] * count))


def _create(hs: Any, count: int) -> Any:
    return hs.crm.associations.v4.batch_api.create(
        "deals", "companies", BatchInputPublicAssociationMultiPost(
            inputs=[{**PAIR, "types": UNLABELED}] * count))


def _default(hs: Any, count: int) -> Any:
    return hs.crm.associations.v4.batch_api.create_default(
        "deals", "companies", BatchInputPublicDefaultAssociationMultiPost(inputs=[PAIR] * count))


def _archive(hs: Any, count: int) -> Any:
    return hs.crm.associations.v4.batch_api.archive(
        "deals", "companies", BatchInputPublicAssociationMultiArchive(
            inputs=[{"from": {"id": "202"}, "to": [{"id": "102"}]}] * count))


LIMITS: dict[str, tuple[Callable[[Any, int], Any], int]] = {
    "batch/read": (_read, 1_000),  # the associations guide and its changelog
    "batch/create": (_create, 2_000),  # the associations guide
    "batch/associate/default": (_default, 100),  # undocumented: the conservative figure
    "batch/archive": (_archive, 100),  # undocumented: the conservative figure
}


def _linked(hubspot_sandbox: Any) -> bool:
    state = hubspot_sandbox.state
    return any(to_id == "102" for to_id, _ in state.associations.targets(("0-3", "202"), "0-2"))


@pytest.mark.parametrize("endpoint", list(LIMITS))
def test_one_input_over_the_limit_is_refused_whole(hs: Any, hubspot_sandbox: Any,
                                                   endpoint: str) -> None:
    send, limit = LIMITS[endpoint]
    with pytest.raises(ApiException) as err:
        send(hs, limit + 1)

    assert err.value.status == 400
    body = json.loads(err.value.body)
    assert body["category"] == "VALIDATION_ERROR" and body["status"] == "error"
    assert body["message"] == f"Too many inputs: {limit + 1} (at most {limit})"
    assert body["context"] == {"inputs": [str(limit + 1)]} and "correlationId" in body
    assert not _linked(hubspot_sandbox)  # nothing of the refused request was done


@pytest.mark.parametrize("endpoint", list(LIMITS))
def test_exactly_the_limit_is_taken(hs: Any, endpoint: str) -> None:
    send, limit = LIMITS[endpoint]
    send(hs, limit)  # no ApiException


def test_object_batches_stay_at_100(hs: Any) -> None:
    def read(count: int) -> Any:
        return hs.crm.companies.batch_api.read(BatchReadInputSimplePublicObjectId(
            inputs=[{"id": "101"}] * count, properties=[]))

    read(100)
    with pytest.raises(CompaniesApiException) as err:
        read(101)
    assert err.value.status == 400


# -- rate limits ------------------------------------------------------------------------


def _answer(call: Callable[..., Any], *args: Any) -> tuple[int, dict[str, str], Any]:
    """Status, headers and JSON body of an SDK call, refused or not."""
    try:
        answer = call(*args, _preload_content=False)
    except ApiException as exc:
        return exc.status, dict(exc.headers or {}), json.loads(exc.body)
    return answer.status, dict(answer.headers), json.loads(answer.data)


def _association_read(hs: Any) -> tuple[int, dict[str, str], Any]:
    return _answer(hs.crm.associations.v4.batch_api.get_page, "deals", "companies",
                   BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": "201"}]))


def _per_record_read(hs: Any) -> tuple[int, dict[str, str], Any]:
    """A per-record association call: not a batch, so the general window."""
    return _answer(hs.crm.associations.v4.basic_api.get_page, "deals", "201", "companies")


def test_association_batches_have_their_own_ten_second_window(hs: Any,
                                                              hubspot_sandbox: Any) -> None:
    hubspot_sandbox.limits.configure({"ten_second_limit": 2,
                                      "association_ten_second_limit": 3})
    reads = [_association_read(hs) for _ in range(4)]
    others = [_per_record_read(hs) for _ in range(3)]

    assert [status for status, _, _ in reads] == [200, 200, 200, 429]
    assert [status for status, _, _ in others] == [200, 200, 429]
    assert reads[0][1]["X-HubSpot-RateLimit-Max"] == "3"
    assert reads[2][1]["X-HubSpot-RateLimit-Remaining"] == "0"
    assert others[0][1]["X-HubSpot-RateLimit-Max"] == "2"
    refused = reads[3]
    assert refused[1]["Retry-After"] == "10"  # frozen clock: a whole window
    assert refused[2]["policyName"] == "TEN_SECONDLY_ROLLING"
    assert refused[2]["category"] == "RATE_LIMITS" and refused[2]["errorType"] == "RATE_LIMIT"


def test_association_batches_have_their_own_daily_quota(hs: Any,
                                                        hubspot_sandbox: Any) -> None:
    hubspot_sandbox.limits.configure({"association_daily_limit": 2, "daily_limit": 10})
    reads = [_association_read(hs) for _ in range(3)]
    general = _per_record_read(hs)

    assert [status for status, _, _ in reads] == [200, 200, 429]
    assert reads[2][2]["policyName"] == "DAILY"
    assert reads[2][1]["X-HubSpot-RateLimit-Daily"] == "2"
    assert general[0] == 200
    # the portal's quota counts association batches too: 3 of them, then this call
    assert general[1]["X-HubSpot-RateLimit-Daily-Remaining"] == "6"


def test_the_association_limits_are_settings(hubspot_sandbox: Any) -> None:
    limits = hubspot_sandbox.limits.to_json()
    assert limits["association_ten_second_limit"] == 150
    assert limits["association_daily_limit"] == 500_000
