"""The portal benchmark in CI size: correctness only, no timing.

A small generated portal behind both stand-ins (rate limits on, time-scaled), the
worker as its own process: a full sync, an incremental one that reads back what it
wrote, one with nothing changed (at most 6 calls, no writes), one after 1% of the deals
and invoices changed (exactly those read again). The ledger's lines after the full sync
equal the engine's on the generated fixture files.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.portal import AS_OF, Outcome, Scale, run
from benchmarks.portal_report import report
from benchmarks.portal_world import World
from mappings.assemble import load_fixture_dir
from sync.cli.run import parse_as_of
from sync.config.programme_file import default_programme
from sync.domain.decisions import LedgerState
from sync.engine.decide import decide
from sync.pull.stripe import INVOICE_PARTS

SMALL = Scale(partners=20, deals=300, customers=200, months=6, seed=3, time_scale=50.0)


@dataclass
class Ran:
    outcome: Outcome
    lines: dict[str, int]  # the ledger's live lines after the full sync: id -> amount
    directory: Path  # the generated fixture files


@pytest.fixture(scope="module")
def benchmark(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    directory = tmp_path_factory.mktemp("portal")
    lines: dict[str, int] = {}

    def snapshot(world: World) -> None:
        with sqlite3.connect(world.database) as connection:
            lines.update(connection.execute(
                "SELECT id, amount FROM commission_lines WHERE status != 'void'").fetchall())

    return Ran(run(SMALL, directory, after_full=snapshot), lines, directory)


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


def test_the_ledger_lines_are_the_engines_on_the_generated_files(
        benchmark: Ran) -> None:
    outcome, lines = benchmark.outcome, benchmark.lines
    decided = decide(load_fixture_dir(benchmark.directory), LedgerState(),
                     parse_as_of(AS_OF), default_programme())
    assert lines == {line.id: line.amount for line in decided.ledger.lines}
    assert len(lines) == outcome.runs[0].written.kinds["hubspot.line"]


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
