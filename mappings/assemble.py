"""Vendor objects to one :class:`sync.domain.inputs.Inputs`, and the fixture directory reader.

``build_inputs`` is pure; ``load_fixture_dir`` is the only function of ``mappings``
that reads files (docs/sandbox.md, Fixtures).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from mappings.hubspot import (
    company_domains,
    company_ids,
    deals_from_hubspot,
    partners_from_companies,
)
from mappings.properties import DEFAULT_PROPERTY_MAP, PropertyMap
from mappings.stripe.billing import (
    customer_ids_by_deal,
    customers_from_stripe,
    invoices_from_stripe,
    prices_from_stripe,
    subscriptions_from_stripe,
)
from mappings.values import InstantCache
from sync.domain.inputs import Inputs, Invoice, Quarantined

FIXTURE_FILES = {
    "hubspot_companies": "hubspot/companies.json",
    "hubspot_deals": "hubspot/deals.json",
    "stripe_customers": "stripe/customers.json",
    "stripe_prices": "stripe/prices.json",
    "stripe_subscriptions": "stripe/subscriptions.json",
    "stripe_invoices": "stripe/invoices.json",
}


def build_inputs(
    hubspot_companies: Iterable[object] = (),
    hubspot_deals: Iterable[object] = (),
    stripe_customers: Iterable[object] = (),
    stripe_prices: Iterable[object] | None = None,
    stripe_subscriptions: Iterable[object] = (),
    stripe_invoices: Iterable[object] = (),
    props: PropertyMap = DEFAULT_PROPERTY_MAP,
    *,
    invoice_extra_lines: Mapping[str, Sequence[object]] | None = None,
    mapped_invoices: tuple[Sequence[Invoice], Sequence[Quarantined]] | None = None,
) -> Inputs:
    """Map everything; quarantined records are collected, never dropped silently.

    ``stripe_prices=None`` means prices were not read, so invoice lines are not checked
    against them; an empty list means there are none (every subscription line is then
    quarantined for its unknown price). ``mapped_invoices``: the invoices already mapped
    (``InvoiceMapper``), in place of ``stripe_invoices``.
    """
    companies = list(hubspot_companies)
    quarantined: list[Quarantined] = []
    customers, found = customers_from_stripe(stripe_customers, props)
    quarantined += found
    links, found = customer_ids_by_deal(customers, props)
    quarantined += found
    partners, found = partners_from_companies(companies, props)
    quarantined += found
    deals, found = deals_from_hubspot(hubspot_deals, company_domains(companies, props), links,
                                      props, company_ids(companies))
    quarantined += found
    prices, found = prices_from_stripe(stripe_prices or ())
    quarantined += found
    instants = InstantCache()
    subscriptions, found = subscriptions_from_stripe(stripe_subscriptions, instants)
    quarantined += found
    if mapped_invoices is None:
        mapped_invoices = invoices_from_stripe(
            stripe_invoices,
            known_price_ids=None if stripe_prices is None else {price.id for price in prices},
            extra_lines=invoice_extra_lines,
            instants=instants,
        )
    invoices, invoice_issues = mapped_invoices
    quarantined += invoice_issues
    return Inputs(
        partners=tuple(partners),
        deals=tuple(deals),
        customers=tuple(customers),
        prices=tuple(prices),
        subscriptions=tuple(subscriptions),
        invoices=tuple(invoices),
        quarantined=tuple(quarantined),
    )


def load_fixture_dir(path: Path, props: PropertyMap = DEFAULT_PROPERTY_MAP) -> Inputs:
    """Read ``fixtures/<name>/`` (any file may be absent) and map it.

    A file that is not a JSON array is a broken fixture, not bad vendor data: it raises
    ``ValueError`` naming the file.
    """
    loaded = {key: _read_array(path / relative) for key, relative in FIXTURE_FILES.items()}
    return build_inputs(
        hubspot_companies=loaded["hubspot_companies"] or (),
        hubspot_deals=loaded["hubspot_deals"] or (),
        stripe_customers=loaded["stripe_customers"] or (),
        stripe_prices=loaded["stripe_prices"],
        stripe_subscriptions=loaded["stripe_subscriptions"] or (),
        stripe_invoices=loaded["stripe_invoices"] or (),
        props=props,
    )


def _read_array(file: Path) -> list[object] | None:
    if not file.is_file():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{file}: not valid JSON ({error})") from error
    if not isinstance(data, list):
        raise ValueError(f"{file}: expected a JSON array of objects, got {type(data).__name__}")
    return data
