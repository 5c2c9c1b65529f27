"""A ledger whose mirror holds the demo's HubSpot partner companies, as a sync leaves
them; the environment points the command line at it (``database``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.mirror_inputs import Mirrored
from tests.portal.conftest import PORTAL_SECRET

DEMO_COMPANIES = Path(__file__).resolve().parents[3] / "fixtures/demo/hubspot/companies.json"
PARTNER = "30000000001"  # Agence Lumière


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ledger.db"
    ledger = Ledger.open(f"sqlite:///{path}")
    try:
        ledger.migrate()
        run_id = ledger.start_run("sync", datetime(2026, 11, 1, tzinfo=UTC))
        companies = json.loads(DEMO_COMPANIES.read_text(encoding="utf-8"))
        Mirror(ledger).upsert(Mirrored.HUBSPOT_PARTNER, [(c["id"], c) for c in companies
                                                        if c["properties"].get("vmc_partner_tier")],
                              run_id)
        ledger.finish_run(run_id, "succeeded", {})
    finally:
        ledger.close()
    for name in ("PARTNERSYNC_SMTP_URL", "PARTNERSYNC_SMTP_FROM", "PARTNERSYNC_OPERATOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("PARTNERSYNC_PORTAL_SECRET_KEY", PORTAL_SECRET)
    monkeypatch.setenv("PARTNERSYNC_PORTAL_URL", "http://portal.test")
    return path
