"""The freshness benchmark's printed figures (see ``benchmarks.freshness``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from benchmarks.portal_report import verdict

if TYPE_CHECKING:
    from benchmarks.freshness import Outcome, Pass

P95_GOAL_S, BURST_GOAL = 30.0, 1.2


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of them at or below."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def report(outcome: Outcome) -> list[str]:
    plan, counts, limits = outcome.plan, outcome.counts, outcome.limits
    scale = plan.scale
    lines = [
        f"portal: {counts.partners:,} partners, {counts.deals:,} deals, "
        f"{counts.customers:,} customers, {counts.invoices:,} invoices over {scale.months} "
        f"months; seed {scale.seed}; first full sync {outcome.full_sync_s:.1f} s",
        f"limits: HubSpot {limits.hubspot_per_10s}/10 s + {limits.hubspot_searches_per_s} "
        f"searches/s, Stripe {limits.stripe_mode} {limits.stripe_per_s}/s; time scale "
        f"{scale.time_scale:g}; serve's debounce {plan.debounce:g} s; serve peak RSS "
        f"{outcome.serve_peak_mib:.0f} MiB",
        "",
    ]
    for run in outcome.passes:
        lines += [*_pass(run), ""]
    lines += _stream_events(outcome.passes[0]) if outcome.passes else []
    lines += ["", *_end(outcome), "", *_goals(outcome)]
    return lines


def _pass(run: Pass) -> list[str]:
    latencies = [e.latency for e in run.events if e.latency is not None]
    missing = sum(e.latency is None for e in run.events)
    syncs = ", ".join(f"{n} {status}" for status, n in sorted(run.syncs.items())) or "none"
    calls = ", ".join(f"{name} {n:,}" for name, n in sorted(run.calls.items()))
    written = ("none" if run.written is None or not run.written.kinds else ", ".join(
        f"{kind} {n:,}" for kind, n in sorted(run.written.kinds.items())))
    rows = [f"{run.name}: {len(run.events):,} events, {len(latencies):,} visible"
            + (f", {missing:,} NOT visible" if missing else "")
            + f"; {run.seconds:.1f} s from the first change to the last visible",
            f"  latency s: p50 {percentile(latencies, 0.5):.1f}, p95 "
            f"{percentile(latencies, 0.95):.1f}, max {max(latencies, default=math.nan):.1f}",
            f"  targeted syncs: {syncs}; 429s answered: {run.rejected}",
            f"  calls: {calls or 'none'}",
            f"  writes: {written}"]
    if run.floor:
        rows.append(f"  floor of the calls it needs: {run.floor:.1f} s; "
                    f"ratio {run.seconds / run.floor:.2f} (its reads: the fewer of "
                    f"{len(run.events):,} GETs and {math.ceil(run.listed_events / 100):,} "
                    f"pages of its {run.listed_events:,} listed events)")
    return rows


def _stream_events(run: Pass) -> list[str]:
    rows = [f"{run.name}, per event (s after the change until visible; the deal's "
            "attribution status then):"]
    cells = [f"{e.kind[:4]} {e.deal_id} " + (f"{e.latency:5.1f}" if e.latency is not None
                                             else "  n/a") + f" {e.status}"
             for e in run.events]
    rows += ["  " + " | ".join(cells[n:n + 3]) for n in range(0, len(cells), 3)]
    return rows


def _end(outcome: Outcome) -> list[str]:
    end, deliveries = outcome.end, outcome.deliveries
    if end is None:
        return ["end state: not checked"]
    faults = ", ".join(f"{k} {n:,}" for k, n in sorted(deliveries.items()))
    writes = ", ".join(f"{k} {n}" for k, n in sorted(end.oracle_writes.items())) or "none"
    runs = ", ".join(f"{n} {s}" for s, n in sorted(end.webhook_runs.items())) or "none"
    rows = [f"deliveries by result (all passes): {faults or 'none'}",
            f"webhook events stored {end.events_stored:,}, pending {end.events_pending}, "
            f"processed with a note {end.events_noted}; targeted syncs: {runs}",
            f"oracle (a regular sync after the faults pass): exit {end.oracle_exit}, "
            f"writes: {writes}",
            f"ledger: {end.lines:,} live lines, {end.payouts:,} payouts; HubSpot differs on "
            f"{len(end.line_mismatches)} lines, {len(end.payout_mismatches)} payouts"]
    rows += [f"  {m}" for m in end.line_mismatches + end.payout_mismatches]
    return rows


def _goals(outcome: Outcome) -> list[str]:
    rows = ["goals:"]
    by_name = {run.name: run for run in outcome.passes}
    stream, burst = by_name.get("steady stream"), by_name.get("month-start burst")
    if stream is not None:
        latencies = [e.latency for e in stream.events if e.latency is not None]
        p95 = percentile(latencies, 0.95) if len(latencies) == len(stream.events) else math.inf
        rows.append(f"  stream p95 latency at {outcome.plan.rate:g}/s   {p95:6.1f} s "
                    f"(<= {P95_GOAL_S:.0f}: {verdict(p95 <= P95_GOAL_S)})")
    if burst is not None and burst.floor:
        ratio = burst.seconds / burst.floor
        unhandled = _unhandled(outcome)
        rows += [f"  burst of {len(burst.events):,}: time / floor   {ratio:6.2f}   "
                 f"(<= {BURST_GOAL}: {verdict(ratio <= BURST_GOAL)})",
                 f"  burst 429s answered, unhandled {burst.rejected}, {unhandled}   "
                 f"(none unhandled: {verdict(unhandled == 0)})"]
    end = outcome.end
    if end is not None:
        rows.append(f"  faults change nothing            oracle writes "
                    f"{sum(end.oracle_writes.values())}, mismatches "
                    f"{len(end.line_mismatches) + len(end.payout_mismatches)}   "
                    f"({verdict(end.consistent)})")
    return rows


def _unhandled(outcome: Outcome) -> int:
    """A 429 left unhandled shows as a failed targeted sync or a failed delivery."""
    end = outcome.end
    failed_runs = sum(n for s, n in (end.webhook_runs if end else {}).items()
                      if s != "succeeded")
    return failed_runs + outcome.deliveries.get("failed", 0)
