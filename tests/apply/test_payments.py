"""R26 payments and finance's HubSpot moves, against both sandboxes."""

from __future__ import annotations

import pytest

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.decisions import PayoutStatus
from sync.errors import RetriableUpstreamError
from sync.payments.destinations import review_destinations, stripe_accounts
from sync.payments.transfers import (
    STRIPE_TRANSFER,
    PaymentRun,
    PaySummary,
    pay_approved,
    run_payments,
)
from sync.writeback.finance import read_back_finance
from sync.writeback.send import apply_outbox
from tests.apply.support import (
    ACTIVE_ACCOUNT,
    AMOUNT,
    CUSTOMERS,
    PAYOUT,
    World,
    partners,
)
from tests.engine.builders import at

NOW = at("2025-03-02T06:00:00")
P101, P102, P103 = PAYOUT["101"], PAYOUT["102"], PAYOUT["103"]
LINE_101 = f"vmcl_101_{CUSTOMERS['101']}_2025-02_recurring"
LINE_102 = f"vmcl_102_{CUSTOMERS['102']}_2025-02_recurring"


def synced(w: World) -> None:
    """A sync run wrote everything: HubSpot shows the payouts pending approval."""
    w.sync()
    assert apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS).failed == {}


def pay(w: World) -> PaySummary:
    """R32 first (the accounts of 101 and 103 are confirmed on first use), then R26."""
    review_destinations(w.ledger, stripe_accounts(w.stripe), partners().values(), w.finance,
                        False)
    return pay_approved(w.ledger, w.stripe, partners(), {}, NOW, props=PROPS)


def payment_job(w: World, run_id: int = 99) -> PaymentRun:
    return run_payments(w.ledger, w.hubspot, w.stripe, partners(), {}, PROPS, run_id, NOW,
                        controls=w.finance)


def hubspot_line_status(w: World, line_id: str) -> str:
    lines = w.records(PROPS.commission_line.object_name, PROPS.commission_line.line_id)
    return str(lines[line_id][PROPS.commission_line.status])


def test_r26_an_approved_payout_is_paid_by_exactly_one_transfer(w: World) -> None:
    synced(w)
    w.ledger.approve(P101, by="finance@example.com")

    run = payment_job(w)

    assert run.payments.paid == [P101] and run.payments.failed == {}
    [transfer] = w.transfers()
    assert (transfer["amount"], transfer["currency"], transfer["destination"]) == (
        AMOUNT, "eur", ACTIVE_ACCOUNT)
    assert transfer["transfer_group"] == P101
    assert transfer["description"] == "Partner commission Partner 101 2025-02"
    assert transfer["metadata"] == {"vmc_payout_id": P101, "vmc_partner_id": "101"}
    assert w.tap.keys == [f"{P101}-1"]
    payout = w.ledger.get_payout(P101)
    assert (payout.status, payout.method, payout.stripe_transfer_id, payout.attempts) == (
        PayoutStatus.PAID, "stripe_transfer", transfer["id"], 1)
    assert w.ledger.line_status(LINE_101) == "paid"
    entry = w.ledger.outbox_entry(f"{STRIPE_TRANSFER}:{P101}:1")
    assert entry is not None and (entry.status, entry.result) == (
        "sent", {"transfer_id": transfer["id"]})
    # HubSpot shows what moved, and only that
    # the payout and its line; the destinations of 101 and 103, confirmed on first use (R32)
    assert run.applied.failed == {} and run.enqueued == 4
    assert w.hubspot_status(P101) == "paid"
    payouts = w.records(PROPS.payout.object_name, PROPS.payout.payout_id)
    assert payouts[P101][PROPS.payout.stripe_transfer_id] == transfer["id"]
    assert hubspot_line_status(w, LINE_101) == "paid"
    assert w.ledger.get_payout(P102).status is PayoutStatus.PENDING_APPROVAL

    w.reset_calls()
    again = payment_job(w, run_id=100)
    assert again.payments.paid == [] and again.enqueued == 0
    assert (w.stripe_writes(), w.hubspot_writes()) == (0, 0)


