"""The fault suites' shared portal and their one uninterrupted reference run.

The portal is small (8 partners, 60 deals and customers, 8 billed months) so a worker
process runs a full cycle in about two seconds, yet it has every phase's work: lines,
payouts paid by transfer (R26), one waiting for approval, one paid by hand, HubSpot
writes in several batches and Stripe metadata updates.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.synthetic import generate_portal, write_portal
from tests.e2e.support import outcome
from tests.faults.support import (
    AS_OF,
    Reference,
    phase_seconds,
    run_worker,
    serve_world,
    sqlite_file_url,
)

PORTAL_SEED = 7


@pytest.fixture(scope="session")
def fault_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("fault-portal")
    portal = generate_portal(PORTAL_SEED, partners=8, deals=60, customers=60, months=8,
                             start="2026-03")
    write_portal(portal, directory)
    return directory


@pytest.fixture(scope="session")
def reference(fault_fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """One uninterrupted ``partnersync sync`` process on fresh stand-ins."""
    directory = tmp_path_factory.mktemp("fault-reference")
    with serve_world(fault_fixtures, sqlite_file_url(directory)) as world:
        run = run_worker(world, AS_OF)
        assert run.returncode == 0, run.describe()
        found = Reference(outcome(world), run, phase_seconds(run),
                          [call.endpoint for call in world.hubspot.calls.calls()])
        assert world.ledger().pending() == []
    paid = sorted(pid for pid, (_, status, _) in found.outcome.payouts.items()
                  if status == "paid")
    groups = [group for group, _, _ in found.outcome.transfers]
    assert len(paid) >= 2 and groups == paid, "one transfer per paid payout (R26)"
    assert set(found.phase_seconds) == {"pull", "decide", "record", "pay", "write"}
    return found
