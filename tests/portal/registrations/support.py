"""Deal registration's test world: the small hand-computed portal (tests/e2e/fixtures/
small_portal, its README lists each record) served by both stand-ins on loopback, and
readers of what HubSpot then holds, through the stand-in's own state."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.stripe.fixtures import add_object
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.pacing import RollingWindowPacer
from sync.adapters.retry import RetryPolicy
from sync.config.settings import Settings
from sync.domain.terms import PortalTerms
from sync.ledger.registrations import Registration, registration_id
from sync.wiring import Services
from tests.e2e.support import FAST_RETRY, World
from tests.portal.conftest import PORTAL_SECRET, PORTAL_URL

SMALL_PORTAL = Path(__file__).parents[2] / "e2e" / "fixtures" / "small_portal"
SYNCED_AT = datetime(2026, 5, 1, tzinfo=UTC)  # the mirror's portal: April 2026 closed
NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)  # when the partners register, in the tests

NUAGE, PREMIER_OPS, ATELIER = "7102", "7104", "7101"  # partner, premier, referral tier
PORTAL = PortalTerms()  # the default pipeline and stage
CAMILLE = "7103"  # referral tier, no domain
GARAGE_COMPANY = "7207"  # garage-meunier.example: an open deal, not a customer


def portal_services(world: World, retry: RetryPolicy = FAST_RETRY) -> Services:
    """The worker's services on the world, with the portal's secret (tests/portal)."""
    settings = Settings(  # as World.services, plus the portal's two settings
        hubspot_access_token="e2e-token", hubspot_base_url=world.hubspot_url,
        stripe_api_key="sk_test_x", stripe_api_base=world.stripe_url,
        database_url=world.database_url, programme_file=world.programme_file,
        portal_secret_key=PORTAL_SECRET, portal_url=PORTAL_URL)  # type: ignore[arg-type]
    services = Services(settings, retry=retry)
    world.opened.append(services)
    return services


def registration(partner: str, name: str, domain: str, at: datetime = NOW) -> Registration:
    return Registration(registration_id(partner, domain, at), partner, name, domain,
                        f"contact@{domain}", "GPU L40S monthly", at)


# One pair of pacers for every gateway of the tests, as the stand-in counts per token
# (HubSpot's 5 searches a second; wiring's windows with their slack).
PACER, SEARCH_PACER = RollingWindowPacer(100, 11.0), RollingWindowPacer(5, 1.1)


def gateway(world: World, cls: type[HubSpotGateway] = HubSpotGateway) -> HubSpotGateway:
    """A HubSpot gateway on the world's stand-in (``cls``: a fake that fails somewhere)."""
    return cls("e2e-token", world.hubspot_url, PROPS, retry=FAST_RETRY, pacer=PACER,
               search_pacer=SEARCH_PACER)


def with_registration(world: World, object_name: str, registration: str
                      ) -> dict[str, dict[str, Any]]:
    """The live records of a type carrying the registration id, by record id."""
    records = world.records(object_name, "hs_object_id")
    return {record_id: values for record_id, values in records.items()
            if values.get("vmc_registration_id") == registration}


def companies_with_domain(world: World, domain: str) -> set[str]:
    return {record_id for record_id, values in world.companies().items()
            if values.get("domain") == domain}


# -- a prospect becoming a customer in the Stripe stand-in -------------------------------

TEMPLATE = "e2eC6Direct"  # Librairie Tanguy's VPS S, 99.00 monthly (the README's C6)
TEMPLATE_PAID_AT = 1771149780  # its first invoice's payment, 2026-02-15T10:03Z


def _shifted(value: Any, seconds: int) -> Any:
    """Every epoch instant in a Stripe object moved by ``seconds`` (2025-2030 only)."""
    if isinstance(value, dict):
        return {key: _shifted(item, seconds) for key, item in value.items()}
    if isinstance(value, list):
        return [_shifted(item, seconds) for item in value]
    if type(value) is int and 1_735_000_000 < value < 1_900_000_000:
        return value + seconds
    return value


def add_paying_customer(world: World, token: str, email: str, deal_id: str,
                        paid_at: datetime) -> str:
    """A Stripe customer linked to ``deal_id`` (``metadata.hubspot_deal_id``) whose first
    VPS S invoice (99.00) is paid at ``paid_at``; copied from C6 with new ids."""
    seconds = int(paid_at.timestamp()) - TEMPLATE_PAID_AT
    state = world.stripe.state
    for kind, object_id in (("customer", f"cus_{TEMPLATE}"),
                            ("subscription", f"sub_{TEMPLATE}"),
                            ("invoice", f"in_{TEMPLATE}202602")):
        with state.lock:
            original = state.rendered(kind, state.get(kind, object_id))
        text = json.dumps(original).replace(TEMPLATE, token)
        copy = _shifted(json.loads(text), seconds)
        if kind == "customer":
            copy.update(email=email, metadata={"hubspot_deal_id": deal_id})
        if kind == "invoice":
            copy["customer_email"] = email
        add_object(state, kind, copy, emit_event=True)
    return f"cus_{token}"


def add_referral_deal(world: World, code: str, at: str, customer: str) -> str:
    """A deal carrying a referral-link touch for ``customer``, as a person would make it
    in HubSpot (the stand-in's state, not the worker's gateway)."""
    state = world.hubspot.state
    with state.lock:
        record = state.create(state.resolve_type("deals"), {
            "dealname": f"{customer} via {code}", "vmc_referral_code": code,
            "vmc_referral_at": at, "vmc_stripe_customer_id": customer})
    return record.id
