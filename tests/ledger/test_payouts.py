"""Payout transitions: one owner each (docs/rules.md, R25, R33), attempts (R26), export."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from sync.domain.decisions import PayoutStatus
from sync.ledger import (
    EXPORT_COLUMNS,
    DoublePaymentError,
    IllegalTransitionError,
    Ledger,
    LedgerError,
    UnknownRecordError,
)
from sync.ledger.records import PayoutRecord
from sync.ledger.transitions import export_row
from tests.engine.builders import at
from tests.ledger.scenario import LINE_A_FEB, LINE_B_FEB, MONTH1_AS_OF, PAYOUT_7, month1

S = PayoutStatus


@pytest.fixture
def payout(ledger: Ledger) -> str:
    """vmcpo_7_2025-02 (250.00, one line), pending approval."""
    run_id = ledger.start_run("sync", at(MONTH1_AS_OF))
    ledger.record_decisions(run_id, month1(ledger.load_state()))
    return PAYOUT_7


def test_finance_approves_then_the_worker_pays_by_transfer(ledger: Ledger, payout: str) -> None:
    approved = ledger.approve(payout, by="ana@finance")
    assert (approved.status, approved.approved_by) == (S.APPROVED, "ana@finance")
    assert ledger.start_payment_attempt(payout) == 1
    paid = ledger.record_transfer(payout, "tr_123")
    assert (paid.status, paid.method, paid.stripe_transfer_id) == (S.PAID, "stripe_transfer", "tr_123")
    assert paid.paid_at is not None
    assert ledger.line_status(LINE_A_FEB) == "paid"
    assert ledger.line_status(LINE_B_FEB) == "accrued"  # not in this payout
    assert ledger.load_state().payouts[0].status is S.PAID


def test_failed_attempts_are_numbered_and_retried(ledger: Ledger, payout: str) -> None:
    ledger.approve(payout, by="ana@finance")
    assert ledger.start_payment_attempt(payout) == 1
    failed = ledger.record_failure(payout, "insufficient_funds: balance too low")
    assert (failed.status, failed.failure_reason) == (S.FAILED, "insufficient_funds: balance too low")
    assert ledger.start_payment_attempt(payout) == 2
    ledger.record_failure(payout, "still low")
    assert ledger.start_payment_attempt(payout) == 3
    paid = ledger.record_transfer(payout, "tr_3")
    assert (paid.status, paid.attempts, paid.failure_reason) == (S.PAID, 3, None)


def test_no_attempt_on_a_payout_not_approved_or_failed(ledger: Ledger, payout: str) -> None:
    with pytest.raises(IllegalTransitionError, match="pending_approval"):
        ledger.start_payment_attempt(payout)
    ledger.approve(payout, by="ana@finance")
    ledger.start_payment_attempt(payout)
    ledger.record_transfer(payout, "tr_1")
    with pytest.raises(IllegalTransitionError):
        ledger.start_payment_attempt(payout)
    assert ledger.get_payout(payout).attempts == 1


def test_a_transfer_needs_a_started_attempt(ledger: Ledger, payout: str) -> None:
    ledger.approve(payout, by="ana@finance")
    with pytest.raises(IllegalTransitionError, match="no payment attempt"):
        ledger.record_transfer(payout, "tr_1")


def test_a_payout_is_paid_at_most_once(ledger: Ledger, payout: str) -> None:
    ledger.approve(payout, by="ana@finance")
    ledger.start_payment_attempt(payout)
    ledger.record_transfer(payout, "tr_1")
    assert ledger.record_transfer(payout, "tr_1").stripe_transfer_id == "tr_1"  # idempotent
    with pytest.raises(DoublePaymentError):
        ledger.record_transfer(payout, "tr_2")
    with pytest.raises(IllegalTransitionError):
        ledger.record_failure(payout, "late failure")


def test_manual_payment_by_finance(ledger: Ledger, payout: str) -> None:
    ledger.approve(payout, by="ana@finance")
    pending = ledger.mark_manual_pending(payout)
    assert (pending.status, pending.method) == (S.MANUAL_PENDING, "manual")
    with pytest.raises(IllegalTransitionError):
        ledger.start_payment_attempt(payout)
    paid = ledger.mark_paid(payout, by="bob@finance", reference="SEPA-42")
    assert (paid.status, paid.method, paid.paid_by, paid.payment_reference) == (
        S.PAID, "manual", "bob@finance", "SEPA-42")
    assert ledger.line_status(LINE_A_FEB) == "paid"
    with pytest.raises(DoublePaymentError):
        ledger.record_transfer(payout, "tr_1")


@pytest.mark.parametrize(("steps", "illegal"), [
    ([], "mark_paid"),  # pending_approval -> paid: not a transition
    ([], "record_failure"),  # the worker cannot touch a payout awaiting approval
    ([], "mark_manual_pending"),
    (["approve"], "approve"),  # approved twice
    (["approve"], "mark_paid"),  # finance marks paid only manual_pending payouts
    (["approve", "mark_manual_pending"], "record_failure"),  # manual_pending is finance's
    (["approve", "mark_manual_pending"], "approve"),
])
def test_illegal_transitions_are_refused(ledger: Ledger, payout: str, steps: list[str],
                                         illegal: str) -> None:
    calls = {
        "approve": lambda: ledger.approve(payout, by="ana@finance"),
        "mark_paid": lambda: ledger.mark_paid(payout, by="ana@finance"),
        "record_failure": lambda: ledger.record_failure(payout, "nope"),
        "mark_manual_pending": lambda: ledger.mark_manual_pending(payout),
    }
    for step in steps:
        calls[step]()
    before = ledger.get_payout(payout)
    with pytest.raises(IllegalTransitionError, match=payout):
        calls[illegal]()
    assert ledger.get_payout(payout) == before


def test_the_error_names_the_owner(ledger: Ledger, payout: str) -> None:
    ledger.approve(payout, by="ana@finance")
    # approved -> paid exists, but it is the worker's (by a transfer), not finance's
    with pytest.raises(IllegalTransitionError, match="made by worker, not by finance"):
        ledger.mark_paid(payout, by="ana@finance")


def test_unknown_payout_and_empty_actor(ledger: Ledger, payout: str) -> None:
    with pytest.raises(UnknownRecordError):
        ledger.approve("vmcpo_nobody_2025-01", by="ana@finance")
    with pytest.raises(LedgerError):
        ledger.approve(payout, by="  ")
    assert ledger.get_payout(payout).status is S.PENDING_APPROVAL


def test_failure_reasons_are_scrubbed_of_secrets(ledger: Ledger, payout: str) -> None:
    ledger.approve(payout, by="ana@finance")
    ledger.start_payment_attempt(payout)
    failed = ledger.record_failure(payout, "401 with key sk_live_abcDEF123 and Bearer pat-na1-xyz")
    assert failed.failure_reason is not None
    assert "sk_live" not in failed.failure_reason and "pat-na1" not in failed.failure_reason


def test_list_filters_and_export(ledger: Ledger, payout: str) -> None:
    pending = [p.id for p in ledger.list_payouts(status=S.PENDING_APPROVAL)]
    assert pending == [payout, "vmcpo_9_2025-02"]
    assert ledger.list_payouts(status=S.APPROVED) == []
    assert [p.id for p in ledger.list_payouts(partner_id="7")] == [payout]
    assert ledger.list_payouts(partner_id="8") == []
    ledger.approve(payout, by="ana@finance")
    ledger.mark_manual_pending(payout)
    rows = ledger.export_rows(S.MANUAL_PENDING)
    assert len(rows) == 1 and tuple(rows[0]) == EXPORT_COLUMNS
    assert {key: rows[0][key] for key in ("payout_id", "period", "amount", "currency", "status",
                                          "method", "line_count", "approved_by")} == {
        "payout_id": payout, "period": "2025-M02", "amount": "250.00", "currency": "EUR",
        "status": "manual_pending", "method": "manual", "line_count": "1",
        "approved_by": "ana@finance"}
    assert rows[0]["approved_at"] == "2025-03-01T06:00:00Z"  # the test's clock


@pytest.mark.parametrize(("status", "held_from", "shown"), [
    (S.PAID, None, "auto (R25)"), (S.FAILED, None, "auto (R25)"),
    (S.ON_HOLD, S.APPROVED, "auto (R25)"), (S.ON_HOLD, S.PENDING_APPROVAL, ""),
    (S.PENDING_APPROVAL, None, ""),
])
def test_export_names_auto_approval_of_payouts_recorded_without_an_approver(
        status: PayoutStatus, held_from: PayoutStatus | None, shown: str) -> None:
    """Ledgers written before R25's approver was recorded: past approval, no approver."""
    record = PayoutRecord("vmcpo_7_2025-02", "7", 2025 * 12 + 1, 25000, ("l1",), status,
                          held_from=held_from)
    assert export_row(record)["approved_by"] == shown


def test_concurrent_attempts_get_distinct_numbers(open_ledger: Callable[[], Ledger],
                                                  ledger: Ledger, payout: str) -> None:
    ledger.approve(payout, by="ana@finance")
    workers = [open_ledger(), open_ledger()]
    with ThreadPoolExecutor(max_workers=2) as pool:
        numbers = list(pool.map(lambda index: workers[index % 2].start_payment_attempt(payout),
                                range(10)))
    assert sorted(numbers) == list(range(1, 11))


def _approve_then_crash(ledger: Ledger, payout: str) -> None:
    with ledger.transaction():
        ledger.approve(payout, by="ana@finance")
        raise RuntimeError("crash before commit")


def test_a_transition_in_a_failed_transaction_is_undone(ledger: Ledger, payout: str) -> None:
    with pytest.raises(RuntimeError):
        _approve_then_crash(ledger, payout)
    assert ledger.get_payout(payout).status is S.PENDING_APPROVAL
