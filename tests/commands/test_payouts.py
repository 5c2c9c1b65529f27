"""``partnersync payouts``: list, approve, mark-paid, export (docs/configuration.md, R25, R26)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sync.domain.decisions import PayoutStatus
from sync.domain.money import eur
from sync.ledger import EXPORT_COLUMNS, Ledger
from tests.commands.conftest import Cli, Synced

PARTNER = "30000000001"


def _first_payout(synced: Synced, partner_id: str = PARTNER) -> str:
    return next(p.id for p in synced.decisions.ledger.payouts if p.partner_id == partner_id)


def test_list_shows_every_payout_of_a_partner_with_its_amount(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    expected = [p for p in synced.decisions.ledger.payouts if p.partner_id == PARTNER]
    result = cli("payouts", "list", "--partner", PARTNER)
    assert result.code == 0, result.err
    for payout in expected:
        row = next(line for line in result.out.splitlines() if payout.id in line)
        assert eur(payout.amount) in row and "pending_approval" in row
        assert "Agence Lumière" in row
    assert f"{len(expected)} payouts" in result.out
    other = next(p.id for p in synced.decisions.ledger.payouts if p.partner_id != PARTNER)
    assert other not in result.out


def test_list_filters_by_status(cli: Cli, synced: Synced, ledger: Ledger) -> None:
    assert cli("payouts", "list", "--status", "approved").out.count("vmcpo_") == 0
    everything = cli("payouts", "list", "--status", "pending_approval")
    assert everything.out.count("vmcpo_") == len(synced.decisions.ledger.payouts)


def test_approve_moves_pending_approval_to_approved_once(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    payout_id = _first_payout(synced)
    result = cli("payouts", "approve", payout_id, "--by", "alice")
    assert result.code == 0, result.err
    assert "approved by alice" in result.out
    record = ledger.get_payout(payout_id)
    assert record.status is PayoutStatus.APPROVED and record.approved_by == "alice"
    again = cli("payouts", "approve", payout_id, "--by", "bob")
    assert again.code == 1
    assert "approved -> approved is not allowed" in again.err
    assert ledger.get_payout(payout_id).approved_by == "alice"


def test_unknown_payout_exits_1(cli: Cli, ledger: Ledger) -> None:
    for action in ("approve", "mark-paid"):
        result = cli("payouts", action, "vmcpo_nobody_2026-01", "--by", "alice")
        assert result.code == 1
        assert "vmcpo_nobody_2026-01 does not exist" in result.err


def test_mark_paid_settles_a_manual_pending_payout_and_its_lines(
        cli: Cli, synced: Synced, ledger: Ledger) -> None:
    payout_id = _first_payout(synced)
    refused = cli("payouts", "mark-paid", payout_id, "--by", "alice")
    assert refused.code == 1
    assert "pending_approval -> paid is not allowed" in refused.err
    assert cli("payouts", "approve", payout_id, "--by", "alice").code == 0
    ledger.mark_manual_pending(payout_id)  # the worker: no connected account (R26)
    result = cli("payouts", "mark-paid", payout_id, "--by", "bob", "--reference", "SEPA-42")
    assert result.code == 0, result.err
    assert "marked paid by bob, reference SEPA-42" in result.out
    record = ledger.get_payout(payout_id)
    assert (record.status, record.method, record.paid_by, record.payment_reference) == (
        PayoutStatus.PAID, "manual", "bob", "SEPA-42")
    assert {ledger.line_status(line_id) for line_id in record.line_ids} == {"paid"}
    assert cli("payouts", "mark-paid", payout_id, "--by", "bob").code == 1


def test_export_writes_finance_csv_to_stdout(cli: Cli, synced: Synced, ledger: Ledger) -> None:
    payout_id = _first_payout(synced)
    ledger.approve(payout_id, "alice")
    ledger.mark_manual_pending(payout_id)
    result = cli("payouts", "export", "--status", "manual_pending")
    assert result.code == 0, result.err
    reader = csv.DictReader(io.StringIO(result.out))
    rows = list(reader)
    assert tuple(reader.fieldnames or ()) == EXPORT_COLUMNS
    payout = next(p for p in synced.decisions.ledger.payouts if p.id == payout_id)
    assert [(row["payout_id"], row["amount"], row["status"], row["method"], row["currency"])
            for row in rows] == [(payout_id, eur(payout.amount), "manual_pending", "manual", "EUR")]
    assert rows[0]["line_count"] == str(len(payout.line_ids))


def test_export_to_a_file(cli: Cli, synced: Synced, ledger: Ledger, tmp_path: Path) -> None:
    target = tmp_path / "payouts.csv"
    result = cli("payouts", "export", "--output", str(target))
    assert result.code == 0 and result.out == ""
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["payout_id"] for row in rows] == sorted(
        p.id for p in synced.decisions.ledger.payouts)
    assert f"wrote {len(rows)} payouts" in result.err
