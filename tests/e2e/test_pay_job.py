"""The payment job (every 15 minutes): finance approves, the job pays once, and HubSpot
shows it everywhere it is totalled (R25, R26, the fields of docs/configuration.md)."""

from pathlib import Path

from jobs.pay import run_pay
from sync.domain.decisions import PayoutStatus
from sync.domain.money import eur
from tests.e2e.support import open_world, sqlite_url, utc


def test_r26_the_pay_job_pays_an_approved_payout_once_and_updates_every_total(
        small_fixtures: Path, tmp_path: Path) -> None:
    with open_world(small_fixtures, sqlite_url(tmp_path)) as world:
        world.run(utc("2026-11-01"))
        ledger = world.ledger()
        pending = ledger.list_payouts(PayoutStatus.PENDING_APPROVAL)
        assert pending, "the small portal has payouts waiting for finance"
        payout = max(pending, key=lambda p: p.amount)
        ledger.approve(payout.id, by="finance")
        transfers_before = len(world.transfers())

        summary = run_pay(world.services())

        assert summary.outcome == "succeeded" and summary.transfers == 1
        assert ledger.get_payout(payout.id).status is PayoutStatus.PAID
        made = [t for t in world.transfers() if t["transfer_group"] == payout.id]
        assert len(made) == 1 and len(world.transfers()) == transfers_before + 1
        assert made[0]["amount"] == payout.amount
        assert world.payout_records()[payout.id]["vmc_status"] == "paid"
        paid_total = sum(p.amount for p in ledger.list_payouts(PayoutStatus.PAID)
                         if p.partner_id == payout.partner_id)
        company = world.companies()[payout.partner_id]
        assert company["vmc_commission_paid_total"] == eur(paid_total)

        world.reset_calls()
        again = run_pay(world.services())
        assert again.transfers == 0 and world.stripe_posts() == 0
        assert world.hubspot_writes() == {}
