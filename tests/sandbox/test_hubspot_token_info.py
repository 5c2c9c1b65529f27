"""HubSpot stand-in: the private app's token introspection (`POST /oauth/v2/private-apps/
get/access-token-info`, body `{"tokenKey"}`), with configurable scopes, through the
official SDK's OAuth API client over loopback HTTP (the SDK has no operation for it)."""

from __future__ import annotations

import json
import urllib.error
from typing import Any

import pytest
from hubspot.oauth import ApiException

from sandbox.core import SandboxControl
from sandbox.hubspot import HubSpotSandbox
from tests.sandbox.conftest import hubspot_client

TOKEN = "sandbox-hubspot-token"
PATH = "/oauth/v2/private-apps/get/access-token-info"


def token_info(url: str, token_key: str | None, token: str = TOKEN) -> tuple[int, Any]:
    """(status, JSON) of the request as `sync.adapters.hubspot.token_info` sends it."""
    client = hubspot_client(url, token).oauth.access_tokens_api.api_client
    body = {} if token_key is None else {"tokenKey": token_key}
    try:
        answer = client.call_api(PATH, "POST", header_params={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            body=body, response_types_map={}, auth_settings=[], _preload_content=False)
    except ApiException as error:
        return error.status, json.loads(error.body)
    return answer.status, json.loads(answer.data)


def test_answers_the_portal_and_the_scopes_of_a_private_app_set_up_as_the_readme_says(
        hubspot_url: str) -> None:
    assert token_info(hubspot_url, TOKEN) == (200, {
        "userId": 1001, "hubId": 12345678, "appId": 3141592, "scopes": [
            "crm.objects.companies.read", "crm.objects.companies.write",
            "crm.objects.deals.read", "crm.objects.deals.write",
            "crm.objects.custom.read", "crm.objects.custom.write",
            "crm.schemas.companies.read", "crm.schemas.deals.read",
            "crm.schemas.custom.read", "crm.schemas.companies.write",
            "crm.schemas.deals.write", "crm.schemas.custom.write", "settings.users.read"]})


def test_scopes_are_set_at_construction_and_through_the_control_api(serve: Any) -> None:
    sandbox = HubSpotSandbox(token=TOKEN, token_scopes=["crm.objects.deals.read"])
    url = serve(sandbox.wsgi_app)
    assert token_info(url, TOKEN)[1]["scopes"] == ["crm.objects.deals.read"]
    control = SandboxControl(url)
    assert control.records(token_scopes=["oauth", "crm.objects.companies.read"]) == {
        "token_scopes": ["oauth", "crm.objects.companies.read"]}
    assert token_info(url, TOKEN)[1]["scopes"] == ["oauth", "crm.objects.companies.read"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        control.records(token_scopes="crm.objects.deals.read")
    assert (refused.value.code, json.loads(refused.value.read())) == (
        400, {"error": "ValueError: token_scopes must be a list of scope names"})


def test_another_token_than_the_one_presented_is_refused(hubspot_url: str) -> None:
    status, body = token_info(hubspot_url, "pat-na1-someone-else")
    assert (status, body["category"], body["message"]) == (
        401, "INVALID_AUTHENTICATION", "The access token provided is invalid or expired.")


def test_a_request_without_token_key_is_a_validation_error(hubspot_url: str) -> None:
    status, body = token_info(hubspot_url, None)
    assert (status, body["category"], body["message"]) == (
        400, "VALIDATION_ERROR", "tokenKey is required")


def test_a_wrong_bearer_token_is_refused_before_anything(hubspot_url: str) -> None:
    status, body = token_info(hubspot_url, "pat-na1-wrong", token="pat-na1-wrong")
    assert (status, body["category"]) == (401, "INVALID_AUTHENTICATION")
