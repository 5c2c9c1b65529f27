"""Signing in from a single-use link: once, within 24 hours, never after a revoke."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from sync.ledger.mirror import Mirror
from sync.ledger.portal import Principal
from sync.portal.invites import revoke
from sync.pull.mirror_inputs import Mirrored
from sync.wiring import Services
from tests.portal.auth.conftest import DEMO_COMPANIES
from tests.portal.conftest import (
    INVITER,
    ManualClock,
    csrf_token,
    make_link,
    sign_in_as_partner,
    use_link,
)


def test_a_link_signs_in_once_and_lands_on_the_home_page(
        client: FlaskClient, portal_services: Services) -> None:
    link = make_link(client, portal_services, Principal.partner("30000000001"))

    page = client.get(link)
    assert page.status_code == 200
    assert "Sign in" in page.get_data(as_text=True)
    assert client.get("/").status_code == 302  # the GET alone signs nobody in

    answer = client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert "Signed in as partner 30000000001" in home.get_data(as_text=True)


def test_a_used_link_is_refused_with_what_to_do(
        client: FlaskClient, portal_services: Services) -> None:
    link = make_link(client, portal_services, Principal.partner("30000000001"))
    assert use_link(client, link) == 303
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/", follow_redirects=True).get_data(as_text=True))})

    again = client.get(link)
    assert again.status_code == 410
    assert "This link was already used" in again.get_data(as_text=True)
    other = make_link(client, portal_services, Principal.partner("30000000002"))
    form = csrf_token(client.get(other).get_data(as_text=True))  # a form of this session
    posted = client.post(link, data={"csrf_token": form})
    assert posted.status_code == 410
    assert "This link was already used" in posted.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_a_link_expires_after_24_hours(client: FlaskClient, portal_services: Services,
                                       portal_clock: ManualClock) -> None:
    fresh = make_link(client, portal_services, Principal.partner("30000000001"))
    stale = make_link(client, portal_services, Principal.partner("30000000002"))
    portal_clock.advance(timedelta(hours=23, minutes=59, seconds=59))
    assert use_link(client, fresh) == 303

    portal_clock.advance(timedelta(seconds=1))  # exactly 24 h after it was made
    refused = client.get(stale)
    assert refused.status_code == 410
    assert "This link has expired" in refused.get_data(as_text=True)


def test_an_unknown_link_answers_404(client: FlaskClient) -> None:
    for path in ("/sign-in/" + "A" * 43, "/sign-in/short", "/sign-in/%3Cscript%3E"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "This link is not known" in answer.get_data(as_text=True)


def test_a_revoke_refuses_unused_links_and_ends_sessions(
        portal_app: Flask, portal_services: Services, portal_clock: ManualClock) -> None:
    signed_in, holder = portal_app.test_client(), portal_app.test_client()
    sign_in_as_partner(signed_in, portal_services, "30000000001")
    unused = make_link(holder, portal_services, Principal.partner("30000000001"))
    assert signed_in.get("/", follow_redirects=True).status_code == 200

    portal_clock.advance(timedelta(minutes=5))
    assert revoke(portal_services, Principal.partner("30000000001"), by=INVITER,
                  now=portal_clock())

    ended = signed_in.get("/")
    assert ended.status_code == 302
    assert ended.headers["Location"] == "/sign-in"
    assert "Your access to the portal was revoked" in signed_in.get("/sign-in").get_data(
        as_text=True)
    refused = holder.get(unused)
    assert refused.status_code == 410
    assert "This link was withdrawn" in refused.get_data(as_text=True)

    portal_clock.advance(timedelta(minutes=1))  # invited again: a new link works
    fresh = make_link(holder, portal_services, Principal.partner("30000000001"))
    assert use_link(holder, fresh) == 303
    assert holder.get("/", follow_redirects=True).status_code == 200


def test_a_session_ends_12_hours_after_sign_in(
        client: FlaskClient, portal_services: Services, portal_clock: ManualClock) -> None:
    sign_in_as_partner(client, portal_services, "30000000001")
    for _ in range(7):  # a request every 1 h 42 min: never idle for 2 hours
        portal_clock.advance(timedelta(hours=1, minutes=42))
        assert client.get("/", follow_redirects=True).status_code == 200
    portal_clock.advance(timedelta(minutes=6))  # 12 h since sign-in, 6 min since a request
    ended = client.get("/")
    assert ended.status_code == 302
    assert "Your session has ended after 12 hours" in client.get("/sign-in").get_data(
        as_text=True)


def test_the_token_is_never_stored_only_its_sha256(
        client: FlaskClient, portal_services: Services) -> None:
    link = make_link(client, portal_services, Principal.partner("30000000001"))
    token = link.removeprefix("/sign-in/")
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    with portal_services.ledger.engine.connect() as db:
        rows = db.execute(text("SELECT token_hash, kind, subject, created_by "
                               "FROM portal_sign_in_links")).all()
        everything = " ".join(str(value) for table in (
            "portal_sign_in_links", "portal_principals", "audit_events")
            for row in db.execute(text(f"SELECT * FROM {table}")).all() for value in row)
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), "partner", "30000000001",
                     INVITER)]
    assert token not in everything


def test_signing_out_ends_the_session_and_needs_the_form_token(
        client: FlaskClient, portal_services: Services) -> None:
    sign_in_as_partner(client, portal_services, "30000000001")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert client.post("/sign-out").status_code == 400  # no CSRF token: nothing happens
    assert client.get("/overview").status_code == 200

    answer = client.post("/sign-out", data={"csrf_token": csrf_token(home)})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/sign-in"
    assert "You are signed out." in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/overview").headers["Location"] == "/sign-in"


def _mirror_partner(services: Services, partner_id: str, name: str) -> None:
    """The demo's company ``partner_id`` in the mirror under ``name``, as a sync reads it."""
    companies = json.loads(DEMO_COMPANIES.read_text(encoding="utf-8"))
    [company] = [company for company in companies if company["id"] == partner_id]
    company["properties"]["name"] = name
    ledger = services.ledger
    run_id = ledger.start_run("sync", datetime(2026, 11, 1, tzinfo=UTC))
    Mirror(ledger).upsert(Mirrored.HUBSPOT_PARTNER, [(partner_id, company)], run_id)
    ledger.finish_run(run_id, "succeeded", {})


def test_the_button_page_says_whom_the_link_signs_in(
        client: FlaskClient, portal_services: Services) -> None:
    _mirror_partner(portal_services, "30000000001", "Agence <Lumière> & Co")
    named = client.get(make_link(client, portal_services, Principal.partner("30000000001")))
    assert ("This link signs you in as Agence &lt;Lumière&gt; &amp; Co to your partner "
            "space, once.") in named.get_data(as_text=True)
    unknown = client.get(make_link(client, portal_services, Principal.partner("30000000002")),
                         headers={"Accept-Language": "fr"})
    assert ("Ce lien vous connecte une fois, en tant que partenaire 30000000002, à votre "
            "espace partenaire.") in unknown.get_data(as_text=True)
    admin = client.get(make_link(client, portal_services, Principal.admin("Boss@VMCloud.example")))
    assert ("This link signs you in as boss@vmcloud.example to the programme's admin view, "
            "once.") in admin.get_data(as_text=True)