@pytest.mark.parametrize("ttl_seconds", [86400.0, 0.0], ids=["key-kept", "key-expired"])
def test_r26_a_transfer_made_by_a_killed_run_is_adopted(w: World, ttl_seconds: float) -> None:
    synced(w)
    w.ledger.approve(P101, by="finance@example.com")
    # The killed run: attempt and intent committed, transfer made, never recorded.
    attempt = w.ledger.start_payment_attempt(P101)
    w.ledger.enqueue(f"{STRIPE_TRANSFER}:{P101}:{attempt}", STRIPE_TRANSFER, P101, {})
    made = w.stripe.create_transfer(
        amount=AMOUNT, destination=ACTIVE_ACCOUNT, transfer_group=P101, description="x",
        metadata={}, idempotency_key=f"{P101}-{attempt}")
    w.stripe_env.sandbox.idempotency_ttl_seconds = ttl_seconds

    summary = pay(w)

    assert summary.adopted == [P101] and summary.paid == [] and summary.warnings == []
    assert [t["id"] for t in w.transfers()] == [made["id"]]
    assert w.stripe_calls("transfers.create") == 1  # the killed run's only
    payout = w.ledger.get_payout(P101)
    assert (payout.status, payout.stripe_transfer_id, payout.attempts) == (
        PayoutStatus.PAID, made["id"], 1)
    assert w.ledger.pending(STRIPE_TRANSFER) == []
    assert pay(w).adopted == []  # paid now: not payable any more


def test_a_transfer_whose_answer_was_lost_is_found_by_the_retry(w: World) -> None:
    synced(w)
    w.ledger.approve(P101, by="finance@example.com")
    w.tap.dropping = True  # every transfer's answer is lost

    summary = pay(w)

    assert summary.paid == [P101] and len(w.transfers()) == 1
    assert w.tap.keys == [f"{P101}-1"]  # the retry looked for it instead of sending again
    assert w.ledger.get_payout(P101).stripe_transfer_id == w.transfers()[0]["id"]
    assert w.ledger.pending(STRIPE_TRANSFER) == []


def test_a_transfer_whose_answer_was_lost_is_adopted_next_run(w: World) -> None:
    synced(w)
    w.ledger.approve(P101, by="finance@example.com")
    w.tap.dropping = w.tap.cut_off = True  # the answer lost, then Stripe unreachable

    with pytest.raises(RetriableUpstreamError):
        pay(w)

    assert w.ledger.get_payout(P101).status is PayoutStatus.APPROVED
    assert [e.key for e in w.ledger.pending(STRIPE_TRANSFER)] == [f"{STRIPE_TRANSFER}:{P101}:1"]
    assert w.tap.keys == [f"{P101}-1"]  # sent once; the retries could not look for it
    assert len(w.transfers()) == 1

    w.tap.dropping = w.tap.cut_off = False
    summary = pay(w)

    assert summary.adopted == [P101] and len(w.transfers()) == 1
    assert w.ledger.get_payout(P101).stripe_transfer_id == w.transfers()[0]["id"]
    assert w.ledger.pending(STRIPE_TRANSFER) == []


def test_r26_insufficient_balance_fails_the_payout_then_a_later_run_pays_it_once(w: World) -> None:
    synced(w)
    w.ledger.approve(P101, by="finance@example.com")
    w.stripe_env.sandbox.set_balance(100)

    first = payment_job(w)

    reason = first.payments.failed[P101]
    assert "balance_insufficient" in reason and "insufficient available funds" in reason
    payout = w.ledger.get_payout(P101)
    assert (payout.status, payout.failure_reason) == (PayoutStatus.FAILED, reason)
    assert w.ledger.line_status(LINE_101) == "accrued" and w.transfers() == []
    entry = w.ledger.outbox_entry(f"{STRIPE_TRANSFER}:{P101}:1")
    assert entry is not None and entry.status == "failed"
    assert w.hubspot_status(P101) == "failed"
    assert hubspot_line_status(w, LINE_101) == "accrued"

    w.stripe_env.sandbox.set_balance(10_000_000)
    second = payment_job(w, run_id=100)

    assert second.payments.paid == [P101] and len(w.transfers()) == 1
    assert w.tap.keys == [f"{P101}-1", f"{P101}-2"]  # a new attempt, a new key
    payout = w.ledger.get_payout(P101)
    assert (payout.status, payout.attempts, payout.failure_reason) == (PayoutStatus.PAID, 2, None)
    assert w.hubspot_status(P101) == "paid"
    payouts = w.records(PROPS.payout.object_name, PROPS.payout.payout_id)
    assert payouts[P101][PROPS.payout.failure_reason] in ("", None)


