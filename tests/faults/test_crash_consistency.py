"""Crash consistency: a REAL worker process killed with SIGKILL at random instants, then
rerun, ends exactly as an uninterrupted run -- HubSpot records, Stripe transfers and
the ledger -- with no transfer made twice and no commission line lost or doubled
(cycle.py: "A run killed anywhere resumes from the ledger"; R26: at most once).

Trials come from one seed (``PARTNERSYNC_FAULTS_SEED`` to explore others): each picks a
phase in turn (pull, decide, record, pay, write: ten trials each) and a random delay
after that phase's ``run.phase`` line, from 0 to the phase's duration in the reference
run; a few more kill the worker the moment Stripe has made a transfer and before the
worker hears of it. Each trial has fresh stand-ins and its own SQLite ledger; the
rerun is an ordinary ``partnersync sync`` on the same ledger, which must not wait for
the dead worker's job lease (``sync.ledger.locks``: a dead holder on this machine).

The portal holds one partner's payout (R32, see conftest): the pay phase records the
hold, the write phase shows it in HubSpot. Right after each kill the test looks whether
the ledger had the payout ``on_hold`` while HubSpot did not show it yet, and requires
some trials to have died in that gap, so the rerun's write of a hold decided by a dead
run is exercised, not assumed. ``test_crash_approvals`` does the same for R33's two
approvals.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.support import outcome
from tests.faults.support import (
    AS_OF,
    FINISHED,
    PHASES,
    KillAt,
    Reference,
    differences,
    duplicate_transfers,
    kill_worker,
    ledger_ahead,
    phase_kills,
    run_worker,
    serve_world,
    sqlite_file_url,
    unrecorded_transfers,
)

SEED = int(os.environ.get("PARTNERSYNC_FAULTS_SEED", "26"))
PHASE_TRIALS = 50  # ten per phase
TRANSFER_TRIALS = 6  # killed between a transfer and its confirmation
# Two trials at a time: each is mostly a worker process; the stand-ins are threads here.
PARALLEL = 2


@dataclass
class Trial:
    index: int
    at: KillAt
    killed: bool = False  # the SIGKILL ended the process (not a finished run)
    died_in: str | None = None  # the last phase the killed process announced
    left_pending: int = 0  # outbox intents the dead run left unconfirmed
    left_unrecorded: int = 0  # transfers Stripe made that the ledger did not record
    hold_unwritten: bool = False  # died with a hold recorded, not yet shown in HubSpot
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def plan(reference: Reference) -> list[KillAt]:
    kills = phase_kills(reference, PHASE_TRIALS, SEED)
    transfers = len(reference.outcome.transfers)
    kills += [KillAt(transfer=1 + index % transfers) for index in range(TRANSFER_TRIALS)]
    return kills


def run_trial(trial: Trial, fixtures: Path, directory: Path, reference: Reference) -> Trial:
    started = time.monotonic()
    url = sqlite_file_url(directory, f"trial-{trial.index}.db")
    with serve_world(fixtures, url) as world:
        dead = kill_worker(world, AS_OF, trial.at)
        trial.killed, trial.died_in = dead.killed, dead.last_phase()
        if dead.returncode not in (0, -9):
            trial.problems.append(f"the run to kill failed on its own: {dead.describe()}")
        if trial.at.transfer and not (world.tap and world.tap.fired and dead.killed):
            trial.problems.append("the worker was not killed at the transfer")
        if trial.killed:
            trial.left_pending = len(world.ledger().pending())
            trial.left_unrecorded = unrecorded_transfers(world)
            trial.hold_unwritten = any(ledger_ahead(world, payout_id, "on_hold")
                                       for payout_id in held(reference))
        rerun = run_worker(world, AS_OF)
        if rerun.returncode != 0:
            trial.problems.append(f"the rerun failed: {rerun.describe()}")
        doubled = duplicate_transfers(world)
        if doubled:
            trial.problems.append(f"payouts paid twice: {doubled}")
        trial.problems += differences(outcome(world), reference.outcome)
        if world.ledger().pending():
            trial.problems.append("intents still pending after the rerun")
    trial.seconds = time.monotonic() - started
    return trial


def held(reference: Reference) -> list[str]:
    return [pid for pid, (_, status, _) in reference.outcome.payouts.items()
            if status == "on_hold"]


def report(trials: list[Trial], reference: Reference, seconds: float) -> None:
    durations = ", ".join(f"{name} {reference.phase_seconds[name] * 1000:.0f} ms"
                          for name in PHASES)
    print(f"\nseed {SEED}: {len(trials)} trials in {seconds:.0f} s; reference phases: "
          f"{durations}")
    print("phase chosen -> where the process died:")
    for name in (*PHASES, "transfer"):
        chosen = [t for t in trials if (t.at.phase or "transfer") == name]
        died = Counter(t.died_in if t.killed else "(finished first)" for t in chosen)
        print(f"  {name:<8} {len(chosen):>2} trials: " +
              ", ".join(f"{where} {count}" for where, count in sorted(died.items(), key=str)))
    killed = [t for t in trials if t.killed]
    print(f"killed {len(killed)}/{len(trials)}; left intents pending in "
          f"{sum(1 for t in killed if t.left_pending)}, a transfer unrecorded in "
          f"{sum(1 for t in killed if t.left_unrecorded)}")
    gap = Counter(t.died_in for t in killed if t.hold_unwritten)
    print(f"died with the hold recorded, not yet in HubSpot: {gap.total()} (" +
          ", ".join(f"in {where} {count}" for where, count in sorted(gap.items(), key=str))
          + ")")


def test_sigkill_at_random_instants_then_rerun_ends_as_an_uninterrupted_run(
        fault_fixtures: Path, reference: Reference) -> None:
    kills = plan(reference)
    trials = [Trial(index, at) for index, at in enumerate(kills)]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-trials-") as directory, \
            ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        done = list(pool.map(
            lambda trial: run_trial(trial, fault_fixtures, Path(directory), reference),
            trials))
    report(done, reference, time.monotonic() - started)

    failed = {f"#{t.index} ({t.at.label()}, died in {t.died_in})": t.problems
              for t in done if t.problems}
    assert failed == {}
    # The kills landed: every phase chosen ten times, most trials really killed, and
    # every phase (and the gap after a transfer) seen dying at least a few times.
    assert Counter(t.at.phase for t in done if t.at.phase) == dict.fromkeys(PHASES, 10)
    killed = [t for t in done if t.killed]
    assert len(killed) >= 0.8 * len(done), "most trials must kill a running worker"
    died_in = Counter(t.died_in for t in killed)
    assert all(died_in[name] >= 3 for name in PHASES), died_in
    assert died_in[FINISHED] + sum(died_in[name] for name in PHASES) == len(killed)
    assert all(t.left_unrecorded == 1 for t in done if t.at.transfer)
    # and between a hold decision (R32) and its HubSpot write, then the rerun wrote it
    assert any(t.hold_unwritten for t in killed), "no kill between a hold and its write"
