"""The engine's inputs from the read mirror: the whole portal, however it was pulled."""

from __future__ import annotations

from enum import StrEnum

from mappings.inputs import build_inputs
from mappings.properties import PropertyMap
from sync.domain import Inputs
from sync.ledger.mirror import Mirror


class Mirrored(StrEnum):
    """The object types the mirror holds, as the vendors' JSON."""

    HUBSPOT_PARTNER = "hubspot.partner"  # companies that ever had a tier, with history
    HUBSPOT_COMPANY = "hubspot.company"  # deals' companies, for R8's domain check
    HUBSPOT_DEAL = "hubspot.deal"
    HUBSPOT_PAYOUT = "hubspot.payout"  # finance's approvals and manual payments
    STRIPE_CUSTOMER = "stripe.customer"
    STRIPE_PRICE = "stripe.price"
    STRIPE_SUBSCRIPTION = "stripe.subscription"
    STRIPE_INVOICE = "stripe.invoice"  # with all its lines
    STRIPE_ACCOUNT = "stripe.account"  # partners' Connect accounts (R26)


def inputs_from_mirror(mirror: Mirror, props: PropertyMap) -> Inputs:
    """The bigger types are streamed from the mirror a page at a time and mapped as
    they come, so only the domain objects are ever held, never the vendors' JSON."""
    partners = mirror.records(Mirrored.HUBSPOT_PARTNER)
    partner_ids = {str(record.get("id")) for record in partners}
    # A partner can also be a deal's company: read once, with its history.
    others = [record for record in mirror.stream(Mirrored.HUBSPOT_COMPANY)
              if str(record.get("id")) not in partner_ids]
    companies = partners + others
    return build_inputs(
        hubspot_companies=companies,
        hubspot_deals=mirror.stream(Mirrored.HUBSPOT_DEAL),
        stripe_customers=mirror.stream(Mirrored.STRIPE_CUSTOMER),
        stripe_prices=mirror.records(Mirrored.STRIPE_PRICE),
        stripe_subscriptions=mirror.stream(Mirrored.STRIPE_SUBSCRIPTION),
        stripe_invoices=mirror.stream(Mirrored.STRIPE_INVOICE),
        props=props,
    )
