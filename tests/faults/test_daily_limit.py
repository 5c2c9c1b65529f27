"""HubSpot's daily limit reached mid-run: the worker stops cleanly with exit status 3
and one clear message (docs/configuration.md, exit statuses), leaves nothing half-written in the ledger -- the
run ``stopped``, every intent either sent or still pending, every transfer recorded --
and the next day's run resumes to the end state of an uninterrupted run.

The limit is set so the quota runs out at three places of the reference run's HubSpot
calls: during the pull, between the lines' associations, and at the deals' update
(after payouts were paid by transfer: money moved, HubSpot not yet told).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sandbox.hubspot.ratelimit import DEFAULTS
from sync.ledger.models import OutboxRow
from sync.writeback.intents import HUBSPOT_LINE
from tests.e2e.support import outcome
from tests.faults.support import (
    AS_OF,
    FaultWorld,
    Reference,
    differences,
    duplicate_transfers,
    run_worker,
    serve_world,
    sqlite_file_url,
    unrecorded_transfers,
)


def allowed_before(reference: Reference, endpoint: str, nth: int = 1) -> int:
    """How many HubSpot calls the reference made before the ``nth`` call of ``endpoint``."""
    seen = 0
    for index, name in enumerate(reference.hubspot_calls):
        seen += name == endpoint
        if seen == nth:
            return index
    raise AssertionError(f"the reference never called {endpoint} {nth} times")


WHERE = {
    "during-pull": ("crm.objects.batch.read", 1),
    "between-line-associations": ("crm.associations.batch.default", 2),
    "at-deal-updates": ("crm.objects.batch.update", 1),
}


def sent_targets(world: FaultWorld, kind: str) -> set[str]:
    with world.ledger().transaction() as session:
        return set(session.scalars(select(OutboxRow.target).where(
            OutboxRow.kind == kind, OutboxRow.status == "sent")))


def next_day(world: FaultWorld) -> None:
    """Move the stand-ins' clock past the next UTC midnight: a new day's quota, HubSpot's
    usual one (the test's was cut to run out mid-run)."""
    now = world.hubspot.clock.now()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    world.hubspot.clock.advance((midnight - now).total_seconds() + 60)
    world.hubspot.limits.configure({"daily_limit": DEFAULTS["daily_limit"]})


@pytest.mark.parametrize("where", list(WHERE))
def test_the_daily_limit_stops_the_run_cleanly_and_the_next_day_resumes(
        where: str, fault_fixtures: Path, reference: Reference, tmp_path: Path) -> None:
    endpoint, nth = WHERE[where]
    quota = allowed_before(reference, endpoint, nth)
    with serve_world(fault_fixtures, sqlite_file_url(tmp_path)) as world:
        world.hubspot.limits.configure({"enabled": True, "ten_second_limit": None,
                                        "association_ten_second_limit": None,
                                        "search_per_second": None, "daily_limit": quota,
                                        "reset": True})
        stopped = run_worker(world, AS_OF)

        assert stopped.returncode == 3, stopped.describe()
        message = stopped.messages()
        assert len(message) == 1, stopped.stderr
        assert message[0].startswith("partnersync: upstream unavailable: HubSpot")
        assert "daily limit" in message[0] and "Traceback" not in stopped.stderr
        assert stopped.summary()["outcome"] == "stopped"
        # nothing half-written: the run is closed, intents are sent or pending, money
        # that moved is recorded, and what the ledger says was sent is in HubSpot
        ledger = world.ledger()
        last = ledger.last_run("sync")
        assert last is not None and last.status == "stopped"
        with ledger.transaction() as session:
            statuses = set(session.scalars(select(OutboxRow.status)))
        assert statuses <= {"pending", "sent"}
        assert unrecorded_transfers(world) == 0 and duplicate_transfers(world) == {}
        assert sent_targets(world, HUBSPOT_LINE) <= set(world.line_records())
        print(f"\n{where}: stopped after {quota} HubSpot calls; outbox {sorted(statuses)}, "
              f"{len(world.transfers())} transfers made")

        next_day(world)
        resumed = run_worker(world, AS_OF)
        assert resumed.returncode == 0, resumed.describe()
        assert duplicate_transfers(world) == {}
        assert differences(outcome(world), reference.outcome) == []
        assert world.ledger().pending() == []
