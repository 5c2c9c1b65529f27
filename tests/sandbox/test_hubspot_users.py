"""HubSpot stand-in: the Settings users API v3 (`hubspot/users.json`) and which user
tokens it lets in, through the official SDK over loopback HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hubspot.crm.companies import ApiException as CompaniesApiException
from hubspot.crm.companies import SimplePublicObjectInput
from hubspot.settings.users import ApiException as UsersApiException
from hubspot.settings.users import CollectionResponsePublicUserForwardPaging, PublicUser

from sandbox.core import SandboxControl
from sandbox.hubspot import HubSpotSandbox
from tests.sandbox.conftest import hubspot_client

TIER = SimplePublicObjectInput(properties={"vmc_partner_tier": "referral"})


@pytest.fixture
def users(fixtures_dir: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (fixtures_dir / "users" / "hubspot" / "users.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
def with_users(hubspot_sandbox: Any, fixtures_dir: Path) -> Any:
    """The `basic` portal plus the users of the `users` set."""
    assert hubspot_sandbox.load_fixtures(fixtures_dir / "users") == {"users": 3}
    return hubspot_sandbox


def _get(url: str, path: str, token: str = "sandbox-hubspot-token") -> tuple[int, Any]:
    """(status, JSON body) of a plain GET, as curl would send it."""
    request = urllib.request.Request(f"{url}{path}",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_sdk_lists_and_gets_users(with_users: Any, hs: Any, users: list[dict[str, Any]]
                                  ) -> None:
    api = hs.settings.users
    page = api.users_api.get_page()
    assert isinstance(page, CollectionResponsePublicUserForwardPaging)
    assert [(u.id, u.email) for u in page.results] == [(u["id"], u["email"]) for u in users]
    assert page.paging is None
    claire = api.users_api.get_by_id("1001")
    assert isinstance(claire, PublicUser)
    assert (claire.email, claire.role_ids, claire.super_admin) == (
        "claire.martin@vmcloud.example", ["501"], False)
    by_email = api.users_api.get_by_id("HUGO.bernard@vmcloud.example", id_property="EMAIL")
    assert by_email.id == "1002"


def test_sdk_pages_users_with_after(with_users: Any, hs: Any) -> None:
    first = hs.settings.users.users_api.get_page(limit=2)
    assert [u.id for u in first.results] == ["1001", "1002"]
    assert first.paging.next.after == "1003"
    second = hs.settings.users.users_api.get_page(limit=2, after=first.paging.next.after)
    assert [u.id for u in second.results] == ["1003"]
    assert second.paging is None


def test_users_are_served_as_given(with_users: Any, hubspot_url: str,
                                   users: list[dict[str, Any]]) -> None:
    for path in ("/settings/v3/users", "/settings/v3/users/"):
        status, body = _get(hubspot_url, f"{path}?limit=2")
        assert status == 200 and body["results"] == users[:2]
        assert body["paging"]["next"]["after"] == "1003"
    assert _get(hubspot_url, "/settings/v3/users/1003") == (200, users[2])


def test_unknown_user_is_404_in_hubspots_shape(with_users: Any, hs: Any) -> None:
    with pytest.raises(UsersApiException) as err:
        hs.settings.users.users_api.get_by_id("4242")
    assert err.value.status == 404
    body = json.loads(err.value.body)
    assert body["category"] == "OBJECT_NOT_FOUND" and body["correlationId"]
    assert body["context"] == {"id": ["4242"]}


def test_without_a_users_file_the_list_is_empty_and_user_tokens_pass(hs: Any,
                                                                     hubspot_url: str) -> None:
    assert hs.settings.users.users_api.get_page().results == []
    user = hubspot_client(hubspot_url, "pat-user-4242")
    assert user.crm.companies.basic_api.update("101", TIER).id == "101"


def test_a_user_token_for_an_unknown_user_is_refused(with_users: Any, hubspot_url: str
                                                     ) -> None:
    stranger = hubspot_client(hubspot_url, "pat-user-4242")
    with pytest.raises(CompaniesApiException) as err:
        stranger.crm.companies.basic_api.update("101", TIER)
    assert err.value.status == 401
    assert json.loads(err.value.body)["category"] == "INVALID_AUTHENTICATION"
    known = hubspot_client(hubspot_url, "pat-user-1003")
    assert known.crm.companies.basic_api.update("101", TIER).id == "101"


def test_any_token_mode_still_checks_user_tokens(serve: Any, fixtures_dir: Path) -> None:
    """`partnersync sandbox` accepts any token, but a user token must name a user."""
    url = serve(HubSpotSandbox.from_fixtures(fixtures_dir / "users", token=None).wsgi_app)
    assert _get(url, "/settings/v3/users", "anything")[0] == 200
    assert _get(url, "/settings/v3/users", "pat-user-1002")[0] == 200
    assert _get(url, "/settings/v3/users", "pat-user-4242")[0] == 401


@pytest.mark.parametrize("token", ["pat-user-", "pat-user-10x1", "other-token"])
def test_other_tokens_still_need_the_configured_one(hubspot_url: str, token: str) -> None:
    assert _get(hubspot_url, "/crm/v3/objects/companies", token)[0] == 401


def test_users_load_while_serving(hubspot_url: str, fixtures_dir: Path) -> None:
    loaded = SandboxControl(hubspot_url).load_fixtures(fixtures_dir / "users")
    assert loaded == {"loaded": {"users": 3}}
    assert _get(hubspot_url, "/settings/v3/users/1001", "pat-user-1001")[0] == 200
    assert _get(hubspot_url, "/settings/v3/users/1001", "pat-user-9")[0] == 401


@pytest.mark.parametrize("query", ["limit=0", "after=abc", "idProperty=NAME"])
def test_bad_parameters_are_400(with_users: Any, hubspot_url: str, query: str) -> None:
    path = "/settings/v3/users/1001" if query.startswith("id") else "/settings/v3/users"
    status, body = _get(hubspot_url, f"{path}?{query}")
    assert (status, body["category"]) == (400, "VALIDATION_ERROR")


def test_a_bad_users_file_is_refused_whole(hubspot_sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "hubspot").mkdir()
    (tmp_path / "hubspot" / "users.json").write_text(json.dumps(
        [{"id": "1", "email": "a@x.example"}, {"email": "no-id@x.example"}]))
    with pytest.raises(ValueError, match="numeric id"):
        hubspot_sandbox.load_fixtures(tmp_path)
    assert len(hubspot_sandbox.state.users) == 0 and not hubspot_sandbox.state.users.loaded
