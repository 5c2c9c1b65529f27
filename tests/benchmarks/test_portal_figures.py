"""The portal benchmark's arithmetic: the fewest calls and the rate limits' floor, with
HubSpot's association batches in their own window (values computed by hand)."""

from __future__ import annotations

import pytest

from benchmarks.portal_figures import Written, floor_seconds
from benchmarks.portal_world import Limits


def test_association_batches_fill_their_own_window_beside_the_general_one() -> None:
    calls = {"hubspot:crm.objects.list": 101, "hubspot:crm.objects.batch.read": 81,
             "hubspot:crm.objects.batch.update": 104, "hubspot:crm.objects.batch.upsert": 96,
             "hubspot:crm.schemas.list": 1, "hubspot:crm.objects.search": 2,
             "hubspot:crm.associations.batch.default": 180, "stripe:invoices.list": 1_000}

    floor = floor_seconds(calls, Limits())

    # general: 383 calls at 190 per 10 s = 20.16 s; associations: 180 at 150 per 10 s
    # = 12 s; searches: 2 at 5 a second = 0.4 s; Stripe: 1,000 at 100 a second = 10 s
    assert floor["hubspot"] == pytest.approx(20.157895, abs=1e-6)
    assert floor["stripe"] == pytest.approx(10.0)


def test_the_association_window_can_be_the_longest() -> None:
    calls = {"hubspot:crm.associations.batch.default": 300,
             "hubspot:crm.associations.batch.read": 30, "hubspot:crm.objects.list": 10}

    floor = floor_seconds(calls, Limits(hubspot_associations_per_10s=100))

    assert floor["hubspot"] == pytest.approx(33.0)  # 330 at 100 per 10 s; general 0.53 s


def test_default_associations_count_100_pairs_a_call() -> None:
    written = Written({"hubspot.line": 250, "hubspot.payout": 1}, lines_with_deal=199,
                      lines_with_partner=250, payouts_with_partner=1)

    minimum = written.minimum()

    assert minimum["hubspot:crm.associations.batch.default"] == 6  # 3 + 2 + 1
    assert minimum["hubspot:crm.objects.batch.upsert"] == 4  # 3 + 1


def test_a_burst_is_read_by_the_fewer_of_one_get_each_and_its_events_listing_pages() -> None:
    from benchmarks.freshness import Pass, burst_floor, burst_reads
    from benchmarks.freshness_events import PAID, Event

    paid = [Event(PAID, str(n)) for n in range(1_000)]
    # 1,000 invoices paid, 3 listed events each: 3,000 events, 30 pages of 100.
    assert burst_reads(Pass("burst", paid, listed_events=3_000)) == 30
    # 5 invoices, 15 events: one page, fewer than 5 GETs.
    assert burst_reads(Pass("burst", paid[:5], listed_events=15)) == 1
    # Fewer listed events than invoices (some not in the listing): one GET each.
    assert burst_reads(Pass("burst", paid[:5], listed_events=4)) == 5
    # The floor: 30 Stripe reads at 100/s, nothing written: 0.3 s.
    assert burst_floor(Pass("burst", paid, listed_events=3_000), Limits(), 1.0) == \
        pytest.approx(0.3)
