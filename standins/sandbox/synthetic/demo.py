"""The demo portal: a French/European partner programme, May 2025 to October 2026.

Hand-placed cases (``demo_cases``, ``demo_statuses``) touch every rule R1-R31 and every
R10 status; a seeded bulk of direct and partner-sourced customers and open pipeline
deals fills it out; a few malformed records are planted for the mapping to quarantine.
``--as-of 2026-11-01`` closes October 2026.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from sandbox.synthetic import catalog as c
from sandbox.synthetic.assemble import Scenario, render
from sandbox.synthetic.clock import instant
from sandbox.synthetic.demo_book import Billing, Case, DemoBook
from sandbox.synthetic.demo_cases import lumiere_cases, protection_cases, referral_cases
from sandbox.synthetic.demo_partners import DEMO_PARTNER_COUNT, demo_partners
from sandbox.synthetic.demo_statuses import attribution_failures, premier_cases, status_cases
from sandbox.synthetic.generate_customers import (
    Counters,
    generate_customer,
    partner_weights,
    pipeline_deal,
)
from sandbox.synthetic.generate_partners import Period
from sandbox.synthetic.names import DomainBook
from sandbox.synthetic.portal import Portal
from sandbox.synthetic.reference import JsonObject

DEMO_SEED = 20261101
PERIOD = Period(instant("2025-05-01"), 18)  # through October 2026
BULK_CUSTOMERS = 64
MIN_DEALS = 165
BULK_PARTNERS = ("lumiere", "nuage", "rhone", "pixel", "websud", "alpine", "digital_lyon")


@dataclass(frozen=True, slots=True)
class Malformed:
    """A planted bad value: where the quarantine record must point."""

    object_type: str
    record_id: str
    field: str
    value: str


def _book() -> DemoBook:
    partners = demo_partners()
    counters = Counters()
    for _ in range(DEMO_PARTNER_COUNT):
        next(counters.company)
    domains = DomainBook()
    for spec in partners.values():
        if spec.domain:
            domains.reserve(spec.domain)
    return DemoBook(Scenario(PERIOD.horizon, partners=list(partners.values())), partners,
                    counters, domains)


def _bulk(book: DemoBook) -> None:
    rng = Random(DEMO_SEED)
    partners = [book.partners[key] for key in BULK_PARTNERS]
    weights = partner_weights(partners)
    for index in range(BULK_CUSTOMERS):
        case = generate_customer(rng, index, partners, weights, PERIOD, book.counters,
                                 book.domains)
        book.scenario.customers.append((case.customer, case.plans))
        if case.company is not None:
            book.scenario.companies.append(case.company)
        book.scenario.deals.extend(case.deals)
    while len(book.scenario.deals) < MIN_DEALS:
        deal, company = pipeline_deal(rng, partners, weights, PERIOD, book.counters,
                                      book.domains)
        book.scenario.deals.append(deal)
        if company is not None:
            book.scenario.companies.append(company)


def _plant_malformed(book: DemoBook) -> tuple[list[str], list[str]]:
    """A deal with an unparseable touch instant, and the records whose bad values are
    set after rendering: (customers, deals), the bad-instant deal last."""
    deal = book.deal("Lead salon Cloud Expo - Agence Lumière", None, None, "2026-04-02T09:00",
                     link=("LUMIERE", "next tuesday"), stage="qualifiedtobuy")
    book.note("malformed: vmc_referral_at 'next tuesday' (quarantined, not guessed)", "R4",
              deal)
    line_customer, line_deal = book.won("no-price", "Ardoise Robotique", Billing(
        c.VPS_M_MONTH, "2025-09-03T09:00"))
    amount_customer, amount_deal = book.won("amount-text", "Mistral Conseil", Billing(
        c.VPS_L_MONTH, "2025-10-06T09:00"))
    return [line_customer, amount_customer], [line_deal, amount_deal, deal]


def _invoice_of(portal: Portal, customer_id: str, month: str) -> JsonObject:
    start = instant(f"{month}-01").timestamp()
    for invoice in portal.invoices:
        if invoice["customer"] == customer_id and invoice["period_start"] >= start:
            return invoice
    raise LookupError(f"no invoice of {customer_id} from {month}")


def _break_records(portal: Portal, customers: list[str], deals: list[str]) -> list[Malformed]:
    without_price = _invoice_of(portal, customers[0], "2026-01")
    line = without_price["lines"]["data"][0]
    line["pricing"]["price_details"]["price"] = None
    text_amount = _invoice_of(portal, customers[1], "2026-02")
    text_amount["amount_paid"] = "1 200 €"
    for deal in portal.deals:
        if deal["id"] == deals[1]:
            deal["properties"]["amount"] = "1 200 €"  # not read by the worker: left as is
    return [
        Malformed("invoice", without_price["id"],
                  f"lines[{line['id']}].pricing.price_details.price", "null"),
        Malformed("invoice", text_amount["id"], "amount_paid", "1 200 €"),
    ]


def build_demo() -> tuple[Portal, list[Case], list[Malformed]]:
    book = _book()
    lumiere_cases(book)
    protection_cases(book)
    referral_cases(book)
    premier_cases(book)
    status_cases(book)
    attribution_failures(book)
    customers, deals = _plant_malformed(book)
    _bulk(book)
    portal = render(book.scenario)
    malformed = _break_records(portal, customers, deals)
    gold = book.partners["gold"]
    malformed += [
        Malformed("company", gold.company_id, "vmc_partner_tier", "gold"),
        Malformed("deal", deals[2], "vmc_referral_at", "next tuesday"),
    ]
    book.note("malformed: an invoice line without its price; '1 200 €' in amount_paid "
              "(and in a deal's amount, a property the worker does not read)", "quarantine",
              *(item.record_id for item in malformed[:2]), deals[1])
    book.note("malformed: tier 'gold'", "R1 quarantine", gold.company_id)
    return portal, book.cases, malformed


def demo_portal() -> Portal:
    return build_demo()[0]
