"""What deal registration reads: the facts its rules need, and the partner's list.

The shell around ``sync.engine.registration``: the partner as the mirror last read it
(tier and status history, R1), the customers and HubSpot deals' registrations of the
prospect's domain only (the mirrored records having it, found in SQL by
``mirror_lookup``, mapped through ``mappings`` as a sync maps them), the portal's
registrations from the ledger. Each list row adds its protection (R6, R9) and
whether its deal converted to this partner (the attribution written back on the deal).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mappings.assemble import build_inputs
from mappings.hubspot.companies import partners_from_companies
from sync.domain.domains import unicode_domain
from sync.domain.inputs import Inputs, Partner
from sync.engine.attribution import normalise_domain
from sync.engine.registration import (
    Prospect,
    Protection,
    Refusal,
    Registered,
    check_registration,
    customer_domains,
    deal_registrations,
    may_register,
    protection,
)
from sync.ledger import mirror_lookup as lookup
from sync.ledger import registrations as store
from sync.ledger.mirror_lookup import JSON
from sync.ledger.registrations import Registration
from sync.ledger.store import Ledger
from sync.pull.mirror_inputs import Mirrored
from sync.wiring import Services

ATTRIBUTED = "attributed"
COMPANY_TYPES = (Mirrored.HUBSPOT_COMPANY, Mirrored.HUBSPOT_PARTNER)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the partner's list."""

    registration: Registration
    protection: Protection
    protected_until: datetime


def window_days(services: Services, now: datetime) -> int:
    return services.programme.terms_at(now).attribution.window_days


def signed_in_partner_record(services: Services, partner_id: str) -> Partner | None:
    """The partner as last mirrored (one record, not the whole portal)."""
    body = store.mirrored(services.ledger, Mirrored.HUBSPOT_PARTNER, [partner_id])
    partners, _ = partners_from_companies(body.values(), services.props)
    return partners[0] if partners else None


def eligibility(services: Services, partner_id: str, now: datetime) -> Refusal | None:
    return may_register(signed_in_partner_record(services, partner_id), now)


def refusal(services: Services, partner_id: str, prospect: Prospect,
            now: datetime) -> Refusal | None:
    """R5, R8, R7, R6/R9 over the mirrored records that have the prospect's domain and
    the portal's registrations (not the whole mirror: a post reads what it needs)."""
    inputs = domain_inputs(services, normalise_domain(prospect.domain))
    days = window_days(services, now)
    registered = [*deal_registrations(inputs), *(
        Registered(r.domain, r.registered_at, r.partner_id)
        for r in store.registered_since(services.ledger, now - timedelta(days=days)))]
    return check_registration(prospect, signed_in_partner_record(services, partner_id),
                              registered, customer_domains(inputs, now), now, days)


def domain_inputs(services: Services, domain: str) -> Inputs:
    """The engine's inputs R7 and R9 read for ``domain``, mapped as a sync maps them:
    the companies with that domain (partners' too), their deals, the Stripe customers
    with an email at that domain or linked to those deals, and those customers'
    invoices (prices not read: only what was paid matters here)."""
    ledger, props = services.ledger, services.props
    companies = _containing_domain(ledger, COMPANY_TYPES, ("properties", props.company.domain),
                                   domain)
    deals = lookup.mentioning(ledger, [Mirrored.HUBSPOT_DEAL], set(companies))
    linked = {str(value) for deal in deals.values()
              if (value := (deal.get("properties") or {}).get(props.deal.stripe_customer_id))}
    customers = {
        **_containing_domain(ledger, [Mirrored.STRIPE_CUSTOMER], ("email",), domain),
        **lookup.with_value_at(ledger, [Mirrored.STRIPE_CUSTOMER],
                               ("metadata", props.stripe_metadata.hubspot_deal_id), deals),
        **lookup.by_id(ledger, [Mirrored.STRIPE_CUSTOMER], linked)}
    invoices = lookup.with_value_at(ledger, [Mirrored.STRIPE_INVOICE], ("customer",),
                                    customers)
    return build_inputs(hubspot_companies=companies.values(), hubspot_deals=deals.values(),
                        stripe_customers=customers.values(), stripe_prices=None,
                        stripe_invoices=invoices.values(), props=props)


def _containing_domain(ledger: Ledger, object_types: Collection[str], path: Sequence[str],
                       domain: str) -> dict[str, JSON]:
    """Records whose text at ``path`` holds ``domain`` as stored in IDNA form or as
    typed with its accents (``café.fr``): HubSpot and Stripe keep what people typed;
    the mapping then compares both as one (sync.domain.domains)."""
    found = lookup.containing_text_at(ledger, object_types, path, domain)
    typed = unicode_domain(domain)
    if typed != domain:
        found.update(lookup.containing_text_at(ledger, object_types, path, typed))
    return found


def partner_rows(services: Services, partner_id: str, now: datetime) -> list[Row]:
    """The partner's registrations only (scoped here, never filtered later)."""
    registrations = store.of_partner(services.ledger, partner_id)
    deal_ids = [r.hubspot_deal_id for r in registrations if r.hubspot_deal_id]
    deals = store.mirrored(services.ledger, Mirrored.HUBSPOT_DEAL, deal_ids)
    names, days = services.props.deal, window_days(services, now)
    rows = []
    for registration in registrations:
        values = (deals.get(registration.hubspot_deal_id or "") or {}).get("properties") or {}
        converted = (values.get(names.attribution_status) == ATTRIBUTED
                     and values.get(names.attributed_partner_id) == partner_id)
        state, until = protection(registration.registered_at, converted, now, days,
                                  refused=registration.status == store.FAILED)
        rows.append(Row(registration, state, until))
    return rows
