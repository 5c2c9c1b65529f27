"""Crash consistency across R33's two approvals: a REAL worker process killed with
SIGKILL between the first and the second approval ends exactly as if it had not been,
with the payout paid once, after both approvers and never before.

The programme is ``tests/faults/programme.toml`` (the demo's with ``dual_above`` 300.00
EUR), so the fault portal's 390.00 EUR payout needs two approvers. Each trial has fresh
stand-ins and its own SQLite ledger, and runs the same sequence as the reference:

1. an uninterrupted ``partnersync sync`` (the payout is created ``pending_approval``);
2. approver 1001 approves it in HubSpot;
3. a sync killed at a random instant, then rerun to its end: the run reads the first
   approval back right after the pull, records ``pending_second_approval`` and writes it
   to HubSpot in the write phase;
4. approver 1002 approves it in HubSpot, and one more uninterrupted sync pays it.

The kills come from one seed (``PARTNERSYNC_FAULTS_SEED``, as ``test_crash_consistency``):
each trial picks a phase in turn and a random delay after its ``run.phase`` line, up to
that phase's duration in the reference's step 3 run. Right after each kill the test
looks whether the ledger had the first approval while HubSpot did not show it yet, and
requires some trials to have died in that gap.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sync.config.programme_file import load_programme
from sync.domain.decisions import PayoutStatus
from tests.e2e.support import outcome
from tests.faults.support import (
    AS_OF,
    PAYOUT,
    PHASES,
    FaultWorld,
    KillAt,
    Reference,
    WorkerRun,
    approve_in_hubspot,
    differences,
    duplicate_transfers,
    kill_worker,
    ledger_ahead,
    phase_kills,
    phase_seconds,
    run_worker,
    serve_world,
    sqlite_file_url,
)

SEED = int(os.environ.get("PARTNERSYNC_FAULTS_SEED", "26"))
PROGRAMME = Path(__file__).with_name("programme.toml")  # dual_above 300.00 EUR
APPROVAL = load_programme(PROGRAMME).approval
FIRST, SECOND = 1001, 1002  # HubSpot users, both approvers in PROGRAMME
TRIALS = 10  # two per phase: each trial runs four worker processes
PARALLEL = 2  # as test_crash_consistency: two worker processes at a time
HALFWAY = PayoutStatus.PENDING_SECOND_APPROVAL.value

AuditTrail = list[tuple[str, str]]  # (action, actor) of one payout's audit entries


@dataclass
class ApprovalReference:
    """The sequence run without a kill; ``reference.run`` is the step 3 run."""

    reference: Reference
    payout_id: str  # the payout that needs two approvals
    audit: AuditTrail


@dataclass
class Trial:
    index: int
    at: KillAt
    killed: bool = False
    died_in: str | None = None
    approval_unwritten: bool = False  # died with the first approval recorded, not shown
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def audit_trail(world: FaultWorld, payout_id: str) -> AuditTrail:
    return [(event.action, event.actor) for event in world.ledger().audit_events()
            if event.payout_id == payout_id]


def needs_two(world: FaultWorld) -> str:
    """The one payout waiting for approval above ``dual_above``."""
    (payout,) = [p for p in world.ledger().list_payouts(PayoutStatus.PENDING_APPROVAL)
                 if APPROVAL.needs_two(p.amount)]
    return payout.id


def failed(run: WorkerRun, what: str) -> list[str]:
    return [] if run.returncode == 0 else [f"{what} failed: {run.describe()}"]


def paid_once(world: FaultWorld, payout_id: str) -> list[str]:
    """The payout is paid, by exactly one transfer (R26)."""
    transfers = [t for t in world.transfers() if t["transfer_group"] == payout_id]
    status = world.ledger().get_payout(payout_id).status
    if status is PayoutStatus.PAID and len(transfers) == 1:
        return []
    return [f"{payout_id}: {status.value} with {len(transfers)} transfers"]


@pytest.fixture(scope="module")
def approvals_reference(fault_fixtures: Path, tmp_path_factory: pytest.TempPathFactory
                        ) -> ApprovalReference:
    directory = tmp_path_factory.mktemp("fault-approvals-reference")
    with serve_world(fault_fixtures, sqlite_file_url(directory), PROGRAMME) as world:
        assert failed(run_worker(world, AS_OF), "the first run") == []
        payout_id = needs_two(world)
        approve_in_hubspot(world, payout_id, FIRST)
        halfway = run_worker(world, AS_OF)
        assert failed(halfway, "the run after the first approval") == []
        assert world.ledger().get_payout(payout_id).status.value == HALFWAY
        shown = world.payout_records()[payout_id]
        assert shown[PAYOUT.status] == HALFWAY and str(FIRST) in shown[PAYOUT.approved_by]
        assert all(t["transfer_group"] != payout_id for t in world.transfers())
        approve_in_hubspot(world, payout_id, SECOND)
        assert failed(run_worker(world, AS_OF), "the run after the second approval") == []
        assert paid_once(world, payout_id) == []
        assert str(SECOND) in world.payout_records()[payout_id][PAYOUT.second_approved_by]
        found = Reference(outcome(world), halfway, phase_seconds(halfway))
        return ApprovalReference(found, payout_id, audit_trail(world, payout_id))


def plan(reference: Reference) -> list[KillAt]:
    return phase_kills(reference, TRIALS, SEED)


def run_trial(trial: Trial, fixtures: Path, directory: Path, ref: ApprovalReference) -> Trial:
    started = time.monotonic()
    url = sqlite_file_url(directory, f"trial-{trial.index}.db")
    with serve_world(fixtures, url, PROGRAMME) as world:
        trial.problems += failed(run_worker(world, AS_OF), "the first run")
        approve_in_hubspot(world, ref.payout_id, FIRST)
        dead = kill_worker(world, AS_OF, trial.at)
        trial.killed, trial.died_in = dead.killed, dead.last_phase()
        if dead.returncode not in (0, -9):
            trial.problems.append(f"the run to kill failed on its own: {dead.describe()}")
        if trial.killed:
            trial.approval_unwritten = ledger_ahead(world, ref.payout_id, HALFWAY)
        trial.problems += failed(run_worker(world, AS_OF), "the rerun")
        approve_in_hubspot(world, ref.payout_id, SECOND)
        trial.problems += failed(run_worker(world, AS_OF), "the run after the second approval")
        trial.problems += paid_once(world, ref.payout_id)
        doubled = duplicate_transfers(world)
        if doubled:
            trial.problems.append(f"payouts paid twice: {doubled}")
        trial.problems += differences(outcome(world), ref.reference.outcome)
        trail = audit_trail(world, ref.payout_id)
        if trail != ref.audit:  # each approval judged once (R33), whatever the kill
            trial.problems.append(f"audit trail {trail} != {ref.audit}")
        if world.ledger().pending():
            trial.problems.append("intents still pending after the last run")
    trial.seconds = time.monotonic() - started
    return trial


def report(trials: list[Trial], reference: Reference, seconds: float) -> None:
    durations = ", ".join(f"{name} {reference.phase_seconds[name] * 1000:.0f} ms"
                          for name in PHASES)
    print(f"\nseed {SEED}: {len(trials)} approval trials in {seconds:.0f} s; reference "
          f"phases (run after the first approval): {durations}")
    for name in PHASES:
        chosen = [t for t in trials if t.at.phase == name]
        died = Counter(t.died_in if t.killed else "(finished first)" for t in chosen)
        print(f"  {name:<8} {len(chosen):>2} trials: " +
              ", ".join(f"{where} {count}" for where, count in sorted(died.items(), key=str)))
    killed = [t for t in trials if t.killed]
    gap = Counter(t.died_in for t in killed if t.approval_unwritten)
    print(f"killed {len(killed)}/{len(trials)}; died with the first approval recorded, not "
          f"yet in HubSpot: {gap.total()} (" +
          ", ".join(f"in {where} {count}" for where, count in sorted(gap.items(), key=str))
          + ")")


def test_sigkill_between_first_and_second_approval_then_rerun_pays_once(
        fault_fixtures: Path, approvals_reference: ApprovalReference) -> None:
    reference = approvals_reference.reference
    trials = [Trial(index, at) for index, at in enumerate(plan(reference))]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crash-approvals-") as directory, \
            ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        done = list(pool.map(
            lambda trial: run_trial(trial, fault_fixtures, Path(directory),
                                    approvals_reference), trials))
    report(done, reference, time.monotonic() - started)

    failures = {f"#{t.index} ({t.at.label()}, died in {t.died_in})": t.problems
                for t in done if t.problems}
    assert failures == {}
    # The kills landed: every phase chosen as often, most trials really killed, and some
    # between the first approval's record in the ledger and its HubSpot write.
    per_phase = TRIALS // len(PHASES)
    assert Counter(t.at.phase for t in done) == dict.fromkeys(PHASES, per_phase)
    killed = [t for t in done if t.killed]
    assert len(killed) >= 0.8 * len(done), "most trials must kill a running worker"
    assert any(t.approval_unwritten for t in killed), \
        "no kill between the first approval's record and its HubSpot write"
