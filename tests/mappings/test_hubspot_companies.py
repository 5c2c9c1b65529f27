"""HubSpot companies to partners: R1 histories, defaults, quarantine of bad values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from mappings.hubspot import company_domains, partners_from_companies
from mappings.properties import PropertyMap
from sync.domain.inputs import CommissionOption, Partner, PartnerStatus, Quarantined, Tier
from tests.mappings.samples import hubspot_object

JAN = "2025-01-10T09:00:00.000Z"
MAR = "2025-03-05T14:30:00.000Z"


def acme(
    properties: dict[str, str | None] | None = None,
    history: dict[str, list[tuple[str | None, str]]] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """A partner company, as the CRM returns it; only the tier history by default."""
    current = {"name": "Acme Cloud Consulting", "domain": "acme.example",
               "vmc_partner_tier": "partner"}
    return hubspot_object(
        "5012", {**current, **(properties or {})},
        {"vmc_partner_tier": [("partner", JAN)], **(history or {})}, **options)


def one_partner(company: dict[str, Any]) -> tuple[Partner, list[Quarantined]]:
    partners, quarantined = partners_from_companies([company])
    assert len(partners) == 1
    return partners[0], quarantined


def test_full_partner() -> None:
    company = acme(
        {"vmc_stripe_account_id": "acct_1Nv0FGQ9RKHgCVdK",
         "vmc_stripe_customer_id": "cus_Acme", "vmc_partner_since": "2024-11-01",
         "vmc_interview_passed": "true", "vmc_training_completed": "false",
         "vmc_certified": "true", "domain": "https://www.Acme.example/"},
        {"vmc_partner_status": [("active", JAN)],
         "vmc_commission_option": [("flat", JAN)],
         "vmc_referral_code": [("ACME25", JAN)]},
    )
    partner, quarantined = one_partner(company)
    assert quarantined == []
    assert partner.id == "5012"
    assert partner.name == "Acme Cloud Consulting"
    assert partner.domain == "acme.example"
    assert partner.stripe_account_id == "acct_1Nv0FGQ9RKHgCVdK"
    assert partner.stripe_customer_id == "cus_Acme"
    assert partner.partner_since == date(2024, 11, 1)
    assert (partner.interview_passed, partner.training_completed, partner.certified) == (
        True, False, True)
    jan_10 = datetime(2025, 1, 10, 9, tzinfo=UTC)
    assert partner.tier.entries == ((jan_10, Tier.PARTNER),)
    assert partner.status.entries == ((jan_10, PartnerStatus.ACTIVE),)
    assert partner.option.entries == ((jan_10, CommissionOption.FLAT),)
    assert partner.referral_code.entries == ((jan_10, "ACME25"),)


def test_history_newest_first_in_r1_lookups_out() -> None:
    company = acme(history={"vmc_partner_tier": [
        ("premier", "2025-06-01T00:00:00.000Z"),
        ("partner", MAR),
        ("referral", JAN),
    ]})
    tier = one_partner(company)[0].tier
    assert tier.at(datetime(2024, 12, 1, tzinfo=UTC)) is Tier.REFERRAL  # before first: earliest
    assert tier.at(datetime(2025, 3, 5, 14, 30, tzinfo=UTC)) is Tier.PARTNER  # <= t
    assert tier.at(datetime(2025, 3, 5, 14, 29, 59, 999000, tzinfo=UTC)) is Tier.REFERRAL
    assert tier.before(datetime(2025, 6, 1, tzinfo=UTC)) is Tier.PARTNER  # t_m: strictly earlier
    assert tier.current is Tier.PREMIER


def test_equal_timestamps_the_entry_listed_first_wins() -> None:
    company = acme(history={"vmc_partner_tier": [("premier", MAR), ("partner", MAR)]})
    tier = one_partner(company)[0].tier
    assert tier.at(datetime(2025, 3, 6, tzinfo=UTC)) is Tier.PREMIER


def test_cleared_tier_stays_a_partner_with_none_from_then() -> None:
    company = acme({"vmc_partner_tier": ""},
                   {"vmc_partner_tier": [("", MAR), ("referral", JAN)]})
    tier = one_partner(company)[0].tier
    assert tier.values() == (Tier.REFERRAL, None)
    assert tier.at(datetime(2025, 4, 1, tzinfo=UTC)) is None


def test_companies_that_never_had_a_tier_are_not_partners() -> None:
    plain = hubspot_object("7001", {"name": "Northwind", "domain": "northwind.example",
                                    "vmc_partner_tier": None})
    emptied = hubspot_object("7002", {"vmc_partner_tier": ""},
                             {"vmc_partner_tier": [("", MAR)]})
    assert partners_from_companies([plain, emptied]) == ([], [])


def test_missing_status_is_active_and_missing_option_recurring() -> None:
    partner = one_partner(acme())[0]
    assert partner.status.at(datetime(2020, 1, 1, tzinfo=UTC)) is PartnerStatus.ACTIVE
    assert partner.option.current is CommissionOption.RECURRING


def test_current_value_without_history_holds_from_created_at() -> None:
    company = acme({"vmc_referral_code": "ACME25", "vmc_partner_status": "suspended"},
                   created_at="2024-06-03T08:15:00.000Z")
    partner = one_partner(company)[0]
    created = datetime(2024, 6, 3, 8, 15, tzinfo=UTC)
    assert partner.referral_code.entries == ((created, "ACME25"),)
    assert partner.status.entries == ((created, PartnerStatus.SUSPENDED),)


def test_unknown_tier_entry_is_quarantined_and_the_rest_stands() -> None:
    company = acme(history={"vmc_partner_tier": [("gold", MAR), ("partner", JAN)]})
    partner, quarantined = one_partner(company)
    assert partner.tier.values() == (Tier.PARTNER,)
    assert quarantined == [Quarantined(
        "hubspot", "company", "5012",
        "vmc_partner_tier (history entry 2025-03-05T14:30:00.000Z)",
        "expected one of referral, partner, premier (or empty)", "gold")]


def test_company_whose_only_tier_was_unknown_is_reported_not_a_partner() -> None:
    company = acme(history={"vmc_partner_tier": [("gold", JAN)]})
    partners, quarantined = partners_from_companies([company])
    assert partners == []
    assert [q.value for q in quarantined] == ["gold"]


def test_unknown_status_entry_is_quarantined() -> None:
    company = acme(history={"vmc_partner_status": [("paused", MAR), ("active", JAN)]})
    partner, quarantined = one_partner(company)
    assert partner.status.values() == (PartnerStatus.ACTIVE,)
    assert quarantined[0].field == "vmc_partner_status (history entry 2025-03-05T14:30:00.000Z)"
    assert quarantined[0].reason == "expected one of active, suspended, terminated (or empty)"


def test_enum_values_are_compared_case_insensitively() -> None:
    company = acme(history={"vmc_partner_tier": [("Premier", JAN)]})
    assert one_partner(company)[0].tier.current is Tier.PREMIER


def test_history_entry_with_bad_timestamp_is_quarantined() -> None:
    company = acme(history={"vmc_partner_tier": [("premier", "last tuesday"),
                                                 ("partner", JAN)]})
    partner, quarantined = one_partner(company)
    assert partner.tier.values() == (Tier.PARTNER,)
    assert quarantined[0].field == "vmc_partner_tier (history entry last tuesday)"
    assert quarantined[0].value == "last tuesday"


def test_bad_boolean_is_quarantined_and_false() -> None:
    partner, quarantined = one_partner(acme({"vmc_certified": "yes"}))
    assert partner.certified is False
    assert quarantined == [Quarantined("hubspot", "company", "5012", "vmc_certified",
                                       'expected "true" or "false"', "yes")]


def test_partner_since_formats() -> None:
    for text in ("2024-11-01", "2024-11-01T00:00:00.000Z", "1730419200000"):
        assert one_partner(acme({"vmc_partner_since": text}))[0].partner_since == date(2024, 11, 1)


def test_unparseable_partner_since_is_quarantined_and_none() -> None:
    partner, quarantined = one_partner(acme({"vmc_partner_since": "01/11/2024"}))
    assert partner.partner_since is None
    assert quarantined[0].field == "vmc_partner_since"
    assert quarantined[0].value == "01/11/2024"


def test_referral_code_with_control_characters_is_quarantined() -> None:
    company = acme(history={"vmc_referral_code": [("ACME\x0725", MAR), ("ACME", JAN)]})
    partner, quarantined = one_partner(company)
    assert partner.referral_code.values() == ("ACME",)
    assert quarantined[0].reason == "contains control characters"


def test_oversized_stripe_account_is_quarantined_and_none() -> None:
    partner, quarantined = one_partner(acme({"vmc_stripe_account_id": "acct_" + "x" * 1000}))
    assert partner.stripe_account_id is None
    assert quarantined[0].field == "vmc_stripe_account_id"
    assert quarantined[0].reason == "longer than 1000 characters (1005)"


def test_record_without_id_is_quarantined() -> None:
    company = acme()
    del company["id"]
    assert partners_from_companies([company]) == (
        [], [Quarantined("hubspot", "company", "?", "id", "missing object id",
                         "hs_object_id 5012")])


def test_archived_company_is_skipped() -> None:
    assert partners_from_companies([acme(archived=True)]) == ([], [])


def test_renamed_properties_are_read() -> None:
    props = PropertyMap.from_overrides({"company": {"tier": "acme_level"}})
    company = hubspot_object("5012", {"acme_level": "premier"})
    partners, _ = partners_from_companies([company], props)
    assert partners[0].tier.current is Tier.PREMIER


def test_company_domains_include_non_partners() -> None:
    plain = hubspot_object("7001", {"domain": "WWW.Northwind.example"})
    blank = hubspot_object("7002", {"domain": ""})
    assert company_domains([acme(), plain, blank]) == {
        "5012": "acme.example", "7001": "northwind.example"}
