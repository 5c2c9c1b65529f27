"""Both sandboxes on loopback, one frozen clock, the real gateways, a ledger: a world
the pull runs in, with the sandboxes' call logs to count what it cost."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mappings.properties import DEFAULT_PROPERTY_MAP
from sandbox.core import SandboxClock, SandboxServer
from sandbox.hubspot import DEFAULT_TOKEN, HubSpotSandbox
from sandbox.stripe import StripeSandbox
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.setup import ensure_setup
from sync.adapters.retry import RetryPolicy
from sync.adapters.stripe.gateway import StripeGateway
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.mirror_inputs import Mirrored
from sync.pull.portal import PullSummary, pull

DEMO = Path(__file__).parents[2] / "fixtures" / "demo"
START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # after every demo record's last change
JSON = dict[str, Any]
CURSORS = ("hubspot.deals.modified_since", "hubspot.deals.full_at", "stripe.events.created",
           "stripe.full_at")


@dataclass
class World:
    hubspot_sandbox: HubSpotSandbox
    stripe_sandbox: StripeSandbox
    clock: SandboxClock
    hubspot: HubSpotGateway
    stripe: StripeGateway
    ledger: Ledger
    mirror: Mirror
    stripe_url: str

    def pull(self, **options: Any) -> PullSummary:
        now = self.clock.now()
        run_id = self.ledger.start_run("pull", now)
        return pull(self.hubspot, self.stripe, self.ledger, self.mirror, run_id, now,
                    **options)

    def advance(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta).total_seconds())

    def calls(self) -> dict[str, int]:
        hubspot = {f"hubspot {k}": v for k, v in self.hubspot_sandbox.calls.counters().items()}
        stripe = {f"stripe {k}": v for k, v in self.stripe_sandbox.calls.counters().items()}
        return {**hubspot, **stripe}

    def reset_calls(self) -> None:
        self.hubspot_sandbox.calls.reset()
        self.stripe_sandbox.calls.reset()

    def cursors(self) -> dict[str, str | None]:
        return {name: self.ledger.get_cursor(name) for name in CURSORS}

    def snapshot(self) -> dict[str, list[JSON]]:
        return {kind.value: self.mirror.records(kind.value) for kind in Mirrored}

    def hubspot_change(self, **change: Any) -> None:
        self.hubspot_sandbox.change_records(change)

    def stripe_change(self, **change: Any) -> JSON:
        result: JSON = self.stripe_sandbox.control(change)
        return result


@dataclass(frozen=True)
class Changed:
    """Changes made in both vendors after a first pull, and the mirror before them."""

    before: dict[str, list[JSON]]
    deal_id: str
    customer_id: str
    open_invoice: JSON


def change_both_vendors(world: World) -> Changed:
    """A first pull; then a deal renamed, a customer's email changed, an open invoice paid."""
    world.pull()
    world.advance(minutes=15)
    deal_id = world.mirror.records(Mirrored.HUBSPOT_DEAL.value)[3]["id"]
    customer_id = world.mirror.records(Mirrored.STRIPE_CUSTOMER.value)[2]["id"]
    open_invoice = next(i for i in world.mirror.records(Mirrored.STRIPE_INVOICE.value)
                        if i["status"] == "open")
    before = world.snapshot()
    world.hubspot_change(object_type="deals",
                         update=[{"id": deal_id, "properties": {"dealname": "Renamed"}}])
    world.stripe_change(action="update", object="customer", id=customer_id,
                        fields={"email": "billing@renamed.example"})
    world.stripe_change(action="pay_invoice", id=open_invoice["id"])
    return Changed(before, deal_id, customer_id, open_invoice)


@contextmanager
def world(fixtures: Path, database_url: str) -> Iterator[World]:
    """The fixture set served by both sandboxes; the HubSpot portal set up (payouts)."""
    clock = SandboxClock(START, time_scale=0)
    hubspot_sandbox = HubSpotSandbox.from_fixtures(fixtures, clock=clock)
    stripe_sandbox = StripeSandbox.from_fixtures(fixtures, clock=clock, api_key=None)
    stripe_sandbox.limits.configure({"enabled": False})
    hubspot_sandbox.limits.configure({"enabled": False})  # the clock stands still
    retry = RetryPolicy(max_attempts=3, sleep=lambda _: None)
    with ExitStack() as stack:
        hubspot_server = stack.enter_context(SandboxServer(hubspot_sandbox.wsgi_app))
        stripe_server = stack.enter_context(SandboxServer(stripe_sandbox.wsgi_app))
        hubspot = HubSpotGateway(DEFAULT_TOKEN, hubspot_server.url, DEFAULT_PROPERTY_MAP,
                                 retry=retry, pacer=None, search_pacer=None, timeout=10.0)
        stripe = StripeGateway("sk_test_pull", stripe_server.url, retry=retry, pacer=None,
                               timeout=10)
        ensure_setup(hubspot, DEFAULT_PROPERTY_MAP)
        ledger = Ledger.open(database_url)
        stack.callback(ledger.close)
        ledger.migrate()
        built = World(hubspot_sandbox, stripe_sandbox, clock, hubspot, stripe, ledger,
                      Mirror(ledger), stripe_server.url)
        built.reset_calls()
        yield built


def write_small_set(target: Path, deals: int = 12, customers: int = 10) -> Path:
    """A slice of the demo: every partner, a few deals with their companies, a few
    customers (and one with an open invoice) with their subscriptions and invoices, the
    whole catalog and the Connect accounts."""
    def read(name: str) -> list[JSON]:
        data: list[JSON] = json.loads((DEMO / name).read_text(encoding="utf-8"))
        return data

    companies, chosen_deals = read("hubspot/companies.json"), read("hubspot/deals.json")[:deals]
    linked = {str(link["id"]) for deal in chosen_deals
              for link in deal["associations"]["companies"]["results"]}
    kept = [c for c in companies
            if "vmc_partner_tier" in (c.get("propertiesWithHistory") or {}) or c["id"] in linked]
    invoices, all_customers = read("stripe/invoices.json"), read("stripe/customers.json")
    open_owner = next(i["customer"] for i in invoices if i["status"] == "open")
    chosen_customers = [c for n, c in enumerate(all_customers)
                        if n < customers or c["id"] == open_owner]
    ids = {c["id"] for c in chosen_customers}
    files: dict[str, list[JSON]] = {
        "hubspot/companies.json": kept, "hubspot/deals.json": chosen_deals,
        "stripe/customers.json": chosen_customers,
        "stripe/subscriptions.json": [s for s in read("stripe/subscriptions.json")
                                      if s["customer"] in ids],
        "stripe/invoices.json": [i for i in invoices if i["customer"] in ids],
    }
    for name in ("prices", "products", "coupons", "accounts"):
        files[f"stripe/{name}.json"] = read(f"stripe/{name}.json")
    for name, objects in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(json.dumps(objects), encoding="utf-8")
    return target
