"""Sending a portal deal registration to HubSpot (docs/portal.md, Deal registration).

The registration and its outbox intent were recorded together
(``sync.ledger.registrations.record``); here it is written: the company with the
domain (CRM search), else one created by upsert on ``vmc_registration_id``; the deal
upserted on the same id with ``vmc_registered_by`` and ``vmc_registered_at`` (the
registration's touch, R4 and R9); their association; then the intent is confirmed with
both ids. Every write is keyed by the registration id, so a resend after a crash at any
point updates what the first attempt created and never creates a second deal or
company. The portal sends right after recording; ``send_pending_registrations`` (in
every ``sync``'s write-back) resends what is still pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import structlog

from mappings.properties import PropertyMap
from mappings.values import normalize_domain
from sync.adapters.hubspot.gateway import COMPANIES, DEALS, HubSpotGateway
from sync.adapters.hubspot.registrations import (
    associate_one,
    companies_with_domain,
    upsert_one,
)
from sync.domain.terms import PortalTerms
from sync.errors import RequestRejected, SetupRejected, UpstreamError
from sync.ledger import Ledger
from sync.ledger import registrations as store
from sync.ledger.errors import UnknownRecordError
from sync.ledger.registrations import Registration
from sync.writeback.intents import hubspot_datetime

log = structlog.get_logger(__name__)

# The reasons kept in last_error (for the programme team: admin view, logs), by cause.
SETUP_REFUSED = "HubSpot refused the portal's setup, not the registration"
SETUP_FIX = ("check [portal] registration_pipeline and registration_stage in the "
             "programme file against HubSpot's deal pipelines, and that the vmc_ "
             "properties exist (partnersync doctor); the next sync resends it")


def waits_for_setup(registration: Registration) -> bool:
    """Pending because HubSpot refused the setup (not a transient failure)."""
    return (registration.status == store.PENDING
            and (registration.last_error or "").startswith(SETUP_REFUSED))


@dataclass(slots=True)
class RegistrationsSent:
    sent: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # id -> reason (for good)
    pending: dict[str, str] = field(default_factory=dict)  # id -> reason (resent later)


def deal_properties(registration: Registration, props: PropertyMap,
                    portal: PortalTerms) -> dict[str, str]:
    """The deal, in the programme's pipeline and stage (``[portal]``; by default
    HubSpot's default sales pipeline and its first stage: the deal is a prospect)."""
    names = props.deal
    return {
        names.name: registration.company_name,
        "description": (f"Deal registration {registration.id}: contact "
                        f"{registration.contact_email}, expected plan "
                        f"{registration.expected_plan}"),
        "pipeline": portal.registration_pipeline,
        "dealstage": portal.registration_stage,
        names.registered_by: registration.partner_id,
        names.registered_at: hubspot_datetime(registration.registered_at),
    }


def company_properties(registration: Registration, props: PropertyMap) -> dict[str, str]:
    return {props.company.name: registration.company_name,
            props.company.domain: registration.domain}


def existing_company(hubspot: HubSpotGateway, domain: str) -> str | None:
    """The lowest-id company whose domain normalises to ``domain`` (R8's comparison)."""
    name = hubspot.props.company.domain
    for company in companies_with_domain(hubspot, domain):
        if normalize_domain(str((company.get("properties") or {}).get(name) or "")) == domain:
            return str(company["id"])
    return None


def write(hubspot: HubSpotGateway, registration: Registration,
          portal: PortalTerms) -> tuple[str, str]:
    """The HubSpot calls; returns (company id, deal id). Raises what HubSpot raised."""
    props = hubspot.props
    company_id = registration.hubspot_company_id or existing_company(
        hubspot, registration.domain)
    if company_id is None:
        company_id = upsert_one(hubspot, COMPANIES, props.company.registration_id,
                                registration.id, company_properties(registration, props))
    deal_id = upsert_one(hubspot, DEALS, props.deal.registration_id, registration.id,
                         deal_properties(registration, props, portal))
    associate_one(hubspot, DEALS, deal_id, COMPANIES, company_id)
    return company_id, deal_id


def send_registration(ledger: Ledger, hubspot: HubSpotGateway, registration_id: str, *,
                      portal: PortalTerms) -> Registration:
    """Write one pending registration and settle it: sent with its ids; pending again
    on a transient failure (retries spent, quota, token) or when HubSpot refused the
    setup (``SetupRejected``: an unknown pipeline, stage or property; logged as an
    error naming the fix, resent by every sync until fixed); failed when HubSpot
    refused the registration's own values (logged as a warning). Returns the
    registration as stored afterwards."""
    registration = store.get(ledger, registration_id)
    if registration is None:
        raise UnknownRecordError(f"registration {registration_id} is not recorded")
    if registration.status != store.PENDING:
        return registration  # sent meanwhile (the portal and a sync both resending)
    try:
        company_id, deal_id = write(hubspot, registration, portal)
    except SetupRejected as error:
        store.mark_failed(ledger, registration.id, f"{SETUP_REFUSED}: {error}", retry=True)
        log.error("registration.setup_refused", registration_id=registration.id,
                  partner_id=registration.partner_id, reason=str(error), fix=SETUP_FIX)
    except RequestRejected as error:
        store.mark_failed(ledger, registration.id, f"HubSpot refused it: {error}", retry=False)
        log.warning("registration.refused", registration_id=registration.id,
                    partner_id=registration.partner_id, reason=str(error))
    except UpstreamError as error:  # transient, or the token or quota: not this record's fault
        store.mark_failed(ledger, registration.id, f"HubSpot unavailable: {error}", retry=True)
    else:
        store.mark_sent(ledger, registration.id, company_id, deal_id)
    settled = store.get(ledger, registration.id)
    assert settled is not None
    return settled


def send_pending_registrations(ledger: Ledger, hubspot: HubSpotGateway, *,
                               portal: PortalTerms) -> RegistrationsSent:
    """Every registration still pending (a crash, HubSpot down when it was made)."""
    summary = RegistrationsSent()
    for registration_id in store.pending_ids(ledger):
        settled = send_registration(ledger, hubspot, registration_id, portal=portal)
        if settled.status == store.SENT:
            summary.sent += 1
        elif settled.status == store.FAILED:
            summary.failed[settled.id] = settled.last_error or ""
        else:
            summary.pending[settled.id] = settled.last_error or ""
    return summary
