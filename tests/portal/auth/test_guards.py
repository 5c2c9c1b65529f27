"""Cookies, CSRF, rate limits, who may open what, error pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient

from sync.ledger.portal import Principal
from sync.portal.app import create_portal
from sync.portal.auth import admin_required, partner_required, signed_in_partner
from sync.wiring import Services
from tests.portal.conftest import (
    ManualClock,
    csrf_token,
    make_link,
    portal_settings,
    sign_in_as_admin,
    sign_in_as_partner,
)

probes = Blueprint("probes", __name__)


@probes.get("/probe/partner")
@partner_required
def partner_probe() -> str:
    return f"partner page of {signed_in_partner()}"


@probes.get("/probe/admin")
@admin_required
def admin_probe() -> str:
    return "admin page"


@probes.get("/probe/scoped")
def scoped_probe() -> str:
    return f"scoped to {signed_in_partner()}"


@probes.get("/probe/broken")
def broken_probe() -> str:
    raise ValueError("the ledger said no; password=hunter2")


@pytest.fixture
def probed(portal_services: Services, portal_clock: ManualClock) -> Flask:
    app = create_portal(portal_services, clock=portal_clock)
    app.register_blueprint(probes)
    return app


def test_the_session_cookie_is_httponly_and_samesite_lax_not_secure_over_http(
        client: FlaskClient, portal_services: Services) -> None:
    link = make_link(client, portal_services, Principal.partner("30000000001"))
    page = client.get(link)
    answer = client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    cookie = next(value for value in answer.headers.get_all("Set-Cookie")
                  if value.startswith("partnersync_session="))
    flags = [part.strip() for part in cookie.split(";")[1:]]
    assert "HttpOnly" in flags
    assert "SameSite=Lax" in flags
    assert "Secure" not in flags


def test_the_session_cookie_is_secure_behind_https(tmp_path: Path) -> None:
    services = Services(portal_settings(tmp_path, portal_url="https://partners.example.com"))
    try:
        app = create_portal(services, clock=ManualClock())
        client = app.test_client()
        sign_in_as_partner(client, services, "30000000001")
        page = client.get("/")
        cookie = next(value for value in page.headers.get_all("Set-Cookie")
                      if value.startswith("partnersync_session="))
        assert "Secure" in [part.strip() for part in cookie.split(";")]
    finally:
        services.close()


def test_a_form_without_its_csrf_token_answers_400_and_changes_nothing(
        client: FlaskClient, portal_services: Services) -> None:
    link = make_link(client, portal_services, Principal.partner("30000000001"))
    client.get(link)
    refused = client.post(link, data={})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "This form has expired or did not come from this site" in page
    assert "Traceback" not in page
    forged = client.post(link, data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert client.get("/").status_code == 302  # not signed in
    assert client.get(link).status_code == 200  # and the link is still unused


def test_signing_in_is_limited_to_10_attempts_a_minute(
        client: FlaskClient, portal_services: Services) -> None:
    """Guessing links: the 11th POST within a minute from one address is refused."""
    link = make_link(client, portal_services, Principal.partner("30000000001"))
    token = csrf_token(client.get(link).get_data(as_text=True))
    statuses = [client.post("/sign-in/" + "B" * 43, data={"csrf_token": token}).status_code
                for _ in range(11)]
    assert statuses == [404] * 10 + [429]
    limited = client.post("/sign-in/" + "B" * 43, data={"csrf_token": token})
    assert limited.status_code == 429
    assert "Too many attempts" in limited.get_data(as_text=True)
    assert "Wait a minute, then try again." in limited.get_data(as_text=True)
    assert limited.headers["Retry-After"].isdigit()


def test_a_partner_session_cannot_open_admin_pages_nor_the_other_way(
        probed: Flask, portal_services: Services) -> None:
    partner, admin, nobody = probed.test_client(), probed.test_client(), probed.test_client()
    sign_in_as_partner(partner, portal_services, "30000000001")
    sign_in_as_admin(admin, portal_services, "Manager@VMCloud.example")

    assert partner.get("/probe/partner").get_data(as_text=True) == (
        "partner page of 30000000001")
    assert partner.get("/probe/admin").status_code == 404
    assert admin.get("/probe/admin").get_data(as_text=True) == "admin page"
    assert admin.get("/probe/partner").status_code == 404
    assert admin.get("/probe/scoped").status_code == 404  # an admin is not a partner
    assert partner.get("/admin").status_code == 404
    assert nobody.get("/probe/partner").headers["Location"] == "/sign-in"
    assert nobody.get("/probe/admin").headers["Location"] == "/sign-in"
    assert nobody.get("/probe/scoped").status_code == 404
    home = admin.get("/", follow_redirects=True)
    assert home.request.path == "/admin"
    assert "Signed in as manager@vmcloud.example" in home.get_data(as_text=True)


def test_a_failing_page_shows_no_traceback_nor_the_error(probed: Flask) -> None:
    answer = probed.test_client().get("/probe/broken")
    assert answer.status_code == 500
    page = answer.get_data(as_text=True)
    assert "Something went wrong on our side" in page
    assert "hunter2" not in page
    assert "ValueError" not in page
    assert "Traceback" not in page


def test_pages_carry_the_security_headers(client: FlaskClient) -> None:
    answer = client.get("/sign-in")
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'self';")


def test_a_body_over_64_kib_answers_413_with_a_page_saying_what_to_do(
        client: FlaskClient) -> None:
    big = {"company": "x" * (64 * 1024)}
    answer = client.post("/registrations", data=big)
    assert answer.status_code == 413
    page = answer.get_data(as_text=True)
    assert "<h1>What you sent is too large</h1>" in page
    assert "holds at most 64 KB of text" in page
    french = client.post("/registrations", data=big, headers={"Accept-Language": "fr"})
    assert french.status_code == 413
    assert "<h1>Ce que vous avez envoyé est trop volumineux</h1>" in french.get_data(
        as_text=True)
    assert client.post("/registrations", data={"company": "x" * 1000}).status_code != 413


def test_strict_transport_security_only_over_https(tmp_path: Path) -> None:
    for url, expected in (("https://partners.example.com", "max-age=31536000"),
                          ("http://portal.test", None)):
        services = Services(portal_settings(tmp_path, portal_url=url))
        try:
            answer = create_portal(services).test_client().get("/sign-in")
            assert answer.headers.get("Strict-Transport-Security") == expected, url
        finally:
            services.close()
