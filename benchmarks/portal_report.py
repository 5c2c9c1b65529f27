"""The portal benchmark's printed table (see ``benchmarks.portal``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.portal import Outcome, Run

CALLS_GOAL, WALL_GOAL, QUIET_CALLS_GOAL, MEMORY_GOAL_MIB = 1.05, 1.2, 6, 1024.0

Floor = Callable[["Run", "Outcome"], float]


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(outcome: Outcome, floor_of: Floor) -> list[str]:
    scale, counts, limits = outcome.scale, outcome.counts, outcome.limits
    lines = [
        f"portal: {counts.partners:,} partners, {counts.companies:,} companies, "
        f"{counts.deals:,} deals, {counts.customers:,} customers, "
        f"{counts.subscriptions:,} subscriptions, {counts.invoices:,} invoices "
        f"({counts.invoice_lines:,} lines) over {scale.months} months; seed {scale.seed}; "
        f"generated in {outcome.generation_s:.0f} s",
        f"limits: HubSpot {limits.hubspot_per_10s}/10 s + "
        f"{limits.hubspot_associations_per_10s} association batches/10 s + "
        f"{limits.hubspot_searches_per_s} searches/s, "
        f"Stripe {limits.stripe_mode} {limits.stripe_per_s}/s; "
        f"time scale {scale.time_scale:g} (windows pass {scale.time_scale:g}x faster)",
        "",
    ]
    full = outcome.runs[0]
    lines += _full_table(full)
    lines += ["", *_runs_table(outcome, floor_of), ""]
    lines += [*_timelines(outcome), ""]
    lines += _goals(outcome, floor_of)
    return lines


def _full_table(full: Run) -> list[str]:
    rows = [f"{full.name}: calls per endpoint against the fewest the APIs allow",
            f"  {'endpoint':<48} {'calls':>7} {'minimum':>8} {'ratio':>6}"]
    for name in sorted(set(full.calls) | set(full.minimum)):
        calls, least = full.calls.get(name, 0), full.minimum.get(name, 0)
        ratio = f"{calls / least:6.2f}" if least else ("     -" if not calls else "   inf")
        rows.append(f"  {name:<48} {calls:>7,} {least:>8,} {ratio}")
    least = sum(full.minimum.values())
    rows.append(f"  {'total':<48} {full.total:>7,} {least:>8,} {full.total / least:6.2f}")
    return rows


def _runs_table(outcome: Outcome, floor_of: Floor) -> list[str]:
    rows = [f"  {'run':<44} {'calls':>7} {'writes':>7} {'wall s':>8} {'floor s':>8} "
            f"{'ratio':>6} {'peak RSS':>10} {'429s':>5}"]
    for run in outcome.runs:
        floor = floor_of(run, outcome)
        ratio = f"{run.seconds / floor:6.2f}" if floor > 0 else "     -"
        rows.append(f"  {run.name:<44} {run.total:>7,} {run.writes:>7,} {run.seconds:>8.1f} "
                    f"{floor:>8.1f} {ratio} {run.peak_rss_mib:>6.0f} MiB {run.rejected:>5}")
    for run in outcome.runs[1:]:
        calls = ", ".join(f"{name} {count}" for name, count in sorted(run.calls.items()))
        written = ", ".join(f"{kind} {count}" for kind, count in sorted(run.written.kinds.items()))
        read = ", ".join(f"{kind} {count}" for kind, count in sorted(run.read.items()) if count)
        rows.append(f"  {run.name}: {calls or 'no calls'}; read: {read or 'nothing'}; "
                    f"writes: {written or 'none'}")
    if outcome.changed is not None:
        changed = outcome.changed
        rows.append(f"  changed: {len(changed.deals):,} deals renamed, "
                    f"{len(changed.invoices):,} invoices ({changed.invoices_paid:,} paid, "
                    "the others' metadata touched)")
    return rows


def _timelines(outcome: Outcome) -> list[str]:
    """Where each run's time went: seconds since the worker started, at each phase."""
    rows = ["timelines (s since the worker started):"]
    for run in outcome.runs:
        marks = ", ".join(f"{label} {at:.1f}" for label, at in run.timeline)
        rows.append(f"  {run.name}: {marks or 'no phase lines'}")
    return rows


def _goals(outcome: Outcome, floor_of: Floor) -> list[str]:
    full, _, quiet, changed = outcome.runs
    calls_ratio = full.total / sum(full.minimum.values())
    wall_ratio = full.seconds / floor_of(full, outcome)
    peak = max(run.peak_rss_mib for run in outcome.runs)
    portal_records = outcome.counts.deals + outcome.counts.invoices
    change = outcome.changed
    touched = len(change.deals) + len(change.invoices) if change else 0
    return [
        "goals:",
        f"  full sync calls / minimum      {calls_ratio:6.2f}  (<= {CALLS_GOAL}: "
        f"{verdict(calls_ratio <= CALLS_GOAL)})",
        f"  full sync wall / floor         {wall_ratio:6.2f}  (<= {WALL_GOAL}: "
        f"{verdict(wall_ratio <= WALL_GOAL)})",
        f"  nothing changed: calls, writes {quiet.total:>3}, {quiet.writes}  "
        f"(<= {QUIET_CALLS_GOAL}, 0: "
        f"{verdict(quiet.total <= QUIET_CALLS_GOAL and quiet.writes == 0)})",
        f"  1% changed: calls              {changed.total:,} for {touched:,} changed records "
        f"of {portal_records:,} ({changed.total / max(touched, 1):.2f} a changed record)",
        f"  worker peak RSS                {peak:6.0f} MiB (< {MEMORY_GOAL_MIB:.0f}: "
        f"{verdict(peak < MEMORY_GOAL_MIB)})",
    ]
