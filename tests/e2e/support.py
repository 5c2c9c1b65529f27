"""The end-to-end harness: both sandboxes on loopback, the worker wired as in production.

``open_world(fixtures, database_url)`` starts a HubSpot and a Stripe stand-in seeded
from a fixture set (one shared ``SandboxClock``, any token or key accepted), runs
``hubspot setup`` against the HubSpot one, and yields a ``World``: fresh ``Services``
on demand (real SDKs, a retry policy that never sleeps), ``run`` for a sync cycle, and
readers of what the ledger and both sandboxes now hold.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from jobs.cycle import run_sync
from jobs.summary import RunSummary
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.core import SandboxClock, SandboxServer
from sandbox.hubspot import HubSpotSandbox
from sandbox.hubspot.app import ROUTES as HUBSPOT_ROUTES
from sandbox.stripe import StripeSandbox
from sync.adapters.hubspot.setup import ensure_setup
from sync.adapters.retry import RetryPolicy
from sync.config.settings import Settings
from sync.ledger import Ledger
from sync.ledger.models import Base, LineRow
from sync.wiring import Services

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
PROGRAMME_FILE = DEMO / "programme.toml"  # auto-approves payouts up to 300.00 (R25)
DEMO_AS_OF = datetime(2026, 11, 1, tzinfo=UTC)

# HubSpot calls that only read; every other non-GET route writes something.
HUBSPOT_READ_POSTS = frozenset({"crm.objects.search", "crm.objects.batch.read",
                                "crm.properties.batch.read", "crm.associations.batch.read"})
HUBSPOT_WRITES = frozenset(name for name, _, method, _ in HUBSPOT_ROUTES
                           if method != "GET" and name not in HUBSPOT_READ_POSTS)
# Written by the sandbox or differing between two worlds by construction.
VOLATILE = frozenset({PROPS.company.synced_at})
TRANSFER_ID = PROPS.payout.stripe_transfer_id

Properties = dict[str, Any]


def no_sleep(_seconds: float) -> None:
    return None


FAST_RETRY = RetryPolicy(sleep=no_sleep)


def utc(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


@dataclass
class World:
    """Two sandboxes, one ledger database, and the Services opened on them."""

    fixtures: Path
    database_url: str
    hubspot: HubSpotSandbox
    stripe: StripeSandbox
    hubspot_url: str
    stripe_url: str
    programme_file: Path = PROGRAMME_FILE
    opened: list[Services] = field(default_factory=list)

    # -- the worker -------------------------------------------------------------------

    def services(self) -> Services:
        """A fresh worker process on this world: new clients, the same database."""
        settings = Settings(
            hubspot_access_token="e2e-token", hubspot_base_url=self.hubspot_url,
            stripe_api_key="sk_test_x", stripe_api_base=self.stripe_url,
            database_url=self.database_url, programme_file=self.programme_file)
        services = Services(settings, retry=FAST_RETRY)
        self.opened.append(services)
        return services

    def run(self, as_of: datetime, services: Services | None = None) -> RunSummary:
        summary = run_sync(services or self.services(), as_of)
        assert summary.outcome == "succeeded", summary.error
        return summary

    def ledger(self) -> Ledger:
        return self.services().ledger

    # -- the sandboxes' call logs -----------------------------------------------------

    def reset_calls(self) -> None:
        self.hubspot.calls.reset()
        self.stripe.calls.reset()

    def hubspot_writes(self) -> dict[str, int]:
        return {name: count for name, count in self.hubspot.calls.counters().items()
                if name in HUBSPOT_WRITES}

    def stripe_posts(self) -> int:
        return self.stripe.calls.count(method="POST") + self.stripe.calls.count(method="DELETE")

    # -- what HubSpot holds ------------------------------------------------------------

    def records(self, object_name: str, id_property: str) -> dict[str, Properties]:
        """Live records of a type by their id property (the record id for deals)."""
        state = self.hubspot.state
        with state.lock:
            otype = state.resolve_type(object_name)
            return {str(record.properties.get(id_property)): dict(record.properties)
                    for record in state.list(otype)}

    def line_records(self) -> dict[str, Properties]:
        names = PROPS.commission_line
        return self.records(names.object_name, names.line_id)

    def payout_records(self) -> dict[str, Properties]:
        return self.records(PROPS.payout.object_name, PROPS.payout.payout_id)

    def deals(self) -> dict[str, Properties]:
        return self.records("deals", "hs_object_id")

    def companies(self) -> dict[str, Properties]:
        return self.records("companies", "hs_object_id")

    def linked(self, object_name: str, record_id: str, to_type: str) -> set[str]:
        state = self.hubspot.state
        with state.lock:
            source, target = state.resolve_type(object_name), state.resolve_type(to_type)
            return {to_id for to_id, _ in
                    state.associations.targets((source.type_id, record_id), target.type_id)}

    # -- what Stripe holds --------------------------------------------------------------

    def transfers(self) -> list[dict[str, Any]]:
        return self.stripe.state.newest_first("transfer")

    def customer_metadata(self) -> dict[str, dict[str, str]]:
        return {customer["id"]: dict(customer.get("metadata") or {})
                for customer in self.stripe.state.newest_first("customer")}


@contextmanager
def open_world(fixtures: Path, database_url: str,
               programme_file: Path = PROGRAMME_FILE) -> Iterator[World]:
    """``programme_file``: the demo's programme unless a fixture set brings its own."""
    clock = SandboxClock()
    hubspot = HubSpotSandbox.from_fixtures(fixtures, clock=clock, token=None)
    stripe = StripeSandbox.from_fixtures(fixtures, clock=clock, api_key=None)
    with ExitStack() as stack:
        stack.callback(stripe.close)  # their webhook senders, after the servers
        stack.callback(hubspot.close)
        hubspot_server = stack.enter_context(SandboxServer(hubspot.wsgi_app))
        stripe_server = stack.enter_context(SandboxServer(stripe.wsgi_app))
        world = World(fixtures, database_url, hubspot, stripe, hubspot_server.url,
                      stripe_server.url, programme_file)
        try:
            setup = world.services()
            ensure_setup(setup.hubspot, setup.props)
            yield world
        finally:
            for services in world.opened:
                services.close()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'ledger.db'}"


