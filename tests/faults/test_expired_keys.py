"""Stripe idempotency keys expired (the stand-in forgets them at once) between a
transfer and its confirmation: still no second transfer (R26: at most once).

The key ``<payout id>-<attempt>`` is the first guard; when Stripe no longer remembers
it, the worker must find the transfer by its ``transfer_group`` before making another,
both when a NEW process resumes a killed run and when the SAME process retries a
request whose answer was lost.
"""

from __future__ import annotations

from pathlib import Path

from tests.e2e.support import outcome
from tests.faults.support import (
    AS_OF,
    KillAt,
    Reference,
    differences,
    duplicate_transfers,
    kill_worker,
    run_worker,
    serve_world,
    sqlite_file_url,
    unrecorded_transfers,
)


def test_killed_after_a_transfer_with_keys_expired_the_rerun_makes_no_second(
        fault_fixtures: Path, reference: Reference, tmp_path: Path) -> None:
    with serve_world(fault_fixtures, sqlite_file_url(tmp_path)) as world:
        world.stripe.idempotency_ttl_seconds = 0
        dead = kill_worker(world, AS_OF, KillAt(transfer=2))
        assert dead.killed and world.tap is not None and world.tap.fired, dead.describe()
        assert unrecorded_transfers(world) == 1  # made, never confirmed

        rerun = run_worker(world, AS_OF)
        assert rerun.returncode == 0, rerun.describe()
        assert duplicate_transfers(world) == {}
        assert differences(outcome(world), reference.outcome) == []


def test_a_lost_transfer_answer_retried_with_keys_expired_makes_no_second(
        fault_fixtures: Path, reference: Reference, tmp_path: Path) -> None:
    with serve_world(fault_fixtures, sqlite_file_url(tmp_path)) as world:
        assert world.tap is not None
        world.stripe.idempotency_ttl_seconds = 0
        world.tap.arm(1, "lose")  # Stripe makes the first transfer; the answer is lost
        run = run_worker(world, AS_OF)
        assert world.tap.fired, "the first transfer's answer was never lost"
        assert run.returncode == 0, run.describe()
        assert run.summary()["retries"] >= 1
        assert duplicate_transfers(world) == {}
        assert differences(outcome(world), reference.outcome) == []
