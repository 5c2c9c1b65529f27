"""The fault suites' shared portal and their one uninterrupted reference run.

The portal is small (8 partners, 60 deals and customers, 8 billed months) so a worker
process runs a full cycle in about two seconds, yet it has every phase's work: lines,
payouts paid by transfer (R26), one waiting for approval, one held (R32), HubSpot
writes in several batches and Stripe metadata updates.

The held one: partner ``HELD_PARTNER`` (paid by hand in the generated portal) gets a
Connect account whose ``metadata.hubspot_company_id`` names another partner's company,
so its first account waits for finance instead of being trusted on first use (R32) and
its payout goes ``on_hold`` in the pay phase, then to HubSpot in the write phase: the
crash trials' kills in those phases land between the hold and its HubSpot write.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sandbox.synthetic import generate_portal, write_portal
from sandbox.synthetic.portal import Portal
from tests.e2e.support import outcome
from tests.faults.support import (
    AS_OF,
    Reference,
    phase_seconds,
    run_worker,
    serve_world,
    sqlite_file_url,
)

PORTAL_SEED = 7
HELD_PARTNER = "30000000005"  # no Connect account in the generated portal
CLAIMED_BY = "30000000002"  # a partner company with a Connect account of its own
HELD_ACCOUNT = "acct_faultsHeld5"
UNCONFIRMED = "destination_unconfirmed:"  # the hold reason's prefix (R32)


def hold_a_partner(portal: Portal) -> None:
    """``HELD_PARTNER`` gets a copy of ``CLAIMED_BY``'s Connect account under a new id,
    its metadata still naming ``CLAIMED_BY``: a destination that waits for finance."""
    claimed = next(account for account in portal.accounts
                   if account["metadata"].get("hubspot_company_id") == CLAIMED_BY)
    account = copy.deepcopy(claimed)
    account["id"] = HELD_ACCOUNT
    account["external_accounts"]["url"] = f"/v1/accounts/{HELD_ACCOUNT}/external_accounts"
    portal.accounts.append(account)
    company = next(company for company in portal.companies if company["id"] == HELD_PARTNER)
    assert not company["properties"].get("vmc_stripe_account_id")
    company["properties"]["vmc_stripe_account_id"] = HELD_ACCOUNT


@pytest.fixture(scope="session")
def fault_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("fault-portal")
    portal = generate_portal(PORTAL_SEED, partners=8, deals=60, customers=60, months=8,
                             start="2026-03")
    hold_a_partner(portal)
    write_portal(portal, directory)
    return directory


@pytest.fixture(scope="session")
def reference(fault_fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """One uninterrupted ``partnersync sync`` process on fresh stand-ins."""
    directory = tmp_path_factory.mktemp("fault-reference")
    with serve_world(fault_fixtures, sqlite_file_url(directory)) as world:
        run = run_worker(world, AS_OF)
        assert run.returncode == 0, run.describe()
        found = Reference(outcome(world), run, phase_seconds(run),
                          [call.endpoint for call in world.hubspot.calls.calls()])
        assert world.ledger().pending() == []
    paid = sorted(pid for pid, (_, status, _) in found.outcome.payouts.items()
                  if status == "paid")
    groups = [group for group, _, _ in found.outcome.transfers]
    assert len(paid) >= 2 and groups == paid, "one transfer per paid payout (R26)"
    assert set(found.phase_seconds) == {"pull", "decide", "record", "pay", "write"}
    # R32 holds the partner's payouts, and only those, in the ledger and in HubSpot
    held = {pid for pid, (_, status, _) in found.outcome.payouts.items() if status == "on_hold"}
    shown = {pid: values for pid, values in found.outcome.hubspot_payouts.items()
             if values["vmc_partner_id"] == HELD_PARTNER}
    assert held and held == set(shown), (held, set(shown))
    assert all(values["vmc_status"] == "on_hold" and values["vmc_hold_reason"]
               .startswith(UNCONFIRMED) for values in shown.values()), shown
    assert found.outcome.companies[HELD_PARTNER]["vmc_payout_hold"].startswith(UNCONFIRMED)
    return found
