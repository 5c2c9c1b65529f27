"""Payout controls in the ledger (R32-R35): holds, two approvers, destinations, manual
lines, the append-only audit trail, finance's export. SQLite and PostgreSQL.

Scenario (tests/ledger/scenario.py), month 1 = February 2025: partner 7 has payout
vmcpo_7_2025-02 of 250.00 (one line, pending approval); partner 8 waits with 100.00 +
50.00 = 150.00, below the 200.00 minimum; partner 9 has vmcpo_9_2025-02 of 250.00.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sync.domain.decisions import PayoutStatus
from sync.domain.inputs import Tier
from sync.domain.months import parse_month_label
from sync.engine.manual import manual_line
from sync.ledger import IllegalTransitionError, Ledger, LedgerError
from sync.ledger.transitions import Approver, spreadsheet_safe
from tests.engine.builders import at
from tests.ledger.scenario import MONTH1_AS_OF, MONTH2_AS_OF, PAYOUT_7, month1, month2

S = PayoutStatus
PAYOUT_8_FEB, PAYOUT_8_MAR = "vmcpo_8_2025-02", "vmcpo_8_2025-03"


def record(ledger: Ledger, decide: object, as_of: str) -> None:
    run_id = ledger.start_run("sync", at(as_of))
    ledger.record_decisions(run_id, decide(ledger.load_state()))  # type: ignore[operator]


@pytest.fixture
def month1_ledger(ledger: Ledger) -> Ledger:
    record(ledger, month1, MONTH1_AS_OF)
    return ledger


def actions(ledger: Ledger, payout_id: str | None = None) -> list[str]:
    return [event.action for event in ledger.audit_events()
            if payout_id is None or event.payout_id == payout_id]


# R35 holds ------------------------------------------------------------------------------


def test_r35_a_held_payout_is_not_payable_and_returns_to_its_status(
        month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    ledger.approve(PAYOUT_7, by="ana")

    held = ledger.hold_payout(PAYOUT_7, "invoice disputed by the customer", "bob")

    assert (held.status, held.held_from) == (S.ON_HOLD, S.APPROVED)
    assert held.hold_reason == "held by bob: invoice disputed by the customer (R35)"
    with pytest.raises(IllegalTransitionError, match="approved or failed"):
        ledger.start_payment_attempt(PAYOUT_7)
    released = ledger.release_payout(PAYOUT_7, "bob")
    assert (released.status, released.held_from, released.hold_reason) == (
        S.APPROVED, None, None)
    assert actions(ledger, PAYOUT_7) == [
        "approval", "payout_hold", "payout_held", "payout_release", "payout_released"]


def test_r35_a_held_payout_cannot_be_approved_until_released(month1_ledger: Ledger) -> None:
    month1_ledger.hold_payout(PAYOUT_7, "check", "bob")
    with pytest.raises(IllegalTransitionError, match="on hold"):
        month1_ledger.approve(PAYOUT_7, by="ana")
    assert month1_ledger.get_payout(PAYOUT_7).status is S.ON_HOLD
    [refusal] = [e for e in month1_ledger.audit_events("7") if e.action == "approval_refused"]
    assert (refusal.actor, refusal.payout_id) == ("ana", PAYOUT_7)


def test_r35_a_partner_hold_holds_the_payouts_it_gets_later(month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    ledger.hold_partner("8", "KYC documents expired", "bob")

    record(ledger, month2, MONTH2_AS_OF)  # makes vmcpo_8_2025-03 (250.00)

    payout = ledger.get_payout(PAYOUT_8_MAR)
    assert (payout.status, payout.held_from) == (S.ON_HOLD, S.PENDING_APPROVAL)
    assert payout.hold_reason == "partner held by bob: KYC documents expired (R35)"
    assert ledger.get_payout(PAYOUT_7).status is S.PENDING_APPROVAL  # another partner
    ledger.release_partner("8", "carol")
    assert ledger.get_payout(PAYOUT_8_MAR).status is S.PENDING_APPROVAL
    with pytest.raises(LedgerError, match="no hold"):
        ledger.release_partner("8", "carol")


def test_r35_holds_stack_and_a_paid_payout_cannot_be_held(month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    ledger.hold_payout(PAYOUT_7, "one", "bob")
    ledger.hold_partner("7", "two", "bob")
    ledger.release_payout(PAYOUT_7, "bob")
    assert ledger.get_payout(PAYOUT_7).status is S.ON_HOLD  # the partner's hold stays
    ledger.release_partner("7", "bob")
    assert ledger.get_payout(PAYOUT_7).status is S.PENDING_APPROVAL
    ledger.approve(PAYOUT_7, by="ana")
    ledger.start_payment_attempt(PAYOUT_7)
    ledger.record_transfer(PAYOUT_7, "tr_1")
    with pytest.raises(IllegalTransitionError, match="paid"):
        ledger.hold_payout(PAYOUT_7, "too late", "bob")


def test_a_payout_held_while_its_transfer_was_under_way_is_recorded_paid(
        month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    ledger.approve(PAYOUT_7, by="ana")
    ledger.start_payment_attempt(PAYOUT_7)  # committed; the transfer is being made
    ledger.hold_payout(PAYOUT_7, "late hold", "bob")
    paid = ledger.record_transfer(PAYOUT_7, "tr_1")  # the money moved: the ledger says so
    assert (paid.status, paid.stripe_transfer_id) == (S.PAID, "tr_1")


# R33 two approvers ----------------------------------------------------------------------


def test_r33_above_dual_above_two_different_people_approve(month1_ledger: Ledger) -> None:
    ledger = month1_ledger  # 250.00 > 200.00: two approvals

    first = ledger.approve(PAYOUT_7, by="ana@finance.example", dual_above=20000)
    assert (first.status, first.approved_by) == (S.PENDING_SECOND_APPROVAL, "ana@finance.example")
    with pytest.raises(IllegalTransitionError, match="second approval comes from another"):
        ledger.approve(PAYOUT_7, by="ANA@finance.example", dual_above=20000)
    with pytest.raises(IllegalTransitionError, match="second approval comes from another"):
        # the same person through HubSpot: her user's email is her CLI name
        ledger.approve(PAYOUT_7, Approver.hubspot_user("1001", "ana@finance.example"),
                       dual_above=20000)
    assert ledger.get_payout(PAYOUT_7).status is S.PENDING_SECOND_APPROVAL
    second = ledger.approve(PAYOUT_7, Approver.hubspot_user("1002", None), dual_above=20000)
    assert (second.status, second.second_approved_by) == (S.APPROVED, "HubSpot user 1002")
    assert actions(ledger, PAYOUT_7) == [
        "first_approval", "approval_refused", "approval_refused", "second_approval"]


def test_r33_at_dual_above_exactly_one_approval_is_enough(month1_ledger: Ledger) -> None:
    approved = month1_ledger.approve(PAYOUT_7, by="ana", dual_above=25000)  # 250.00, not above
    assert (approved.status, approved.second_approved_by) == (S.APPROVED, None)


# R32 destinations -------------------------------------------------------------------------


def test_r32_an_account_is_never_the_destination_of_two_partners(ledger: Ledger) -> None:
    ledger.confirm_destination("7", "acct_1", "worker (first use)", shown="acct_1")
    with pytest.raises(IllegalTransitionError, match="already the confirmed destination"):
        ledger.confirm_destination("8", "acct_1", "ana", shown="acct_1")
    assert ledger.account_owner("acct_1") == "7"
    assert "8" not in ledger.controls() or ledger.controls()["8"].confirmed_account is None


def test_r32_a_waiting_destination_holds_until_confirmed(month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    ledger.confirm_destination("7", "acct_old", "worker (first use)", shown="acct_old")
    ledger.wait_for_confirmation("7", "acct_new", "destination_changed: test", "destination_changed")
    assert ledger.get_payout(PAYOUT_7).status is S.ON_HOLD
    assert ledger.get_payout(PAYOUT_7).hold_reason == "destination_changed: test"

    control = ledger.confirm_destination("7", "acct_new", "ana", shown="acct_new")

    assert (control.confirmed_account, control.waiting_account) == ("acct_new", None)
    assert ledger.get_payout(PAYOUT_7).status is S.PENDING_APPROVAL
    assert [(e.action, e.actor, e.account) for e in ledger.audit_events("7")
            if e.action.startswith("destination")] == [
        ("destination_confirmed", "worker (first use)", "acct_old"),
        ("destination_changed", "worker", "acct_new"),
        ("destination_confirmed", "ana", "acct_new")]


def test_r32_confirming_another_account_than_hubspot_shows_keeps_the_hold(
        month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    control = ledger.confirm_destination("7", "acct_finance", "ana", shown="acct_hubspot")
    assert (control.confirmed_account, control.waiting_account) == ("acct_finance",
                                                                    "acct_hubspot")
    assert ledger.get_payout(PAYOUT_7).status is S.ON_HOLD
    assert ledger.get_payout(PAYOUT_7).hold_reason == (
        "destination_mismatch: HubSpot shows acct_hubspot, the confirmed destination is "
        "acct_finance; no transfer to either until they agree (R32)")
    ledger.end_destination_hold("7", "HubSpot now shows acct_finance")
    assert ledger.get_payout(PAYOUT_7).status is S.PENDING_APPROVAL


# R34 manual lines --------------------------------------------------------------------------


def test_r34_a_manual_line_is_paid_with_the_next_payout(month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    feb = parse_month_label("2025-02")
    extra = manual_line("8", Tier.PARTNER, feb, 6000, "conference sponsorship refund", "ana")
    ledger.add_manual_line(extra, "ana", "conference sponsorship refund")

    record(ledger, month1, MONTH1_AS_OF)  # the same month decided again

    payout = ledger.get_payout(PAYOUT_8_FEB)
    assert payout.amount == 100_00 + 50_00 + 60_00  # cus_b + cus_c + the manual line
    assert extra.id in payout.line_ids and len(payout.line_ids) == 3
    assert extra.explanation == ("R34 manual line for 2025-02: +60.00 EUR by ana: "
                                 "conference sponsorship refund")
    [event] = [e for e in ledger.audit_events("8") if e.action == "manual_line"]
    assert (event.actor, event.line_id, event.amount) == ("ana", extra.id, 6000)


def test_r34_a_recompute_never_changes_a_manual_line_and_twice_is_once(
        month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    feb = parse_month_label("2025-02")
    minus = manual_line("8", Tier.PARTNER, feb, -1000, "duplicate lead", "ana")
    ledger.add_manual_line(minus, "ana", "duplicate lead")
    with pytest.raises(IllegalTransitionError, match="exists already"):
        ledger.add_manual_line(minus, "ana", "duplicate lead")

    record(ledger, month1, MONTH1_AS_OF)  # 150.00 - 10.00 = 140.00: still below 200.00

    lines = {line.id: line for line in ledger.load_state().lines}
    assert lines[minus.id] == minus  # unchanged, unassigned
    assert [p.id for p in ledger.list_payouts(partner_id="8")] == []


# The audit trail ---------------------------------------------------------------------------


def test_the_audit_trail_refuses_updates_and_deletes(month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    ledger.approve(PAYOUT_7, by="ana")
    before = ledger.audit_events()
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), ledger.engine.begin() as conn:
            conn.execute(text(statement))
    assert ledger.audit_events() == before


# Finance's export --------------------------------------------------------------------------


def test_the_export_names_the_partner_destination_hold_and_approvers(
        month1_ledger: Ledger) -> None:
    ledger = month1_ledger
    ledger.confirm_destination("7", "acct_7", "worker (first use)", shown="acct_7")
    ledger.approve(PAYOUT_7, by="ana", dual_above=20000)
    ledger.approve(PAYOUT_7, by="bob", dual_above=20000)
    ledger.hold_payout(PAYOUT_7, "=HYPERLINK(\"http://x\")", "carol")

    rows = {row["payout_id"]: row for row in ledger.export_rows(
        names={"7": "=cmd|' /C calc'!A0", "9": "Agence Neuf"})}

    row = rows[PAYOUT_7]
    assert (row["partner_name"], row["destination"]) == ("'=cmd|' /C calc'!A0", "acct_7")
    assert (row["approved_by"], row["second_approved_by"]) == ("ana", "bob")
    assert row["status"] == "on_hold"
    assert row["hold_reason"] == "held by carol: =HYPERLINK(\"http://x\") (R35)"
    assert rows["vmcpo_9_2025-02"]["partner_name"] == "Agence Neuf"


@pytest.mark.parametrize(("cell", "shown"), [
    ("=1+1", "'=1+1"), ("+33 6", "'+33 6"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Agence", "Agence"), ("", "")])
def test_a_cell_a_spreadsheet_would_evaluate_is_neutralised(cell: str, shown: str) -> None:
    assert spreadsheet_safe(cell) == shown


def test_no_code_path_changes_the_audit_trail() -> None:
    """Besides the triggers: the worker's code only adds audit rows and reads them. The
    one module that names the table's model inserts with ``session.add`` and reads with
    ``select``, and no SQL text anywhere updates, deletes or truncates the table."""
    root = Path(__file__).resolve().parents[2]
    uses: dict[str, set[str]] = {}
    sql_changes = []
    for package in ("sync", "jobs", "mappings"):
        for source in sorted((root / package).rglob("*.py")):
            relative = str(source.relative_to(root))
            if "migrations" in relative or relative.endswith("models.py"):
                continue
            text = source.read_text(encoding="utf-8")
            if found := set(re.findall(r"[\w.]*\(?AuditRow[\w.(]*", text)):
                uses[relative] = found
            sql_changes += re.findall(r"(?i)(?:update|delete\s+from|truncate)\s+audit_events",
                                      text)
    assert uses == {"sync/ledger/controls.py": {
        "AuditRow",  # the import
        "session.add(AuditRow(at",  # the one insert
        "select(AuditRow", ".order_by(AuditRow.id", "query.where(AuditRow.partner_id",
        "query.where(AuditRow.at"}}  # the one read
    assert sql_changes == []
