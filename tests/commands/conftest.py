"""A ledger and mirror as the last sync left them, built without network.

The demo fixture is mirrored (one partner's name changed to hold HTML specials), one
"sync" run as of 2026-11-01 decides and records, once per session; each test gets its
own copy of that SQLite file through ``PARTNERSYNC_DATABASE_URL``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mappings.properties import DEFAULT_PROPERTY_MAP
from sync.cli.main import main
from sync.config.programme_file import load_programme
from sync.domain.decisions import Decisions
from sync.domain.inputs import Inputs
from sync.engine.decide import decide
from sync.engine.partner_facts import facts_from
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.mirror_inputs import Mirrored, inputs_from_mirror

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
ODD_PARTNER_ID = "30000000006"
ODD_PARTNER_NAME = "Camille <Durand> & Co"
STRIPE_FILES = {
    Mirrored.STRIPE_CUSTOMER: "customers.json", Mirrored.STRIPE_PRICE: "prices.json",
    Mirrored.STRIPE_SUBSCRIPTION: "subscriptions.json", Mirrored.STRIPE_INVOICE: "invoices.json",
    Mirrored.STRIPE_ACCOUNT: "accounts.json",
}


@dataclass(frozen=True)
class Synced:
    """What the recorded run decided, for the tests' own expectations."""

    database: Path
    inputs: Inputs
    decisions: Decisions


def _load(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return records


def _ever_partner(company: dict[str, Any]) -> bool:
    history = company.get("propertiesWithHistory", {}).get("vmc_partner_tier") or []
    return bool(company["properties"].get("vmc_partner_tier")) or any(
        entry.get("value") for entry in history)


def _companies() -> list[dict[str, Any]]:
    companies = _load(DEMO / "hubspot" / "companies.json")
    for company in companies:
        if company["id"] == ODD_PARTNER_ID:
            company["properties"]["name"] = ODD_PARTNER_NAME
    return companies


def fill_mirror(mirror: Mirror, run_id: int) -> None:
    companies = _companies()
    mirror.upsert(Mirrored.HUBSPOT_PARTNER,
                  [(c["id"], c) for c in companies if _ever_partner(c)], run_id)
    mirror.upsert(Mirrored.HUBSPOT_COMPANY,
                  [(c["id"], c) for c in companies if not _ever_partner(c)], run_id)
    deals = _load(DEMO / "hubspot" / "deals.json")
    mirror.upsert(Mirrored.HUBSPOT_DEAL, [(d["id"], d) for d in deals], run_id)
    for object_type, name in STRIPE_FILES.items():
        records = _load(DEMO / "stripe" / name)
        mirror.upsert(object_type, [(str(r["id"]), r) for r in records], run_id)


def record_demo_sync(database: Path, programme: Path | None = None) -> Synced:
    """The demo's mirror and one sync as of ``AS_OF`` recorded in a fresh ledger at
    ``database``, as the sync cycle records it (the decisions and the portal's facts),
    under ``programme`` (``None``: the default terms)."""
    ledger = Ledger.open(f"sqlite:///{database}")
    try:
        ledger.migrate()
        run_id = ledger.start_run("sync", AS_OF)
        mirror = Mirror(ledger)
        fill_mirror(mirror, run_id)
        inputs = inputs_from_mirror(mirror, DEFAULT_PROPERTY_MAP)
        decisions = decide(inputs, ledger.load_state(), AS_OF, load_programme(programme))
        ledger.record_decisions(run_id, decisions,
                                facts_from(decisions, inputs.deals, inputs.customers))
        ledger.finish_run(run_id, "succeeded", {})
    finally:
        ledger.close()
    return Synced(database, inputs, decisions)


@pytest.fixture(scope="session")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Synced:
    return record_demo_sync(tmp_path_factory.mktemp("synced") / "ledger.db")


def _environment(monkeypatch: pytest.MonkeyPatch, database: Path) -> None:
    monkeypatch.setenv("PARTNERSYNC_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.delenv("PARTNERSYNC_PROGRAMME_FILE", raising=False)
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def ledger(synced: Synced, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    """This test's copy of the synced ledger; the commands open the same file."""
    database = tmp_path / "ledger.db"
    shutil.copyfile(synced.database, database)
    _environment(monkeypatch, database)
    opened = Ledger.open(f"sqlite:///{database}")
    yield opened
    opened.close()


@pytest.fixture
def empty_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ledger no sync ever ran on (created as the worker creates it)."""
    database = tmp_path / "empty.db"
    created = Ledger.open(f"sqlite:///{database}")
    created.migrate()
    created.close()
    _environment(monkeypatch, database)
    return database


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


class Cli:
    """``partnersync ARGS`` in process, with what it printed."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def __call__(self, *argv: str) -> Result:
        self._capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as stopped:  # argparse refused an argument: its one line, exit 2
            code = stopped.code if isinstance(stopped.code, int) else 1
        captured = self._capsys.readouterr()
        return Result(code, captured.out, captured.err)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)
