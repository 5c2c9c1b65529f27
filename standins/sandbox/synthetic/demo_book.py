"""A small vocabulary for writing the demo's hand-placed cases: a customer with its
company, deal and subscription in one call, and a register of which case exercises
which rule through which records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sandbox.synthetic.assemble import Scenario
from sandbox.synthetic.clock import hubspot_time, instant, stripe_id
from sandbox.synthetic.generate_customers import Counters
from sandbox.synthetic.names import DomainBook, email, slug
from sandbox.synthetic.specs import (
    CompanySpec,
    CouponSpec,
    CustomerSpec,
    DealSpec,
    PartnerSpec,
    Payment,
    PlanSpec,
    PriceSpec,
    Switch,
)

Touch = tuple[str, str]  # (referral code or partner key, ISO instant)


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    rules: str
    records: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Billing:
    """A subscription's terms for ``DemoBook.won``."""

    price: PriceSpec
    start: str
    quantity: int = 1
    ended_at: str | None = None
    coupon: CouponSpec | None = None
    switch: tuple[str, PriceSpec] | None = None
    payments: dict[str, Payment] = field(default_factory=dict)


@dataclass(slots=True)
class DemoBook:
    scenario: Scenario
    partners: dict[str, PartnerSpec]
    counters: Counters
    domains: DomainBook
    cases: list[Case] = field(default_factory=list)

    def note(self, name: str, rules: str, *records: str) -> None:
        self.cases.append(Case(name, rules, records))

    def company(self, name: str, created: datetime, domain: str | None = None,
                city: str = "Lyon") -> str:
        spec = CompanySpec(self.counters.next_company(), name,
                           domain or self.domains.take(name, "fr"), city, created)
        self.scenario.companies.append(spec)
        return spec.company_id

    def customer(self, key: str, name: str, billing: Billing, *, email_domain: str | None = None,
                 customer_id: str | None = None, deal_link: str | None = None) -> str:
        """A Stripe customer billed by one subscription; returns its id."""
        customer_id = customer_id or stripe_id("cus", f"demo/{key}")
        start = instant(billing.start)
        domain = email_domain or f"{slug(name).replace('-', '')}.fr"
        spec = CustomerSpec(customer_id, name, email("Contact", "Facturation", domain),
                            start - timedelta(minutes=25), billing.price.currency,
                            hubspot_deal_id=deal_link)
        self.scenario.customers.append((spec, [self.plan(customer_id, key, billing)]))
        return customer_id

    def plan(self, customer_id: str, key: str, billing: Billing) -> PlanSpec:
        switch = None if billing.switch is None else Switch(instant(billing.switch[0]),
                                                            billing.switch[1])
        return PlanSpec(
            stripe_id("sub", f"demo/{key}"), stripe_id("si", f"demo/{key}"), customer_id,
            billing.price, instant(billing.start), billing.quantity,
            None if billing.ended_at is None else instant(billing.ended_at), billing.coupon,
            switch, billing.payments,
        )

    def deal(self, name: str, company: str | None, customer_id: str | None, created: str,
             *, link: Touch | None = None, registration: Touch | None = None,
             stage: str = "closedwon", amount: str | None = "1200") -> str:
        """A deal; ``link`` is (code, instant), ``registration`` (partner key, instant)."""
        opened = instant(created)
        spec = DealSpec(
            self.counters.next_deal(), name, opened, company, customer_id, amount, stage,
            opened + timedelta(days=10) if stage.startswith("closed") else None,
            referral_code=None if link is None else link[0],
            referral_at=None if link is None else _when(link[1]),
            registered_by=None if registration is None
            else self.partners[registration[0]].company_id,
            registered_at=None if registration is None else _when(registration[1]),
        )
        self.scenario.deals.append(spec)
        return spec.deal_id

    def won(self, key: str, name: str, billing: Billing, *, link: Touch | None = None,
            registration: Touch | None = None, domain: str | None = None,
            email_domain: str | None = None) -> tuple[str, str]:
        """A customer with its company and one deal carrying the touch: (customer, deal)."""
        domain = domain or self.domains.take(name, "fr")
        touches = [touch[1] for touch in (link, registration) if touch is not None]
        created = min([*touches, billing.start])
        company = self.company(name, instant(created) - timedelta(days=3), domain)
        customer_id = self.customer(key, name, billing, email_domain=email_domain or domain)
        deal_id = self.deal(f"{name} - {billing.price.nickname}", company, customer_id, created,
                            link=link, registration=registration,
                            amount=str(billing.price.unit_amount * billing.quantity * 12 // 100))
        return customer_id, deal_id


def _when(text: str) -> str:
    """An ISO instant as HubSpot writes it; anything else is planted as is."""
    try:
        return hubspot_time(instant(text))
    except ValueError:
        return text
