"""A run killed at any step, then rerun by a fresh process on the same ledger and
sandboxes, ends exactly as an uninterrupted run, and never pays a payout twice
(cycle.py: "A run killed anywhere resumes from the ledger: recorded intents are sent
once"; R26: "at most once"; docs/rules.md: one transfer per paid payout).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import pytest

from sync.domain.decisions import PayoutStatus
from sync.payments.transfers import STRIPE_TRANSFER
from sync.writeback.intents import HUBSPOT_LINE
from tests.e2e.kills import HUBSPOT_WRITE_METHODS, KillPoint, kill_run
from tests.e2e.support import DEMO_AS_OF, Outcome, World, open_world, outcome, sqlite_url

AS_OF = DEMO_AS_OF


def pending(world: World) -> Counter[str]:
    return Counter(entry.kind for entry in world.ledger().pending())


def decided_but_nothing_sent(world: World) -> None:
    assert world.ledger().load_state().lines
    assert pending(world) == Counter()
    assert world.line_records() == {} and world.transfers() == []


def intents_recorded_nothing_written(world: World) -> None:
    assert pending(world)[HUBSPOT_LINE] > 0
    assert world.line_records() == {}


def one_transfer_not_recorded(world: World) -> None:
    (transfer,) = world.transfers()
    payout = world.ledger().get_payout(str(transfer["transfer_group"]))
    assert payout.status is PayoutStatus.APPROVED and payout.stripe_transfer_id is None
    assert pending(world)[STRIPE_TRANSFER] == 1


def some_batches_written_none_confirmed(world: World) -> None:
    assert world.line_records()
    assert pending(world)[HUBSPOT_LINE] > 0


@dataclass(frozen=True)
class Kill:
    point: KillPoint
    killed_state: Callable[[World], None]  # proves the run died where it should
    keys_expired: bool = False  # Stripe has forgotten every idempotency key (R26)


TRANSFER_MADE = KillPoint("stripe", frozenset({"create_transfer"}))
KILLS = {
    "after-decisions-recorded": Kill(
        KillPoint("ledger", frozenset({"record_decisions"})), decided_but_nothing_sent),
    "between-outbox-intent-and-write": Kill(
        KillPoint("hubspot", frozenset({"upsert_records"}), after=False),
        intents_recorded_nothing_written),
    "between-transfer-and-confirmation": Kill(TRANSFER_MADE, one_transfer_not_recorded),
    "between-transfer-and-confirmation-keys-expired": Kill(
        TRANSFER_MADE, one_transfer_not_recorded, keys_expired=True),
    "after-some-hubspot-write-batches": Kill(
        KillPoint("hubspot", HUBSPOT_WRITE_METHODS, nth=3), some_batches_written_none_confirmed),
}


def assert_same_outcome(got: Outcome, reference: Outcome) -> None:
    for field in fields(Outcome):
        assert getattr(got, field.name) == getattr(reference, field.name), field.name


def assert_no_double_transfer(world: World) -> None:
    groups = Counter(str(transfer["transfer_group"]) for transfer in world.transfers())
    assert [group for group, count in groups.items() if count > 1] == []


def kill_then_rerun(world: World, kill: Kill) -> None:
    kill_run(world.services(), AS_OF, kill.point)
    kill.killed_state(world)
    if kill.keys_expired:
        world.stripe.idempotency_ttl_seconds = 0
    # A restarted process is back a second later at the soonest: Stripe's 1-second window
    # no longer holds the killed run's calls, which the fresh pacer cannot know of.
    time.sleep(1.1)
    world.run(AS_OF)  # a fresh process: new clients, the same ledger and sandboxes


@pytest.mark.parametrize("name", list(KILLS))
def test_a_killed_run_rerun_ends_as_an_uninterrupted_run(
        name: str, small_fixtures: Path, small_reference: Outcome, tmp_path: Path) -> None:
    assert small_reference.transfers, "the reference run pays by transfer (R26)"
    with open_world(small_fixtures, sqlite_url(tmp_path)) as world:
        kill_then_rerun(world, KILLS[name])
        assert_no_double_transfer(world)
        assert_same_outcome(outcome(world), small_reference)


@pytest.mark.postgres
def test_a_run_killed_after_a_transfer_resumes_on_postgresql(
        postgres_schema_url: str, small_fixtures: Path, small_reference: Outcome) -> None:
    """The same on the production database (PARTNERSYNC_TEST_POSTGRES_URL)."""
    with open_world(small_fixtures, postgres_schema_url) as world:
        kill_then_rerun(world, KILLS["between-transfer-and-confirmation"])
        assert_no_double_transfer(world)
        assert_same_outcome(outcome(world), small_reference)
