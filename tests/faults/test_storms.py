"""Storms: with 30% of calls to BOTH vendors answered 429, 500, 502 or 503 or dropped
(seeded ``FaultPlan``s in the stand-ins), a full sync finishes with the same end state
as a clean run, and its summary counts every retry and every 429 (docs/configuration.md; the one
retry policy of ``sync.adapters.retry``).

In-process (``run_sync`` on fresh ``Services``) with a retry policy that never sleeps
and has attempts to spare: 0.3**12 makes a call failing every attempt a one in two
million event, and each sandbox's faults are drawn from its own seed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.cycle import run_sync
from sandbox.core import FaultPlan
from sync.adapters.retry import RetryPolicy
from tests.e2e.support import no_sleep, outcome
from tests.faults.support import (
    AS_OF,
    Reference,
    differences,
    duplicate_transfers,
    serve_world,
    sqlite_file_url,
)

KINDS = {"429": 1.0, "500": 1.0, "502": 1.0, "503": 1.0, "drop": 1.0}
PATIENT = RetryPolicy(max_attempts=12, sleep=no_sleep)
FAULTED = frozenset({0, 429, 500, 502, 503})  # 0: the connection was dropped


@pytest.mark.parametrize("seed", [3, 41])
def test_a_sync_through_a_storm_ends_as_a_clean_one_and_counts_its_retries(
        seed: int, fault_fixtures: Path, reference: Reference, tmp_path: Path) -> None:
    with serve_world(fault_fixtures, sqlite_file_url(tmp_path)) as world:
        world.retry = PATIENT
        world.hubspot.faults.replace(FaultPlan(seed=seed, share=0.3, kinds=dict(KINDS)))
        world.stripe.faults.replace(FaultPlan(seed=seed + 1, share=0.3, kinds=dict(KINDS)))

        summary = run_sync(world.services(), AS_OF)

        calls = world.hubspot.calls.calls() + world.stripe.calls.calls()
        faulted = [call for call in calls if call.status in FAULTED]
        world.hubspot.faults.clear()
        world.stripe.faults.clear()
        print(f"\nseed {seed}: {len(calls)} calls, {len(faulted)} faulted "
              f"({sum(c.status == 429 for c in faulted)} 429s, "
              f"{sum(c.status == 0 for c in faulted)} dropped); summary: "
              f"{summary.retries} retries, {summary.rate_limited} rate limited, "
              f"{summary.seconds:.1f} s")
        assert summary.outcome == "succeeded", summary.error
        assert duplicate_transfers(world) == {}
        assert differences(outcome(world), reference.outcome) == []
        assert world.ledger().pending() == []
        assert len(faulted) >= 0.2 * len(calls)  # the storm really blew
        # Every faulted call was retried once and counted; every 429 counted as such.
        assert summary.retries == len(faulted) > 0
        assert summary.rate_limited == sum(call.status == 429 for call in faulted) > 0
