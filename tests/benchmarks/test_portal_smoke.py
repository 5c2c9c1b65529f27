"""The portal benchmark in CI size: correctness only, no timing.

A small generated portal behind both stand-ins (rate limits on, time-scaled), the
worker as its own process: a full sync, an incremental one that reads back what it
wrote, one with nothing changed (at most 6 calls, no writes), one after 1% of the deals
and invoices changed (exactly those read again).

After the full sync, nothing is compared with the engine: the lines of the customers
``tests.benchmarks.reference`` can state simply equal that reference, computed from the
generator's specs; only customers with a touch the generator planted have lines; HubSpot
shows exactly the ledger's lines and payouts; each payout is the sum of its lines.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from benchmarks.portal import AS_OF, START, Outcome, Scale, run
from benchmarks.portal_report import report
from benchmarks.portal_world import World
from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.synthetic.assemble import Scenario
from sandbox.synthetic.generate import generate_scenario
from sync.pull.stripe import INVOICE_PARTS
from tests.benchmarks.reference import month_of, reference_lines

SMALL = Scale(partners=20, deals=300, customers=200, months=6, seed=3, time_scale=50.0)
LAST_CLOSED = month_of(datetime.fromisoformat(AS_OF).replace(tzinfo=UTC)) - 1  # 2026-10
LINE, PAYOUT = PROPS.commission_line, PROPS.payout


@dataclass
class Snapshot:
    """The ledger and HubSpot right after the full sync."""

    lines: dict[str, tuple[str, str, int, str | None, str]] = field(default_factory=dict)
    # line id -> (customer, partner, cents, payout id, status); voided lines left out
    payouts: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    # payout id -> (partner, cents, status)
    payout_lines: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    hubspot_lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    hubspot_payouts: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Ran:
    outcome: Outcome
    snapshot: Snapshot


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def hubspot_records(world: World, object_name: str, id_property: str) -> dict[str, Any]:
    state = world.hubspot.state
    with state.lock:
        otype = state.resolve_type(object_name)
        return {str(record.properties.get(id_property)): dict(record.properties)
                for record in state.list(otype)}


@pytest.fixture(scope="module")
def benchmark(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    directory = tmp_path_factory.mktemp("portal")
    snapshot = Snapshot()

    def after_full(world: World) -> None:
        with sqlite3.connect(world.database) as connection:
            for line_id, customer, partner, amount, payout, status in connection.execute(
                    "SELECT id, customer_id, partner_id, amount, payout_id, status"
                    " FROM commission_lines WHERE status != 'void'"):
                snapshot.lines[line_id] = (customer, partner, amount, payout, status)
            for payout_id, partner, amount, status in connection.execute(
                    "SELECT id, partner_id, amount, status FROM payouts"):
                snapshot.payouts[payout_id] = (partner, amount, status)
            for payout_id, line_id in connection.execute(
                    "SELECT payout_id, line_id FROM payout_lines"):
                snapshot.payout_lines[payout_id].add(line_id)
        snapshot.hubspot_lines = hubspot_records(world, LINE.object_name, LINE.line_id)
        snapshot.hubspot_payouts = hubspot_records(world, PAYOUT.object_name, PAYOUT.payout_id)

    return Ran(run(SMALL, directory, after_full=after_full), snapshot)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The generator's specs for the same portal (the same seed draws the same portal)."""
    return generate_scenario(SMALL.seed, partners=SMALL.partners, deals=SMALL.deals,
                             customers=SMALL.customers, months=SMALL.months, start=START)


def test_the_full_sync_makes_the_fewest_reads_and_no_429(
        benchmark: Ran) -> None:
    outcome = benchmark.outcome
    full = outcome.runs[0]
    reads = {name for name in full.minimum if not name.endswith(("update", "upsert",
                                                                  "batch.default"))}
    # Invoices are listed as time ranges side by side: at most a page more a range.
    extra = {"stripe:invoices.list": INVOICE_PARTS - 1}
    for name in reads - {"stripe:accounts.list"}:  # 20 partners: retrieved one by one
        least = full.minimum[name]
        assert least <= full.calls.get(name, 0) <= least + extra.get(name, 0), name
    assert all(run.rejected == 0 for run in outcome.runs)
    assert full.writes > 0 and full.written.kinds.get("hubspot.line", 0) > 0


