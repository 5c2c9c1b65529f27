"""The gateway's association calls: HubSpot's documented batch sizes, through the SDK
against the stand-in, and their own rate window (docs/configuration.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.hubspot import HubSpotSandbox
from sandbox.hubspot.records import Record
from sync.adapters.hubspot.transport import ASSOCIATIONS, GENERAL, HubSpotTransport, Window
from sync.adapters.pacing import RollingWindowPacer
from sync.adapters.retry import RetryPolicy
from tests.adapters.hubspot_support import Portal, seed_companies, served_portal
from tests.adapters.test_pacing import FakeClock

READ, DEFAULT = "crm.associations.batch.read", "crm.associations.batch.default"
SEARCH = "crm.objects.search"
CHANGED = "2026-01-15T00:00:00.000Z"


@pytest.fixture
def portal() -> Iterator[Portal]:
    with served_portal(None, search_per_second=None) as served:
        yield served


def _seed_deals(sandbox: HubSpotSandbox, deal_ids: range, company_id: str) -> None:
    """Deals changed on ``CHANGED``, each associated with ``company_id``."""
    state = sandbox.state
    deals, companies = state.resolve_type("deals"), state.resolve_type("companies")
    unlabeled = state.associations.default_type(deals.type_id, companies.type_id)
    with state.lock:
        for number in deal_ids:
            deal_id = str(number)
            state.seed(deals, Record(deal_id, {
                "hs_object_id": deal_id, "dealname": f"Deal {deal_id}",
                "hs_lastmodifieddate": CHANGED}, {}, CHANGED, CHANGED))
            state.associations.add((deals.type_id, deal_id), (companies.type_id, company_id),
                                   unlabeled)


def test_2500_changed_deals_read_their_companies_1000_a_call(portal: Portal) -> None:
    seed_companies(portal.sandbox, [5_000])
    _seed_deals(portal.sandbox, range(10_001, 12_501), "5000")

    changed = portal.gateway().changed_deals(datetime(2026, 1, 1, tzinfo=UTC), at_most=None)

    assert len(changed) == 2_500
    assert all(d["associations"]["companies"]["results"] == [
        {"id": "5000", "type": "deal_to_company_unlabeled"}] for d in changed)
    # 2,500 deals: searches of 200 (12 full pages and one of 100), association reads of
    # 1,000 (1,000 + 1,000 + 500)
    assert portal.sandbox.calls.counters() == {SEARCH: 13, READ: 3}


def test_2500_pairs_are_associated_100_a_call(portal: Portal) -> None:
    seed_companies(portal.sandbox, range(20_001, 22_501))
    _seed_deals(portal.sandbox, range(30_001, 30_002), "20001")
    pairs = [("30001", str(company)) for company in range(20_001, 22_501)]

    outcome = portal.gateway().associate("deals", "companies", pairs)

    assert outcome.ok and len(outcome.succeeded) == 2_500
    assert portal.sandbox.calls.counters() == {DEFAULT: 25}  # 2,500 / 100
    linked = portal.sandbox.state.associations.targets(("0-3", "30001"), "0-2")
    assert len(linked) == 2_500


# -- pacing -----------------------------------------------------------------------------


class FakeAnswer:
    def __init__(self, headers: dict[str, str]) -> None:
        self.status, self.data, self.headers = 200, b"{}", headers


def _transport(general: RollingWindowPacer, associations: RollingWindowPacer
               ) -> HubSpotTransport:
    return HubSpotTransport("token", "http://127.0.0.1:9", retry=RetryPolicy(max_attempts=1),
                            pacer=general, search_pacer=None, association_pacer=associations)


def test_association_calls_are_paced_in_their_own_window() -> None:
    clock = FakeClock()
    general = RollingWindowPacer(190, 10.0, clock=clock, sleep=clock.sleep)
    associations = RollingWindowPacer(150, 10.0, clock=clock, sleep=clock.sleep)
    transport = _transport(general, associations)
    sent: list[tuple[Window, float]] = []

    def call(window: Window) -> None:
        def send(**_: Any) -> FakeAnswer:
            sent.append((window, clock.now))
            return FakeAnswer({})
        transport.call("test", send, window=window)

    for _ in range(150):
        call(ASSOCIATIONS)
    for _ in range(190):
        call(GENERAL)  # a full general window on top: the associations took none of it
    assert clock.slept == [] and len(sent) == 340

    call(ASSOCIATIONS)  # the 151st association call waits for the window to roll
    assert clock.slept == [10.0] and sent[-1] == (ASSOCIATIONS, 10.0)
    call(GENERAL)  # at t=10 the general window has rolled too
    assert clock.slept == [10.0]
    starts = [at for window, at in sent if window == ASSOCIATIONS]
    assert max(sum(1 for t in starts if s <= t < s + 10.0) for s in starts) == 150


def test_an_association_answer_s_headers_tighten_only_the_association_pacer() -> None:
    clock = FakeClock()
    general = RollingWindowPacer(190, 10.0, clock=clock, sleep=clock.sleep)
    associations = RollingWindowPacer(150, 10.0, clock=clock, sleep=clock.sleep)
    headers = {"X-HubSpot-RateLimit-Max": "100", "X-HubSpot-RateLimit-Remaining": "99"}

    _transport(general, associations).call(
        "test", lambda **_: FakeAnswer(headers), window=ASSOCIATIONS)

    assert (associations.limit, general.limit) == (100, 190)


def test_without_an_association_pacer_associations_share_the_general_window() -> None:
    clock = FakeClock()
    general = RollingWindowPacer(2, 10.0, clock=clock, sleep=clock.sleep)
    transport = HubSpotTransport("token", "http://127.0.0.1:9",
                                 retry=RetryPolicy(max_attempts=1), pacer=general,
                                 search_pacer=None)
    for window in (ASSOCIATIONS, GENERAL, ASSOCIATIONS):
        transport.call("test", lambda **_: FakeAnswer({}), window=window)
    assert clock.slept == [10.0]


def test_both_windows_full_through_the_stand_in_without_a_429(portal: Portal) -> None:
    sandbox = portal.sandbox
    seed_companies(sandbox, range(40_001, 40_031))
    _seed_deals(sandbox, range(50_001, 50_002), "40001")
    sandbox.clock.time_scale = 50  # the 10-second windows pass in 0.2 s
    sandbox.limits.configure({"ten_second_limit": 4, "association_ten_second_limit": 3})
    clock = sandbox.clock
    # A 10% longer window absorbs the network: the portal counts a request on arrival.
    general = RollingWindowPacer(4, 11.0, clock=clock.monotonic, sleep=clock.sleep)
    associations = RollingWindowPacer(3, 11.0, clock=clock.monotonic, sleep=clock.sleep)
    gateway = portal.gateway(pacer=general, association_pacer=associations)

    for number in range(40_001, 40_010):  # 9 association calls: 3 windows' worth
        gateway.associate("deals", "companies", [("50001", str(number))])
    for number in range(40_001, 40_013):  # 12 others, interleaved with 6 more
        gateway.companies([str(number)])
        if number % 2:
            gateway.associate("deals", "companies", [("50001", str(number + 12))])

    assert portal.count(DEFAULT) == 15 and portal.count("crm.objects.batch.read") == 12
    assert portal.count(status=429) == 0
    assert general.waited > 0 and associations.waited > 0  # both windows were full
