"""The demo's world without network, for the admin view's tests and the browser tests:
the demo fixture's HubSpot and Stripe records in the mirror (tests/commands/conftest.py,
one partner's name holding HTML specials) and one sync recorded as of 2026-11-01,
decided under the demo's programme file (payouts up to 300.00 EUR approved at once,
HubSpot users 1001 and 1002 may approve, above 900.00 EUR two approvals: R25, R33)."""

from __future__ import annotations

from pathlib import Path

from mappings.properties import DEFAULT_PROPERTY_MAP
from sync.config.programme_file import load_programme
from sync.engine.decide import decide
from sync.engine.partner_facts import facts_from
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull.mirror_inputs import inputs_from_mirror
from tests.commands.conftest import AS_OF, DEMO, fill_mirror

PROGRAMME = DEMO / "programme.toml"


def record_demo_sync(database: Path) -> None:
    """The demo's mirror and one sync recorded in a fresh ledger at ``database``."""
    ledger = Ledger.open(f"sqlite:///{database}")
    try:
        ledger.migrate()
        run_id = ledger.start_run("sync", AS_OF)
        mirror = Mirror(ledger)
        fill_mirror(mirror, run_id)
        inputs = inputs_from_mirror(mirror, DEFAULT_PROPERTY_MAP)
        decisions = decide(inputs, ledger.load_state(), AS_OF, load_programme(PROGRAMME))
        # with the portal's read model of them, as the sync cycle records them
        ledger.record_decisions(run_id, decisions,
                                facts_from(decisions, inputs.deals, inputs.customers))
        ledger.finish_run(run_id, "succeeded", {})
    finally:
        ledger.close()
