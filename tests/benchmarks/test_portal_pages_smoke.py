"""The partner-pages benchmark's code path on a tiny world, without timing goals: the
world is what the generator promises, the partner signs in through a real link, and
every partner page answers 200 each time it is asked.

5 customers registered by the partner, on the first five monthly prices of the stand-ins'
catalogue (19.00 + 49.00 + 99.00 + 290.00 + 390.00 = 847.00 EUR a month), billed for 3
months: 15 invoices, 15 lines, and each month 25% of 847.00 = 211.75 EUR (partner tier,
R12), above the partner tier's 200.00 minimum (R22): 3 monthly payouts of 211.75."""

from __future__ import annotations

from benchmarks.portal_pages import report, run
from benchmarks.portal_pages_world import Built, Size

PAGES = ["/overview", "/customers", "/lines", "/lines?month={month}", "/lines/{line}",
         "/payouts", "/payouts/{payout}", "/payouts/{payout}/statement.csv", "/referral"]


def test_the_benchmark_builds_its_world_and_asks_every_partner_page() -> None:
    size = Size(customers=5, months=3)
    [measured] = run(size, requests=2, postgres=None)
    assert measured.database == "SQLite"
    assert measured.built == Built(lines=15, payouts=3, invoices=15)
    assert [timing.page for timing in measured.timings][:len(PAGES)] == PAGES
    paths = {timing.page: timing.path for timing in measured.timings}
    # the last four payouts stay unpaid, so none of three is paid: the latest is shown
    assert paths["/payouts/{payout}"] == "/payouts/vmcpo_30000000001_2025-01"
    assert paths["/lines?month={month}"] == "/lines?month=2025-01"
    assert all(len(timing.samples_ms) == 2 for timing in measured.timings)
    printed = report(size, 2, [measured])
    assert printed[2].startswith("SQLite: 15 lines, 3 payouts, 15 invoices; built in ")
    assert len(printed) == 4 + len(measured.timings)
