"""The one declaration of HubSpot names (docs/configuration.md) and what ``hubspot setup`` creates."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mappings.hubspot.schema import PropertyDefinition, PropertyOption, setup_plan
from mappings.properties import DEFAULT_PROPERTY_MAP, PropertyMap, PropertyMapError

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def test_defaults_are_contract_names() -> None:
    props = DEFAULT_PROPERTY_MAP
    assert props.company.tier == "vmc_partner_tier"
    assert props.company.domain == "domain"
    assert props.deal.registered_at == "vmc_registered_at"
    assert props.commission_line.object_name == "vmc_commission_line"
    assert props.payout.payout_id == "vmc_payout_id"
    assert props.stripe_metadata.hubspot_deal_id == "hubspot_deal_id"
    assert props.stripe_metadata.attributed_at == "vmc_attributed_at"


def test_properties_to_request() -> None:
    props = DEFAULT_PROPERTY_MAP
    assert props.company_properties_to_read() == (
        "name", "domain", "vmc_partner_tier", "vmc_partner_status", "vmc_commission_option",
        "vmc_referral_code", "vmc_stripe_account_id", "vmc_stripe_customer_id",
        "vmc_partner_since", "vmc_interview_passed", "vmc_training_completed",
        "vmc_certified", "vmc_confirmed_stripe_account_id",
    )
    assert props.company_properties_with_history() == (
        "vmc_partner_tier", "vmc_partner_status", "vmc_commission_option", "vmc_referral_code",
        "vmc_confirmed_stripe_account_id",  # R32: who confirmed it
    )
    assert props.deal_properties_to_read() == (
        "dealname", "vmc_stripe_customer_id", "vmc_referral_code", "vmc_referral_at",
        "vmc_registered_by", "vmc_registered_at",
    )
    assert props.deal_properties_with_history() == ()


def test_override_renames_only_what_it_names() -> None:
    props = PropertyMap.from_overrides(
        {"company": {"tier": "acme_tier"}, "payout": {"object_name": "acme_payout"},
         "stripe_metadata": {"hubspot_deal_id": "hs_deal"}})
    assert props.company.tier == "acme_tier"
    assert props.company.status == "vmc_partner_status"
    assert props.payout.object_name == "acme_payout"
    assert props.stripe_metadata.hubspot_deal_id == "hs_deal"
    assert props.company_properties_with_history()[0] == "acme_tier"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"companies": {}}, "unknown section(s) ['companies']"),
        ({"company": {"teir": "x"}}, "section 'company': unknown key(s) ['teir']"),
        ({"company": {"tier": "Acme Tier"}}, "company.tier: expected a name matching"),
        ({"company": {"tier": 3}}, "company.tier: expected a name matching"),
        ({"deal": "dealname"}, "section 'deal': expected a table of names"),
        ({"company": {"tier": "vmc_partner_status"}},
         "'tier' and 'status' both map to 'vmc_partner_status'"),
    ],
)
def test_override_validation(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(PropertyMapError) as raised:
        PropertyMap.from_overrides(overrides)
    assert message in str(raised.value)


def test_setup_plan_types_and_uniqueness() -> None:
    plan = setup_plan(DEFAULT_PROPERTY_MAP)
    by_name = {definition.name: definition for definition in plan.company_properties}
    assert "domain" not in by_name  # HubSpot's own property
    assert by_name["vmc_partner_tier"] == PropertyDefinition(
        name="vmc_partner_tier", label="Partner tier", type="enumeration", field_type="select",
        group_name="vmc_partner_programme", unique=False,
        options=(PropertyOption("Referral", "referral"), PropertyOption("Partner", "partner"),
                 PropertyOption("Premier", "premier")),
    )
    assert by_name["vmc_referral_code"].unique is True
    assert by_name["vmc_certified"].type == "bool"
    assert by_name["vmc_certified"].field_type == "booleancheckbox"
    assert by_name["vmc_certified"].options == (
        PropertyOption("Yes", "true"), PropertyOption("No", "false"))
    assert by_name["vmc_partner_since"].type == "date"
    assert by_name["vmc_synced_at"].type == "datetime"
    assert by_name["vmc_mrr_brought"].type == "number"


def test_setup_plan_has_the_registration_id_unique_on_deals_and_companies() -> None:
    """Deal registration upserts both records on it (docs/configuration.md)."""
    plan = setup_plan(DEFAULT_PROPERTY_MAP)
    expected = ("vmc_registration_id", "Registration id", "string", "text", True)
    for properties in (plan.company_properties, plan.deal_properties):
        found = [(p.name, p.label, p.type, p.field_type, p.unique) for p in properties
                 if p.name == "vmc_registration_id"]
        assert found == [expected]
    assert [p.name for p in plan.deal_properties if p.unique] == ["vmc_registration_id"]


def test_setup_plan_custom_objects() -> None:
    line, payout = setup_plan(DEFAULT_PROPERTY_MAP).custom_objects
    assert (line.name, line.primary_display_property, line.associated_objects) == (
        "vmc_commission_line", "vmc_line_id", ("COMPANY", "DEAL"))
    assert [p.name for p in line.properties if p.unique] == ["vmc_line_id"]
    assert len(line.properties) == 14
    status = next(p for p in payout.properties if p.name == "vmc_status")
    assert [option.value for option in status.options] == [
        "pending_approval", "approved", "paid", "manual_pending", "failed",
        "on_hold", "pending_second_approval"]  # R32, R33, R35
    assert [p.name for p in payout.properties if p.unique] == ["vmc_payout_id"]


def test_setup_plan_follows_overrides() -> None:
    plan = setup_plan(PropertyMap.from_overrides({"deal": {"referral_at": "acme_ref_at"}}))
    assert "acme_ref_at" in [p.name for p in plan.deal_properties]
    assert "vmc_referral_at" not in [p.name for p in plan.deal_properties]


def test_no_other_mapping_module_hardcodes_a_name() -> None:
    """docs/configuration.md: names are declared once, in ``mappings.properties``."""
    offenders = []
    for module in MAPPINGS.glob("*.py"):
        if module.name == "properties.py":
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                node.value.startswith("vmc_") or node.value == "hubspot_deal_id"
            ):
                offenders.append(f"{module.name}: {node.value}")
    assert offenders == []
