"""What the mirror's input digest leaves out is never read by the engine's mappings: the
demo portal, with every property and metadata key the worker writes set on every record
(as a full sync leaves them), maps to the same engine inputs whole and less what
``decision_content`` drops (issue 14, docs/architecture.md)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from mappings.assemble import build_inputs
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.inputs import Inputs
from sync.pull.decision_content import decision_content, decision_digest
from sync.pull.mirror_inputs import Mirrored
from tests.pull.support import DEMO

JSON = dict[str, Any]
WRITTEN_COMPANY = {  # what a full sync writes on partner companies (R27-R29, totals, R32)
    PROPS.company.eligible_tier: "premier", PROPS.company.referred_clients: "7",
    PROPS.company.commission_balance: "12.34", PROPS.company.synced_at: "2026-12-03",
    PROPS.company.confirmed_stripe_account_id: "acct_someone", PROPS.company.payout_hold: "x"}
WRITTEN_DEAL = {  # R10 on deals
    PROPS.deal.attribution_status: "attributed", PROPS.deal.attributed_partner_id: "999",
    PROPS.deal.attribution_source: "referral_link", PROPS.deal.converted_at: "2026-01-01",
    PROPS.deal.commission_accrued: "1.00", PROPS.deal.commission_ends_on: "2030-01-01"}
WRITTEN_METADATA = {PROPS.stripe_metadata.partner_id: "999",
                    PROPS.stripe_metadata.attribution_source: "referral_link",
                    PROPS.stripe_metadata.attributed_at: "2026-01-01T00:00:00Z"}


def _read(name: str) -> list[JSON]:
    data: list[JSON] = json.loads((DEMO / name).read_text(encoding="utf-8"))
    return data


def _written(records: list[JSON], values: dict[str, str]) -> list[JSON]:
    return [{**record, "updatedAt": "2026-12-03T00:00:00Z",
             "properties": {**record.get("properties", {}), **values}} for record in records]


def _inputs(companies: list[JSON], deals: list[JSON], customers: list[JSON]) -> Inputs:
    mapped = build_inputs(hubspot_companies=companies, hubspot_deals=deals,
                          stripe_customers=customers,
                          stripe_prices=_read("stripe/prices.json"))
    # Two fields are mapped for the steps around ``decide``, which never reads them: the
    # customers' metadata (the write-back merges into it) and a partner's confirmed
    # account (R32: the payment step reads it from the current body every run).
    return dataclasses.replace(
        mapped,
        customers=tuple(dataclasses.replace(c, metadata=()) for c in mapped.customers),
        partners=tuple(dataclasses.replace(p, confirmed_account=None)
                       for p in mapped.partners))


def test_the_engine_maps_the_same_inputs_from_what_the_digest_keeps() -> None:
    content = decision_content(PROPS)
    companies = _written(_read("hubspot/companies.json"), WRITTEN_COMPANY)
    deals = _written(_read("hubspot/deals.json"), WRITTEN_DEAL)
    customers = [{**c, "metadata": {**(c.get("metadata") or {}), **WRITTEN_METADATA}}
                 for c in _read("stripe/customers.json")]
    whole = _inputs(companies, deals, customers)
    kept = _inputs([content(Mirrored.HUBSPOT_PARTNER, c) for c in companies],
                   [content(Mirrored.HUBSPOT_DEAL, d) for d in deals],
                   [content(Mirrored.STRIPE_CUSTOMER, c) for c in customers])
    assert kept == whole
    assert whole.partners and whole.deals and whole.customers


def test_the_digest_moves_with_what_decide_reads_and_not_with_our_writes() -> None:
    digest = decision_digest(PROPS)
    deal = _read("hubspot/deals.json")[0]
    base = digest(Mirrored.HUBSPOT_DEAL, deal)
    (ours,) = _written([deal], WRITTEN_DEAL)
    assert digest(Mirrored.HUBSPOT_DEAL, ours) == base
    touched = {**deal, "properties": {**deal["properties"], PROPS.deal.referral_code: "NEW1"}}
    assert digest(Mirrored.HUBSPOT_DEAL, touched) != base
    unknown = {**deal, "properties": {**deal["properties"], "another_apps_field": "1"}}
    assert digest(Mirrored.HUBSPOT_DEAL, unknown) != base  # unknown fields count
    customer = _read("stripe/customers.json")[0]
    plain = digest(Mirrored.STRIPE_CUSTOMER, customer)
    tagged = {**customer, "metadata": {**(customer.get("metadata") or {}), **WRITTEN_METADATA}}
    assert digest(Mirrored.STRIPE_CUSTOMER, tagged) == plain
    linked = {**customer, "metadata": {**(customer.get("metadata") or {}),
                                       PROPS.stripe_metadata.hubspot_deal_id: "123"}}
    assert digest(Mirrored.STRIPE_CUSTOMER, linked) != plain
