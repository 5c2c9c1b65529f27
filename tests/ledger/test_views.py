"""The ledger a plan compares with (``Ledger.view``): now, or as it stood at an earlier
``as_of`` (docs/rules.md, Replaying the past), read from dated rows on SQLite and
PostgreSQL.

The scenario (tests/ledger/scenario.py) as two runs with finance between and after:
run 1 as of 2025-03-01 creates February's lines (cus_a 250.00 and cus_d 250.00 paid
out at once, cus_b 100.00 and cus_c 50.00 waiting for partner 8's minimum); an hour
later alice approves vmcpo_7_2025-02 and bob holds vmcpo_9_2025-02; a day later run 2
as of 2025-04-01 halves cus_b's line, voids cus_c's and makes vmcpo_8_2025-03; then
vmcpo_7_2025-02 is paid and bob releases his hold. Expected values are written by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from sync.domain.decisions import Decisions, LedgerState, PayoutStatus
from sync.domain.months import parse_month_label
from sync.ledger import Ledger, PayoutRecord
from sync.ledger.views import payout_at
from sync.ledger.written import plan_write
from sync.writeback.intents import STRIPE_CUSTOMER, Intent
from sync.writeback.send import enqueue_intents
from tests.engine.builders import at
from tests.ledger.conftest import Clock
from tests.ledger.scenario import (
    LINE_A_FEB,
    LINE_B_FEB,
    LINE_C_FEB,
    MONTH1_AS_OF,
    MONTH2_AS_OF,
    PAYOUT_7,
    PAYOUT_8,
    month1,
    month2,
)

PAYOUT_9 = "vmcpo_9_2025-02"
LINE_D_FEB = "vmcl_9_cus_d_2025-02_recurring"
LINE_D_ADJ = "vmcl_9_cus_d_2025-02_adjustment_2025-03"
DEAL = ("hubspot.deal", "1")


def _record(ledger: Ledger, as_of: str, decide_with: Callable[[LedgerState], Decisions],
            content_hash: str) -> int:
    run_id = ledger.start_run("sync", at(as_of))
    ledger.record_decisions(run_id, decide_with(ledger.load_state()))
    plan_write(ledger, *DEAL, content_hash, {}, run_id)
    ledger.finish_run(run_id, "succeeded", {})
    return run_id


def two_runs_and_finance(ledger: Ledger, clock: Clock) -> tuple[int, int]:
    first = _record(ledger, MONTH1_AS_OF, month1, "h1")
    clock.advance(hours=1)
    ledger.approve(PAYOUT_7, "alice")
    ledger.hold_payout(PAYOUT_9, "check the invoice", "bob")
    clock.advance(days=1)
    second = _record(ledger, MONTH2_AS_OF, month2, "h2")
    clock.advance(hours=1)
    ledger.start_payment_attempt(PAYOUT_7)
    ledger.record_transfer(PAYOUT_7, "tr_7")
    ledger.release_payout(PAYOUT_9, "bob")
    return first, second


def test_between_two_runs_the_ledger_is_as_the_first_left_it(ledger: Ledger,
                                                              clock: Clock) -> None:
    first, second = two_runs_and_finance(ledger, clock)
    view = ledger.view(at("2025-03-15"))
    assert view.replay is not None
    assert (view.replay.before and view.replay.before.id, view.replay.cut.id,
            view.replay.latest.id) == (first, second, second)
    lines = {line.id: (line.amount, line.payout_id) for line in view.state.lines}
    assert lines == {LINE_A_FEB: (25000, PAYOUT_7), LINE_B_FEB: (10000, None),
                     LINE_C_FEB: (5000, None), LINE_D_FEB: (25000, PAYOUT_9)}
    payouts = {p.id: (p.status, p.amount, p.approved_by, p.stripe_transfer_id, p.hold_reason)
               for p in view.payouts}
    assert payouts == {
        PAYOUT_7: (PayoutStatus.APPROVED, 25000, "alice", None, None),  # paid after the cut
        PAYOUT_9: (PayoutStatus.ON_HOLD, 25000, None, None,
                   "held by bob: check the invoice (R35)"),  # released after the cut
    }
    assert [p.id for p in view.state.payouts] == [PAYOUT_7, PAYOUT_9]
    assert [f.customer_id for f in view.state.frozen_attributions] == ["cus_a", "cus_d"]
    assert dict(view.written) == {DEAL: "h1"}


def test_at_or_after_the_latest_sync_the_ledger_is_as_it_stands(ledger: Ledger,
                                                                clock: Clock) -> None:
    two_runs_and_finance(ledger, clock)
    for instant in (MONTH2_AS_OF, "2025-05-01"):
        view = ledger.view(at(instant))
        assert view.replay is None
        lines = {line.id: (line.amount, line.payout_id) for line in view.state.lines}
        assert lines[LINE_B_FEB] == (5000, PAYOUT_8) and LINE_C_FEB not in lines
        assert lines[LINE_D_ADJ] == (20000, None)  # R17: payable from April
        statuses = {p.id: p.status for p in view.payouts}
        assert statuses[PAYOUT_7] is PayoutStatus.PAID
        assert statuses[PAYOUT_9] is PayoutStatus.PENDING_APPROVAL
        assert dict(view.written) == {DEAL: "h2"}


def test_before_the_first_run_the_ledger_was_empty(ledger: Ledger, clock: Clock) -> None:
    first, _ = two_runs_and_finance(ledger, clock)
    view = ledger.view(at("2025-02-15"))
    assert view.replay is not None
    assert (view.replay.before, view.replay.cut.id) == (None, first)
    assert (view.state.lines, view.payouts, view.state.frozen_attributions) == ((), (), ())
    assert dict(view.written) == {}


def test_the_latest_sync_counts_once_recorded_even_if_it_failed(ledger: Ledger,
                                                               clock: Clock) -> None:
    assert ledger.latest_sync() is None
    run_id = ledger.start_run("sync", at(MONTH1_AS_OF))
    ledger.record_decisions(run_id, month1())
    ledger.finish_run(run_id, "failed", {}, "paying stopped")
    clock.advance(hours=1)
    ledger.finish_run(ledger.start_run("pay", clock()), "succeeded", {})
    latest = ledger.latest_sync()
    assert latest is not None and (latest.id, latest.as_of) == (run_id, at(MONTH1_AS_OF))


def _payout(**fields: object) -> PayoutRecord:
    record = PayoutRecord("vmcpo_1_2025-02", "1", parse_month_label("2025-02"), 90000,
                          ("vmcl_a",), PayoutStatus.PAID)
    return replace(record, **fields)  # type: ignore[arg-type]


CUT = datetime(2025, 3, 10, tzinfo=UTC)
BEFORE, AFTER = datetime(2025, 3, 5, tzinfo=UTC), datetime(2025, 3, 20, tzinfo=UTC)


def test_a_payout_changed_since_shows_its_dated_step_before_the_cut() -> None:
    auto_paid_later = _payout(method="stripe_transfer", stripe_transfer_id="tr_1",
                              paid_at=AFTER, paid_by="worker")
    assert (payout_at(auto_paid_later, CUT, None).status,
            payout_at(auto_paid_later, CUT, None).stripe_transfer_id) == (
        PayoutStatus.APPROVED, None)  # R25: auto-approved at creation
    paid_before = _payout(paid_at=BEFORE, approved_by="alice", approved_at=BEFORE)
    assert payout_at(paid_before, CUT, None).status is PayoutStatus.PAID
    two_approvals = _payout(status=PayoutStatus.APPROVED, approved_by="alice",
                            approved_at=BEFORE, second_approved_by="bob",
                            second_approved_at=AFTER)
    first_only = payout_at(two_approvals, CUT, None)
    assert (first_only.status, first_only.approved_by, first_only.second_approved_by) == (
        PayoutStatus.PENDING_SECOND_APPROVAL, "alice", None)  # R33
    approved_later = _payout(status=PayoutStatus.FAILED, approved_by="alice",
                             approved_at=AFTER, failure_reason="account closed")
    waiting = payout_at(approved_later, CUT, None)
    assert (waiting.status, waiting.approved_by, waiting.failure_reason) == (
        PayoutStatus.PENDING_APPROVAL, None, None)
    held = payout_at(approved_later, CUT, "destination_changed (R32)")
    assert (held.status, held.held_from, held.hold_reason) == (
        PayoutStatus.ON_HOLD, PayoutStatus.PENDING_APPROVAL, "destination_changed (R32)")


def test_metadata_a_replay_sees_is_what_the_runs_before_it_had_set(ledger: Ledger,
                                                                  clock: Clock) -> None:
    """Stripe metadata intents carry only the keys that changed: merged in run order."""
    def intend(as_of: str, *writes: tuple[str, dict[str, str]]) -> int:
        run_id = ledger.start_run("sync", at(as_of))
        enqueue_intents(ledger, [Intent(STRIPE_CUSTOMER, customer, payload)
                                 for customer, payload in writes], run_id)
        ledger.finish_run(run_id, "succeeded", {})
        clock.advance(hours=1)
        return run_id

    intend(MONTH1_AS_OF, ("cus_a", {"vmc_partner_id": "7", "vmc_source": "link"}))
    intend("2025-03-15", ("cus_a", {"vmc_source": "registration"}))
    last = intend(MONTH2_AS_OF, ("cus_a", {"vmc_partner_id": ""}),
                  ("cus_b", {"vmc_partner_id": "8"}))
    cut = ledger.last_run()
    assert cut is not None and cut.id == last
    assert ledger.merged_intents(STRIPE_CUSTOMER, cut) == {
        "cus_a": {"vmc_partner_id": "7", "vmc_source": "registration"}}
