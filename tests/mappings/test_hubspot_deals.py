"""HubSpot deals: linked customer, touches (R4), primary company domain (R8)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mappings.hubspot import deals_from_hubspot
from sync.domain.inputs import Deal, Quarantined
from tests.mappings.samples import company_links, hubspot_object

DOMAINS = {"7001": "northwind.example", "7002": "contoso.example"}


def deal(properties: dict[str, str | None], **options: Any) -> dict[str, Any]:
    return hubspot_object("9101", {"dealname": "Northwind GPU cluster", **properties}, **options)


def map_one(
    record: dict[str, Any], links: dict[str, str] | None = None
) -> tuple[Deal, list[Quarantined]]:
    deals, quarantined = deals_from_hubspot([record], DOMAINS, links or {})
    assert len(deals) == 1
    return deals[0], quarantined


def test_full_deal() -> None:
    record = deal(
        {"vmc_stripe_customer_id": "cus_Northwind", "vmc_referral_code": " acme25 ",
         "vmc_referral_at": "2025-02-03T10:00:00Z", "vmc_registered_by": "5012",
         "vmc_registered_at": "2025-01-20T08:30:00.000Z"},
        associations=company_links(("7001", "deal_to_company"),
                                   ("7001", "deal_to_company_unlabeled")),
    )
    assert map_one(record) == (
        Deal(id="9101", name="Northwind GPU cluster", stripe_customer_id="cus_Northwind",
             referral_code="acme25", referral_at=datetime(2025, 2, 3, 10, tzinfo=UTC),
             registered_by="5012", registered_at=datetime(2025, 1, 20, 8, 30, tzinfo=UTC),
             company_domain="northwind.example"),
        [],
    )


def test_deal_without_touches_or_links() -> None:
    assert map_one(deal({})) == (Deal(id="9101", name="Northwind GPU cluster"), [])


def test_customer_metadata_links_a_deal_without_its_own_customer() -> None:
    linked, _ = map_one(deal({"vmc_stripe_customer_id": ""}), {"9101": "cus_FromMetadata"})
    assert linked.stripe_customer_id == "cus_FromMetadata"


def test_deal_property_wins_over_customer_metadata() -> None:
    linked, _ = map_one(deal({"vmc_stripe_customer_id": "cus_Own"}), {"9101": "cus_Other"})
    assert linked.stripe_customer_id == "cus_Own"


def test_primary_company_is_the_deal_to_company_label() -> None:
    record = deal({}, associations=company_links(("7002", "deal_to_company_unlabeled"),
                                                 ("7001", "deal_to_company"),
                                                 ("7001", "deal_to_company_unlabeled")))
    assert map_one(record)[0].company_domain == "northwind.example"


def test_without_primary_label_the_first_company_listed() -> None:
    record = deal({}, associations=company_links(("7002", "deal_to_company_unlabeled"),
                                                 ("7001", "deal_to_company_unlabeled")))
    assert map_one(record)[0].company_domain == "contoso.example"


@pytest.mark.parametrize(("northwind", "contoso"), [
    ("7001", "7002"),  # HubSpot's v4 spec: toObjectId is a string
    (7001, 7002),  # as the live API has been reported to send it (hubspot-api-nodejs#552)
])
def test_primary_company_in_v4_association_shape(northwind: object, contoso: object) -> None:
    record = deal({}, associations={"companies": {"results": [
        {"toObjectId": contoso, "associationTypes": [
            {"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None}]},
        {"toObjectId": northwind, "associationTypes": [
            {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}]},
    ]}})
    assert map_one(record)[0].company_domain == "northwind.example"


def test_company_without_domain_gives_none() -> None:
    record = deal({}, associations=company_links(("7999", "deal_to_company")))
    assert map_one(record)[0].company_domain is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-02-03T10:00:00Z", datetime(2025, 2, 3, 10, tzinfo=UTC)),
        ("2025-02-03T10:00:00.250Z", datetime(2025, 2, 3, 10, 0, 0, 250000, tzinfo=UTC)),
        ("1738576800000", datetime(2025, 2, 3, 10, tzinfo=UTC)),
        ("2025-02-03", datetime(2025, 2, 3, tzinfo=UTC)),
    ],
)
def test_touch_instant_formats(text: str, expected: datetime) -> None:
    mapped, quarantined = map_one(deal({"vmc_referral_code": "ACME25",
                                        "vmc_referral_at": text}))
    assert (mapped.referral_code, mapped.referral_at, quarantined) == ("ACME25", expected, [])


def test_touch_without_instant_is_quarantined_not_guessed() -> None:
    mapped, quarantined = map_one(deal({"vmc_registered_by": "5012",
                                        "vmc_registered_at": None}))
    assert (mapped.registered_by, mapped.registered_at) == (None, None)
    assert quarantined == [Quarantined(
        "hubspot", "deal", "9101", "vmc_registered_at",
        "a registering partner is set but its instant is missing; touch dropped, "
        "not guessed (R4)")]


def test_touch_with_unparseable_instant_is_quarantined() -> None:
    mapped, quarantined = map_one(deal({"vmc_referral_code": "ACME25",
                                        "vmc_referral_at": "03/02/2025"}))
    assert (mapped.referral_code, mapped.referral_at) == (None, None)
    assert quarantined[0].field == "vmc_referral_at"
    assert quarantined[0].value == "03/02/2025"
    assert quarantined[0].reason.endswith("touch dropped, not guessed (R4)")


def test_naive_touch_instant_is_quarantined() -> None:
    mapped, quarantined = map_one(deal({"vmc_referral_code": "ACME25",
                                        "vmc_referral_at": "2025-02-03T10:00:00"}))
    assert mapped.referral_at is None
    assert "with a zone" in quarantined[0].reason


def test_instant_without_code_is_quarantined() -> None:
    mapped, quarantined = map_one(deal({"vmc_referral_code": " ",
                                        "vmc_referral_at": "2025-02-03T10:00:00Z"}))
    assert (mapped.referral_code, mapped.referral_at) == (None, None)
    assert quarantined == [Quarantined(
        "hubspot", "deal", "9101", "vmc_referral_at",
        "touch instant without a referral code in vmc_referral_code; touch dropped (R4)",
        "2025-02-03T10:00:00Z")]


def test_only_the_bad_touch_is_dropped() -> None:
    mapped, quarantined = map_one(deal({
        "vmc_referral_code": "ACME25", "vmc_referral_at": "soon",
        "vmc_registered_by": "5012", "vmc_registered_at": "2025-01-20T08:30:00Z"}))
    assert mapped.referral_code is None
    assert mapped.registered_by == "5012"
    assert len(quarantined) == 1


def test_control_characters_in_code_are_quarantined() -> None:
    mapped, quarantined = map_one(deal({"vmc_referral_code": "ACME\x1b[0m25",
                                        "vmc_referral_at": "2025-02-03T10:00:00Z"}))
    assert (mapped.referral_code, mapped.referral_at) == (None, None)
    assert (quarantined[0].field, quarantined[0].reason) == (
        "vmc_referral_code", "contains control characters")


def test_oversized_partner_id_is_quarantined() -> None:
    mapped, quarantined = map_one(deal({"vmc_registered_by": "5" * 1001,
                                        "vmc_registered_at": "2025-01-20T08:30:00Z"}))
    assert mapped.registered_by is None
    assert quarantined[0].reason == "longer than 1000 characters (1001)"


def test_archived_deal_is_skipped_and_bad_record_reported() -> None:
    deals, quarantined = deals_from_hubspot(
        [deal({}, archived=True), "not an object"], DOMAINS, {})
    assert deals == []
    assert quarantined == [Quarantined("hubspot", "deal", "?", "id",
                                       "expected a CRM object (a JSON object)",
                                       "not an object")]
