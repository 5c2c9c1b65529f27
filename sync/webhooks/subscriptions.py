"""What to subscribe to, in one place: the receivers keep what it names and ignore the
rest; ``partnersync webhooks setup`` prints (or registers) it.

Stripe: the changes to invoices (a payment, a credit note), subscriptions, customers
(their metadata names the deal) and Connect accounts (R26). HubSpot: the creation of
companies and deals and changes to the properties the worker READS (a property it only
writes, such as a commission total, would wake it for nothing), and changes to the
payout records' properties finance moves or the worker checks (R33).
"""

from __future__ import annotations

from dataclasses import dataclass

from mappings.properties import PropertyMap

# Account events: on the platform's own account.
STRIPE_ACCOUNT_EVENTS = ("invoice.paid", "invoice.updated", "credit_note.created",
                         "customer.subscription.updated", "customer.subscription.deleted",
                         "customer.updated")
# Connect events: on the partners' connected accounts, sent only to a Connect endpoint.
STRIPE_CONNECT_EVENTS = ("account.updated",)
STRIPE_EVENTS = STRIPE_ACCOUNT_EVENTS + STRIPE_CONNECT_EVENTS

COMPANY, DEAL = "company", "deal"
HUBSPOT_OBJECT_TYPES = {"0-2": COMPANY, "0-3": DEAL}  # objectTypeId of object.* events


@dataclass(frozen=True, slots=True)
class Watched:
    """The HubSpot properties whose changes matter, by object."""

    company: tuple[str, ...]
    deal: tuple[str, ...]
    payout: tuple[str, ...]

    def of(self, object_type: str) -> tuple[str, ...]:
        """The properties of a company, a deal, or else a custom object (payouts)."""
        return {COMPANY: self.company, DEAL: self.deal}.get(object_type, self.payout)


def watched(props: PropertyMap) -> Watched:
    payout = props.payout
    return Watched(company=props.company_properties_to_read(),
                   deal=props.deal_properties_to_read(),
                   payout=(payout.status, payout.amount, payout.partner_id, payout.period))
