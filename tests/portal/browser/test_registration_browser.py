"""A deal registration in a real browser, end to end: Agence Lumière (Partner tier)
fills the form, the page lists the registration as created in HubSpot, and the HubSpot
stand-in, asked over its HTTP API, holds the deal with vmc_registered_by and
vmc_registered_at and the prospect's company. Its own domain is refused (R8) and
records nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from sync.ledger.portal import Principal
from tests.portal.browser.axe import assert_accessible
from tests.portal.browser.conftest import click_and_wait, screenshot
from tests.portal.browser.served import HUBSPOT_TOKEN, Served, served_portal
from tests.portal.demo_world import record_demo_sync

CSS, TAG = "css selector", "tag name"
PARTNER = "30000000001"  # Agence Lumière, Partner tier, active
PROSPECT = {"company_name": "Brasserie du Vieux Port", "domain": "https://www.brasserie-vieux-port.fr/",
            "contact_email": "achats@brasserie-vieux-port.fr", "expected_plan": "VPS M monthly"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("registration-browser")
    record_demo_sync(folder / "world.db")
    with served_portal(folder, folder / "world.db") as portal:
        yield portal


def _search(served: Served, kind: str, name: str, value: str) -> list[dict[str, Any]]:
    """HubSpot's CRM search on the stand-in, as any HubSpot client asks it."""
    answer = requests.post(
        f"{served.hubspot_url}/crm/v3/objects/{kind}/search", timeout=10,
        headers={"Authorization": f"Bearer {HUBSPOT_TOKEN}"},
        json={"filterGroups": [{"filters": [{"propertyName": name, "operator": "EQ",
                                             "value": value}]}],
              "properties": ["dealname", "vmc_registered_by", "vmc_registered_at", "domain",
                             "name", "dealstage"]})
    assert answer.status_code == 200, answer.text
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def _fill(browser: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = browser.find_element(CSS, f"#{name}")
        field.clear()
        field.send_keys(value)


def test_the_partner_opens_the_registration_form(browser: Any, served: Served) -> None:
    browser.get(served.link(Principal.partner(PARTNER), now=datetime.now(UTC)))
    click_and_wait(browser, "main form button[type=submit]")
    click_and_wait(browser, "nav.main-nav a[href='/registrations']")
    assert browser.find_element(TAG, "h1").text == "Deal registrations"
    assert_accessible(browser)
    screenshot(browser, "partner-registrations")


def test_a_registration_goes_end_to_end_to_a_hubspot_deal(browser: Any, served: Served) -> None:
    before = {deal["id"] for deal in _search(served, "deals", "vmc_registered_by", PARTNER)}
    _fill(browser, PROSPECT)
    click_and_wait(browser, "main form button[type=submit]")
    row = browser.find_element(CSS, "table.registrations tbody tr")
    cells = [cell.text for cell in row.find_elements(CSS, "th, td")]
    assert cells[:2] == ["Brasserie du Vieux Port", "brasserie-vieux-port.fr"]  # normalised
    assert cells[3].startswith("Protected until ")  # 90 days (R9)
    assert cells[4].startswith("Created (deal ")
    deal_id = cells[4].removeprefix("Created (deal ").removesuffix(")")
    after = {deal["id"]: deal for deal in _search(served, "deals", "vmc_registered_by", PARTNER)}
    assert set(after) - before == {deal_id}  # one new deal, registered by the partner
    assert after[deal_id]["properties"]["vmc_registered_at"]
    assert after[deal_id]["properties"]["dealstage"] == "appointmentscheduled"
    [company] = _search(served, "companies", "domain", "brasserie-vieux-port.fr")
    assert company["properties"]["name"] == "Brasserie du Vieux Port"
    assert_accessible(browser)
    screenshot(browser, "partner-registration-sent")


def test_the_partners_own_domain_is_refused(browser: Any, served: Served) -> None:
    _fill(browser, {**PROSPECT, "company_name": "Lumière again", "domain": "agence-lumiere.fr"})
    click_and_wait(browser, "main form button[type=submit]")
    refusal = browser.find_element(CSS, "#refusal").text
    assert "your own company's domain" in refusal and "R8" in refusal
    assert len(browser.find_elements(CSS, "table.registrations tbody tr")) == 1
    assert not _search(served, "companies", "name", "Lumière again")
    assert_accessible(browser)
    screenshot(browser, "partner-registration-refused")
