"""Gluing vendor collections into Inputs, and reading docs/sandbox.md's fixture layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mappings.assemble import build_inputs, load_fixture_dir
from sync.domain.inputs import Deal, Tier
from tests.mappings.samples import (
    company_links,
    hubspot_object,
    invoice_item_line,
    stripe_customer,
    stripe_invoice,
    stripe_price,
    stripe_subscription,
    subscription_line,
)

PARTNER = hubspot_object("5012", {"name": "Acme", "domain": "acme.example",
                                  "vmc_partner_tier": "partner"},
                         {"vmc_partner_tier": [("partner", "2025-01-10T09:00:00.000Z")]})
CLIENT_COMPANY = hubspot_object("7001", {"name": "Northwind", "domain": "northwind.example"})
DEAL = hubspot_object(
    "9101", {"dealname": "Northwind GPU", "vmc_stripe_customer_id": None,
             "vmc_registered_by": "5012", "vmc_registered_at": "2025-01-20T08:30:00Z"},
    associations=company_links(("7001", "deal_to_company")))


def vendor_data() -> dict[str, Any]:
    return {
        "hubspot_companies": [PARTNER, CLIENT_COMPANY],
        "hubspot_deals": [DEAL],
        "stripe_customers": [stripe_customer("cus_A", "ops@northwind.example",
                                             {"hubspot_deal_id": "9101"})],
        "stripe_prices": [stripe_price("price_month"), stripe_price("price_bad", "fortnight")],
        "stripe_subscriptions": [stripe_subscription("sub_1")],
        "stripe_invoices": [
            stripe_invoice("in_1"),
            stripe_invoice("in_2", [subscription_line("il_9", price="price_bad")]),
            stripe_invoice("in_3", [invoice_item_line("il_3")], amount_paid=5000, total=5000),
        ],
    }


def test_build_inputs_links_and_collects_quarantine() -> None:
    inputs = build_inputs(**vendor_data())
    assert [partner.id for partner in inputs.partners] == ["5012"]
    assert inputs.partners[0].tier.current is Tier.PARTNER
    assert inputs.deals[0] == Deal(
        id="9101", name="Northwind GPU", stripe_customer_id="cus_A", registered_by="5012",
        registered_at=inputs.deals[0].registered_at, company_domain="northwind.example")
    assert [customer.id for customer in inputs.customers] == ["cus_A"]
    assert [price.id for price in inputs.prices] == ["price_month"]
    assert [invoice.id for invoice in inputs.invoices] == ["in_1", "in_3"]
    assert [(q.object_type, q.record_id, q.field) for q in inputs.quarantined] == [
        ("price", "price_bad", "recurring.interval"),
        ("invoice", "in_2", "lines[il_9].pricing.price_details.price"),
    ]


def test_prices_not_read_means_lines_not_checked() -> None:
    data = vendor_data()
    del data["stripe_prices"]
    inputs = build_inputs(**data)
    assert [invoice.id for invoice in inputs.invoices] == ["in_1", "in_2", "in_3"]


def test_build_inputs_shares_instants_between_subscriptions_and_invoices() -> None:
    data = vendor_data()
    data["stripe_subscriptions"] = [stripe_subscription("sub_1", "cus_A", 1740787200)]
    inputs = build_inputs(**data)
    assert inputs.subscriptions[0].ended_at is inputs.invoices[0].lines[0].period_end


def write(root: Path, relative: str, content: Any) -> None:
    file = root / relative
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(content), encoding="utf-8")


def test_load_fixture_dir_reads_the_contract_layout(tmp_path: Path) -> None:
    data = vendor_data()
    write(tmp_path, "hubspot/companies.json", data["hubspot_companies"])
    write(tmp_path, "hubspot/deals.json", data["hubspot_deals"])
    write(tmp_path, "stripe/customers.json", data["stripe_customers"])
    write(tmp_path, "stripe/prices.json", data["stripe_prices"])
    write(tmp_path, "stripe/subscriptions.json", data["stripe_subscriptions"])
    write(tmp_path, "stripe/invoices.json", data["stripe_invoices"])
    assert load_fixture_dir(tmp_path) == build_inputs(**data)


def test_load_fixture_dir_tolerates_absent_files(tmp_path: Path) -> None:
    write(tmp_path, "stripe/invoices.json", [stripe_invoice("in_1")])
    inputs = load_fixture_dir(tmp_path)
    assert (inputs.partners, inputs.deals, inputs.quarantined) == ((), (), ())
    assert [invoice.id for invoice in inputs.invoices] == ["in_1"]


def test_load_fixture_dir_rejects_a_file_that_is_not_an_array(tmp_path: Path) -> None:
    write(tmp_path, "hubspot/deals.json", {"results": []})
    with pytest.raises(ValueError, match=r"deals.json: expected a JSON array of objects, got dict"):
        load_fixture_dir(tmp_path)
