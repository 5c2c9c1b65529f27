"""HubSpotGateway writes and ``hubspot setup`` against the HubSpot sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mappings.hubspot.schema import setup_plan
from mappings.properties import PropertyMap
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.setup import ensure_setup
from sync.errors import ConfigurationError
from tests.adapters.hubspot_support import Portal, served_portal

LINE = "vmc_commission_line"


@pytest.fixture
def portal() -> Iterator[Portal]:
    with served_portal() as served:
        yield served


@pytest.fixture
def gateway(portal: Portal) -> HubSpotGateway:
    gateway = portal.gateway()
    ensure_setup(gateway, gateway.props)
    portal.reset_calls()
    return gateway


def _line(number: int) -> tuple[str, dict[str, str]]:
    return f"line_{number:04d}", {"vmc_partner_id": "101", "vmc_deal_id": "201",
                                  "vmc_amount": f"{number}.00", "vmc_status": "accrued"}


def test_setup_creates_everything_once() -> None:
    with served_portal(None) as portal:  # an empty portal
        gateway = portal.gateway()
        first = ensure_setup(gateway, gateway.props)
        second = ensure_setup(gateway, gateway.props)
    plan = setup_plan(gateway.props)

    assert second.created == () and not second.changed
    assert "custom object vmc_commission_line" in first.created
    assert "custom object vmc_payout" in first.created
    assert "property group companies.vmc_partner_programme" in first.created
    created_properties = {c for c in first.created
                          if c.startswith("property ") and " group " not in c}
    assert len(created_properties) == len(plan.company_properties) + len(plan.deal_properties)
    state = portal.sandbox.state
    assert list(state.resolve_type("companies").groups) == ["vmc_partner_programme"]
    assert list(state.resolve_type("deals").groups) == ["vmc_partner_programme"]
    companies = portal.sandbox.state.resolve_type("companies")
    assert companies.properties["vmc_referral_code"]["hasUniqueValue"] is True
    assert [o["value"] for o in companies.properties["vmc_partner_tier"]["options"]] == [
        "referral", "partner", "premier"]
    line = portal.sandbox.state.resolve_type(LINE)
    assert line.type_id.startswith("2-")
    assert {p.name for p in plan.custom_objects[0].properties} <= set(line.properties)
    assert gateway.object_type_id(LINE) == line.type_id


def test_setup_completes_a_custom_object_missing_a_property_and_an_association(
        portal: Portal) -> None:
    gateway = portal.gateway()
    ensure_setup(gateway, gateway.props)
    line = portal.sandbox.state.resolve_type(LINE)
    del line.properties["vmc_explanation"]
    deal_links = [t for t in portal.sandbox.state.associations.types.values()
                  if t.from_type == line.type_id and t.to_type == "0-3"]
    for atype in deal_links:
        del portal.sandbox.state.associations.types[atype.type_id]

    report = ensure_setup(gateway, gateway.props)

    assert report.created == (
        "property vmc_commission_line.vmc_explanation",
        "association vmc_commission_line -> DEAL")
    assert "vmc_explanation" in line.properties


def test_setup_adds_the_enumeration_values_a_portal_set_up_earlier_lacks(
        portal: Portal) -> None:
    """A portal set up before R32-R35: payout statuses without on_hold and
    pending_second_approval, line kinds without manual; a value the portal added itself
    is kept."""
    gateway = portal.gateway()
    ensure_setup(gateway, gateway.props)
    state = portal.sandbox.state
    status = state.resolve_type("vmc_payout").properties["vmc_status"]
    status["options"] = [o for o in status["options"]
                         if o["value"] not in ("on_hold", "pending_second_approval")]
    status["options"].append({"label": "Disputed", "value": "disputed", "hidden": False,
                              "displayOrder": 9})
    kind = state.resolve_type(LINE).properties["vmc_kind"]
    kind["options"] = [o for o in kind["options"] if o["value"] != "manual"]
    portal.reset_calls()

    report = ensure_setup(gateway, gateway.props)

    assert report.created == (
        "options vmc_commission_line.vmc_kind: manual",
        "options vmc_payout.vmc_status: on_hold, pending_second_approval")
    assert [o["value"] for o in status["options"]] == [
        "pending_approval", "approved", "paid", "manual_pending", "failed", "disputed",
        "on_hold", "pending_second_approval"]
    assert [o["value"] for o in kind["options"]][-1] == "manual"
    assert portal.count("crm.properties.update") == 2
    assert ensure_setup(gateway, gateway.props).created == ()  # once


def test_upsert_250_lines_in_3_calls_then_update_them(portal: Portal,
                                                      gateway: HubSpotGateway) -> None:
    lines = [_line(n) for n in range(250)]

    created = gateway.upsert_records(LINE, "vmc_line_id", lines)
    again = gateway.upsert_records(LINE, "vmc_line_id",
                                   [(key, {**props, "vmc_status": "paid"}) for key, props in lines])

    assert created.ok and len(created.succeeded) == 250
    assert again.succeeded == created.succeeded  # same records, found by line id
    assert portal.count("crm.objects.batch.upsert") == 6
    record = portal.sandbox.state.find(portal.sandbox.state.resolve_type(LINE),
                                       created.succeeded["line_0007"])
    assert record.properties["vmc_status"] == "paid"
    assert record.properties["vmc_amount"] == "7.00"


def test_a_207_reports_exactly_the_failed_ids(portal: Portal, gateway: HubSpotGateway) -> None:
    updates = [("201", {"vmc_attribution_status": "attributed"}),
               ("404404", {"vmc_attribution_status": "attributed"}),
               ("202", {"vmc_commission_accrued": "120.00"}),
               ("505505", {"vmc_commission_accrued": "1.00"})]

    outcome = gateway.update_records("deals", updates)

    assert outcome.succeeded == {"201": "201", "202": "202"}
    assert set(outcome.failed) == {"404404", "505505"}
    assert outcome.failed["404404"].code == "OBJECT_NOT_FOUND"
    assert portal.count("crm.objects.batch.update", status=207) == 1
    deals = portal.sandbox.state.resolve_type("deals")
    assert portal.sandbox.state.find(deals, "201").properties["vmc_attribution_status"] == (
        "attributed")


def test_update_companies_in_batches_of_100(portal: Portal, gateway: HubSpotGateway) -> None:
    updates = [("101", {"vmc_commission_balance": "10.00"})] * 3 + [
        (str(900_000 + n), {"vmc_commission_balance": "0"}) for n in range(150)]

    outcome = gateway.update_records("companies", updates)

    assert outcome.succeeded == {"101": "101"}
    assert len(outcome.failed) == 150
    assert portal.count("crm.objects.batch.update") == 2  # 151 distinct ids


def test_a_batch_rejected_as_a_whole_fails_only_its_inputs(portal: Portal,
                                                          gateway: HubSpotGateway) -> None:
    outcome = gateway.update_records("deals", [("201", {"no_such_property": "x"})])

    assert outcome.succeeded == {}
    assert outcome.failed["201"].code == "VALIDATION_ERROR"
    assert "no_such_property" in outcome.failed["201"].message


def test_associate_lines_to_deals_and_companies(portal: Portal,
                                                gateway: HubSpotGateway) -> None:
    created = gateway.upsert_records(LINE, "vmc_line_id", [_line(n) for n in range(120)])
    record_ids = list(created.succeeded.values())

    to_deals = gateway.associate(LINE, "deals", [(r, "201") for r in record_ids])
    to_companies = gateway.associate(LINE, "companies", [(r, "101") for r in record_ids])

    assert to_deals.ok and len(to_deals.succeeded) == 120
    assert to_companies.succeeded[(record_ids[0], "101")] == "101"
    assert portal.count("crm.associations.batch.default") == 4
    deals = portal.sandbox.state.resolve_type("deals")
    linked = portal.sandbox.state.associations.targets(("0-3", "201"), gateway.object_type_id(LINE))
    assert len(linked) == 120 and deals.type_id == "0-3"


def test_an_unknown_custom_object_is_a_configuration_error(portal: Portal) -> None:
    gateway = portal.gateway(props=PropertyMap.from_overrides(
        {"commission_line": {"object_name": "acme_line"}}))
    with pytest.raises(ConfigurationError, match="acme_line"):
        gateway.upsert_records("acme_line", "vmc_line_id", [_line(1)])
