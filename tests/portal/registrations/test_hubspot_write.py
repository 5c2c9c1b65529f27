"""A registration's HubSpot write through the real gateway and the HubSpot stand-in on
loopback: recorded with its outbox intent, sent, confirmed; a crash between the record
and the confirmation, then a resend, leaves exactly one deal and one company."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from structlog.testing import capture_logs

from sync.adapters.hubspot.batch import BatchOutcome
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.config.programme_file import load_programme
from sync.errors import NetworkError, RequestRejected
from sync.ledger import Ledger
from sync.ledger import registrations as store
from sync.writeback.registrations import (
    send_pending_registrations,
    send_registration,
    waits_for_setup,
)
from tests.e2e.support import World
from tests.portal.registrations.support import (
    GARAGE_COMPANY,
    NUAGE,
    PORTAL,
    SYNCED_AT,
    companies_with_domain,
    gateway,
    registration,
    with_registration,
)


def outbox(ledger: Ledger, registration: str) -> tuple[str, dict[str, Any] | None]:
    entry = ledger.outbox_entry(f"hubspot:registration:{registration}")
    assert entry is not None
    return entry.status, entry.result


class CrashBeforeAssociating(HubSpotGateway):
    """The company and the deal are written, then the connection drops: the worker
    never learns it, as if it had been killed before confirming."""

    def associate(self, from_object: str, to_object: str,
                  pairs: list[tuple[str, str]]) -> BatchOutcome[tuple[str, str]]:
        raise NetworkError("connection reset by peer", api="hubspot")


class RefusesDeals(HubSpotGateway):
    def upsert_records(self, object_name: str, id_property: str,
                       records: list[tuple[str, dict[str, str]]]) -> BatchOutcome[str]:
        if object_name == "deals":
            raise RequestRejected("Property values were not valid: company name",
                                  api="hubspot", status=400, code="VALIDATION_ERROR")
        return super().upsert_records(object_name, id_property, records)


def test_a_registration_creates_the_company_and_the_deal(world: World) -> None:
    ledger = world.ledger()
    made = registration(NUAGE, "Globex", "globex.example")
    assert store.record(ledger, made, 90) == store.Recorded.RECORDED
    assert outbox(ledger, made.id) == ("pending", None)

    sent = send_registration(ledger, gateway(world), made.id, portal=PORTAL)

    [company_id] = companies_with_domain(world, "globex.example")
    [(deal_id, deal)] = with_registration(world, "deals", made.id).items()
    assert (sent.status, sent.hubspot_company_id, sent.hubspot_deal_id) == (
        "sent", company_id, deal_id)
    assert world.companies()[company_id]["name"] == "Globex"
    assert world.companies()[company_id]["vmc_registration_id"] == made.id
    assert {name: deal.get(name) for name in (
        "dealname", "vmc_registered_by", "vmc_registered_at", "pipeline", "dealstage")} == {
        "dealname": "Globex", "vmc_registered_by": "7102",
        "vmc_registered_at": "2026-05-04T09:30:00.000Z", "pipeline": "default",
        "dealstage": "appointmentscheduled"}
    assert deal["description"] == (f"Deal registration {made.id}: contact "
                                   "contact@globex.example, expected plan GPU L40S monthly")
    assert world.linked("deals", deal_id, "companies") == {company_id}
    assert outbox(ledger, made.id) == ("sent", {"company_id": company_id,
                                                "deal_id": deal_id})


def test_an_existing_company_with_the_domain_is_reused(world: World) -> None:
    ledger = world.ledger()
    made = registration(NUAGE, "Garage Meunier (cloud)", "garage-meunier.example")
    store.record(ledger, made, 90)
    sent = send_registration(ledger, gateway(world), made.id, portal=PORTAL)
    assert sent.hubspot_company_id == GARAGE_COMPANY
    assert companies_with_domain(world, "garage-meunier.example") == {GARAGE_COMPANY}
    assert with_registration(world, "companies", made.id) == {}  # not written on
    [deal_id] = with_registration(world, "deals", made.id)
    assert world.linked("deals", deal_id, "companies") == {GARAGE_COMPANY}


def test_a_crash_before_the_confirmation_then_a_resend_makes_one_deal(world: World) -> None:
    ledger = world.ledger()
    made = registration(NUAGE, "Initech", "initech.example")
    store.record(ledger, made, 90)

    crashed = send_registration(ledger, gateway(world, CrashBeforeAssociating), made.id, portal=PORTAL)
    assert crashed.status == "pending"
    assert "connection reset by peer" in (crashed.last_error or "")
    assert len(with_registration(world, "deals", made.id)) == 1  # written, not confirmed

    resent = send_pending_registrations(ledger, gateway(world), portal=PORTAL)
    assert (resent.sent, resent.failed, resent.pending) == (1, {}, {})
    [deal_id] = with_registration(world, "deals", made.id)
    [company_id] = companies_with_domain(world, "initech.example")
    assert world.linked("deals", deal_id, "companies") == {company_id}
    assert store.get(ledger, made.id).status == "sent"  # type: ignore[union-attr]
    again = send_pending_registrations(ledger, gateway(world), portal=PORTAL)
    assert (again.sent, again.failed, again.pending) == (0, {}, {})


def test_hubspot_refusing_it_marks_it_failed_with_the_reason(world: World) -> None:
    ledger = world.ledger()
    made = registration(NUAGE, "Umbrella", "umbrella.example")
    store.record(ledger, made, 90)
    with capture_logs() as logs:
        failed = send_registration(ledger, gateway(world, RefusesDeals), made.id,
                                   portal=PORTAL)
    assert failed.status == "failed"
    assert failed.last_error == ("HubSpot refused it: Property values were not valid: "
                                 "company name")
    assert outbox(ledger, made.id)[0] == "failed"
    assert made.id not in store.pending_ids(ledger)  # not resent: it cannot succeed
    assert [line for line in logs if line["event"].startswith("registration.")] == [
        {"event": "registration.refused", "log_level": "warning",
                     "registration_id": made.id, "partner_id": NUAGE,
                     "reason": "Property values were not valid: company name"}]
    assert [r.id for r in store.with_errors(ledger)][:1] == [made.id]


def test_a_refusal_of_the_setup_keeps_it_pending_until_fixed(world: World) -> None:
    """HubSpot answers 400 PROPERTY_DOESNT_EXIST (the account lacks vmc_registered_at):
    the portal's or programme's setup, not the partner's data. It stays pending, an
    error names the fix, and once the property exists the next resend creates it."""
    ledger = world.ledger()
    made = registration(NUAGE, "Stark Industries", "stark.example")
    store.record(ledger, made, 90)
    deals = world.hubspot.state.resolve_type("deals")
    removed = deals.properties.pop("vmc_registered_at")
    try:
        with capture_logs() as logs:
            pending = send_registration(ledger, gateway(world), made.id, portal=PORTAL)
    finally:
        deals.properties["vmc_registered_at"] = removed
    assert pending.status == "pending"
    assert (pending.last_error or "").startswith(
        "HubSpot refused the portal's setup, not the registration: HubSpot refused the "
        "deals record: ")
    assert "'error': 'PROPERTY_DOESNT_EXIST', 'name': 'vmc_registered_at'" in (
        pending.last_error or "")
    assert waits_for_setup(pending)
    assert made.id in store.pending_ids(ledger)
    [line] = [line for line in logs if line["event"].startswith("registration.")]
    assert (line["event"], line["log_level"], line["registration_id"]) == (
        "registration.setup_refused", "error", made.id)
    assert line["fix"] == (
        "check [portal] registration_pipeline and registration_stage in the programme "
        "file against HubSpot's deal pipelines, and that the vmc_ properties exist "
        "(partnersync doctor); the next sync resends it")

    fixed = send_pending_registrations(ledger, gateway(world), portal=PORTAL)
    assert (fixed.sent, fixed.failed, fixed.pending) == (1, {}, {})
    assert len(with_registration(world, "deals", made.id)) == 1


def test_a_sync_run_sends_the_registrations_still_pending(world: World) -> None:
    """HubSpot was down when the partner registered: the next ``sync`` writes it."""
    ledger = world.ledger()
    made = registration(NUAGE, "Hooli", "hooli.example")
    store.record(ledger, made, 90)
    assert with_registration(world, "deals", made.id) == {}

    world.run(SYNCED_AT)

    [deal_id] = with_registration(world, "deals", made.id)
    assert store.get(ledger, made.id) == replace(
        made, status="sent", hubspot_deal_id=deal_id,
        hubspot_company_id=next(iter(companies_with_domain(world, "hooli.example"))))


def test_the_deal_goes_to_the_programmes_pipeline_and_stage(world: World,
                                                           tmp_path: Path) -> None:
    """``[portal] registration_pipeline`` and ``registration_stage``, as loaded."""
    programme_file = tmp_path / "programme.toml"
    programme_file.write_text('[portal]\nregistration_pipeline = "75e28846-ad0d-4be2"\n'
                              'registration_stage = " 1234567 "\n')
    portal = load_programme(programme_file).portal
    ledger = world.ledger()
    made = registration(NUAGE, "Soylent", "soylent.example")
    store.record(ledger, made, 90)
    send_registration(ledger, gateway(world), made.id, portal=portal)
    [deal] = with_registration(world, "deals", made.id).values()
    assert (deal["pipeline"], deal["dealstage"]) == ("75e28846-ad0d-4be2", "1234567")
