"""R9 end to end: a registration the portal wrote to HubSpot is a touch the next sync
reads; the prospect paying within 90 days is the registering partner's, even when it
later arrives through another partner's referral link (docs/rules.md, R4, R6, R9)."""

from __future__ import annotations

from datetime import UTC, datetime

from sync.engine.registration import Protection
from sync.ledger import registrations as store
from sync.portal.registration_facts import partner_rows
from sync.writeback.registrations import send_registration
from tests.e2e.support import World
from tests.portal.registrations.support import (
    ATELIER,
    NUAGE,
    PORTAL,
    add_paying_customer,
    add_referral_deal,
    gateway,
    portal_services,
    registration,
)

REGISTERED = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
PAID = datetime(2026, 5, 20, 10, 3, tzinfo=UTC)  # 16 days later: within R6's 90
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)  # May closed


def test_the_registering_partner_wins_a_customer_paying_within_90_days(world: World) -> None:
    ledger = world.ledger()
    made = registration(NUAGE, "Globex R9", "globex-r9.example", REGISTERED)
    store.record(ledger, made, 90)
    deal_id = send_registration(ledger, gateway(world), made.id, portal=PORTAL).hubspot_deal_id
    assert deal_id is not None
    customer = add_paying_customer(world, "r9Globex", "it@globex-r9.example", deal_id, PAID)
    # 6 days after the registration, Atelier's link brings the same customer (R9's case)
    link_deal = add_referral_deal(world, "ATELIER", "2026-05-10T08:00:00.000Z", customer)

    world.run(AS_OF)

    deals = world.deals()
    for shown in (deal_id, link_deal):  # R10: every deal of a won customer, same winner
        assert {name: deals[shown].get(name) for name in (
            "vmc_attribution_status", "vmc_attributed_partner_id", "vmc_attribution_source",
            "vmc_converted_at")} == {
            "vmc_attribution_status": "attributed", "vmc_attributed_partner_id": NUAGE,
            "vmc_attribution_source": "deal_registration",
            "vmc_converted_at": "2026-05-20T10:03:00.000Z"}
    assert deals[link_deal]["vmc_attributed_partner_id"] != ATELIER

    # The partner's list reads the attribution written back once a sync has read it.
    services = portal_services(world)
    world.run(AS_OF)
    [row] = [row for row in partner_rows(services, NUAGE, AS_OF)
             if row.registration.id == made.id]
    assert (row.protection, row.protected_until) == (
        Protection.CONVERTED, datetime(2026, 8, 2, 9, 30, tzinfo=UTC))


def test_a_registration_without_conversion_expires_after_90_days(world: World) -> None:
    ledger = world.ledger()
    made = registration(NUAGE, "Soylent", "soylent.example", REGISTERED)
    store.record(ledger, made, 90)
    services = portal_services(world)
    states = [(row.protection, row.protected_until)
              for moment in (datetime(2026, 8, 2, 9, 29, tzinfo=UTC),
                             datetime(2026, 8, 2, 9, 30, tzinfo=UTC))
              for row in partner_rows(services, NUAGE, moment)
              if row.registration.id == made.id]
    until = datetime(2026, 8, 2, 9, 30, tzinfo=UTC)  # 2026-05-04 09:30 + 90 days
    assert states == [(Protection.PROTECTED, until), (Protection.EXPIRED, until)]
