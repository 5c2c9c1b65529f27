"""A registration posted while HubSpot fails answers at once: the portal makes one
attempt with a short timeout and never sleeps to retry (``Services.portal_hubspot``);
the registration stays pending and the next sync sends it, exactly one deal. HubSpot's
failures come from the stand-in over loopback: a 503, a 429 with ``Retry-After`` (its
own rate limit), an answer later than the portal's read timeout."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from flask.testing import FlaskClient

from sandbox.core import FaultPlan
from sync.adapters.retry import RetryPolicy
from sync.ledger import registrations as store
from sync.portal.app import create_portal
from sync.wiring import PORTAL_HUBSPOT_TIMEOUT, Services
from tests.e2e.support import World
from tests.portal.conftest import csrf_token, sign_in_as_partner
from tests.portal.registrations.support import (
    NOW,
    PREMIER_OPS,
    SYNCED_AT,
    portal_services,
    with_registration,
)

SLEPT: list[float] = []  # every retry sleep of the portal's services (none expected)
READ_TIMEOUT = PORTAL_HUBSPOT_TIMEOUT[1]


@pytest.fixture(scope="module")
def services(world: World) -> Services:
    return portal_services(world, RetryPolicy(sleep=SLEPT.append))


@pytest.fixture(scope="module")
def client(world: World, services: Services) -> FlaskClient:
    signed_in = create_portal(services, clock=lambda: NOW).test_client()
    sign_in_as_partner(signed_in, services, PREMIER_OPS)
    return signed_in


@contextmanager
def hubspot_errors(world: World, status: str) -> Iterator[None]:
    """Every HubSpot call answers ``status`` (a 5xx) while inside."""
    world.hubspot.faults.replace(FaultPlan(share=1.0, kinds={status: 1.0}))
    try:
        yield
    finally:
        world.hubspot.faults.clear()


@contextmanager
def hubspot_rate_limited(world: World) -> Iterator[None]:
    """HubSpot's own windows full (one call a second, one per ten seconds, one
    association batch per ten seconds, all spent, the stand-in's clock frozen): every
    call gets 429 with ``Retry-After: 1``."""
    hubspot = world.hubspot
    hubspot.clock.time_scale = 0
    hubspot.limits.configure({"search_per_second": 1, "ten_second_limit": 1,
                              "association_ten_second_limit": 1, "reset": True})
    hubspot.limits.search.acquire()
    hubspot.limits.ten_second.acquire()
    hubspot.limits.associations.acquire()
    try:
        yield
    finally:
        hubspot.limits.configure({"search_per_second": 5, "ten_second_limit": 190,
                                  "association_ten_second_limit": 150, "reset": True})
        hubspot.clock.time_scale = 1.0


@contextmanager
def hubspot_slow(world: World) -> Iterator[None]:
    """Every HubSpot answer comes a second after the portal's read timeout."""
    world.hubspot.faults.replace(FaultPlan(share=1.0, kinds={"slow": 1.0},
                                           slow_seconds=READ_TIMEOUT + 1.0))
    try:
        yield
    finally:
        world.hubspot.faults.clear()


FAILURES: dict[str, Callable[[World], AbstractContextManager[None]]] = {
    "503": lambda world: hubspot_errors(world, "503"),
    "429 Retry-After": hubspot_rate_limited,
    "slow": hubspot_slow,
}


def logged_calls(world: World, expected: int) -> int:
    """The stand-in's call count once ``expected`` calls are logged (a late answer is
    logged when the stand-in finally answers it), or after 5 s."""
    deadline = time.monotonic() + 5.0
    while world.hubspot.calls.count() < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return world.hubspot.calls.count()


@pytest.mark.parametrize("failure", list(FAILURES))
def test_hubspot_failing_answers_at_once_then_a_sync_sends_it(
        failure: str, client: FlaskClient, services: Services, world: World) -> None:
    domain = f"down-{failure.split()[0]}.example"
    form = {"company_name": f"Down {failure}", "domain": domain,
            "contact_email": f"ceo@{domain}", "expected_plan": "VPS M monthly",
            "csrf_token": csrf_token(client.get("/registrations").get_data(as_text=True))}
    world.reset_calls()
    SLEPT.clear()

    with FAILURES[failure](world):
        answer = client.post("/registrations", data=form, follow_redirects=True)
        assert logged_calls(world, 1) == 1  # one attempt: the company search

    assert SLEPT == []  # no retry sleep in the request
    assert answer.status_code == 200
    assert (f"Down {failure} is registered. HubSpot could not be reached; the deal will be "
            "created at the next synchronisation.") in answer.get_data(as_text=True)
    [made] = [r for r in store.of_partner(services.ledger, PREMIER_OPS) if r.domain == domain]
    assert made.status == "pending"
    assert with_registration(world, "deals", made.id) == {}

    world.run(SYNCED_AT)

    assert len(with_registration(world, "deals", made.id)) == 1
    assert store.get(services.ledger, made.id).status == "sent"  # type: ignore[union-attr]
