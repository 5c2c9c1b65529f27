"""Portal benchmark: ``python -m benchmarks.portal [--partners N --deals N --customers N
--months N --time-scale X --seed S]``; the defaults are a large programme's portal:
2,000 partners, 50,000 deals, 30,000 Stripe customers billed over 24 months.

It generates the portal (streamed to a temporary directory), serves it from the HubSpot
and Stripe stand-ins with realistic rate limits (HubSpot 190 requests per 10 s, 150
association batches per 10 s apart and 5 searches/s, Stripe live mode 100/s),
time-scaled (``--time-scale``: the limits' windows pass that many times faster and the
worker paces itself to match), and runs the worker as its own process (``python -m
sync.cli sync``) four times:

1. the first, full sync;
2. the first incremental one, which reads back what the full sync wrote;
3. an incremental one with nothing changed (goal: at most 6 calls, no writes);
4. an incremental one after 1% of the deals and invoices changed (goal: calls in
   proportion to the change).

It prints calls per endpoint against the fewest the APIs allow (goal: at most 1.05
times), the wall time against the rate limits' floor (goal: at most 1.2 times), and the
worker's peak RSS (goal: under 1 GiB). Wall times are real seconds; the floor is
scaled the same way, so their ratio holds at any scale while the worker's own CPU
time is not scaled (a high scale makes the ratio look worse, never better).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.portal_changes import Changed, change_share
from benchmarks.portal_figures import (
    PortalCounts,
    Written,
    floor_seconds,
    full_read_minimum,
    last_read,
    outbox_mark,
    written_since,
)
from benchmarks.portal_report import report
from benchmarks.portal_world import OVERLAP_SECONDS, Limits, World, open_world, run_worker
from sandbox.synthetic.generate import generate_scenario, iter_portal
from sandbox.synthetic.portal import write_portal_chunks

AS_OF = "2026-11-01"
START = "2024-11"
CHANGED_SHARE = 0.01


@dataclass(frozen=True)
class Scale:
    partners: int = 2_000
    deals: int = 50_000
    customers: int = 30_000
    months: int = 24
    seed: int = 1
    time_scale: float = 1.0


@dataclass
class Run:
    name: str
    calls: dict[str, int]
    written: Written
    seconds: float
    peak_rss_mib: float
    rejected: int
    read: dict[str, int]  # records read, by mirrored type (the run's summary)
    timeline: list[tuple[str, float]]  # (phase, seconds since the worker started)
    minimum: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def writes(self) -> int:
        return sum(self.written.kinds.values())


@dataclass
class Outcome:
    scale: Scale
    limits: Limits
    counts: PortalCounts
    generation_s: float
    runs: list[Run]
    changed: Changed | None = None


def generate(scale: Scale, directory: Path) -> PortalCounts:
    """Write the portal part by part (one batch of customers in memory at a time)."""
    counts = PortalCounts()
    scenario = generate_scenario(scale.seed, partners=scale.partners, deals=scale.deals,
                                 customers=scale.customers, months=scale.months, start=START)
    write_portal_chunks(counts.count(iter_portal(scenario)), directory)
    return counts


def sync(world: World, name: str) -> Run:
    time.sleep(OVERLAP_SECONDS + 1)  # the last run's writes fall before the next overlap
    mark = outbox_mark(world.database)
    world.reset_calls()
    worker = run_worker(world, ["sync", "--as-of", AS_OF])
    if worker.exit_status != 0:
        raise RuntimeError(f"{name}: the worker exited {worker.exit_status}:\n{worker.output}")
    return Run(name, world.counters(), written_since(world.database, mark), worker.seconds,
               worker.peak_rss_mib, world.rejected(), last_read(world.database),
               worker.timeline())


def run(scale: Scale, directory: Path, limits: Limits | None = None,
        after_full: Callable[[World], None] | None = None) -> Outcome:
    """Generate, serve, sync four times; ``after_full`` sees the world after the first."""
    limits = limits or Limits()
    began = time.perf_counter()
    counts = generate(scale, directory)
    outcome = Outcome(scale, limits, counts, time.perf_counter() - began, [])
    with open_world(directory, limits, scale.time_scale) as world:
        full = sync(world, "full sync")
        full.minimum = full_read_minimum(counts, 0) | full.written.minimum()
        outcome.runs.append(full)
        if after_full is not None:
            after_full(world)
        outcome.runs.append(sync(world, "first incremental (reads back its writes)"))
        outcome.runs.append(sync(world, "incremental, nothing changed"))
        outcome.changed = change_share(world, CHANGED_SHARE, scale.seed)
        outcome.runs.append(sync(world, "incremental, 1% changed"))
    return outcome


def floor_of(run_: Run, outcome: Outcome) -> float:
    """The rate limits' floor for the minimum calls, in this run's (scaled) seconds."""
    per_api = floor_seconds(run_.minimum or run_.calls, outcome.limits)
    return max(per_api.values()) / outcome.scale.time_scale


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.portal", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = Scale()
    parser.add_argument("--partners", type=int, default=defaults.partners)
    parser.add_argument("--deals", type=int, default=defaults.deals)
    parser.add_argument("--customers", type=int, default=defaults.customers)
    parser.add_argument("--months", type=int, default=defaults.months)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--time-scale", type=float, default=defaults.time_scale,
                        help="how many times faster the rate limits' windows pass")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="generate into DIR and keep it (default: a temporary dir)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    scale = Scale(args.partners, args.deals, args.customers, args.months, args.seed,
                  args.time_scale)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        outcome = run(scale, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="partnersync-portal-") as directory:
            outcome = run(scale, Path(directory))
    print("\n".join(report(outcome, floor_of)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
