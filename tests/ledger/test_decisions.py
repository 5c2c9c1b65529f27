"""record_decisions / load_state with real engine decisions (R16, R17, R10a, R22-R24)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sync.domain.decisions import Decisions, PayoutStatus
from sync.ledger import (
    FrozenAttributionError,
    FrozenLineError,
    Ledger,
    PayoutConflictError,
    RunStateError,
    StaleDecisionsError,
    transitions,
)
from sync.ledger.models import PayoutRow
from tests.engine.builders import at
from tests.ledger.conftest import Clock
from tests.ledger.scenario import (
    LINE_A_FEB,
    LINE_B_FEB,
    LINE_C_FEB,
    LINE_D_ADJ,
    MONTH1_AS_OF,
    MONTH2_AS_OF,
    PAYOUT_7,
    PAYOUT_8,
    month1,
    month2,
)


def record(ledger: Ledger, decisions: Decisions, as_of: str) -> int:
    run_id = ledger.start_run("sync", at(as_of))
    ledger.record_decisions(run_id, decisions)
    ledger.finish_run(run_id, "succeeded", {"lines": len(decisions.ledger.lines)})
    return run_id


def fold_two_months(ledger: Ledger) -> tuple[Decisions, Decisions]:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    second = month2(ledger.load_state())
    record(ledger, second, MONTH2_AS_OF)
    return first, second


def test_empty_ledger_loads_an_empty_state(ledger: Ledger) -> None:
    state = ledger.load_state()
    assert (state.lines, state.payouts, state.frozen_attributions) == ((), (), ())


def test_month_by_month_fold_round_trips_the_engine_ledger(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    assert ledger.load_state() == first.ledger
    second = month2(ledger.load_state())
    record(ledger, second, MONTH2_AS_OF)
    assert ledger.load_state() == second.ledger
    assert second.ledger == month2(first.ledger).ledger  # the same fold without the ledger


def test_round_trip_keeps_exact_values(ledger: Ledger) -> None:
    _, second = fold_two_months(ledger)
    loaded = {line.id: line for line in ledger.load_state().lines}
    adjustment = loaded[LINE_D_ADJ]
    assert adjustment == next(line for line in second.ledger.lines if line.id == LINE_D_ADJ)
    assert (str(adjustment.rate), adjustment.found_month, adjustment.amount) == ("0.30", 24302, 20000)
    frozen = ledger.load_state().frozen_attributions[0]
    assert frozen.converted_at == at("2025-02-01T09:00:00")
    assert frozen.converted_at.utcoffset() is not None


def test_replacement_void_and_assignment_history(ledger: Ledger) -> None:
    fold_two_months(ledger)
    history = ledger.line_history(LINE_B_FEB)
    assert [(v.version, v.action, v.amount, v.payout_id, v.run_id) for v in history] == [
        (1, "created", 10000, None, 1),
        (2, "replaced", 5000, None, 2),
        (3, "assigned", 5000, PAYOUT_8, 2),
    ]
    assert history[0].explanation != history[1].explanation
    voided = ledger.line_history(LINE_C_FEB)
    assert [(v.action, v.amount) for v in voided] == [("created", 5000), ("voided", 5000)]
    assert ledger.line_status(LINE_C_FEB) == "void"
    assert LINE_C_FEB not in {line.id for line in ledger.load_state().lines}


def test_line_created_and_assigned_in_one_run(ledger: Ledger) -> None:
    fold_two_months(ledger)
    assert [(v.action, v.payout_id) for v in ledger.line_history(LINE_A_FEB)] == [
        ("created", None), ("assigned", PAYOUT_7)]


def test_new_payouts_keep_the_engine_status_and_lines(ledger: Ledger) -> None:
    _, second = fold_two_months(ledger)
    stored = {record.id: record for record in ledger.list_payouts()}
    for payout in second.ledger.payouts:
        assert stored[payout.id].to_payout() == payout
        assert stored[payout.id].status is PayoutStatus.PENDING_APPROVAL
    assert stored[PAYOUT_8].created_run == 2


def test_recorded_lines_versions_and_payouts_carry_the_run_and_the_ledger_instant(
        ledger: Ledger, clock: Clock) -> None:
    # They are inserted in bulk with the run and the instant bound once for all rows.
    fold_two_months(ledger)
    line = ledger.line_history(LINE_A_FEB)  # first seen in a payout: created, assigned
    assert [(v.action, v.run_id, v.at) for v in line] == [
        ("created", 1, clock()), ("assigned", 1, clock())]
    payout = next(p for p in ledger.list_payouts() if p.id == PAYOUT_8)
    assert (payout.created_run, payout.attempts) == (2, 0)
    with ledger.transaction() as session:
        row = session.get(PayoutRow, PAYOUT_8)
        assert row is not None and (row.created_at, row.updated_at) == (clock(), clock())


def test_payouts_are_listed_with_their_lines_however_many_there_are(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    fold_two_months(ledger)
    whole = ledger.list_payouts()
    assert len(whole) == 4 and all(record.line_ids for record in whole)
    assert next(p for p in whole if p.id == PAYOUT_8).line_ids == (
        LINE_B_FEB, "vmcl_8_cus_b_2025-03_recurring")
    monkeypatch.setattr(transitions, "LINK_CHUNK", 1)  # every payout's lines read apart
    assert ledger.list_payouts() == whole


def test_load_state_shows_current_payout_status(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    ledger.approve(PAYOUT_7, by="finance@example.com")
    state = ledger.load_state()
    assert state.payouts[0].status is PayoutStatus.APPROVED
    second = month2(state)  # the engine carries the approved status along
    record(ledger, second, MONTH2_AS_OF)
    assert ledger.get_payout(PAYOUT_7).status is PayoutStatus.APPROVED


def test_findings_of_the_latest_run(ledger: Ledger) -> None:
    first_run = record(ledger, month1(ledger.load_state()), MONTH1_AS_OF)
    assert ledger.findings(kind="unrecovered") == []
    second = month2(ledger.load_state())
    second_run = record(ledger, second, MONTH2_AS_OF)
    lost = ledger.findings(kind="unrecovered")
    assert [(f.run_id, f.subject, f.rule, f.data["recomputed_amount"]) for f in lost] == [
        (second_run, "cus_a", "R17", 12500)]
    assert "125.00 not recovered" in lost[0].message
    quarantined = ledger.findings(kind="quarantined", subject="in_bad")
    assert quarantined[0].data["value"] == "xyz"
    assert {f.subject for f in ledger.findings(first_run, kind="review")} == {"7", "8", "9"}


def test_recording_twice_for_one_run_is_refused(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    run_id = ledger.start_run("sync", at(MONTH1_AS_OF))
    ledger.record_decisions(run_id, first)
    with pytest.raises(RunStateError):
        ledger.record_decisions(run_id, first)


def test_same_decisions_again_in_a_new_run_change_nothing(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    record(ledger, first, MONTH1_AS_OF)
    assert ledger.load_state() == first.ledger
    assert len(ledger.line_history(LINE_B_FEB)) == 1


def test_a_dry_run_records_nothing(ledger: Ledger) -> None:
    run_id = ledger.start_run("sync", at(MONTH1_AS_OF), dry_run=True)
    with pytest.raises(RunStateError):
        ledger.record_decisions(run_id, month1())
    assert ledger.load_state().lines == ()


def test_decisions_from_a_stale_state_are_refused(ledger: Ledger) -> None:
    # Two deciders read the empty ledger; the first records; the second decided
    # "created" for a line that now exists with another amount.
    state = ledger.load_state()
    first = month1(state)
    late = month1(state, cus_b_feb=44000)
    record(ledger, first, MONTH1_AS_OF)
    with pytest.raises(StaleDecisionsError, match=LINE_B_FEB):
        ledger.record_decisions(ledger.start_run("sync", at(MONTH1_AS_OF)), late)
    assert ledger.load_state() == first.ledger  # nothing written


def test_decisions_that_lack_a_stored_line_are_refused(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    lines = tuple(line for line in first.ledger.lines if line.id != LINE_C_FEB)
    unannounced = replace(first, ledger=replace(first.ledger, lines=lines))
    with pytest.raises(StaleDecisionsError, match=LINE_C_FEB):
        ledger.record_decisions(ledger.start_run("sync", at(MONTH1_AS_OF)), unannounced)
    assert ledger.line_status(LINE_C_FEB) == "accrued"


def test_a_voided_line_can_come_back_under_its_identity(ledger: Ledger) -> None:
    fold_two_months(ledger)
    third = month1(ledger.load_state())  # cus_c's February invoice is no longer credited
    assert [c.action for c in third.changes if c.line.id == LINE_C_FEB] == ["created"]
    record(ledger, third, MONTH1_AS_OF)
    assert ledger.load_state() == third.ledger
    assert [v.action for v in ledger.line_history(LINE_C_FEB)] == ["created", "voided", "created"]
    assert ledger.line_status(LINE_C_FEB) == "accrued"


def test_changing_a_frozen_line_is_refused(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    second = month2(ledger.load_state())
    lines = tuple(replace(line, amount=1) if line.id == LINE_A_FEB else line
                  for line in second.ledger.lines)
    tampered = replace(second, ledger=replace(second.ledger, lines=lines))
    run_id = ledger.start_run("sync", at(MONTH2_AS_OF))
    with pytest.raises(FrozenLineError, match=LINE_A_FEB):
        ledger.record_decisions(run_id, tampered)
    assert ledger.load_state() == first.ledger


def test_dropping_a_frozen_line_is_refused(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    lines = tuple(line for line in first.ledger.lines if line.id != LINE_A_FEB)
    tampered = replace(first, ledger=replace(first.ledger, lines=lines))
    with pytest.raises(FrozenLineError):
        ledger.record_decisions(ledger.start_run("sync", at(MONTH1_AS_OF)), tampered)


def test_a_payout_never_changes(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    payouts = tuple(replace(p, amount=p.amount + 1) for p in first.ledger.payouts)
    tampered = replace(first, ledger=replace(first.ledger, payouts=payouts))
    with pytest.raises(PayoutConflictError):
        ledger.record_decisions(ledger.start_run("sync", at(MONTH1_AS_OF)), tampered)


def test_a_stored_payout_that_differs_from_the_decided_one_is_refused(ledger: Ledger) -> None:
    # R24: the decisions still pay PAYOUT_7's lines as before, but the stored row says
    # otherwise (changed behind the ledger's back): nothing is recorded over it.
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    with ledger.transaction() as session:
        row = session.get(PayoutRow, PAYOUT_7)
        assert row is not None
        row.amount += 1
    with pytest.raises(PayoutConflictError, match=f"payout {PAYOUT_7} exists with other"):
        ledger.record_decisions(ledger.start_run("sync", at(MONTH1_AS_OF)), first)


def test_a_payout_must_match_its_lines(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    payouts = tuple(replace(p, amount=p.amount - 1) for p in first.ledger.payouts)
    tampered = replace(first, new_payouts=payouts,
                       ledger=replace(first.ledger, payouts=payouts))
    with pytest.raises(PayoutConflictError, match="does not match"):
        ledger.record_decisions(ledger.start_run("sync", at(MONTH1_AS_OF)), tampered)
    assert ledger.load_state().lines == ()


def test_a_frozen_attribution_never_changes(ledger: Ledger) -> None:
    first = month1(ledger.load_state())
    record(ledger, first, MONTH1_AS_OF)
    frozen = tuple(replace(item, partner_id="8") for item in first.ledger.frozen_attributions)
    tampered = replace(first, ledger=replace(first.ledger, frozen_attributions=frozen))
    with pytest.raises(FrozenAttributionError):
        ledger.record_decisions(ledger.start_run("sync", at(MONTH1_AS_OF)), tampered)
