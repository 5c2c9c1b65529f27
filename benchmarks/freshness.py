"""Freshness benchmark: ``python -m benchmarks.freshness [--partners N --deals N
--customers N --months N --seed S --time-scale X --rate R --events N --burst N
--faulted N --debounce S] [--full]``.

The portal benchmark's world (``benchmarks.portal``: a generated portal behind both
stand-ins at their real rate limits, the worker as its own process), by default a
fifth of its portal (``--full``: all of it, and a burst of 5,000):

1. prospects (customers with an open first invoice, each linked to a pipeline deal)
   are added, then a first full ``partnersync sync`` runs;
2. ``partnersync serve`` starts with both webhook secrets, its public URL on its
   receivers' port, the stand-ins delivering to it, the schedules on 1 January (only
   webhooks trigger syncs);
3. a steady stream: ``--events`` at ``--rate`` a second, paid first invoices and deal
   changes in turn (``benchmarks.freshness_events``); for each, the seconds until the
   deal's field is visible through HubSpot's API (goal: p95 <= 30 s at 1 a second);
4. a month-start burst: ``--burst`` first invoices paid at once; the seconds until all
   are visible against the rate limits' floor of the calls they need (goal: <= 1.2 x),
   the 429s the stand-ins answered and whether any was left unhandled;
5. a faults pass: ``--faulted`` events whose deliveries the stand-ins duplicate and
   reorder; then a regular sync, the oracle, must find nothing to write, and HubSpot
   must show exactly the ledger's lines and payouts.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.freshness_check import EndState, end_state
from benchmarks.freshness_events import CHANGED, PAID, Event, Touch, Watcher, make, touches
from benchmarks.freshness_report import report
from benchmarks.freshness_world import (
    add_prospects,
    delivery_counts,
    observer,
    pending_deliveries,
    point_webhooks,
    served,
)
from benchmarks.portal import Scale, generate
from benchmarks.portal_figures import PortalCounts, Written, floor_seconds, outbox_mark
from benchmarks.portal_figures import written_since as outbox_since
from benchmarks.portal_world import OVERLAP_SECONDS, Limits, World, open_world, run_worker
from sync.adapters.stripe.gateway import PAGE_SIZE
from sync.pull.stripe import EVENT_TYPES

FULL_BURST, FULL_CUSTOMERS = 5_000, 30_000
FAULTS = {"seed": 14, "duplicate": {"probability": 0.5}, "reorder": {"probability": 0.5}}


@dataclass(frozen=True)
class Plan:
    scale: Scale
    rate: float = 1.0
    events: int = 60
    burst: int = 1_000
    faulted: int = 20
    debounce: float = 5.0
    timeout: float = 600.0  # the longest wait for events to be visible
    keep: Path | None = None  # generate there and keep it


@dataclass
class Pass:
    name: str
    events: list[Event]
    seconds: float = 0.0  # from the first change to the last one visible
    syncs: dict[str, int] = field(default_factory=dict)  # webhook runs by status
    calls: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    written: Written | None = None
    floor: float = 0.0
    listed_events: int = 0  # events the pass's paid invoices added to the events listing


@dataclass
class Outcome:
    plan: Plan
    counts: PortalCounts
    limits: Limits
    full_sync_s: float = 0.0
    passes: list[Pass] = field(default_factory=list)
    deliveries: dict[str, int] = field(default_factory=dict)
    end: EndState | None = None
    serve_peak_mib: float = float("nan")


def webhook_runs(world: World, after: int) -> dict[str, int]:
    with sqlite3.connect(world.database) as connection:
        rows = connection.execute("SELECT status, count(*) FROM runs WHERE kind = 'webhook' "
                                  "AND id > ? GROUP BY status", [after]).fetchall()
    return {str(status): int(n) for status, n in rows}


def last_run(world: World) -> int:
    with sqlite3.connect(world.database) as connection:
        return int(connection.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()[0])


def settle(world: World, timeout: float = 60.0) -> None:
    """Until no run is running and no stored event waits (the run that wrote the last
    field records its end just after)."""
    deadline = time.monotonic() + timeout
    query = ("SELECT (SELECT count(*) FROM runs WHERE status = 'running') + "
             "(SELECT count(*) FROM webhook_events WHERE processed_at IS NULL)")
    while time.monotonic() < deadline:
        with sqlite3.connect(world.database) as connection:
            if not connection.execute(query).fetchone()[0]:
                return
        time.sleep(0.5)


def run_pass(world: World, watcher: Watcher, name: str, changes: list[tuple[Event, str | None,
             Touch | None]], rate: float | None, timeout: float) -> Pass:
    """Make ``changes`` (``rate`` a second; None: all at once), wait until visible."""
    world.reset_calls()
    mark, runs = outbox_mark(world.database), last_run(world)
    events_before = len(world.stripe.state.events.all())
    began = time.monotonic()
    for n, (event, invoice, touch) in enumerate(changes):
        if rate is not None:
            time.sleep(max(0.0, began + n / rate - time.monotonic()))
        make(world, event, invoice, touch)
        watcher.watch([event])
    done = watcher.wait(timeout)
    events = [event for event, _, _ in changes]
    if not done:
        print(f"{name}: {sum(e.seen_at is None for e in events)} events not visible after "
              f"{timeout:.0f} s")
    last = max((e.seen_at for e in events if e.seen_at is not None), default=began)
    settle(world)
    paid = {invoice for _, invoice, _ in changes if invoice is not None}
    listed = sum(1 for e in world.stripe.state.events.all()[events_before:]
                 if e["type"] in EVENT_TYPES and e["data"]["object"].get("id") in paid)
    return Pass(name, events, last - began, webhook_runs(world, runs), world.counters(),
                world.rejected(), outbox_since(world.database, mark), listed_events=listed)


def burst_reads(burst: Pass) -> int:
    """The fewest Stripe calls reading the paid invoices again: one GET each (Stripe has
    no batch read), or the pages of the events listing their own events fill (100 a
    page; ``sync.pull.burst`` reads a large burst so), whichever is fewer. The listing
    only when every invoice can be in it (an event each at least)."""
    if burst.listed_events < len(burst.events):
        return len(burst.events)
    return min(len(burst.events), math.ceil(burst.listed_events / PAGE_SIZE))


def burst_floor(burst: Pass, limits: Limits, time_scale: float) -> float:
    """The rate limits' floor, in scaled seconds, of what a burst needs: the paid
    invoices read again (``burst_reads``), and the fewest write calls for what the
    burst wrote (``Written.minimum``: 100 a batch)."""
    needed = {"stripe:reads": burst_reads(burst)}
    if burst.written is not None:
        needed |= burst.written.minimum()
    return max(floor_seconds(needed, limits).values()) / time_scale


def run(plan: Plan, directory: Path) -> Outcome:
    scale, limits = plan.scale, Limits()
    counts = generate(scale, directory)
    outcome = Outcome(plan, counts, limits)
    paid_needed = (plan.events + 1) // 2 + plan.burst + (plan.faulted + 1) // 2
    with open_world(directory, limits, scale.time_scale) as world:
        prospects = iter(add_prospects(world, paid_needed))
        full = run_worker(world, ["sync"])
        if full.exit_status != 0:
            raise RuntimeError(f"the full sync exited {full.exit_status}:\n{full.output}")
        outcome.full_sync_s = full.seconds
        deal_touches = iter(touches(world, plan.events // 2 + plan.faulted // 2))

        def changes(count: int, kinds: str) -> list[tuple[Event, str | None, Touch | None]]:
            made: list[tuple[Event, str | None, Touch | None]] = []
            for n in range(count):
                if kinds == PAID or n % 2 == 0:
                    deal_id, invoice = next(prospects)
                    made.append((Event(PAID, deal_id), invoice, None))
                else:
                    touch = next(deal_touches)
                    made.append((Event(CHANGED, touch.deal_id), None, touch))
            return made

        time.sleep(OVERLAP_SECONDS + 1)
        with observer(world) as url, served(world, plan.debounce) as serve:
            watcher = Watcher(url)
            try:
                outcome.passes.append(run_pass(world, watcher, "steady stream",
                                               changes(plan.events, "both"), plan.rate,
                                               plan.timeout))
                burst = run_pass(world, watcher, "month-start burst",
                                 changes(plan.burst, PAID), None, plan.timeout)
                burst.floor = burst_floor(burst, limits, scale.time_scale)
                outcome.passes.append(burst)
                point_webhooks(world, serve.webhook_url, FAULTS)
                outcome.passes.append(run_pass(world, watcher, "faults pass",
                                               changes(plan.faulted, "both"), None,
                                               plan.timeout))
                _drain(world)
                outcome.deliveries = delivery_counts(world)
            finally:
                watcher.close()
        outcome.serve_peak_mib = serve.stop()
        time.sleep(OVERLAP_SECONDS + 1)
        outcome.end = end_state(world)
    return outcome


def _drain(world: World, timeout: float = 60.0) -> None:
    """Every delivery sent (the reordered ones held back a moment), its sync done."""
    deadline = time.monotonic() + timeout
    while pending_deliveries(world) and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(15.0)  # a debounce and a targeted sync of what the last ones named


def plan_of(argv: Sequence[str] | None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.freshness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true",
                        help="the portal benchmark's full portal and a burst of 5,000")
    parser.add_argument("--partners", type=int, help="partners (default 400; --full 2,000)")
    parser.add_argument("--deals", type=int, help="deals (default 10,000; --full 50,000)")
    parser.add_argument("--customers", type=int,
                        help="Stripe customers (default 6,000; --full 30,000)")
    parser.add_argument("--months", type=int, default=24, help="months of billing")
    parser.add_argument("--seed", type=int, default=1, help="the generator's seed")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="how many times faster the rate limits' windows pass")
    parser.add_argument("--rate", type=float, default=1.0, help="stream events a second")
    parser.add_argument("--events", type=int, default=60, help="events in the stream")
    parser.add_argument("--burst", type=int,
                        help="invoices paid at once (default 5,000 x customers / 30,000)")
    parser.add_argument("--faulted", type=int, default=20, help="events in the faults pass")
    parser.add_argument("--debounce", type=float, default=5.0,
                        help="PARTNERSYNC_WEBHOOK_DEBOUNCE_SECONDS for serve")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="generate into DIR and keep it (default: a temporary dir)")
    args = parser.parse_args(argv)
    full = Scale()
    fifth = Scale(partners=400, deals=10_000, customers=6_000)
    base = full if args.full else fifth
    scale = Scale(args.partners or base.partners, args.deals or base.deals,
                  args.customers or base.customers, args.months, args.seed, args.time_scale)
    burst = args.burst if args.burst is not None else round(
        FULL_BURST * scale.customers / FULL_CUSTOMERS)
    return Plan(scale, args.rate, args.events, burst, args.faulted, args.debounce,
                keep=args.keep)


def main(argv: Sequence[str] | None = None) -> int:
    plan = plan_of(argv)
    if plan.keep is not None:
        plan.keep.mkdir(parents=True, exist_ok=True)
        outcome = run(plan, plan.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="partnersync-freshness-") as directory:
            outcome = run(plan, Path(directory))
    print("\n".join(report(outcome)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
