"""Platform balance insufficient (R26): each approved payout becomes ``failed`` with
Stripe's reason, in the ledger and on HubSpot's payout record; nothing is marked paid
and no money moves. Once funds are there, the next run pays each exactly once, under
the second attempt's idempotency key (``<payout id>-2``), and ends as a run that never
lacked funds.
"""

from __future__ import annotations

from pathlib import Path

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.decisions import PayoutStatus
from sync.payments.transfers import STRIPE_TRANSFER
from tests.e2e.support import ledger_lines, outcome
from tests.faults.support import (
    AMPLE,
    AS_OF,
    Reference,
    differences,
    duplicate_transfers,
    run_worker,
    serve_world,
    sqlite_file_url,
)


def test_insufficient_balance_fails_payouts_with_stripes_reason_then_pays_once(
        fault_fixtures: Path, reference: Reference, tmp_path: Path) -> None:
    paid_in_reference = {pid for pid, (_, status, _) in reference.outcome.payouts.items()
                         if status == "paid"}
    with serve_world(fault_fixtures, sqlite_file_url(tmp_path)) as world:
        world.stripe.set_balance(0)
        short = run_worker(world, AS_OF)
        assert short.returncode == 0, short.describe()  # a failed payout is not a failed run

        ledger = world.ledger()
        payouts = {payout.id: payout for payout in ledger.list_payouts()}
        failed = {pid for pid, payout in payouts.items() if payout.status is PayoutStatus.FAILED}
        assert failed == paid_in_reference
        assert world.transfers() == []
        assert not any(p.status is PayoutStatus.PAID for p in payouts.values())
        assert not any(status == "paid" for _, _, status in ledger_lines(ledger).values())
        records = world.payout_records()
        for pid in failed:
            assert "balance_insufficient" in (payouts[pid].failure_reason or "")
            assert records[pid][PROPS.payout.status] == "failed"
            assert "balance_insufficient" in records[pid][PROPS.payout.failure_reason]
            assert not records[pid].get(PROPS.payout.stripe_transfer_id)
        assert short.summary()["payment_failures"] == len(failed)

        world.stripe.set_balance(AMPLE)
        funded = run_worker(world, AS_OF)
        assert funded.returncode == 0, funded.describe()
        assert duplicate_transfers(world) == {}
        assert sorted(str(t["transfer_group"]) for t in world.transfers()) == sorted(failed)
        ledger = world.ledger()
        for pid in failed:
            assert ledger.get_payout(pid).attempts == 2
            entry = ledger.outbox_entry(f"{STRIPE_TRANSFER}:{pid}:2")
            assert entry is not None and entry.status == "sent"
            assert entry.payload["idempotency_key"] == f"{pid}-2"
        assert differences(outcome(world), reference.outcome) == []
