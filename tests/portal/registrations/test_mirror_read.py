"""A registration's check reads the mirrored records having the prospect's domain, never
the whole mirror (a large portal's 30,000 customers took seconds a post): the mirror's
whole-type reads refuse here, and the rules still decide as before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sync.engine.registration import Prospect, Refusal
from sync.ledger.mirror import Mirror
from sync.portal.registration_facts import refusal
from sync.wiring import Services
from tests.e2e.support import World
from tests.portal.registrations.support import NOW, NUAGE, portal_services


class WholeMirrorRefused(Mirror):
    def records(self, object_type: str) -> list[dict[str, Any]]:
        raise AssertionError(f"read every {object_type} record")

    def stream(self, object_type: str) -> Iterator[dict[str, Any]]:
        raise AssertionError(f"streamed every {object_type} record")


@pytest.fixture(scope="module")
def services(world: World) -> Services:
    services = portal_services(world)
    services.mirror = WholeMirrorRefused(services.ledger)
    return services


@pytest.mark.parametrize(("domain", "expected"), [
    ("brasserie-lune.example", Refusal.EXISTING_CUSTOMER),  # cus_e2eC1Referral pays (R7)
    ("nuage-partners.example", Refusal.OWN_DOMAIN),  # R8
    ("garage-meunier.example", None),  # an open deal's company, not a customer
    ("brand-new.example", None),
    ("lune.example", None),  # found by the superset filter, then compared exactly
])
def test_the_check_reads_only_the_domains_records(services: Services, domain: str,
                                                  expected: Refusal | None) -> None:
    prospect = Prospect("Prospect", domain, f"ceo@{domain}", "VPS M monthly")
    assert refusal(services, NUAGE, prospect, NOW) is expected
