"""The registration pages through the Flask test client, on the small portal's mirror and
the HubSpot stand-in over loopback: a registration reaches HubSpot; each refusal is
shown beside the form with its rule and records nothing; a partner sees only its own."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sync.ledger import registrations as store
from sync.portal.app import create_portal
from sync.wiring import Services
from sync.writeback.registrations import send_pending_registrations
from tests.e2e.support import World
from tests.portal.conftest import sign_in_as_partner
from tests.portal.registrations.support import (
    ATELIER,
    CAMILLE,
    NOW,
    NUAGE,
    PORTAL,
    PREMIER_OPS,
    SYNCED_AT,
    gateway,
    portal_services,
    with_registration,
)

NEUTRAL = ("This domain cannot be registered: it is already a customer or under another "
           "registration&#39;s protection (rules R6, R7 and R9).")
GOOD = {"company_name": "Wayne Enterprises", "domain": "https://www.Wayne.example/about",
        "contact_email": "bruce@wayne.example", "expected_plan": "GPU H100 yearly"}


@pytest.fixture(scope="module")
def services(world: World) -> Services:
    return portal_services(world)


@pytest.fixture(scope="module")
def app(services: Services) -> Flask:
    return create_portal(services, clock=lambda: NOW)


AsPartner = Callable[[str], FlaskClient]


@pytest.fixture(scope="module")
def as_partner(app: Flask, services: Services) -> AsPartner:
    """One signed-in client per partner for the module (sign-in is rate limited)."""
    clients: dict[str, FlaskClient] = {}

    def client(partner: str) -> FlaskClient:
        if partner not in clients:
            clients[partner] = app.test_client()
            sign_in_as_partner(clients[partner], services, partner)
        return clients[partner]
    return client


def csrf(client: FlaskClient) -> str:
    page = client.get("/registrations").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, "the form carries a CSRF token"
    return found.group(1)


def post(client: FlaskClient, form: dict[str, str]) -> tuple[int, str]:
    answer = client.post("/registrations", data={**form, "csrf_token": csrf(client)})
    return answer.status_code, answer.get_data(as_text=True)


def recorded(services: Services) -> int:
    return len(store.registered_since(services.ledger, NOW.replace(year=2000)))


def test_a_registration_reaches_hubspot_and_the_list(as_partner: AsPartner, services: Services,
                                                     world: World) -> None:
    client = as_partner(NUAGE)
    answer = client.post("/registrations", data={**GOOD, "csrf_token": csrf(client)})
    assert answer.status_code == 303
    [mine] = store.of_partner(services.ledger, NUAGE)[:1]
    assert (mine.company_name, mine.domain, mine.contact_email, mine.expected_plan) == (
        "Wayne Enterprises", "wayne.example", "bruce@wayne.example", "GPU H100 yearly")
    [(deal_id, deal)] = with_registration(world, "deals", mine.id).items()
    assert (deal["vmc_registered_by"], deal["vmc_registered_at"]) == (
        "7102", "2026-05-04T09:30:00.000Z")
    page = client.get("/registrations").get_data(as_text=True)
    assert "Wayne Enterprises is registered: the deal is in HubSpot." in page
    row = page[page.index(f'id="{mine.id}"'):]
    assert "Protected until 2026-08-02" in row  # 2026-05-04 + 90 days (R6)
    assert f"Created (deal {deal_id})" in row


@pytest.mark.parametrize(("partner", "domain", "message"), [
    (NUAGE, "nuage-partners.example",
     "This is your own company&#39;s domain: a partner cannot register itself (rule R8)."),
    # R7 and R9 in the same neutral words: which one would reveal a competitor's
    # registration, or that the prospect is a customer
    (NUAGE, "www.brasserie-lune.example", NEUTRAL),  # cus_e2eC1Referral pays since January
    (PREMIER_OPS, "wayne.example", NEUTRAL),  # Nuage's, registered just before (test above)
    (ATELIER, "acme-new.example",
     "Deal registration is open to Partner and Premier partners."),
])
def test_each_refusal_says_why_and_records_nothing(as_partner: AsPartner, services: Services,
                                                   partner: str, domain: str,
                                                   message: str) -> None:
    before = recorded(services)
    status, page = post(as_partner(partner), {**GOOD, "domain": domain})
    assert status == 422
    assert message in page, re.sub(r"\s+", " ", page[page.find("<main"):])
    assert recorded(services) == before


def test_bad_fields_are_shown_beside_each_field(as_partner: AsPartner, services: Services) -> None:
    before = recorded(services)
    status, page = post(as_partner(NUAGE), {"company_name": " ", "domain": "wayne",
                                            "contact_email": "bruce@", "expected_plan": ""})
    assert status == 422
    for field, message in [
        ("company_name", "Enter the prospect&#39;s company name."),
        ("domain", "Enter a web domain such as example.com"),
        ("contact_email", "Enter an email address such as name@example.com."),
        ("expected_plan", "Enter the plan the prospect expects to buy."),
    ]:
        assert re.search(rf'id="{field}-error">{re.escape(message)}', page), field
        assert re.search(rf'<input id="{field}"[^>]*aria-invalid="true"', page), field
    assert 'value="wayne"' in page  # what was typed stays, to be corrected
    assert recorded(services) == before


def test_a_referral_tier_partner_sees_why_and_no_form(as_partner: AsPartner) -> None:
    page = as_partner(ATELIER).get("/registrations").get_data(as_text=True)
    assert "Deal registration is open to Partner and Premier partners." in page
    assert 'name="company_name"' not in page


def test_another_partners_registrations_are_invisible(as_partner: AsPartner,
                                                      services: Services) -> None:
    nuage = store.of_partner(services.ledger, NUAGE)
    assert nuage, "the first test registered one"
    page = as_partner(PREMIER_OPS).get("/registrations").get_data(as_text=True)
    for registration in nuage:
        assert registration.id not in page and registration.company_name not in page
    assert "You have not registered any prospect yet." in page


def test_the_page_in_french(as_partner: AsPartner) -> None:
    page = as_partner(NUAGE).get("/registrations?lang=fr").get_data(as_text=True)
    assert "<h1>Enregistrements d'affaires</h1>" in page  # trusted catalogue text
    assert "Protégé jusqu'au 2026-08-02" in page
    as_partner(NUAGE).get("/registrations?lang=en")  # the choice is remembered: undo it


def test_posts_are_rate_limited_per_partner(as_partner: AsPartner) -> None:
    """20 posts an hour reach the rules (accepted or refused by one: probing which
    domains are taken stays limited); a form with a typo costs nothing (and shows what
    was typed, test_bad_fields_are_shown_beside_each_field)."""
    client = as_partner(CAMILLE)  # no post yet in this module; referral tier: refused
    token = csrf(client)
    typos = [client.post("/registrations", data={
        **GOOD, "domain": "wayne", "csrf_token": token}) for _ in range(25)]
    assert [answer.status_code for answer in typos] == [422] * 25  # none counted
    statuses = [client.post("/registrations", data={**GOOD, "csrf_token": token}).status_code
                for _ in range(21)]
    assert statuses == [422] * 20 + [429]
    other = as_partner(NUAGE)  # another partner is not slowed down by it
    assert post(other, {})[0] == 422


def test_what_a_partner_typed_is_shown_as_text(as_partner: AsPartner) -> None:
    client = as_partner(PREMIER_OPS)
    answer = client.post("/registrations", data={
        **GOOD, "company_name": "<script>alert(1)</script>", "domain": "xss.example",
        "csrf_token": csrf(client)}, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert ("&lt;script&gt;alert(1)&lt;/script&gt; is registered: the deal is in HubSpot."
            in page)


def test_a_deal_registered_in_hubspot_protects_its_domain(as_partner: AsPartner,
                                                          world: World) -> None:
    """R9 from HubSpot itself: a deal with vmc_registered_at 14 days ago, whose company
    has the domain, as the last sync mirrored it (a person typed it in HubSpot)."""
    state = world.hubspot.state
    with state.lock:
        companies, deals = state.resolve_type("companies"), state.resolve_type("deals")
        company = state.create(companies, {"name": "Vandelay",
                                           "domain": "www.Vandelay.example"})
        deal = state.create(deals, {"dealname": "Vandelay", "vmc_registered_by": PREMIER_OPS,
                                    "vmc_registered_at": "2026-04-20T09:30:00.000Z"})
        state.associate((deals, deal.id), (companies, company.id),
                        state.associations.default_type(deals.type_id, companies.type_id))
    world.run(SYNCED_AT)
    client = as_partner(NUAGE)
    client.get("/registrations?lang=en")
    status, page = post(client, {**GOOD, "domain": "vandelay.example"})
    assert status == 422
    assert NEUTRAL in page


def test_control_characters_are_refused_beside_each_field(as_partner: AsPartner,
                                                          services: Services) -> None:
    """NUL, U+0001 and U+202E (right-to-left override) are never stored nor sent: psycopg
    refuses NUL (a 500 on PostgreSQL), the others would reach HubSpot as typed."""
    before = recorded(services)
    status, page = post(as_partner(PREMIER_OPS), {
        "company_name": "Evil\x00 Corp", "domain": "evil\x01.example",
        "contact_email": "ceo@evil.example", "expected_plan": "GPU \u202eH100"})
    assert status == 422
    message = ("This field contains an invisible or control character (often pasted along "
               "with the text): type it again without.")
    for field in ("company_name", "domain", "expected_plan"):
        assert re.search(rf'id="{field}-error">{re.escape(message)}', page), field
    assert 'id="contact_email-error"' not in page
    assert recorded(services) == before


def test_an_accented_domain_is_registered_in_idna_form(as_partner: AsPartner,
                                                       services: Services,
                                                       world: World) -> None:
    client = as_partner(PREMIER_OPS)
    status, _ = post(client, {**GOOD, "company_name": "Café Lumière",
                              "domain": "https://www.Café-Lumière.example/"})
    assert status == 303
    [mine] = [r for r in store.of_partner(services.ledger, PREMIER_OPS)
              if r.company_name == "Café Lumière"]
    assert mine.domain == "xn--caf-lumire-66ag.example"
    # sent at once, or pending when the portal's one short attempt timed out (a loaded
    # machine): a resend settles it either way
    send_pending_registrations(services.ledger, gateway(world), portal=PORTAL)
    [company] = [values for values in world.companies().values()
                 if values.get("vmc_registration_id") == mine.id]
    assert company["domain"] == "xn--caf-lumire-66ag.example"
    # the same domain typed either way is then protected by it (R6, R9)
    for typed in ("café-lumière.example", "xn--caf-lumire-66ag.example"):
        assert post(as_partner(NUAGE), {**GOOD, "domain": typed})[0] == 422, typed
