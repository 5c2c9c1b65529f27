"""A portal, a Stripe account and a ledger as they stand before a first run, served on
loopback: ``partnersync doctor`` checks them through the real SDKs.

The HubSpot stand-in is set up by ``hubspot setup``'s own code; the Stripe stand-in
holds the ``stripe_billing`` set (three Connect accounts) and 1,000.00 EUR; the ledger
is migrated and holds one approved payout of 250.00 EUR (tests/ledger/scenario.py).
Each test changes one thing from there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mappings.properties import DEFAULT_PROPERTY_MAP
from sandbox.core import SandboxClock, SandboxServer
from sandbox.hubspot import HubSpotSandbox
from sandbox.stripe import StripeSandbox
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.setup import ensure_setup
from sync.adapters.retry import RetryPolicy
from sync.ledger import Ledger
from tests.engine.builders import at
from tests.ledger.scenario import MONTH1_AS_OF, PAYOUT_7, month1

STRIPE_BILLING = Path(__file__).parents[1] / "sandbox" / "fixtures" / "stripe_billing"
HUBSPOT_TOKEN = "pat-na1-doctor-0123456789abcdef"
# Every permission the README asks for, and the balance.
FULL_KEY = "rk_test_51DoctorFullAccess0123456789abcdefGHIJ"
KEY_LEVELS = {"customers": "write", "products": "read", "prices": "read",
              "subscriptions": "read", "invoices": "read", "events": "read",
              "accounts": "read", "transfers": "write", "balance": "read"}
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    hubspot: HubSpotSandbox
    stripe: StripeSandbox
    hubspot_url: str
    stripe_url: str
    database: Path
    sleeps: list[float] = field(default_factory=list)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    clock = SandboxClock(START, time_scale=0)
    hubspot = HubSpotSandbox(clock=clock, token=HUBSPOT_TOKEN)
    stripe = StripeSandbox.from_fixtures(STRIPE_BILLING, clock=clock, api_key=None)
    stripe.limits.configure({"enabled": False})
    stripe.restrict_key(FULL_KEY, KEY_LEVELS)
    stripe.set_balance(100_000)
    database = tmp_path / "ledger.db"
    _ledger_with_an_approved_payout(f"sqlite:///{database}")
    with SandboxServer(hubspot.wsgi_app) as hubspot_server, \
            SandboxServer(stripe.wsgi_app) as stripe_server:
        world = World(hubspot, stripe, hubspot_server.url, stripe_server.url, database)
        retry = RetryPolicy(max_attempts=3, sleep=world.sleeps.append)
        ensure_setup(HubSpotGateway(HUBSPOT_TOKEN, world.hubspot_url, DEFAULT_PROPERTY_MAP,
                                    retry=retry, pacer=None, search_pacer=None),
                     DEFAULT_PROPERTY_MAP)
        for name in list(os.environ):
            if name.startswith("PARTNERSYNC_"):
                monkeypatch.delenv(name)
        monkeypatch.setenv("PARTNERSYNC_HUBSPOT_ACCESS_TOKEN", HUBSPOT_TOKEN)
        monkeypatch.setenv("PARTNERSYNC_HUBSPOT_BASE_URL", world.hubspot_url)
        monkeypatch.setenv("PARTNERSYNC_STRIPE_API_KEY", FULL_KEY)
        monkeypatch.setenv("PARTNERSYNC_STRIPE_API_BASE", world.stripe_url)
        monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", f"sqlite:///{database}")
        # The one retry policy, its sleeps recorded instead of slept.
        monkeypatch.setattr("sync.doctor.run.DOCTOR_RETRY", retry)
        yield world


def _ledger_with_an_approved_payout(url: str) -> None:
    ledger = Ledger.open(url)
    try:
        ledger.migrate()
        run_id = ledger.start_run("sync", at(MONTH1_AS_OF))
        ledger.record_decisions(run_id, month1(ledger.load_state()))
        ledger.approve(PAYOUT_7, by="ana@finance")
    finally:
        ledger.close()
