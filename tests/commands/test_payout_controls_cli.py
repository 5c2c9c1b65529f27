"""Finance's payout controls on the command line (R32-R35): holds, destinations,
manual lines, two approvers, the audit trail and the export, on the demo's ledger."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sync.domain.decisions import PayoutStatus
from sync.ledger import Ledger
from tests.commands.conftest import Cli, Synced

PARTNER = "30000000001"  # Agence Lumière: pending payouts in the demo
OTHER = "30000000002"


def _payouts(synced: Synced, partner_id: str = PARTNER) -> list[str]:
    return sorted(p.id for p in synced.decisions.ledger.payouts if p.partner_id == partner_id)


def test_r35_a_payout_held_and_released_on_the_command_line(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    payout_id = _payouts(synced)[0]

    held = cli("payouts", "hold", payout_id, "--reason", "customer disputes March", "--by",
               "claire")

    assert held.code == 0, held.err
    assert ledger.get_payout(payout_id).status is PayoutStatus.ON_HOLD
    listed = cli("payouts", "list", "--status", "on_hold")
    assert payout_id in listed.out and "held by claire: customer disputes March" in listed.out
    approve = cli("payouts", "approve", payout_id, "--by", "hugo")
    assert approve.code == 1 and "is on hold" in approve.err
    released = cli("payouts", "release", payout_id, "--by", "claire")
    assert released.code == 0, released.err
    assert ledger.get_payout(payout_id).status is PayoutStatus.PENDING_APPROVAL
    assert cli("payouts", "release", payout_id, "--by", "claire").code == 1


def test_hold_needs_a_reason_and_an_author(cli: Cli, synced: Synced, ledger: Ledger) -> None:
    payout_id = _payouts(synced)[0]
    refused = cli("payouts", "hold", payout_id, "--by", "claire")
    assert (refused.code, refused.err) == (2, "partnersync: payouts hold: the following "
                                           "arguments are required: --reason (see "
                                           "`partnersync payouts hold --help`)\n")
    assert ledger.get_payout(payout_id).status is PayoutStatus.PENDING_APPROVAL


def test_r35_a_partner_hold_covers_all_its_unpaid_payouts(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    result = cli("partners", "hold", PARTNER, "--reason", "bank details under review",
                 "--by", "claire")
    assert result.code == 0, result.err
    statuses = {p.id: p.status for p in ledger.list_payouts(partner_id=PARTNER)}
    assert statuses == dict.fromkeys(_payouts(synced), PayoutStatus.ON_HOLD)
    assert all(p.status is PayoutStatus.PENDING_APPROVAL
               for p in ledger.list_payouts(partner_id=OTHER))
    listed = cli("partners", "list")
    row = next(line for line in listed.out.splitlines() if PARTNER in line)
    assert "bank details under review" in row
    assert cli("partners", "release", PARTNER, "--by", "hugo").code == 0
    assert {p.status for p in ledger.list_payouts(partner_id=PARTNER)} == {
        PayoutStatus.PENDING_APPROVAL}
    assert cli("partners", "hold", "999", "--reason", "x", "--by", "y").code == 1


def test_r32_confirm_destination_checks_the_account_and_the_partner(
        cli: Cli, ledger: Ledger) -> None:
    bad = cli("partners", "confirm-destination", PARTNER, "ba_123", "--by", "claire")
    assert bad.code == 1 and "not a Stripe Connect account id" in bad.err
    unknown = cli("partners", "confirm-destination", "999", "acct_x", "--by", "claire")
    assert unknown.code == 1 and "partner 999 is not a partner" in unknown.err
    ok = cli("partners", "confirm-destination", PARTNER, "acct_claire", "--by", "claire")
    assert ok.code == 0, ok.err
    assert "stay on hold until HubSpot shows the confirmed account" in ok.out  # HubSpot differs
    taken = cli("partners", "confirm-destination", OTHER, "acct_claire", "--by", "claire")
    assert taken.code == 1 and "already the confirmed destination of partner" in taken.err
    assert ledger.account_owner("acct_claire") == PARTNER


def test_r34_lines_add_checks_month_amount_and_partner(cli: Cli, ledger: Ledger) -> None:
    added = cli("lines", "add", OTHER, "--month", "2026-10", "--amount", "-12.50",
                "--reason", "duplicate lead", "--by", "claire")
    assert added.code == 0, added.err
    [line] = [line for line in ledger.load_state().lines if line.kind.value == "manual"]
    assert (line.partner_id, line.amount, line.payout_id) == (OTHER, -1250, None)
    assert line.explanation == "R34 manual line for 2026-10: -12.50 EUR by claire: duplicate lead"
    again = cli("lines", "add", OTHER, "--month", "2026-10", "--amount", "-12.50",
                "--reason", "duplicate lead", "--by", "claire")
    assert again.code == 1 and "exists already" in again.err
    # A refused decision exits 1; a malformed argument, as every one, exits 2.
    for month, amount, code, message in [("2099-01", "10", 1, "closed month"),
                                         ("2026-10", "0.00", 1, "changes nothing"),
                                         ("2026-10", "1.234", 2, "EUR amount"),
                                         ("26-10", "10", 2, "YYYY-MM")]:
        refused = cli("lines", "add", OTHER, "--month", month, "--amount", amount,
                      "--reason", "r", "--by", "claire")
        assert refused.code == code and message in refused.err, refused.err


def test_r33_two_approvers_above_dual_above(cli: Cli, synced: Synced, ledger: Ledger,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    programme = tmp_path / "programme.toml"
    programme.write_text('[approval]\ndual_above = "100.00"\n', encoding="utf-8")
    monkeypatch.setenv("PARTNERSYNC_PROGRAMME_FILE", str(programme))
    payout_id = max(_payouts(synced), key=lambda pid: ledger.get_payout(pid).amount)

    first = cli("payouts", "approve", payout_id, "--by", "claire")
    assert first.code == 0, first.err
    assert "a second, different approver is needed" in first.out
    same = cli("payouts", "approve", payout_id, "--by", "Claire")
    assert same.code == 1 and "gave its first approval" in same.err
    second = cli("payouts", "approve", payout_id, "--by", "hugo")
    assert second.code == 0 and "approved by claire and hugo" in second.out
    assert ledger.get_payout(payout_id).status is PayoutStatus.APPROVED


def test_audit_lists_every_decision_in_three_formats(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    payout_id = _payouts(synced)[0]
    cli("payouts", "hold", payout_id, "--reason", "=SUM(A1)", "--by", "claire")
    cli("payouts", "approve", _payouts(synced)[1], "--by", "hugo")

    rows = list(csv.DictReader(io.StringIO(cli("audit", "--format", "csv").out)))
    assert [(r["action"], r["actor"]) for r in rows] == [
        ("payout_hold", "claire"), ("payout_held", "claire"), ("approval", "hugo")]
    assert rows[0]["reason"] == "'=SUM(A1)"  # never a formula in a spreadsheet
    events = json.loads(cli("audit", "--format", "json", "--partner", PARTNER).out)
    assert [e["action"] for e in events] == ["payout_hold", "payout_held", "approval"]
    assert json.loads(cli("audit", "--format", "json", "--partner", OTHER).out) == []
    assert json.loads(cli("audit", "--format", "json", "--since", "2999-01-01").out) == []
    bad = cli("audit", "--since", "yesterday")
    assert bad.code == 2 and "expected an ISO date" in bad.err
    table = cli("audit")
    assert table.code == 0 and "3 entries" in table.out


def test_export_carries_names_and_neutralises_formulas(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    payout_id = _payouts(synced)[0]
    cli("payouts", "hold", payout_id, "--reason", "@risk", "--by", "claire")
    rows = {r["payout_id"]: r for r in csv.DictReader(io.StringIO(
        cli("payouts", "export").out))}
    assert rows[payout_id]["partner_name"] == "Agence Lumière"
    assert rows[payout_id]["hold_reason"] == "held by claire: @risk (R35)"
    assert rows[payout_id]["status"] == "on_hold"
