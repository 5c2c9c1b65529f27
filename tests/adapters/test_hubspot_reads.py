"""HubSpotGateway reads against the HubSpot sandbox, through the SDK on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hubspot import HubSpot

from mappings.hubspot import company_domains, deals_from_hubspot, partners_from_companies
from sandbox.hubspot import DEFAULT_TOKEN
from sync.adapters.hubspot.setup import ensure_setup
from sync.domain.inputs import Tier
from tests.adapters.hubspot_support import BASIC, Portal, seed_companies, served_portal

SEARCH, READ = "crm.objects.search", "crm.objects.batch.read"


@pytest.fixture
def portal() -> Iterator[Portal]:
    with served_portal() as served:
        yield served


def _fixture(name: str) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(
        (BASIC / "hubspot" / f"{name}.json").read_text())
    return data


def test_more_than_10000_partners_in_the_fewest_calls() -> None:
    with served_portal(None, search_per_second=None) as portal:
        seed_companies(portal.sandbox, range(100_001, 110_051))  # 10,050 partners
        seed_companies(portal.sandbox, range(200_001, 200_101), tier=None)  # not partners
        seed_companies(portal.sandbox, [300_001], history=[None, "premier"])  # tier cleared
        companies = portal.gateway().partner_companies(known_ids=["300001", "100001"])

        ids = [c["id"] for c in companies]
        assert len(ids) == 10_051 == len(set(ids))
        assert ids[0] == "100001" and ids[-1] == "300001"
        assert portal.count(SEARCH) == 51  # 50 pages of 200 to the cap, then 50 more
        assert portal.count(READ) == 101  # 100 ids a call
        assert portal.count() == 152
        cleared = companies[-1]
        assert cleared["properties"]["vmc_partner_tier"] is None
        assert [h["value"] for h in cleared["propertiesWithHistory"]["vmc_partner_tier"]] == [
            None, "premier"]


def test_partner_companies_in_the_fixture_shape_and_round_trip(portal: Portal) -> None:
    companies = portal.gateway().partner_companies(known_ids=[])

    assert [c["id"] for c in companies] == ["101", "102"]
    expected = {c["id"]: c for c in _fixture("companies")}
    for company in companies:
        assert set(company) == {"id", "properties", "propertiesWithHistory", "createdAt",
                                "updatedAt", "archived"}
        assert company["propertiesWithHistory"]["vmc_partner_tier"] == (
            expected[company["id"]]["propertiesWithHistory"]["vmc_partner_tier"])  # type: ignore[index]
        assert company["createdAt"] == expected[company["id"]]["createdAt"]
    partners, quarantined = partners_from_companies(companies)
    assert quarantined == []
    northwind = next(p for p in partners if p.id == "101")
    assert northwind.tier.values() == (Tier.REFERRAL, Tier.PARTNER)  # oldest first
    assert northwind.tier.at(datetime(2025, 10, 1, tzinfo=UTC)) is Tier.REFERRAL
    assert northwind.tier.current is Tier.PARTNER


def test_a_known_partner_whose_tier_was_cleared_is_still_read(portal: Portal) -> None:
    portal.sandbox.change_records({"object_type": "companies", "update": [
        {"id": "102", "properties": {"vmc_partner_tier": ""}}]})

    without = portal.gateway().partner_companies(known_ids=[])
    with_known = portal.gateway().partner_companies(known_ids=["102", "999999"])

    assert [c["id"] for c in without] == ["101"]
    assert [c["id"] for c in with_known] == ["101", "102"]  # 999999 does not exist
    partners, _ = partners_from_companies(with_known)
    contoso = next(p for p in partners if p.id == "102")
    assert contoso.tier.values() == (Tier.PREMIER, None)


def test_companies_by_id_for_domains(portal: Portal) -> None:
    companies = portal.gateway().companies(["103", "101", "103"])

    assert [c["id"] for c in companies] == ["101", "103"]
    assert company_domains(companies) == {"101": "northwind-partners.eu", "103": "fabrikam.io"}
    assert portal.count(READ) == 1


def test_full_deal_listing_with_companies(portal: Portal) -> None:
    deals = portal.gateway().deals_modified_since(None)

    assert [d["id"] for d in deals] == ["201", "202"]
    expected = {d["id"]: d for d in _fixture("deals")}
    for deal in deals:
        assert deal["associations"] == expected[deal["id"]]["associations"]
        assert deal["properties"]["vmc_referral_code"] == (
            expected[deal["id"]]["properties"].get("vmc_referral_code"))  # type: ignore[attr-defined]
    assert portal.count("crm.objects.list") == 1


def test_incremental_deals_carry_the_same_associations(portal: Portal) -> None:
    gateway = portal.gateway()
    listed = {d["id"]: d for d in gateway.deals_modified_since(None)}
    portal.reset_calls()

    changed = gateway.deals_modified_since(datetime(2025, 12, 1, tzinfo=UTC))

    assert [d["id"] for d in changed] == ["202"]
    assert changed[0]["associations"] == listed["202"]["associations"]
    assert changed[0]["associations"]["companies"]["results"][0] == {
        "id": "103", "type": "deal_to_company"}
    assert portal.sandbox.calls.counters() == {  # the search returns the properties
        SEARCH: 1, "crm.associations.batch.read": 1}
    mapped, issues = deals_from_hubspot(changed, {"103": "fabrikam.io"}, {})
    assert issues == [] and mapped[0].company_domain == "fabrikam.io"
    assert mapped[0].registered_by == "102"


def test_v4_company_ids_are_read_as_the_strings_hubspot_sends(portal: Portal) -> None:
    """HubSpot's v4 spec types ``toObjectId`` as a string (the stand-in sends one); an id
    past 2**31 (HubSpot's ids grow that large) reaches the mapping unchanged."""
    seed_companies(portal.sandbox, [5434402448], tier=None)
    hs = HubSpot(access_token=DEFAULT_TOKEN, host=portal.url, retry=False)
    hs.crm.associations.v4.basic_api.create_default("deals", "202", "companies", "5434402448")
    wire = json.loads(hs.crm.associations.v4.basic_api.get_page(
        "deals", "202", "companies", _preload_content=False).data)
    assert [r["toObjectId"] for r in wire["results"]] == ["103", "5434402448"]
    portal.sandbox.change_records({"object_type": "deals", "update": [
        {"id": "202", "properties": {"dealname": "Touched"}}]})

    changed = portal.gateway().deals_modified_since(datetime(2025, 12, 1, tzinfo=UTC))

    assert changed[0]["associations"]["companies"]["results"] == [
        {"id": "103", "type": "deal_to_company"},
        {"id": "103", "type": "deal_to_company_unlabeled"},
        {"id": "5434402448", "type": "deal_to_company_unlabeled"}]
    mapped, issues = deals_from_hubspot(changed, {"103": "fabrikam.io"}, {})
    assert issues == [] and mapped[0].company_domain == "fabrikam.io"


def test_incremental_deals_see_a_change_made_in_hubspot(portal: Portal) -> None:
    portal.sandbox.change_records({"object_type": "deals", "update": [
        {"id": "201", "properties": {"dealname": "Renamed"}}]})

    changed = portal.gateway().deals_modified_since(datetime(2026, 2, 1, 11, tzinfo=UTC))

    assert [(d["id"], d["properties"]["dealname"]) for d in changed] == [("201", "Renamed")]
    assert {r["id"] for r in changed[0]["associations"]["companies"]["results"]} == {
        "101", "103"}


def test_no_deal_changed_costs_one_search(portal: Portal) -> None:
    assert portal.gateway().deals_modified_since(datetime(2027, 1, 1, tzinfo=UTC)) == []
    assert portal.sandbox.calls.counters() == {SEARCH: 1}


def test_payouts_read_back_with_finance_changes(portal: Portal, tmp_path: Path) -> None:
    gateway = portal.gateway()
    ensure_setup(gateway, gateway.props)
    written = gateway.upsert_records("vmc_payout", "vmc_payout_id", [
        ("po_2026_01_101", {"vmc_partner_id": "101", "vmc_status": "pending_approval",
                            "vmc_amount": "480.00"}),
        ("po_2026_01_102", {"vmc_partner_id": "102", "vmc_status": "manual_pending",
                            "vmc_amount": "120.00"}),
    ])
    approved = written.succeeded["po_2026_01_101"]
    portal.sandbox.change_records({"object_type": "vmc_payout", "user_id": 7001, "update": [
        {"id": approved, "properties": {"vmc_status": "approved"}}]})

    payouts = {p["properties"]["vmc_payout_id"]: p for p in gateway.payouts()}

    assert set(payouts) == {"po_2026_01_101", "po_2026_01_102"}
    assert payouts["po_2026_01_101"]["id"] == approved
    assert payouts["po_2026_01_101"]["properties"]["vmc_status"] == "approved"
    assert payouts["po_2026_01_102"]["properties"]["vmc_amount"] == "120.00"
    assert portal.count("crm.objects.list") == 1
