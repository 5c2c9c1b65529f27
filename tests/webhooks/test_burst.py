"""A burst through ``partnersync serve``, over HTTP, against the stand-ins: thousands of
events become a few targeted syncs, whose reads are one per object (Stripe) or one
batch per hundred objects (HubSpot), never one per event."""

from __future__ import annotations

import json
import time
from pathlib import Path

from sqlalchemy import text

from sync.config.settings import Settings
from sync.pull.mirror_inputs import Mirrored
from sync.wiring import Services
from tests.e2e.support import FAST_RETRY, World
from tests.webhooks.support import (
    HUBSPOT_SECRET,
    NEVER_SOON,
    STRIPE_SECRET,
    hubspot_headers,
    hubspot_item,
    post,
    served,
    stripe_body,
    stripe_signature,
)
from tests.webhooks.worlds import change_billing, synced


def webhook_worker(world: World, debounce: float) -> Services:
    settings = Settings(
        hubspot_access_token="e2e-token", hubspot_base_url=world.hubspot_url,
        stripe_api_key="sk_test_x", stripe_api_base=world.stripe_url,
        database_url=world.database_url, programme_file=world.programme_file,
        serve_port=0, webhook_port=0, schedule_sync=NEVER_SOON,
        schedule_month_close=NEVER_SOON, schedule_pay=NEVER_SOON,
        stripe_webhook_secret=STRIPE_SECRET,  # type: ignore[arg-type]
        hubspot_client_secret=HUBSPOT_SECRET,  # type: ignore[arg-type]
        webhook_debounce_seconds=debounce)
    return Services(settings, retry=FAST_RETRY)


def succeeded_runs(services: Services) -> int:
    """Targeted syncs that succeeded, as the ledger records them (the run's metric is
    counted a moment after the ledger closes the run)."""
    with services.ledger.engine.connect() as connection:
        return int(connection.execute(text(
            "SELECT count(*) FROM runs WHERE kind = 'webhook' AND status = 'succeeded'"
        )).scalar_one())


def test_a_burst_of_thousands_of_events_becomes_a_few_syncs(
        small_fixtures: Path, tmp_path: Path) -> None:
    with synced(small_fixtures, tmp_path) as world:
        invoices = change_billing(world)
        deals = sorted(world.services().mirror.ids(Mirrored.HUBSPOT_DEAL.value))
        services = webhook_worker(world, debounce=3.0)
        with served(services) as running:
            before = succeeded_runs(services)
            world.reset_calls()
            hubspot = f"{running.webhooks}/webhooks/hubspot"
            for delivery in range(20):  # 2,000 deal changes, 25 for each deal
                body = json.dumps([hubspot_item(delivery * 100 + n, "deal.propertyChange",
                                                int(deals[(delivery * 100 + n) % len(deals)]))
                                   for n in range(100)]).encode()
                assert post(hubspot, body, hubspot_headers(hubspot, body))[0] == 200
            for n in range(200):  # 200 invoice events, 50 for each invoice
                body = stripe_body(f"evt_burst_{n}", "invoice.paid",
                                   {"id": invoices[n % len(invoices)], "object": "invoice"})
                assert post(f"{running.webhooks}/webhooks/stripe", body,
                            {"Stripe-Signature": stripe_signature(body)})[0] == 200
            deadline = time.monotonic() + 120
            while services.ledger.webhook_backlog()[0] and time.monotonic() < deadline:
                time.sleep(0.2)
            assert services.ledger.webhook_backlog() == (0, None)
            # A run marks its events processed before it finishes: wait for the last one.
            while (last := services.ledger.last_run("webhook")) is not None and (
                    last.status == "running" and time.monotonic() < deadline):
                time.sleep(0.2)
            runs = succeeded_runs(services) - before
        services.close()
        calls = {**{f"hubspot {k}": v for k, v in world.hubspot.calls.counters().items()},
                 **{f"stripe {k}": v for k, v in world.stripe.calls.counters().items()}}
        assert 1 <= runs <= 3, runs
        # 80 deals: one batch read each run, and its association read; each invoice once.
        assert calls["stripe invoices.retrieve"] <= len(invoices) * runs
        assert calls["hubspot crm.objects.batch.read"] <= 2 * runs  # deals, their companies
        assert calls["hubspot crm.associations.batch.read"] <= runs
