"""Tables that fit the terminal and lists for scripts (``sync/cli/tables.py``): columns
kept by priority while they fit, never an empty header; ``--format csv|json`` with every
field. Expected outputs are written by hand."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from rich.console import Console

from sync.cli.tables import Column, Field, Listing, emit, fit_table, money_fields
from sync.ledger import Ledger
from tests.commands.conftest import ODD_PARTNER_ID, ODD_PARTNER_NAME, Cli, Synced

Row = tuple[str, str, int, str]
ROWS: list[Row] = [("po_1", "Agence Lumière", 94363,
                    "first approval by claire; a second approver is needed (R33)"),
                   ("po_2", "=Nuage", 10000, "")]
LISTING = Listing[Row](
    "Payouts",
    [Column("id", lambda r: r[0]), Column("name", lambda r: r[1], priority=2, fold=True),
     Column("EUR", lambda r: f"{r[2] // 100}.{r[2] % 100:02d}", justify="right"),
     Column("note", lambda r: r[3], priority=3, fold=True)],
    [Field("id", lambda r: r[0]), Field("name", lambda r: r[1]),
     *money_fields("amount", lambda r: r[2]), Field("note", lambda r: r[3] or None)],
    ROWS, "2 payouts")


def rendered(width: int) -> list[str]:
    out = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    out.print(fit_table(LISTING, out.width))
    text = out.file.getvalue()  # type: ignore[attr-defined]
    return [line.rstrip() for line in text.splitlines()]


def test_at_80_columns_every_column_fits_and_free_text_folds() -> None:
    assert rendered(80) == [
        " " * 36 + "Payouts",
        "┏━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ id   ┃ name           ┃    EUR ┃ note                                        ┃",
        "┡━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ po_1 │ Agence Lumière │ 943.63 │ first approval by claire; a second approver │",
        "│      │                │        │ is needed (R33)                             │",
        "│ po_2 │ =Nuage         │ 100.00 │                                             │",
        "└──────┴────────────────┴────────┴─────────────────────────────────────────────┘",
        " " * 35 + "2 payouts",
    ]


def test_at_40_columns_the_lowest_priority_gives_way_and_is_named() -> None:
    lines = rendered(40)
    assert lines[:7] == [
        " " * 13 + "Payouts",
        "┏━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━┓",
        "┃ id   ┃ name           ┃    EUR ┃",
        "┡━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━┩",
        "│ po_1 │ Agence Lumière │ 943.63 │",
        "│ po_2 │ =Nuage         │ 100.00 │",
        "└──────┴────────────────┴────────┘",
    ]
    assert " ".join(" ".join(lines[7:]).split()) == (
        "2 payouts; not shown at 40 columns: note (a wider terminal shows them; "
        "--format csv or json has every field)")


def test_csv_has_a_header_every_field_and_no_formula() -> None:
    target = io.StringIO()
    emit(LISTING, "csv", Console(file=io.StringIO()), target)
    assert target.getvalue() == (
        "id,name,amount_cents,amount_eur,note\n"
        "po_1,Agence Lumière,94363,943.63,first approval by claire; a second approver is "
        "needed (R33)\n"
        "po_2,'=Nuage,10000,100.00,\n")


def test_json_is_a_list_of_objects_with_exact_values() -> None:
    target = io.StringIO()
    emit(LISTING, "json", Console(file=io.StringIO()), target)
    assert json.loads(target.getvalue()) == [
        {"id": "po_1", "name": "Agence Lumière", "amount_cents": 94363, "amount_eur": "943.63",
         "note": "first approval by claire; a second approver is needed (R33)"},
        {"id": "po_2", "name": "=Nuage", "amount_cents": 10000, "amount_eur": "100.00",
         "note": None}]


# -- the commands, on the synced demo ledger ----------------------------------------------


def headers(output: str) -> list[str]:
    """Each column's header, its wrapped lines joined, of the first table printed."""
    lines = output.splitlines()
    top = next(index for index, line in enumerate(lines) if line.startswith("┏"))
    rule = next(index for index, line in enumerate(lines) if line.startswith("┡"))
    rows = [line.strip("┃").split("┃") for line in lines[top + 1:rule]]
    return [" ".join(" ".join(row[index] for row in rows).split())
            for index in range(len(rows[0]))]


