"""HubSpot's two rate windows used at once (sync.writeback.lanes), through the SDK
against the HubSpot stand-in: one window held by the test (a pacer that lets no call
through until the stand-in's call log shows what the other window did meanwhile), or a
fatal failure on one side; then what was confirmed, what stayed pending, and a rerun.
Stripe's metadata updates go two at a time too (stripe-python against its stand-in).

The world (tests/apply/support.py) decides 3 lines, 3 payouts, 4 deals and 3 companies
(and 3 Stripe customers' metadata); 250 more lines of partner 101 on deal 201 make 253:
upserts 1 payout chunk + 3 line chunks, associations 1 (payouts to companies) + 3 x 2
(lines to companies and to deals), updates 1 of deals + 1 of companies.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from mappings.properties import DEFAULT_PROPERTY_MAP as PROPS
from sandbox.core.faults import FaultPlan
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.pacing import RollingWindowPacer
from sync.adapters.retry import RetryPolicy
from sync.adapters.stripe.gateway import StripeGateway
from sync.errors import ServerError
from sync.writeback.intents import (
    HUBSPOT_COMPANY,
    HUBSPOT_DEAL,
    HUBSPOT_LINE,
    HUBSPOT_PAYOUT,
    STRIPE_CUSTOMER,
)
from sync.writeback.send import apply_outbox, enqueue_intents
from tests.adapters.stripe_support import API_KEY
from tests.apply.support import World, assert_hubspot_holds, bulk_lines

UPSERT, UPDATE = "crm.objects.batch.upsert", "crm.objects.batch.update"
ASSOCIATE = "crm.associations.batch.default"
ALL = {HUBSPOT_LINE: 253, HUBSPOT_PAYOUT: 3, HUBSPOT_DEAL: 4, HUBSPOT_COMPANY: 3,
       STRIPE_CUSTOMER: 3}
WAIT = 10.0  # seconds a held window waits for its condition before the test fails
# Seconds a held window stays shut once its condition holds: the stand-in logs a call
# before the worker has its answer, and a failing lane must have recorded its failure
# before the calls under way here end (no figure is asserted).
LINGER = 0.3


class HeldWindow(RollingWindowPacer):
    """A wide-open window that lets no call through until ``until()`` holds."""

    def __init__(self, until: Callable[[], bool]) -> None:
        super().__init__(limit=1_000_000, window=10.0)
        self._until = until

    def acquire(self) -> None:
        if not self._until():
            deadline = time.monotonic() + WAIT
            while not self._until():
                assert time.monotonic() < deadline, "held in vain: the other window waited too"
                time.sleep(0.005)
            time.sleep(LINGER)
        super().acquire()


def _enqueue(w: World) -> None:
    run_id, decisions = w.decide()
    intents = [*w.intents(decisions), *bulk_lines(250)]
    assert enqueue_intents(w.ledger, intents, run_id) == sum(ALL.values())


def _gateway(w: World, *, general: Callable[[], bool] = lambda: True,
             associations: Callable[[], bool] = lambda: True) -> HubSpotGateway:
    return w.portal.gateway(attempts=3, pacer=HeldWindow(general),
                            association_pacer=HeldWindow(associations))


def _calls(w: World) -> list[str]:
    return [call.endpoint for call in w.portal.sandbox.calls.calls()]


def _fail_every(w: World, path: str) -> None:
    """Every call on ``path`` answers 500: three attempts, then ServerError (fatal)."""
    w.portal.sandbox.faults.replace(FaultPlan(share=1.0, kinds={"500": 1.0}, paths=[path]))


def _rerun_confirms_the_rest(w: World, first: dict[str, int]) -> None:
    """Without faults a rerun confirms exactly what the first run left; then nothing."""
    w.portal.sandbox.faults.replace(FaultPlan())
    second = apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS)
    assert second.failed == {} and w.ledger.pending() == []
    assert {kind: first.get(kind, 0) + second.sent.get(kind, 0) for kind in ALL} == ALL
    _, decisions = w.decide()
    assert_hubspot_holds(w, [*w.intents(decisions), *bulk_lines(250)])
    w.reset_calls()
    assert apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS).written == 0
    assert w.hubspot_writes() == 0


def test_deals_and_companies_are_updated_while_the_associations_wait(w: World) -> None:
    _enqueue(w)
    hubspot = _gateway(w, associations=lambda: w.portal.count(UPDATE) == 2)

    summary = apply_outbox(w.ledger, hubspot, w.stripe, PROPS)

    assert dict(summary.sent) == ALL and summary.failed == {}
    assert w.ledger.pending() == []
    calls = [call for call in _calls(w) if call in (UPSERT, UPDATE, ASSOCIATE)]
    first = calls.index(ASSOCIATE)
    assert sorted(calls[:first]) == [UPDATE] * 2 + [UPSERT] * 4  # general window, all of it
    assert calls[first:] == [ASSOCIATE] * 7
    _rerun_confirms_the_rest(w, dict(summary.sent))


def test_a_failed_association_stops_the_upserts_and_updates_not_started(w: World) -> None:
    _enqueue(w)
    _fail_every(w, "/crm/v4/associations/*")
    def first_upserts_or_failed() -> bool:
        """The first upserts go; later general calls wait until an association failed."""
        return w.portal.count(UPSERT) == 0 or w.portal.count(ASSOCIATE, status=500) >= 3

    hubspot = _gateway(w, general=first_upserts_or_failed)

    with pytest.raises(ServerError):
        apply_outbox(w.ledger, hubspot, w.stripe, PROPS, hubspot_payouts=[])
    held = {entry.kind for entry in w.ledger.pending()}

    assert w.portal.count(UPDATE) == 0  # deals and companies never started
    assert w.portal.count(UPSERT) <= 4  # the upserts under way finished
    assert {HUBSPOT_DEAL, HUBSPOT_COMPANY} <= held
    _rerun_confirms_the_rest(w, {STRIPE_CUSTOMER: 3})  # nothing of HubSpot's confirmed


def test_a_failed_update_stops_the_associations_not_started(w: World) -> None:
    _enqueue(w)
    _fail_every(w, "/crm/v3/objects/*/batch/update")
    hubspot = _gateway(w, associations=lambda: w.portal.count(UPDATE, status=500) >= 3)

    with pytest.raises(ServerError):
        apply_outbox(w.ledger, hubspot, w.stripe, PROPS, hubspot_payouts=[])

    # The two association tasks under way (waiting on their window) finished: at most
    # two chunks' associations, 2 calls each; the rest of the 7 never started.
    associated = w.portal.count(ASSOCIATE)
    assert 1 <= associated <= 4
    pending = [entry.kind for entry in w.ledger.pending()]
    assert pending.count(HUBSPOT_LINE) >= 100  # at least one line chunk left unconfirmed
    sent = {kind: ALL[kind] - pending.count(kind) for kind in ALL}
    _rerun_confirms_the_rest(w, sent)


class PairedWindow(RollingWindowPacer):
    """A wide-open window whose first two calls wait for each other: sent one at a time,
    the first waits in vain (BrokenBarrierError)."""

    def __init__(self) -> None:
        super().__init__(limit=1_000_000, window=1.0)
        self.both = threading.Barrier(2, timeout=WAIT)
        self.calls = 0
        self._counting = threading.Lock()

    def acquire(self) -> None:
        with self._counting:
            self.calls += 1
            first_two = self.calls <= 2
        if first_two:
            self.both.wait()
        super().acquire()


def test_stripe_metadata_goes_two_at_a_time(w: World) -> None:
    w.sync()
    pacer = PairedWindow()
    stripe = StripeGateway(API_KEY, w.stripe_env.url, pacer=pacer,
                           retry=RetryPolicy(max_attempts=3, sleep=lambda _seconds: None))

    summary = apply_outbox(w.ledger, w.hubspot, stripe, PROPS)

    assert summary.sent[STRIPE_CUSTOMER] == 3 and summary.failed == {}
    assert pacer.calls == 3 and w.stripe_calls("customers.update") == 3
    w.reset_calls()
    assert apply_outbox(w.ledger, w.hubspot, w.stripe, PROPS).written == 0
    assert w.stripe_writes() == 0