def test_simple_customers_lines_are_the_reference_calculation(
        benchmark: Ran, scenario: Scenario) -> None:
    """R2-R18 on the customers the reference covers: exactly its lines and amounts."""
    expected = reference_lines(scenario, LAST_CLOSED)
    by_customer: dict[str, dict[str, int]] = defaultdict(dict)
    for line_id, (customer, _, amount, _, _) in benchmark.snapshot.lines.items():
        by_customer[customer][line_id] = amount
    for customer_id, lines in expected.items():
        assert by_customer.get(customer_id, {}) == lines, customer_id
    # Not a vacuous comparison: a good share of the portal's commission, of every kind.
    covered = [line_id for lines in expected.values() for line_id in lines]
    assert len(expected) >= 15 and len(covered) >= 60, (len(expected), len(covered))
    assert {line_id.rsplit("_", 1)[1] for line_id in covered} == {"recurring", "flat"}
    assert len(covered) * 3 >= len(benchmark.snapshot.lines), "the reference covers a third"


def test_only_customers_with_a_planted_touch_earn(benchmark: Ran, scenario: Scenario) -> None:
    """R4: commission needs a partner touch; the generator planted them on deals."""
    touched = {deal.customer_id for deal in scenario.deals
               if deal.customer_id and (deal.referral_code or deal.registered_by)}
    by_metadata = {deal.deal_id for deal in scenario.deals
                   if deal.customer_id is None and (deal.referral_code or deal.registered_by)}
    touched |= {customer.customer_id for customer, _ in scenario.customers
                if customer.hubspot_deal_id in by_metadata}
    partners = {spec.company_id for spec in scenario.partners}
    earning = {customer for customer, *_ in benchmark.snapshot.lines.values()}
    assert earning and earning <= touched
    assert {partner for _, partner, *_ in benchmark.snapshot.lines.values()} <= partners


def test_hubspot_shows_exactly_the_ledgers_lines_and_payouts(benchmark: Ran) -> None:
    """Every live line and payout is a HubSpot record with the ledger's amount, status
    and payout; no other record exists after the first sync."""
    snapshot, outcome = benchmark.snapshot, benchmark.outcome
    paid = {pid for pid, (_, _, status) in snapshot.payouts.items() if status == "paid"}
    shown = {line_id: (record[LINE.stripe_customer_id], record[LINE.partner_id],
                       cents(record[LINE.amount]), record[LINE.payout_id] or None,
                       record[LINE.status])
             for line_id, record in snapshot.hubspot_lines.items()}
    assert shown == {line_id: (customer, partner, amount, payout,
                               "paid" if payout in paid else "accrued")
                     for line_id, (customer, partner, amount, payout, _)
                     in snapshot.lines.items()}
    assert len(snapshot.lines) == outcome.runs[0].written.kinds["hubspot.line"]
    assert {payout_id: (record[PAYOUT.partner_id], cents(record[PAYOUT.amount]),
                        record[PAYOUT.status])
            for payout_id, record in snapshot.hubspot_payouts.items()} == snapshot.payouts


def test_every_payout_is_the_sum_of_its_lines(benchmark: Ran) -> None:
    """R22: a payout pays its partner's lines, its amount their sum; a line assigned to a
    payout is in that payout."""
    snapshot = benchmark.snapshot
    assert snapshot.payouts
    assert set(snapshot.payout_lines) == set(snapshot.payouts)
    for payout_id, (partner, amount, _) in snapshot.payouts.items():
        lines = [snapshot.lines[line_id] for line_id in snapshot.payout_lines[payout_id]]
        assert all(line[1] == partner and line[3] == payout_id for line in lines), payout_id
        assert amount == sum(line[2] for line in lines) > 0, payout_id
    assigned = {line_id for line_id, line in snapshot.lines.items() if line[3]}
    assert assigned == set().union(*snapshot.payout_lines.values())


def test_nothing_changed_costs_at_most_six_calls_and_writes_nothing(
        benchmark: Ran) -> None:
    quiet = benchmark.outcome.runs[2]
    assert quiet.total <= 6 and quiet.writes == 0
    assert not any(quiet.read.values())


def test_a_one_percent_change_reads_again_exactly_what_changed(
        benchmark: Ran) -> None:
    outcome = benchmark.outcome
    changed, after = outcome.changed, outcome.runs[3]
    assert changed is not None
    assert after.read.get("hubspot.deal") == len(changed.deals)
    assert after.read.get("stripe.invoice") == len(changed.invoices)
    others = {kind: n for kind, n in after.read.items()
              if kind not in {"hubspot.deal", "hubspot.company", "stripe.invoice"} and n}
    assert others == {}
    if changed.invoices_paid == 0:  # renamed deals and touched metadata change no output
        assert after.writes == 0
    assert after.total <= outcome.runs[2].total + 4  # a page more of each, at most


def test_the_table_prints(benchmark: Ran) -> None:
    from benchmarks.portal import floor_of

    printed = "\n".join(report(benchmark.outcome, floor_of))
    assert "goals:" in printed and "nothing changed" in printed
