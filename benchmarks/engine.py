"""Engine benchmark: ``python -m benchmarks.engine [--customers N] [--months M] [--seed S]``.

Generates a seeded programme (default 100,000 customers x 24 months: 2.4 million
invoice lines), runs ``decide`` once on one core and prints timings and peak memory.
Targets: engine run under 30 s, peak RSS under 2 GiB. ``--profile`` prints the
engine's hot spots (cProfile, cumulative and own time).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.generate import Scale, generate
from sync.config.programme_file import default_programme
from sync.domain.decisions import Decisions, LedgerState
from sync.domain.inputs import Inputs
from sync.engine.decide import decide

ENGINE_TARGET_S = 30.0
MEMORY_TARGET_MIB = 2048.0


@dataclass(frozen=True, slots=True)
class Result:
    inputs: Inputs
    decisions: Decisions
    generation_s: float
    engine_s: float
    generation_peak_mib: float  # peak RSS once the inputs exist, before the engine ran


def pin_to_one_core() -> None:
    """The engine is single-threaded; pinning keeps the figure honest on a shared box."""
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(scale: Scale, profiler: cProfile.Profile | None = None,
        freeze_inputs: bool = False) -> Result:
    started = time.perf_counter()
    inputs = generate(scale)
    if freeze_inputs:
        gc.freeze()  # the cyclic GC stops re-scanning the millions of input objects
    generated = time.perf_counter()
    generation_peak = peak_rss_mib()
    if profiler is not None:
        profiler.enable()
    decisions = decide(inputs, LedgerState(), scale.as_of, default_programme())
    if profiler is not None:
        profiler.disable()
    finished = time.perf_counter()
    return Result(inputs, decisions, generated - started, finished - generated, generation_peak)


def invoice_lines(inputs: Inputs) -> int:
    return sum(len(invoice.lines) for invoice in inputs.invoices)


def report(scale: Scale, result: Result) -> list[str]:
    lines_in = invoice_lines(result.inputs)
    ledger = result.decisions.ledger
    peak = peak_rss_mib()
    engine_ok = "ok" if result.engine_s < ENGINE_TARGET_S else "MISSED"
    memory_ok = "ok" if peak < MEMORY_TARGET_MIB else "MISSED"
    won = sum(1 for item in result.decisions.attributions if item.won)
    return [
        f"scale:            {scale.customers:,} customers x {scale.months} months, "
        f"{scale.partners:,} partners, seed {scale.seed}",
        f"inputs:           {len(result.inputs.invoices):,} invoices, {lines_in:,} invoice lines, "
        f"{len(result.inputs.deals):,} deals",
        f"generation:       {result.generation_s:8.2f} s",
        f"engine:           {result.engine_s:8.2f} s  (target < {ENGINE_TARGET_S:.0f} s: "
        f"{engine_ok})",
        f"throughput:       {lines_in / result.engine_s:,.0f} invoice lines/s",
        f"attributed:       {won:,} customers",
        f"commission lines: {len(ledger.lines):,}",
        f"payouts:          {len(ledger.payouts):,}",
        f"peak RSS:         {peak:8.1f} MiB  (target < {MEMORY_TARGET_MIB:.0f} MiB: {memory_ok}; "
        f"{result.generation_peak_mib:.1f} MiB after generation)",
    ]


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine", description=__doc__)
    defaults = Scale()
    parser.add_argument("--customers", type=int, default=defaults.customers)
    parser.add_argument("--months", type=int, default=defaults.months)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--profile", action="store_true", help="print the engine's hot spots")
    parser.add_argument("--freeze-inputs", action="store_true",
                        help="gc.freeze() the inputs before the run, as a worker could")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _arguments(argv)
    pin_to_one_core()
    scale = Scale(arguments.customers, arguments.months, arguments.seed)
    profiler = cProfile.Profile() if arguments.profile else None
    result = run(scale, profiler, arguments.freeze_inputs)
    print("\n".join(report(scale, result)))
    if profiler is not None:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