def assert_fits(output: str, width: int) -> None:
    """Every table line fits (plain text lines, such as an explanation, are the
    terminal's to wrap), and no header is empty."""
    table = [line for line in output.splitlines() if line[:1] in "┏┃┡│└"]
    assert table and all(len(line) <= width for line in table), output
    assert all(headers(output)), headers(output)


PAYOUT_HEADERS = ["id", "partner", "period", "EUR", "lines", "status", "method",
                  "why", "transfer id"]


def test_payouts_list_at_80_and_200_columns(cli: Cli, synced: Synced, ledger: Ledger,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    wide = cli("payouts", "list").out
    assert headers(wide) == PAYOUT_HEADERS
    monkeypatch.setenv("COLUMNS", "80")
    narrow = cli("payouts", "list").out
    assert_fits(narrow, 80)
    for payout in synced.decisions.ledger.payouts:
        assert f"│ {payout.id} │" in narrow  # ids whole, never cut
    # The odd partner's two payouts: id 25 wide, EUR 6, status 16 (pending_approval), an
    # empty why 3 (its header), the partner's name folded to 12: 78 columns with the
    # borders; the period (7, also in the id), lines, method and transfer id give way.
    odd = cli("payouts", "list", "--partner", ODD_PARTNER_ID).out
    assert_fits(odd, 80)
    assert headers(odd) == ["id", "partner", "EUR", "status", "why"]
    assert ("not shown at 80 columns: period, lines, method, transfer id"
            in " ".join(odd.split()))


def test_the_table_after_approve_and_mark_paid_fits(cli: Cli, synced: Synced, ledger: Ledger,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    payout_id = next(p.id for p in synced.decisions.ledger.payouts
                     if p.partner_id == ODD_PARTNER_ID)
    approved = cli("payouts", "approve", payout_id, "--by", "alice")
    assert_fits(approved.out, 80)
    assert f"│ {payout_id} │" in approved.out and "approved" in approved.out
    ledger.start_payment_attempt(payout_id)
    ledger.mark_manual_pending(payout_id)  # the worker: no connected account (R26)
    paid = cli("payouts", "mark-paid", payout_id, "--by", "bob", "--reference", "SEPA-7")
    assert_fits(paid.out, 80)
    assert "paid" in paid.out


def test_partners_list_audit_and_explain_fit(cli: Cli, synced: Synced, ledger: Ledger,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    payout_id = next(p.id for p in synced.decisions.ledger.payouts)
    cli("payouts", "hold", payout_id, "--reason", "check the partner's invoice", "--by", "claire")
    line_id = synced.decisions.ledger.lines[0].id
    monkeypatch.setenv("COLUMNS", "200")
    assert headers(cli("partners", "list").out) == [
        "id", "name", "tier", "HubSpot account", "destination", "confirmed by", "holds"]
    assert headers(cli("audit").out) == ["at (UTC)", "action", "by", "about", "EUR", "reason"]
    assert headers(cli("explain", line_id).out) == [
        "version", "action", "at (UTC)", "run", "EUR", "basis EUR", "rate", "payout"]
    monkeypatch.setenv("COLUMNS", "80")
    for argv in (("partners", "list"), ("audit",), ("explain", line_id)):
        result = cli(*argv)
        assert result.code == 0, result.err
        assert_fits(result.out, 80)
    # No destination is confirmed yet ("none", the header's 11 wide), acct_ ids are 19.
    assert headers(cli("partners", "list").out) == [
        "id", "name", "HubSpot account", "destination", "holds"]
    assert headers(cli("audit").out) == ["at (UTC)", "action", "by", "about", "reason"]
    assert headers(cli("explain", line_id).out) == [
        "version", "action", "at (UTC)", "EUR", "payout"]


def test_payouts_list_for_scripts(cli: Cli, synced: Synced, ledger: Ledger) -> None:
    """R15: the odd partner's two flat lines of 100.00 are each paid out at a quarterly
    referral payout point (R21), June and September 2025, waiting for approval (R25)."""
    flat = sorted(line.id for line in synced.decisions.ledger.lines
                  if line.partner_id == ODD_PARTNER_ID)
    rows = list(csv.reader(io.StringIO(
        cli("payouts", "list", "--partner", ODD_PARTNER_ID, "--format", "csv").out)))
    assert rows == [
        ["id", "partner_id", "partner_name", "period", "amount_cents", "amount_eur",
         "line_count", "status", "method", "hold_reason", "failure_reason", "status_note",
         "approved_by", "approved_at", "second_approved_by", "second_approved_at", "paid_at",
         "paid_by", "payment_reference", "stripe_transfer_id", "attempts"],
        *([f"vmcpo_30000000006_{month}", ODD_PARTNER_ID, ODD_PARTNER_NAME, month, "10000",
           "100.00", "1", "pending_approval", "", "", "", "", "", "", "", "", "", "", "", "",
           "0"] for month in ("2025-06", "2025-09"))]
    assert json.loads(cli("payouts", "list", "--partner", ODD_PARTNER_ID,
                          "--format", "json").out) == [{
        "id": f"vmcpo_30000000006_{month}", "partner_id": ODD_PARTNER_ID,
        "partner_name": ODD_PARTNER_NAME, "period": month, "amount_cents": 10000,
        "amount_eur": "100.00", "line_count": 1, "line_ids": [line_id],
        "status": "pending_approval", "method": None, "hold_reason": None,
        "failure_reason": None, "status_note": None, "approved_by": None,
        "approved_at": None, "second_approved_by": None, "second_approved_at": None,
        "paid_at": None, "paid_by": None, "payment_reference": None,
        "stripe_transfer_id": None, "attempts": 0}
        for month, line_id in zip(("2025-06", "2025-09"), flat, strict=True)]
    assert [line_id.rsplit("_", 2)[1:] for line_id in flat] == [["2025-06", "flat"],
                                                                ["2025-09", "flat"]]


def test_partners_list_and_audit_for_scripts(cli: Cli, ledger: Ledger) -> None:
    payout_id = "vmcpo_30000000006_2025-06"
    cli("payouts", "hold", payout_id, "--reason", "=SUM(A1)", "--by", "claire")
    partners = json.loads(cli("partners", "list", "--format", "json").out)
    odd = next(row for row in partners if row["id"] == ODD_PARTNER_ID)
    assert odd == {"id": ODD_PARTNER_ID, "name": ODD_PARTNER_NAME, "tier": "referral",
                   "hubspot_account": odd["hubspot_account"], "confirmed_destination": None,
                   "confirmed_by": None, "confirmed_at": None, "waiting_account": None,
                   "holds": None}  # the finance hold is the payout's, not the partner's
    assert odd["hubspot_account"].startswith("acct_")
    header = cli("partners", "list", "--format", "csv").out.splitlines()[0]
    assert header == ("id,name,tier,hubspot_account,confirmed_destination,confirmed_by,"
                      "confirmed_at,waiting_account,holds")
    rows = list(csv.DictReader(io.StringIO(cli("audit", "--format", "csv").out)))
    assert [(r["action"], r["payout_id"], r["amount_cents"], r["amount_eur"], r["reason"])
            for r in rows] == [
        ("payout_hold", payout_id, "10000", "100.00", "'=SUM(A1)"),
        ("payout_held", payout_id, "10000", "100.00", "held by claire: =SUM(A1) (R35)")]
    events = json.loads(cli("audit", "--format", "json").out)
    assert [(e["action"], e["amount_cents"], e["reason"]) for e in events] == [
        ("payout_hold", 10000, "=SUM(A1)"),
        ("payout_held", 10000, "held by claire: =SUM(A1) (R35)")]
    assert events[0]["at"].endswith("Z") and len(events[0]["at"]) == 20


def test_in_a_pipe_the_table_fits_80_columns_or_columns(synced: Synced, ledger: Ledger) -> None:
    """Off a terminal the width is ``COLUMNS``, else 80 (rich's default)."""
    environment = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    command = [sys.executable, "-m", "sync.cli", "payouts", "list", "--partner", ODD_PARTNER_ID]
    piped = subprocess.run(command, env=environment, capture_output=True, text=True,
                           check=True, timeout=120)
    assert_fits(piped.stdout, 80)
    assert headers(piped.stdout) == ["id", "partner", "EUR", "status", "why"]
    wide = subprocess.run(command, env={**environment, "COLUMNS": "120"},
                          capture_output=True, text=True, check=True, timeout=120)
    assert_fits(wide.stdout, 120)
    assert headers(wide.stdout) == PAYOUT_HEADERS  # 119 columns, the partner folded
