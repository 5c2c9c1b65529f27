"""The demo portal pulled into an empty mirror, then pulled again with nothing changed."""

from __future__ import annotations

from dataclasses import fields

from mappings.assemble import load_fixture_dir
from mappings.properties import DEFAULT_PROPERTY_MAP
from sync.domain.inputs import Inputs
from sync.pull.mirror_inputs import Mirrored, inputs_from_mirror
from tests.pull.support import DEMO, world

# The demo: 14 partners with a tier, 1 whose tier was cleared (R1), 165 deals with 135
# companies, 118 customers, 12 prices, 119 subscriptions, 1402 invoices, 14 accounts.
FULL_CALLS = {
    "hubspot crm.objects.search": 1,  # companies with a tier or that ever had one
    "hubspot crm.objects.batch.read": 1 + 2,  # 15 partners; 135 deal companies
    "hubspot crm.objects.list": 2 + 1,  # 165 deals; payouts
    "stripe events.list": 1,  # the newest event before listing
    "stripe customers.list": 2,
    "stripe prices.list": 1,
    "stripe subscriptions.list": 2,
    "stripe invoices.list": 15,
    "stripe accounts.retrieve": 14,
}
QUIET_CALLS = {
    "hubspot crm.objects.search": 3,  # companies, deals and payouts changed (none)
    "hubspot crm.objects.list": 1,  # archived companies (none): a partner gone missing
    "stripe events.list": 1,
}


def canonical(inputs: Inputs) -> Inputs:
    """Order-free: the mirror lists records by id, the fixture files in their order."""
    return Inputs(**{f.name: tuple(sorted(getattr(inputs, f.name), key=repr))
                     for f in fields(Inputs)})


def test_full_pull_mirrors_the_demo_then_a_quiet_pull_costs_five_calls(
        sqlite_url: str) -> None:
    with world(DEMO, sqlite_url) as demo:
        first = demo.pull()

        assert first.full_hubspot and first.full_stripe
        mirrored = inputs_from_mirror(demo.mirror, DEFAULT_PROPERTY_MAP)
        assert canonical(mirrored) == canonical(load_fixture_dir(DEMO))
        assert first.missing == {Mirrored.HUBSPOT_PARTNER.value: 0}
        assert "30000000009" in demo.mirror.ids(Mirrored.HUBSPOT_PARTNER.value)  # cleared
        assert demo.calls() == FULL_CALLS

        demo.reset_calls()
        before = demo.snapshot()
        demo.advance(minutes=15)
        second = demo.pull()

        assert not second.full_hubspot and not second.full_stripe
        assert set(second.changed.values()) == {0} and set(second.removed.values()) == {0}
        assert demo.snapshot() == before
        assert demo.calls() == QUIET_CALLS
        assert sum(demo.calls().values()) == 5
