"""The demo's world without network, for the admin view's tests and the browser tests:
the demo fixture's HubSpot and Stripe records in the mirror (tests/commands/conftest.py,
one partner's name holding HTML specials) and one sync recorded as of 2026-11-01,
decided under the demo's programme file (payouts up to 300.00 EUR approved at once,
HubSpot users 1001 and 1002 may approve, above 900.00 EUR two approvals: R25, R33)."""

from __future__ import annotations

from pathlib import Path

from tests.commands.conftest import DEMO
from tests.commands.conftest import record_demo_sync as record_sync

PROGRAMME = DEMO / "programme.toml"


def record_demo_sync(database: Path) -> None:
    """The demo's mirror and one sync recorded in a fresh ledger at ``database``."""
    record_sync(database, PROGRAMME)
