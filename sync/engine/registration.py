"""Deal registration from the portal: who may register which prospect, and a
registration's protection (docs/portal.md, Deal registration).

The portal refuses up front what attribution would refuse later, with the same rules
and the same domain comparison: a Partner or Premier partner active now (R5 and the
programme's tiers), not its own domain (R8), not an existing customer (R7), not a
domain another registration already protects (R6 and R9: the earlier registration
would win anyway). Pure: the facts and ``now`` are arguments.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sync.domain.inputs import Inputs, Partner, PartnerStatus, Tier
from sync.engine.attribution import normalise_domain

REGISTERING_TIERS = frozenset({Tier.PARTNER, Tier.PREMIER})


class Refusal(StrEnum):
    """Why a registration is refused; the portal shows each as a sentence."""

    TIER = "tier"  # Referral tier or no tier: registration is Partner tier and above
    INACTIVE = "inactive"  # R5: suspended, terminated or no known status
    OWN_DOMAIN = "own_domain"  # R8
    EXISTING_CUSTOMER = "existing_customer"  # R7
    ALREADY_REGISTERED = "already_registered"  # R6, R9


class Protection(StrEnum):
    PROTECTED = "protected"
    CONVERTED = "converted"
    EXPIRED = "expired"
    REFUSED = "refused"  # HubSpot refused it: it protects nothing (as check_registration)


@dataclass(frozen=True, slots=True)
class Prospect:
    company_name: str
    domain: str  # normalised (mappings.values.normalize_domain)
    contact_email: str
    expected_plan: str


@dataclass(frozen=True, slots=True)
class Registered:
    """An earlier registration of a domain: the portal's, or a HubSpot deal's."""

    domain: str
    at: datetime
    partner_id: str


def deal_registrations(inputs: Inputs) -> Iterator[Registered]:
    """HubSpot deals carrying a registration (R4's touch) and a company domain."""
    for deal in inputs.deals:
        domain = normalise_domain(deal.company_domain)
        if deal.registered_by and deal.registered_at is not None and domain:
            yield Registered(domain, deal.registered_at, deal.registered_by)


def customer_domains(inputs: Inputs, now: datetime) -> set[str]:
    """R7's customers by domain: each Stripe customer that paid an invoice with
    ``amount_paid > 0`` by ``now``, through its email domain and the company domains
    of the HubSpot deals linked to it (a won customer's company)."""
    paid = {invoice.customer_id for invoice in inputs.invoices
            if invoice.is_paid and invoice.amount_paid > 0
            and invoice.paid_at is not None and invoice.paid_at <= now}
    domains = {normalise_domain(customer.email_domain)
               for customer in inputs.customers if customer.id in paid}
    domains |= {normalise_domain(deal.company_domain) for deal in inputs.deals
                if deal.stripe_customer_id in paid}
    domains.discard("")
    return domains


def may_register(partner: Partner | None, now: datetime) -> Refusal | None:
    """A Partner or Premier partner whose status is active now (R5)."""
    tier = None if partner is None else partner.tier.at(now)
    if partner is None or tier not in REGISTERING_TIERS:
        return Refusal.TIER
    if partner.status.at(now) is not PartnerStatus.ACTIVE:
        return Refusal.INACTIVE
    return None


def protects(registered: Registered, now: datetime, window_days: int) -> bool:
    """R6: a registration protects its domain for the window, from its instant."""
    return timedelta(0) <= now - registered.at < timedelta(days=window_days)


def check_registration(prospect: Prospect, partner: Partner | None,
                       registered: Iterable[Registered], customers: Collection[str],
                       now: datetime, window_days: int) -> Refusal | None:
    """The first refusal, in the order attribution checks a touch (R5, R8, R7, R6)."""
    refusal = may_register(partner, now)
    if refusal is not None or partner is None:
        return refusal or Refusal.TIER
    domain = normalise_domain(prospect.domain)
    if domain and domain == normalise_domain(partner.domain):
        return Refusal.OWN_DOMAIN
    if domain in customers:
        return Refusal.EXISTING_CUSTOMER
    if any(normalise_domain(earlier.domain) == domain and protects(earlier, now, window_days)
           for earlier in registered):
        return Refusal.ALREADY_REGISTERED
    return None


def protection(registered_at: datetime, converted: bool, now: datetime,
               window_days: int, *, refused: bool = False) -> tuple[Protection, datetime]:
    """What the partner's list shows: refused (HubSpot refused it: no protection, as the
    refusal check ignores it), else converted, else protected until the window's end,
    else expired; with the instant protection would end."""
    until = registered_at + timedelta(days=window_days)
    if refused:
        return Protection.REFUSED, until
    if converted:
        return Protection.CONVERTED, until
    return (Protection.PROTECTED if now < until else Protection.EXPIRED), until
