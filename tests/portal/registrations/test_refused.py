"""What a partner and the programme team see when HubSpot refuses a registration
(review, Important 2 and 3): the partner reads a translated sentence with the
registration's id as reference, once, never HubSpot's own words; a registration HubSpot
refused shows "not protected" and the domain can be registered again; a refusal of the
setup keeps it pending. The admin view lists both with HubSpot's reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sync.adapters.hubspot.batch import BatchOutcome
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.errors import RequestRejected
from sync.ledger import registrations as store
from sync.portal.app import create_portal
from sync.wiring import Services
from tests.e2e.support import World
from tests.portal.conftest import (
    ManualClock,
    csrf_token,
    sign_in_as_admin,
    sign_in_as_partner,
)
from tests.portal.registrations.support import NOW, PREMIER_OPS, gateway, portal_services

RAW = ("HubSpot deals.upsert: HTTP 400 VALIDATION_ERROR: Property values were not valid: "
       "internal-pipeline 12345 (correlationId abcd-1234)")


class RefusesTheValues(HubSpotGateway):
    """HubSpot refusing the deal's own values (a RequestRejected, as the adapter
    classifies a 400 that does not blame the setup)."""

    def upsert_records(self, object_name: str, id_property: str,
                       records: list[tuple[str, dict[str, str]]]) -> BatchOutcome[str]:
        if object_name == "deals":
            raise RequestRejected(RAW, api="hubspot", status=400, code="VALIDATION_ERROR")
        return super().upsert_records(object_name, id_property, records)


@pytest.fixture(scope="module")
def services(world: World) -> Services:
    return portal_services(world)


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture(scope="module")
def app(services: Services, clock: ManualClock) -> Flask:
    return create_portal(services, clock=clock)


@pytest.fixture(scope="module")
def partner(app: Flask, services: Services) -> FlaskClient:
    client = app.test_client()
    sign_in_as_partner(client, services, PREMIER_OPS)
    return client


@pytest.fixture
def refusing(services: Services, world: World) -> Iterator[None]:
    services.portal_hubspot = gateway(world, RefusesTheValues)  # type: ignore[misc]
    try:
        yield
    finally:
        services.portal_hubspot = gateway(world)  # type: ignore[misc]


def register(client: FlaskClient, name: str, domain: str, lang: str = "en") -> str:
    """Post the form; the page the redirect leads to."""
    form = client.get(f"/registrations?lang={lang}").get_data(as_text=True)
    answer = client.post("/registrations", data={
        "company_name": name, "domain": domain, "contact_email": f"ceo@{domain}",
        "expected_plan": "VPS S", "csrf_token": csrf_token(form)})
    assert answer.status_code == 303
    return client.get("/registrations").get_data(as_text=True)


def mine(services: Services, name: str) -> store.Registration:
    [found] = [r for r in store.of_partner(services.ledger, PREMIER_OPS)
               if r.company_name == name]
    return found


def test_a_refused_registration_says_so_once_without_hubspots_words(
        partner: FlaskClient, services: Services, refusing: None) -> None:
    page = register(partner, "Tyrell", "tyrell.example")
    refused = mine(services, "Tyrell")
    assert refused.status == "failed"
    assert refused.last_error == f"HubSpot refused it: {RAW}"  # for the programme team
    notice = (f"Tyrell could not be registered: HubSpot refused it (reference {refused.id})."
              " The programme team was told and will contact you; the domain is not "
              "protected, and you may register it again.")
    assert page.count(notice) == 1
    for raw in ("VALIDATION_ERROR", "correlationId", "internal-pipeline", "HTTP 400"):
        assert raw not in page, raw
    row = page[page.index(f'<tr id="{refused.id}">'):]
    row = re.sub(r"\s+", " ", row[:row.index("</tr>")])
    assert "Not protected: HubSpot refused it" in row
    assert "Protected until" not in row
    assert (f"Refused (reference {refused.id}): the programme team was told; you may "
            "register the domain again.") in row


def test_the_same_in_french(partner: FlaskClient, services: Services, refusing: None) -> None:
    page = register(partner, "Cyberdyne", "cyberdyne.example", lang="fr")
    refused = mine(services, "Cyberdyne")
    notice = (f"Cyberdyne n'a pas pu être enregistré : HubSpot l'a refusé (référence "
              f"{refused.id}). L'équipe du programme a été prévenue et vous contactera ; "
              "le domaine n'est pas protégé, et vous pouvez l'enregistrer de nouveau.")
    assert page.count(notice.replace("'", "&#39;")) == 1
    assert "Non protégé : HubSpot l'a refusé" in page  # catalogue text: not escaped
    assert "HubSpot refused" not in page
    partner.get("/registrations?lang=en")  # the choice is remembered: undo it


def test_a_refused_domain_can_be_registered_again(partner: FlaskClient, services: Services,
                                                  clock: ManualClock) -> None:
    """It protects nothing (the refusal check ignores it), so it is no obstacle."""
    assert mine(services, "Tyrell").status == "failed"
    clock.advance(timedelta(minutes=5))  # a person retrying (the id has the instant)
    page = register(partner, "Tyrell Corp", "tyrell.example")
    assert "Tyrell Corp is registered: the deal is in HubSpot." in page
    assert mine(services, "Tyrell Corp").status == "sent"


def test_a_refusal_of_the_setup_stays_pending(partner: FlaskClient, services: Services,
                                              world: World) -> None:
    deals = world.hubspot.state.resolve_type("deals")
    removed = deals.properties.pop("vmc_registered_by")
    try:
        page = register(partner, "Soylent", "soylent-green.example")
    finally:
        deals.properties["vmc_registered_by"] = removed
    waiting = mine(services, "Soylent")
    assert waiting.status == "pending"
    assert page.count(
        f"Soylent is registered (reference {waiting.id}). The deal could not be created "
        "in HubSpot yet because of a setting on our side: the programme team was told, "
        "and it will be created once that is fixed.") == 1
    assert "PROPERTY_DOESNT_EXIST" not in page and "vmc_registered_by" not in page
    row = page[page.index(f'<tr id="{waiting.id}">'):]
    assert "Pending: sent at the next synchronisation" in row[:row.index("</tr>")]


def test_the_admin_view_lists_them_with_hubspots_reason(app: Flask,
                                                        services: Services) -> None:
    admin = app.test_client()
    sign_in_as_admin(admin, services)
    page = admin.get("/admin/partners").get_data(as_text=True)
    section = page[page.index('id="registrations"'):page.index("Every partner")]
    for name, state, reason in [
        ("Tyrell", "Refused", f"HubSpot refused it: {RAW}"),
        ("Soylent", "Pending", "HubSpot refused the portal&#39;s setup, not the "
                               "registration: HubSpot refused the deals record: "),
    ]:
        found = mine(services, name)
        row = section[section.index(f"<td>{found.id}</td>"):]
        row = row[:row.index("</tr>")]
        assert f"<td>{state}</td>" in row, name
        assert reason in row, name
    assert mine(services, "Tyrell Corp").id not in section  # sent: nothing to look at