# -- what a world ended with, comparable across worlds ----------------------------------


@dataclass(frozen=True)
class Outcome:
    """Everything a run leaves behind that two worlds must agree on; record ids,
    transfer ids and sync instants differ between worlds by construction."""

    lines: dict[str, tuple[int, str | None, str]]  # id -> (amount, payout id, status)
    payouts: dict[str, tuple[int, str, tuple[str, ...]]]  # id -> (amount, status, lines)
    hubspot_lines: dict[str, Properties]
    hubspot_payouts: dict[str, Properties]
    deals: dict[str, Properties]
    companies: dict[str, Properties]
    transfers: list[tuple[str, int, str]]  # (transfer group, amount, destination)
    customers: dict[str, dict[str, str]]


def ledger_lines(ledger: Ledger) -> dict[str, tuple[int, str | None, str]]:
    """Every line the ledger holds, voided ones included."""
    with ledger.transaction() as session:
        return {row.id: (row.amount, row.payout_id, row.status)
                for row in session.scalars(select(LineRow))}


def ledger_payouts(ledger: Ledger) -> dict[str, tuple[int, str, tuple[str, ...]]]:
    return {payout.id: (payout.amount, payout.status.value, tuple(sorted(payout.line_ids)))
            for payout in ledger.list_payouts()}


def comparable(records: dict[str, Properties]) -> dict[str, Properties]:
    """The worker's properties only (``vmc_``), a transfer id as whether there is one."""
    out: dict[str, Properties] = {}
    for key, values in records.items():
        kept = {name: value for name, value in values.items()
                if name.startswith("vmc_") and name not in VOLATILE}
        if TRANSFER_ID in kept:
            kept[TRANSFER_ID] = bool(kept[TRANSFER_ID])
        out[key] = kept
    return out


def outcome(world: World) -> Outcome:
    ledger = world.ledger()
    transfers = sorted((str(t["transfer_group"]), int(t["amount"]), str(t["destination"]))
                       for t in world.transfers())
    return Outcome(
        lines=ledger_lines(ledger), payouts=ledger_payouts(ledger),
        hubspot_lines=comparable(world.line_records()),
        hubspot_payouts=comparable(world.payout_records()),
        deals=comparable(world.deals()), companies=comparable(world.companies()),
        transfers=transfers, customers=world.customer_metadata())


def ledger_tables(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table (the job lock's lease aside), in key order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with ledger.transaction() as session:
        for table in Base.metadata.sorted_tables:
            if table.name == "job_locks":
                continue
            order = list(table.primary_key.columns)
            rows = session.execute(select(table).order_by(*order))
            tables[table.name] = [tuple(row) for row in rows]
    return tables
