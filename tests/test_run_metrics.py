"""A run's counts reach the Prometheus registry that ``serve`` exposes at /metrics."""

from datetime import UTC, datetime

import pytest

from jobs.summary import RunSummary
from sync.domain.inputs import Quarantined
from sync.runtime.metrics import REGISTRY


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_run_summary_is_recorded_in_the_metrics() -> None:
    before = {
        "created": sample("partnersync_commission_lines_total", action="created"),
        "voided": sample("partnersync_commission_lines_total", action="voided"),
        "paid": sample("partnersync_payouts_total", status="paid"),
        "accrued": sample("partnersync_amount_eur_total", kind="accrued"),
        "eur_paid": sample("partnersync_amount_eur_total", kind="paid"),
    }
    summary = RunSummary("sync", datetime(2026, 11, 1, tzinfo=UTC), lines={"created": 3, "voided": 1},
                         transfers=2, accrued_cents=12_345, paid_cents=40_000,
                         quarantined=[Quarantined("stripe", "invoice", "in_1", "currency", "bad"),
                                      Quarantined("stripe", "price", "p_1", "interval", "bad")],
                         decided=True)
    summary.record_metrics()
    assert sample("partnersync_commission_lines_total", action="created") - before["created"] == 3
    assert sample("partnersync_commission_lines_total", action="voided") - before["voided"] == 1
    assert sample("partnersync_payouts_total", status="paid") - before["paid"] == 2
    # Float counters shared with other tests' runs: compare to the cent.
    assert sample("partnersync_amount_eur_total", kind="accrued") - before["accrued"] == \
        pytest.approx(123.45, abs=0.005)
    assert sample("partnersync_amount_eur_total", kind="paid") - before["eur_paid"] == \
        pytest.approx(400.00, abs=0.005)
    assert sample("partnersync_quarantined_records", source="stripe") == 2
    assert sample("partnersync_quarantined_records", source="hubspot") == 0


def test_a_run_that_decided_nothing_leaves_the_quarantine_gauge_alone() -> None:
    """The payment job (every 15 minutes) and a sync that failed before deciding must
    not reset the last decision's quarantine to 0 (the quarantine alert reads it)."""
    RunSummary("sync", datetime(2026, 11, 1, tzinfo=UTC), decided=True, quarantined=[
        Quarantined("hubspot", "deal", "d_1", "amount", "bad")] * 3).record_metrics()
    RunSummary("pay", datetime(2026, 11, 1, 0, 15, tzinfo=UTC), transfers=1).record_metrics()
    RunSummary("sync", datetime(2026, 11, 1, 1, tzinfo=UTC), outcome="failed").record_metrics()
    assert sample("partnersync_quarantined_records", source="hubspot") == 3
    assert sample("partnersync_quarantined_records", source="stripe") == 0


def test_a_run_that_reversed_more_than_it_accrued_counts_the_net_as_reversed() -> None:
    """A month of refunds voids more commission than it creates: the net change is
    negative, which a counter cannot take (it raised ValueError after the run)."""
    before = {kind: sample("partnersync_amount_eur_total", kind=kind)
              for kind in ("accrued", "reversed")}
    RunSummary("sync", datetime(2026, 11, 1, tzinfo=UTC), lines={"voided": 2},
               accrued_cents=-25_050).record_metrics()
    assert sample("partnersync_amount_eur_total", kind="reversed") - before["reversed"] == \
        pytest.approx(250.50, abs=0.005)
    assert sample("partnersync_amount_eur_total", kind="accrued") == before["accrued"]
