"""Render a scenario (specs) into a portal of vendor objects."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.synthetic.catalog import COUPONS, PRICES, PRODUCTS
from sandbox.synthetic.hubspot_objects import deal, partner_company, plain_company
from sandbox.synthetic.hubspot_users import PORTAL_USERS
from sandbox.synthetic.portal import Portal
from sandbox.synthetic.specs import (
    CompanySpec,
    CustomerSpec,
    DealSpec,
    PartnerSpec,
    PlanSpec,
)
from sandbox.synthetic.stripe_billing import CATALOG_DATE, CustomerBilling, bill
from sandbox.synthetic.stripe_catalog import account, coupon, customer, price, product


@dataclass(slots=True)
class Scenario:
    horizon: datetime  # no billing period starts at or after it
    partners: list[PartnerSpec] = field(default_factory=list)
    companies: list[CompanySpec] = field(default_factory=list)
    deals: list[DealSpec] = field(default_factory=list)
    customers: list[tuple[CustomerSpec, list[PlanSpec]]] = field(default_factory=list)


def render_hubspot(scenario: Scenario, portal: Portal) -> None:
    portal.users.extend(dict(user) for user in PORTAL_USERS)
    portal.companies.extend(partner_company(spec) for spec in scenario.partners)
    portal.companies.extend(plain_company(spec) for spec in scenario.companies)
    portal.deals.extend(deal(spec) for spec in scenario.deals)
    portal.accounts.extend(
        account(spec.account_id, spec.name, f"compta@{spec.domain or 'example.fr'}",
                f"https://{spec.domain}" if spec.domain else None, spec.joined,
                spec.transfers_active, spec.account_company_id or spec.company_id)
        for spec in scenario.partners if spec.account_id is not None
    )


def render_customers(customers: list[tuple[CustomerSpec, list[PlanSpec]]],
                     horizon: datetime, portal: Portal) -> None:
    for spec, plans in customers:
        billing = CustomerBilling(spec)
        subscriptions = [bill(plan, horizon, billing)
                         for plan in sorted(plans, key=lambda plan: plan.start)]
        portal.customers.append(customer(spec, len(billing.invoices)))
        portal.subscriptions.extend(subscriptions)
        portal.invoices.extend(billing.invoices)


def render_catalog(plans: list[PlanSpec], portal: Portal) -> None:
    defaults: dict[str, str] = {}
    for spec in PRICES:
        defaults.setdefault(spec.product_id, spec.id)
    portal.products.extend(product(spec, defaults.get(spec.id), CATALOG_DATE)
                           for spec in PRODUCTS)
    portal.prices.extend(price(spec, CATALOG_DATE) for spec in PRICES)
    redeemed = Counter(plan.coupon.id for plan in plans if plan.coupon is not None)
    portal.coupons.extend(coupon(spec, CATALOG_DATE, redeemed[spec.id]) for spec in COUPONS)


def render(scenario: Scenario) -> Portal:
    portal = Portal()
    render_hubspot(scenario, portal)
    render_customers(scenario.customers, scenario.horizon, portal)
    render_catalog([plan for _, plans in scenario.customers for plan in plans], portal)
    return portal
