"""A sync decides again only when something its decision depends on changed (issue 14):
with nothing changed it reuses the last decision and writes nothing; and whatever
changes in between, the worker that reuses ends exactly where one that decides every
time ends (the full recompute is the oracle)."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sync.domain.inputs import Tier
from sync.domain.months import month_of
from sync.engine.manual import manual_line
from sync.ledger.marks import load_mark, store_mark
from tests.e2e.support import DEMO_AS_OF, World, ledger_tables, open_world, outcome, sqlite_url


def _deal_ids(world: World) -> list[str]:
    return sorted(world.deals())


def _set_deal(world: World, deal_id: str, values: dict[str, str]) -> None:
    state = world.hubspot.state
    with state.lock:
        otype = state.resolve_type("deals")
        record = next(r for r in state.list(otype) if r.id == deal_id)
        state.update(otype, record, values)


def _set_partner_tier(world: World, company_id: str, tier: str) -> None:
    state = world.hubspot.state
    with state.lock:
        otype = state.resolve_type("companies")
        record = next(r for r in state.list(otype) if r.id == company_id)
        state.update(otype, record, {PROPS.company.tier: tier})


def test_nothing_changed_reuses_the_last_decision(small_fixtures: Path,
                                                  tmp_path: Path) -> None:
    with open_world(small_fixtures, sqlite_url(tmp_path)) as world:
        first = world.run(DEMO_AS_OF)
        assert first.reused_decision is None
        # The first incremental run reads back what the first one wrote: our own writes
        # are not inputs, so nothing the decision depends on changed.
        second = world.run(DEMO_AS_OF + timedelta(hours=1))
        assert second.reused_decision == 1  # the first run's decision (run ids from 1)
        before = ledger_tables(world.ledger())
        world.reset_calls()
        third = world.run(DEMO_AS_OF + timedelta(hours=2))
        assert third.reused_decision == 1
        assert (third.lines, third.payouts_created, third.writes_planned) == ({}, 0, 0)
        assert world.hubspot_writes() == {}
        after = ledger_tables(world.ledger())
        for table in ("commission_lines", "commission_line_versions", "payouts",
                      "payout_lines", "outbox", "written_records", "frozen_attributions",
                      "portal_partner_facts", "portal_customer_facts"):
            assert after[table] == before[table], table


def test_a_changed_input_a_new_month_or_a_ledger_change_decides_again(
        small_fixtures: Path, tmp_path: Path) -> None:
    with open_world(small_fixtures, sqlite_url(tmp_path)) as world:
        world.run(DEMO_AS_OF)
        assert world.run(DEMO_AS_OF).reused_decision is not None
        deal = _deal_ids(world)[0]
        _set_deal(world, deal, {"dealname": "Renamed by sales"})  # a read property
        assert world.run(DEMO_AS_OF).reused_decision is None
        assert world.run(DEMO_AS_OF).reused_decision is not None
        # A property only the worker writes, changed by someone: not an input.
        _set_deal(world, deal, {PROPS.deal.commission_ends_on: "2031-01-01"})
        assert world.run(DEMO_AS_OF).reused_decision is not None
        # The next month closes the current one (R12): decide.
        assert world.run(DEMO_AS_OF + timedelta(days=31)).reused_decision is None
        # A line added by hand (R34) moves the ledger: decide.
        partner = next(iter(world.ledger().load_state().lines)).partner_id
        line = manual_line(partner, Tier.PARTNER, month_of(DEMO_AS_OF) - 1, 1234,
                           "goodwill", "finance@example.com")
        world.ledger().add_manual_line(line, "finance@example.com", "goodwill")
        assert world.run(DEMO_AS_OF + timedelta(days=31)).reused_decision is None


def test_a_run_killed_before_its_writes_were_planned_leaves_no_mark(
        small_fixtures: Path, tmp_path: Path) -> None:
    with open_world(small_fixtures, sqlite_url(tmp_path)) as world:
        world.run(DEMO_AS_OF)
        assert load_mark(world.ledger()) is not None
        # A new decision forgets the mark before recording: a run dying after that and
        # before its writes are enqueued leaves none, so the next run decides again.
        store_mark(world.ledger(), None)
        assert world.run(DEMO_AS_OF).reused_decision is None


def _step(rng: random.Random, worlds: tuple[World, World], as_of_hours: list[int]) -> None:
    """One random change, made the same way in both worlds."""
    kind = rng.choice(["nothing", "rename", "referral", "referral", "tier", "worker_field",
                       "later", "next_month"])
    deals = _deal_ids(worlds[0])
    if kind == "rename":
        deal, name = rng.choice(deals), f"deal {rng.randrange(1000)}"
        for world in worlds:
            _set_deal(world, deal, {"dealname": name})
    elif kind == "referral":
        deal, code = rng.choice(deals), rng.choice(_codes(worlds[0]))
        at = (DEMO_AS_OF - timedelta(days=rng.randrange(1, 200))).isoformat()
        for world in worlds:  # a touch (R4) that may win the customer (R5-R9)
            _set_deal(world, deal, {PROPS.deal.referral_code: code,
                                    PROPS.deal.referral_at: at.replace("+00:00", "Z")})
    elif kind == "tier":
        company = rng.choice(sorted(_partners(worlds[0])))
        tier = rng.choice(["referral", "partner", "premier"])
        for world in worlds:
            _set_partner_tier(world, company, tier)
    elif kind == "worker_field":
        deal = rng.choice(deals)
        for world in worlds:
            _set_deal(world, deal, {PROPS.deal.commission_paid: "999.99"})
    elif kind == "later":
        as_of_hours.append(as_of_hours[-1] + rng.randrange(1, 48))
    elif kind == "next_month":
        as_of_hours.append(as_of_hours[-1] + 24 * 31)


def _partners(world: World) -> dict[str, str]:
    return {company_id: values.get(PROPS.company.referral_code) or ""
            for company_id, values in world.companies().items()
            if values.get(PROPS.company.tier)}


def _codes(world: World) -> list[str]:
    return sorted(code for code in _partners(world).values() if code)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reusing_ends_where_deciding_every_time_ends(
        seed: int, small_fixtures: Path, tmp_path: Path) -> None:
    """Random changes between syncs; one worker reuses when it may, the other forgets
    its mark before every run (a full recompute). After every run both hold the same
    lines, payouts, HubSpot records, transfers and customer metadata."""
    rng = random.Random(seed)
    (tmp_path / "reuse").mkdir()
    (tmp_path / "oracle").mkdir()
    with (open_world(small_fixtures, sqlite_url(tmp_path / "reuse")) as reusing,
          open_world(small_fixtures, sqlite_url(tmp_path / "oracle")) as oracle):
        hours = [0]
        reused = 0
        for _ in range(8):
            as_of = DEMO_AS_OF + timedelta(hours=hours[-1])
            summary = reusing.run(as_of)
            reused += summary.reused_decision is not None
            store_mark(oracle.ledger(), None)
            assert oracle.run(as_of).reused_decision is None
            assert outcome(reusing) == outcome(oracle)
            _step(rng, (reusing, oracle), hours)
        assert reused, "no step reused a decision: the comparison proved nothing"