def test_r26_a_partner_without_connect_account_is_paid_by_hand(w: World) -> None:
    synced(w)
    w.ledger.approve(P102, by="finance@example.com")

    first = payment_job(w)

    assert first.payments.manual == [P102] and w.transfers() == []
    payout = w.ledger.get_payout(P102)
    assert (payout.status, payout.method) == (PayoutStatus.MANUAL_PENDING, "manual")
    assert [row["payout_id"] for row in w.ledger.export_rows(PayoutStatus.MANUAL_PENDING)] == [
        P102]
    assert w.hubspot_status(P102) == "manual_pending"

    w.finance_sets(P102, "paid")  # finance paid by bank transfer and says so in HubSpot
    second = payment_job(w, run_id=100)

    assert second.finance.applied == [P102]
    payout = w.ledger.get_payout(P102)
    assert (payout.status, payout.method, payout.paid_by) == (
        PayoutStatus.PAID, "manual", "HubSpot user 7")  # R33: an approver
    assert w.ledger.line_status(LINE_102) == "paid"
    assert w.hubspot_status(P102) == "paid"
    assert hubspot_line_status(w, LINE_102) == "paid"
    assert w.stripe_calls("transfers.create") == 0


def test_an_account_that_cannot_receive_transfers_fails_without_a_transfer(w: World) -> None:
    synced(w)
    w.ledger.approve(P103, by="finance@example.com")

    summary = pay(w)

    assert "transfers capability is inactive" in summary.failed[P103]
    payout = w.ledger.get_payout(P103)
    # refused before Stripe was asked: an attempt all the same, as finance counts them
    assert (payout.status, payout.attempts) == (PayoutStatus.FAILED, 1)
    assert w.stripe_calls("transfers.create") == 0 and w.ledger.pending() == []


def test_r25_finance_approval_in_hubspot_is_read_back_then_paid(w: World) -> None:
    synced(w)
    w.finance_sets(P101, "approved")

    run = payment_job(w)

    assert run.finance.applied == [P101] and run.payments.paid == [P101]
    payout = w.ledger.get_payout(P101)
    assert (payout.status, payout.approved_by) == (PayoutStatus.PAID, "HubSpot user 7")
    assert w.hubspot_status(P101) == "paid" and len(w.transfers()) == 1


def test_the_worker_never_writes_over_finance_approval(w: World) -> None:
    w.sync()
    # A run killed after writing HubSpot and before confirming: the entries are pending.
    records = [(e.target, dict(e.payload["payload"])) for e in w.ledger.pending("hubspot.payout")]
    w.hubspot.upsert_records(PROPS.payout.object_name, PROPS.payout.payout_id, records)
    w.finance_sets(P101, "approved")

    summary = apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS, finance=w.finance)

    assert summary.held == [P101] and summary.finance_applied == [P101]
    assert w.hubspot_status(P101) == "approved"  # not pending_approval again
    assert w.ledger.get_payout(P101).status is PayoutStatus.APPROVED  # ledger first
    assert [e.target for e in w.ledger.pending("hubspot.payout")] == [P101]

    run = payment_job(w)  # the ledger's new state replaces the held write

    assert run.payments.paid == [P101] and w.hubspot_status(P101) == "paid"
    assert w.ledger.pending() == []


def test_a_paid_mark_on_a_stripe_payout_is_reported_not_applied(w: World) -> None:
    synced(w)
    w.finance_sets(P101, "paid")

    readback = read_back_finance(w.ledger, w.hubspot.payouts(), PROPS, w.finance)

    assert readback.applied == [] and "pending_approval" in readback.refused[P101]
    assert w.ledger.get_payout(P101).status is PayoutStatus.PENDING_APPROVAL
    assert pay(w).paid == []


def test_a_transfer_found_for_a_partner_now_without_account_is_adopted_not_paid_by_hand(
        w: World) -> None:
    synced(w)
    w.ledger.approve(P102, by="finance@example.com")
    made = w.stripe.create_transfer(  # made while partner 102 still had an account
        amount=AMOUNT, destination=ACTIVE_ACCOUNT, transfer_group=P102, description="x",
        metadata={}, idempotency_key=f"{P102}-1")

    summary = pay(w)

    assert (summary.adopted, summary.manual) == ([P102], [])
    assert summary.warnings and "check it in Stripe" in summary.warnings[0]
    assert w.ledger.get_payout(P102).stripe_transfer_id == made["id"]
    assert len(w.transfers()) == 1
