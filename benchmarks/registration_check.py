"""Deal registration's check on a large mirror:
``python -m benchmarks.registration_check [--copies N] [--database-url URL]``.

Syncs the small hand-computed portal (tests/e2e/fixtures/small_portal) from the
stand-ins into a fresh ledger, then clones its mirrored Stripe customers, subscriptions
and invoices and its HubSpot deals and companies ``--copies`` times (default 5,000:
30,000 customers, 90,000 invoices, 35,000 deals and companies), each copy with new
ids and its own domains, exactly as a pull stores them. Then it times what one
registration post checks (``registration_facts.refusal``: R5, R8, R7, R6/R9) for a
new domain and for an existing customer's domain: the median of 5 runs, and the
result, which must not change with the mirror's size.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from jobs.cycle import run_sync
from sandbox.core import SandboxClock, SandboxServer
from sandbox.hubspot import HubSpotSandbox
from sandbox.stripe import StripeSandbox
from sync.adapters.hubspot.setup import ensure_setup
from sync.config.settings import Settings
from sync.engine.registration import Prospect, Refusal
from sync.ledger.models import MirrorRow
from sync.portal.registration_facts import refusal
from sync.pull.mirror_inputs import Mirrored
from sync.wiring import Services

ROOT = Path(__file__).resolve().parents[1]
SMALL_PORTAL = ROOT / "tests" / "e2e" / "fixtures" / "small_portal"
SYNCED_AT = datetime(2026, 5, 1, tzinfo=UTC)
NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
PARTNER = "7102"  # Nuage Partners: Partner tier, active
CLONED = (Mirrored.STRIPE_CUSTOMER, Mirrored.STRIPE_SUBSCRIPTION, Mirrored.STRIPE_INVOICE,
          Mirrored.HUBSPOT_DEAL, Mirrored.HUBSPOT_COMPANY)
RUNS = 5
STRIPE_COPIED = ("cus", "sub", "si", "in", "il")


def settings(database_url: str, hubspot_url: str, stripe_url: str) -> Settings:
    return Settings(
        hubspot_access_token="bench-token", hubspot_base_url=hubspot_url,
        stripe_api_key="sk_test_x", stripe_api_base=stripe_url, database_url=database_url,
        programme_file=SMALL_PORTAL / "programme.toml")


@contextmanager
def synced_small_portal(database_url: str) -> Iterator[Services]:
    """The small portal served by both stand-ins and synced once into the ledger."""
    clock = SandboxClock()
    hubspot = HubSpotSandbox.from_fixtures(SMALL_PORTAL, clock=clock, token=None)
    stripe = StripeSandbox.from_fixtures(SMALL_PORTAL, clock=clock, api_key=None)
    with ExitStack() as stack:
        hubspot_url = stack.enter_context(SandboxServer(hubspot.wsgi_app)).url
        stripe_url = stack.enter_context(SandboxServer(stripe.wsgi_app)).url
        services = Services(settings(database_url, hubspot_url, stripe_url))
        stack.callback(services.close)
        ensure_setup(services.hubspot, services.props)
        summary = run_sync(services, SYNCED_AT)
        if summary.outcome != "succeeded":
            raise SystemExit(f"the small portal's sync failed: {summary.error}")
        yield services


def renamer(copy: int, hubspot_ids: set[str]) -> Callable[[str], str]:
    """Copy ``copy``'s text of a record: the ids of Stripe's customers, subscriptions and
    invoices, HubSpot's deals and companies, and every ``.example`` domain made its own
    (prices, products and partners' accounts stay shared)."""
    def rename(text: str) -> str:
        for prefix in STRIPE_COPIED:
            text = text.replace(f"{prefix}_e2e", f"{prefix}_e2e{copy}c")
        text = text.replace(".example", f"-{copy}.example")
        for record_id in hubspot_ids:
            text = text.replace(f'"{record_id}"', f'"{record_id}{copy:05d}"')
        return text
    return rename


def clone_mirror(services: Services, copies: int) -> dict[str, int]:
    ledger, mirror = services.ledger, services.mirror
    with ledger.transaction() as session:
        originals = {kind: [(row.record_id, row.body) for row in session.execute(
            select(MirrorRow.record_id, MirrorRow.body).where(MirrorRow.object_type == kind))]
            for kind in CLONED}
    hubspot_ids = {record_id for kind in (Mirrored.HUBSPOT_DEAL, Mirrored.HUBSPOT_COMPANY)
                   for record_id, _ in originals[kind]}
    for kind, records in originals.items():
        texts = [(record_id, json.dumps(body)) for record_id, body in records]

        def copied(texts: list[tuple[str, str]] = texts) -> Iterator[tuple[str, Any]]:
            for copy in range(1, copies + 1):
                rename = renamer(copy, hubspot_ids)
                for record_id, text in texts:
                    yield rename(json.dumps(record_id))[1:-1], json.loads(rename(text))
        mirror.upsert(kind, copied(), run_id=1)
    return {kind: mirror.count(kind) for kind in CLONED}


def timed(services: Services, domain: str) -> tuple[float, Refusal | None]:
    prospect = Prospect("Bench", domain, f"ceo@{domain}", "VPS M monthly")
    seconds, result = [], None
    for _ in range(RUNS):
        began = time.perf_counter()
        result = refusal(services, PARTNER, prospect, NOW)
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), result


def profile(services: Services, domain: str) -> None:
    prospect = Prospect("Bench", domain, f"ceo@{domain}", "VPS M monthly")
    profiler = cProfile.Profile()
    profiler.runcall(refusal, services, PARTNER, prospect, NOW)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats("registration|lookup", 12)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.registration_check")
    parser.add_argument("--copies", type=int, default=5000)
    parser.add_argument("--database-url", help="an empty ledger (default: SQLite in a "
                        "temporary directory)")
    parser.add_argument("--profile", action="store_true",
                        help="print where one check spends its time (cProfile)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'ledger.db'}"
        with synced_small_portal(url) as services:
            began = time.perf_counter()
            counts = clone_mirror(services, args.copies)
            print(f"mirror: {counts} ({time.perf_counter() - began:.0f} s to build)")
            for label, domain in (("new domain", "brand-new-prospect.example"),
                                  ("existing customer (R7)", "brasserie-lune-7.example")):
                median, result = timed(services, domain)
                print(f"{label}: median {median * 1000:.0f} ms over {RUNS} runs, "
                      f"refusal {result}")
                if args.profile:
                    profile(services, domain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
