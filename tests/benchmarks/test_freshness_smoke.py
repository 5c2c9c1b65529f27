"""The freshness benchmark in CI size: correctness only, no timing.

A small generated portal behind both stand-ins (rate limits on, time-scaled), a first
full sync by the worker as its own process, then ``partnersync serve`` receiving the
stand-ins' webhooks: every paid first invoice and every deal change of the stream, the
burst and the faults pass becomes visible through HubSpot's API, only targeted syncs
ran (the schedules are far away) and all succeeded, and after duplicated and reordered
deliveries a regular sync finds nothing to write while HubSpot shows exactly the
ledger's lines and payouts.
"""

from __future__ import annotations

import pytest

from benchmarks.freshness import Outcome, Plan, run
from benchmarks.freshness_events import CHANGED, PAID
from benchmarks.freshness_report import report
from benchmarks.portal import Scale

SMALL = Plan(Scale(partners=20, deals=300, customers=200, months=6, seed=3, time_scale=50.0),
             events=6, burst=12, faulted=6, debounce=1.0, timeout=120.0)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    return run(SMALL, tmp_path_factory.mktemp("freshness"))


def test_every_event_becomes_visible_in_hubspot(outcome: Outcome) -> None:
    stream, burst, _ = outcome.passes
    assert [len(p.events) for p in outcome.passes] == [6, 12, 6]
    assert all(event.seen_at is not None for p in outcome.passes for event in p.events)
    assert [e.kind for e in stream.events] == [PAID, CHANGED] * 3
    assert {e.kind for e in burst.events} == {PAID}
    # A paid first invoice converts the prospect (R3); a touch at the conversion
    # instant by an active partner's code wins the customer (R4-R6, R10).
    assert {e.status for e in stream.events if e.kind == CHANGED} == {"attributed"}
    assert len({e.deal_id for p in outcome.passes for e in p.events}) == 24


def test_only_targeted_syncs_ran_and_all_succeeded(outcome: Outcome) -> None:
    assert all(p.syncs and set(p.syncs) == {"succeeded"} for p in outcome.passes)
    burst = outcome.passes[1]
    # The burst's invoices are read again one by one, its deals written 100 a call.
    assert burst.calls.get("stripe:invoices.retrieve", 0) >= 12
    assert burst.written is not None and burst.written.kinds.get("hubspot.deal") == 12
    assert all(p.rejected == 0 for p in outcome.passes)


def test_duplicated_and_reordered_deliveries_change_nothing(outcome: Outcome) -> None:
    end = outcome.end
    assert end is not None
    assert outcome.deliveries.get("fault:duplicate", 0) > 0
    assert outcome.deliveries.get("fault:reorder", 0) > 0
    assert end.oracle_exit == 0 and end.oracle_writes == {}
    assert end.events_pending == 0 and end.events_noted == 0
    assert end.line_mismatches == [] and end.payout_mismatches == []
    assert end.lines > 0 and end.payouts > 0
    assert end.consistent


def test_the_figures_print(outcome: Outcome) -> None:
    printed = "\n".join(report(outcome))
    for heading in ("steady stream:", "month-start burst:", "faults pass:", "goals:",
                    "oracle (a regular sync after the faults pass): exit 0, writes: none"):
        assert heading in printed
