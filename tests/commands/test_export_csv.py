"""``partnersync payouts export``: the CSV finance opens in a spreadsheet, byte for byte.

A small ledger on a clock the test moves: partner 7's February payout (250.00) is
approved at once (R25, auto-approval up to 250.00), then a transfer attempt fails;
partner 9's (1,200.00 at 30% = 360.00) is approved by finance, paid by hand and marked
paid. The expected CSV is written out by hand (README.md shows it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sync.config.programme_file import programme_from_mapping
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.mirror_inputs import Mirrored
from tests.commands.conftest import Cli
from tests.engine.builders import at, inputs, monthly_invoices, partner, registration, run
from tests.ledger.conftest import Clock

EXPECTED = """\
payout_id,partner_id,partner_name,period,amount,currency,status,hold_reason,destination,method,line_count,approved_by,approved_at,second_approved_by,second_approved_at,paid_at,paid_by,payment_reference,stripe_transfer_id,failure_reason,attempts
vmcpo_7_2025-02,7,Agence Lumière,2025-M02,250.00,EUR,failed,,,,1,"auto (R25, up to 250.00 EUR)",2025-03-01T06:00:00Z,,,,,,,insufficient balance,1
vmcpo_9_2025-02,9,Nuage Conseil,2025-M02,360.00,EUR,paid,,,manual,1,ana@finance,2025-03-02T09:30:15Z,,,2025-03-03T10:00:00Z,bob,SEPA-42,,,0
"""


def _company(company_id: str, name: str) -> dict[str, Any]:
    """A partner company as HubSpot lists it: the export takes the name from here."""
    tier = [{"value": "partner", "timestamp": "2024-01-01T00:00:00.000Z"}]
    return {"id": company_id, "properties": {"name": name, "vmc_partner_tier": "partner"},
            "propertiesWithHistory": {"vmc_partner_tier": tier}}


@pytest.fixture
def small_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "ledger.db"
    clock = Clock(datetime(2025, 3, 1, 6, 0, 0, 250000, tzinfo=UTC))
    ledger = Ledger.open(f"sqlite:///{database}", clock=clock)
    try:
        ledger.migrate()
        data = inputs([partner("7"), partner("9")],
                      [registration("1", "cus_a", "7", "2025-01-05"),
                       registration("2", "cus_d", "9", "2025-01-05")], ["cus_a", "cus_d"],
                      [*monthly_invoices("cus_a", 100000, "2025-02", 1, sub="sub_a"),
                       *monthly_invoices("cus_d", 120000, "2025-02", 1, sub="sub_d")])
        programme = programme_from_mapping({"approval": {"auto_approve_max": "250.00"}})
        run_id = ledger.start_run("sync", at("2025-03-01"))
        Mirror(ledger).upsert(Mirrored.HUBSPOT_PARTNER, [
            ("7", _company("7", "Agence Lumière")), ("9", _company("9", "Nuage Conseil"))],
            run_id)
        ledger.record_decisions(run_id, run(data, "2025-03-01", ledger.load_state(), programme))
        ledger.finish_run(run_id, "succeeded", {})
        clock.advance(minutes=5)
        ledger.start_payment_attempt("vmcpo_7_2025-02")
        ledger.record_failure("vmcpo_7_2025-02", "insufficient balance")
        clock.instant = datetime(2025, 3, 2, 9, 30, 15, 999999, tzinfo=UTC)
        ledger.approve("vmcpo_9_2025-02", "ana@finance")
        ledger.mark_manual_pending("vmcpo_9_2025-02")
        clock.instant = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
        ledger.mark_paid("vmcpo_9_2025-02", "bob", "SEPA-42")
    finally:
        ledger.close()
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.delenv("PARTNERSYNC_PROGRAMME_FILE", raising=False)
    return database


def test_export_is_the_csv_finance_expects(cli: Cli, small_ledger: Path) -> None:
    result = cli("payouts", "export")
    assert result.code == 0, result.err
    assert result.out.replace("\r\n", "\n") == EXPECTED


def test_export_to_a_file_is_the_same_csv(cli: Cli, small_ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "payouts.csv"
    assert cli("payouts", "export", "--output", str(target)).code == 0
    assert target.read_bytes() == EXPECTED.replace("\n", "\r\n").encode()
