"""Building the bad-input portal: a small synthetic portal plus planted records.

Every planted record is new (new companies, deals, Stripe customers cloned from a
template customer of the base portal), so the base portal's own records are untouched
and must come out of a run exactly as they do without the planted ones. Bad records
hang off partners and customers of their own: one case never changes another's result.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.synthetic import Portal, generate_portal
from sandbox.synthetic.clock import hubspot_time
from sandbox.synthetic.hubspot_objects import crm_object
from sandbox.synthetic.specs import Timeline
from sync.domain.inputs import Tier

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

JsonObject = dict[str, Any]
COMPANY, DEAL = PROPS.company, PROPS.deal
SINCE = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)  # planted partners joined then
PARTNER_PROPERTIES = (COMPANY.tier, COMPANY.status, COMPANY.option, COMPANY.referral_code)


def base_portal() -> Portal:
    """A few partners and customers billed over 2026, some of them attributed."""
    return generate_portal(11, partners=4, deals=24, customers=24, months=8, start="2026-01")


def _walk(value: Any, rename: Callable[[str], str]) -> Any:
    """A deep copy with every string equal to an old id replaced by its new id."""
    if isinstance(value, str):
        return rename(value)
    if isinstance(value, list):
        return [_walk(item, rename) for item in value]
    if isinstance(value, dict):
        return {key: _walk(item, rename) for key, item in value.items()}
    return value


@dataclass
class Clone:
    """A Stripe customer copied from the template, with its subscriptions and invoices."""

    customer: JsonObject
    subscriptions: list[JsonObject]
    invoices: list[JsonObject]  # oldest first

    @property
    def id(self) -> str:
        return str(self.customer["id"])

    @property
    def first_paid_at(self) -> datetime:
        stamp = min(int(invoice["status_transitions"]["paid_at"]) for invoice in self.invoices
                    if invoice["status"] == "paid")
        return EPOCH + timedelta(seconds=stamp)

    def invoice_months(self) -> list[str]:
        return [(EPOCH + timedelta(seconds=int(invoice["status_transitions"]["paid_at"])))
                .strftime("%Y-%m") for invoice in self.invoices]


@dataclass
class Planter:
    """The base portal, and helpers adding partners, deals and customers to it."""

    portal: Portal
    template_customer: str = ""
    _company_ids: Iterator[int] = field(default_factory=lambda: itertools.count(39_000_000_001))
    _deal_ids: Iterator[int] = field(default_factory=lambda: itertools.count(49_000_000_001))

    def __post_init__(self) -> None:
        self.template_customer = self.template_customer or pick_template(self.portal)

    # -- ids ---------------------------------------------------------------------------

    def company_id(self) -> str:
        return str(next(self._company_ids))

    def deal_id(self) -> str:
        return str(next(self._deal_ids))

    # -- HubSpot -------------------------------------------------------------------------

    def partner(self, *, name: str, code: str, tier: str = Tier.PREMIER.value,
                domain: str | None = None, account_id: str | None = None,
                company_id: str | None = None, edit: Callable[[JsonObject], None] | None = None
                ) -> JsonObject:
        """A partner company (active, recurring) with a Connect account of its own unless
        ``account_id`` names one; ``edit`` corrupts it before it is planted."""
        company_id = company_id or self.company_id()
        slug = f"bi{company_id[-3:]}"
        if account_id is None:
            account_id = f"acct_{slug}"
            account = copy.deepcopy(self.portal.accounts[0])
            account["id"] = account_id
            account["metadata"] = {"hubspot_company_id": company_id}  # onboarded for it (R32)
            self.portal.accounts.append(account)
        histories: dict[str, Timeline] = {
            COMPANY.tier: ((SINCE, tier),), COMPANY.status: ((SINCE, "active"),),
            COMPANY.option: ((SINCE, "recurring"),), COMPANY.referral_code: ((SINCE, code),)}
        properties = dict.fromkeys(PROPS.company_properties_to_read())
        properties.update({
            COMPANY.name: name, COMPANY.domain: domain or f"{slug}.example",
            COMPANY.stripe_account_id: account_id, COMPANY.partner_since: "2024-06-01",
            COMPANY.interview_passed: "true", COMPANY.training_completed: "true",
            COMPANY.certified: "false"})
        record = crm_object(company_id, SINCE, properties, histories)
        if edit is not None:
            edit(record)
        self.portal.companies.append(record)
        return record

    def deal(self, *, name: str, customer_id: str | None = None,
             registered_by: str | None = None, registered_at: str | None = None,
             referral_code: str | None = None, referral_at: str | None = None,
             company_id: str | None = None, deal_id: str | None = None) -> JsonObject:
        deal_id = deal_id or self.deal_id()
        created = datetime(2025, 12, 1, tzinfo=UTC)
        properties: dict[str, str | None] = {
            DEAL.name: name, DEAL.stripe_customer_id: customer_id,
            DEAL.referral_code: referral_code, DEAL.referral_at: referral_at,
            DEAL.registered_by: registered_by, DEAL.registered_at: registered_at,
            "dealstage": "closedwon", "pipeline": "default"}
        associations = None
        if company_id is not None:
            associations = {"companies": {"results": [{"id": company_id,
                                                       "type": "deal_to_company"}]}}
        record = crm_object(deal_id, created, properties, {}, associations)
        self.portal.deals.append(record)
        return record

    # -- Stripe ------------------------------------------------------------------------

    def clone(self, tag: str) -> Clone:
        """The template customer under new ids ``..._bi<tag>...``, metadata emptied."""
        source = self.template_customer
        subscriptions = [s for s in self.portal.subscriptions if s["customer"] == source]
        invoices = [i for i in self.portal.invoices if i["customer"] == source]
        old_ids = {source}
        for subscription in subscriptions:
            old_ids.add(subscription["id"])
            old_ids.update(item["id"] for item in subscription["items"]["data"])
        for invoice in invoices:
            old_ids.add(invoice["id"])
            old_ids.update(line["id"] for line in invoice["lines"]["data"])
        renamed = {old: f"{old.split('_', 1)[0]}_bi{tag}x{index}"
                   for index, old in enumerate(sorted(old_ids))}
        renamed[source] = f"cus_bi{tag}"

        def rename(text: str) -> str:
            return renamed.get(text, text)

        customer = _walk(next(c for c in self.portal.customers if c["id"] == source), rename)
        customer["metadata"] = {}
        customer["email"] = f"billing@bi-{tag.replace('_', '-')}.example"
        clone = Clone(customer, [_walk(s, rename) for s in subscriptions],
                      sorted((_walk(i, rename) for i in invoices),
                             key=lambda i: int(i["status_transitions"]["paid_at"] or 0)))
        self.portal.customers.append(clone.customer)
        self.portal.subscriptions.extend(clone.subscriptions)
        self.portal.invoices.extend(clone.invoices)
        return clone

    def won_customer(self, tag: str, partner_id: str, *, name: str | None = None,
                     ) -> tuple[JsonObject, Clone]:
        """A cloned customer and a deal registered by ``partner_id`` a day before the
        customer's first payment: attributed to it, unless something planted says no."""
        clone = self.clone(tag)
        deal = self.deal(name=name or f"bad input {tag}", customer_id=clone.id,
                         registered_by=partner_id,
                         registered_at=hubspot_time(clone.first_paid_at - timedelta(days=1)))
        return deal, clone


def pick_template(portal: Portal) -> str:
    """A customer paying one monthly price, one line per invoice, 5 to 12 invoices."""
    monthly = {price["id"] for price in portal.prices
               if (price.get("recurring") or {}).get("interval") == "month"
               and price["recurring"]["interval_count"] == 1}
    by_customer: dict[str, list[JsonObject]] = {}
    for invoice in portal.invoices:
        by_customer.setdefault(invoice["customer"], []).append(invoice)
    for customer in sorted(by_customer):
        invoices = by_customer[customer]
        if 5 <= len(invoices) <= 12 and all(
                invoice["status"] == "paid" and invoice["currency"] == "eur"
                and len(invoice["lines"]["data"]) == 1
                and invoice["lines"]["data"][0]["pricing"]["price_details"]["price"] in monthly
                for invoice in invoices):
            return customer
    raise AssertionError("the base portal has no customer to clone")
