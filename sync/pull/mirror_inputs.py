"""The engine's inputs from the read mirror: the whole portal, however it was pulled."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from mappings.assemble import build_inputs
from mappings.properties import PropertyMap
from mappings.stripe.billing import InvoiceMapper, prices_from_stripe, split_mapped
from sync.domain.inputs import Inputs, Invoice, Quarantined
from sync.ledger.mirror import Mirror
from sync.pull.mapped import known_price_ids, mapped_invoices

JSON = dict[str, Any]
Seen = Callable[[str, JSON], None]  # (mirror record id, the body stored)


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


class ListedInvoices:
    """A full Stripe listing's invoices, mapped as they are stored, so the run's inputs
    need not read them all back from the mirror and decode them again (a large account's
    340,000 invoices: a third of the engine's time). It maps exactly what the listing
    leaves in the mirror: each record under its mirror id, the last one listed winning,
    given in id order, with the prices the same listing stored as the known ones (R11).
    ``complete`` once the listing is stored, until taken; otherwise the mirror is read."""

    def __init__(self) -> None:
        self._prices: dict[str, JSON] = {}
        self._mapper: InvoiceMapper | None = None
        self._mapped: dict[str, Invoice | Quarantined | None] = {}
        self.complete = False

    def seen(self, kind: str) -> Seen | None:
        """What to call with each record of ``kind`` stored by the listing."""
        if kind == Mirrored.STRIPE_PRICE:
            return self._prices.__setitem__
        if kind == Mirrored.STRIPE_INVOICE:
            return self._invoice
        return None

    def _invoice(self, record_id: str, body: JSON) -> None:
        if self._mapper is None:  # the prices are listed first
            prices, _ = prices_from_stripe(self._prices.values())
            self._mapper = InvoiceMapper(known_price_ids={price.id for price in prices})
        self._mapped[record_id] = self._mapper.map(body)

    def take(self) -> tuple[list[Invoice], list[Quarantined]]:
        """The mapped invoices, once: their index is let go (a run's inputs hold them
        from then on) and any later reader reads the mirror."""
        taken = split_mapped(self._mapped[record_id] for record_id in sorted(self._mapped))
        self._mapped.clear()
        self.complete = False
        return taken


def inputs_from_mirror(mirror: Mirror, props: PropertyMap,
                       listed: ListedInvoices | None = None) -> Inputs:
    """The bigger types are streamed from the mirror a page at a time and mapped as
    they come, so only the domain objects are ever held, never the vendors' JSON.
    ``listed``: the invoices as this run's full listing stored them (when complete)."""
    partners = mirror.records(Mirrored.HUBSPOT_PARTNER)
    partner_ids = {str(record.get("id")) for record in partners}
    # A partner can also be a deal's company: read once, with its history.
    others = [record for record in mirror.stream(Mirrored.HUBSPOT_COMPANY)
              if str(record.get("id")) not in partner_ids]
    companies = partners + others
    taken = listed.take() if listed is not None and listed.complete else None
    prices = mirror.records(Mirrored.STRIPE_PRICE)
    if taken is None:  # decoded as stored with the bodies, not mapped from the JSON again
        taken = mapped_invoices(mirror, known_price_ids(prices))
    return build_inputs(
        hubspot_companies=companies,
        hubspot_deals=mirror.stream(Mirrored.HUBSPOT_DEAL),
        stripe_customers=mirror.stream(Mirrored.STRIPE_CUSTOMER),
        stripe_prices=prices,
        stripe_subscriptions=mirror.stream(Mirrored.STRIPE_SUBSCRIPTION),
        props=props,
        mapped_invoices=taken,
    )
