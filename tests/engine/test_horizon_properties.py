"""The decision horizon's promise, over generated programmes (sync/engine/horizon.py).

For any ``later`` with ``as_of <= later < decision_horizon(inputs, as_of, programme)``,
``decide`` at ``later`` equals ``decide`` at ``as_of`` in every field but ``as_of``:
with an empty ledger, and with the ledger a first run left (lines, payouts, frozen
attributions). At ``later == horizon`` nothing is required: the decisions may change
there (tests/engine/test_horizon.py shows them change for a tier, a payment, an
amendment and a month start), and a horizon that only might change is allowed.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.config.programme_file import programme_from_mapping
from sync.domain.decisions import Decisions, LedgerState
from sync.domain.history import History
from sync.domain.inputs import Deal, Inputs, Partner
from sync.domain.months import month_of, month_start
from sync.engine.decide import decide
from sync.engine.horizon import decision_horizon
from tests.engine.strategies import BASE, EPOCH, PROGRAMMES, Draw, World, instants, worlds
from tests.engine.test_properties import PROFILE

ONE = timedelta(microseconds=1)
STEPS = 4  # consecutive horizons checked per example

# Terms amended on the 15th of every month at 09:00 (an instant the generators use too),
# windows alternating, so that (b) binds often and is not hidden behind (a).
MID_MONTH = programme_from_mapping({"amendments": [
    {"effective_from": month_start(month) + timedelta(days=14, hours=9),
     "tiers": {"referral": {"window_months": 3 if month % 2 else 12},
               "partner": {"window_months": 6 if month % 2 else 24},
               "premier": {"window_months": 12 if month % 2 else "permanent"}}}
    for month in range(BASE - 3, BASE + 9)
]})
LATE = (timedelta(0), timedelta(hours=1), timedelta(days=3), timedelta(days=20))


@st.composite
def late_touches(draw: Draw, data: Inputs) -> tuple[Deal, ...]:
    """Touches after a customer's first payment: R4 adds them as candidates (R7 fails
    them) when no earlier touch won, so a touch cut at as_of changes the decisions."""
    first_paid: dict[str, datetime] = {}
    for bill in data.invoices:
        if bill.paid_at is not None and bill.amount_paid > 0:
            first_paid[bill.customer_id] = min(bill.paid_at, first_paid.get(bill.customer_id,
                                                                            bill.paid_at))
    if not first_paid or not data.partners:
        return ()
    touches = []
    linked = {deal.stripe_customer_id for deal in data.deals}
    untouched = sorted(set(first_paid) - linked) or sorted(first_paid)
    for number in range(draw(st.integers(0, 2))):
        customer = draw(st.sampled_from(untouched) | st.sampled_from(sorted(first_paid)))
        when = first_paid[customer] + draw(st.sampled_from(LATE))
        partner = draw(st.sampled_from(data.partners))
        deal = Deal(str(100 + number), stripe_customer_id=customer)
        if draw(st.booleans()):
            deal = replace(deal, registered_by=partner.id, registered_at=when)
        else:
            deal = replace(deal, referral_code=partner.referral_code.current, referral_at=when)
        touches.append(deal)
    return tuple(touches)


def _joined_later(partner: Partner, drop: list[bool]) -> Partner:
    """Histories without their EPOCH entry: R1's earliest value then applies to every
    instant before a first entry that an earlier ``as_of`` does not see yet."""
    def cut(history: History[object], dropped: bool) -> History[object]:
        return History(history.entries[1:]) if dropped and len(history.entries) > 1 else history

    return replace(
        partner,
        tier=cut(partner.tier, drop[0]),  # type: ignore[arg-type]
        status=cut(partner.status, drop[1]),  # type: ignore[arg-type]
        option=cut(partner.option, drop[2]),  # type: ignore[arg-type]
        referral_code=cut(partner.referral_code, drop[3]),  # type: ignore[arg-type]
    )


@st.composite
def horizon_worlds(draw: Draw) -> World:
    """The engine properties' worlds, some partners joining after EPOCH, some touches
    after conversion, some terms amended mid-month."""
    world = draw(worlds())
    data = world.inputs
    partners = tuple(
        _joined_later(partner, draw(st.lists(st.integers(0, 3).map(lambda n: n == 0),
                                             min_size=4, max_size=4)))
        for partner in data.partners)
    data = replace(data, partners=partners, deals=(*data.deals, *draw(late_touches(data))))
    programme = draw(st.sampled_from((*PROGRAMMES, MID_MONTH, MID_MONTH)))
    return replace(world, inputs=data, programme=programme)


def _dated_by_source(world: World) -> dict[str, list[datetime]]:
    """The instants of each source of the horizon, so that each gets its share of runs."""
    data = world.inputs
    histories = [stamp for partner in data.partners
                 for history in (partner.tier, partner.status, partner.option,
                                 partner.referral_code)
                 for stamp, _ in history.entries if stamp != EPOCH]
    sources = {
        "amendment": [start for start, _ in world.programme.versions[1:]],
        "history": histories,
        "referral": [deal.referral_at for deal in data.deals if deal.referral_at],
        "registration": [deal.registered_at for deal in data.deals if deal.registered_at],
        "payment": [bill.paid_at for bill in data.invoices if bill.paid_at],
        "end": [sub.ended_at for sub in data.subscriptions if sub.ended_at],
    }
    return {source: stamps for source, stamps in sources.items() if stamps}


@st.composite
def as_of_instants(draw: Draw, world: World) -> datetime:
    """The generators' instants, month starts, and, for a source drawn first, one of its
    instants exactly (already in: R1's ``<=``), a microsecond before it (next), or its
    month's start."""
    sources = _dated_by_source(world)
    if draw(st.integers(0, 3)) == 0 or not sources:
        return draw(instants(world.first_month - 1, world.end_month)  # type: ignore[no-any-return]
                    | st.sampled_from(world.month_starts()))
    stamp: datetime = draw(st.sampled_from(sources[draw(st.sampled_from(sorted(sources)))]))
    return draw(st.sampled_from((stamp, stamp - ONE, stamp - ONE,  # type: ignore[no-any-return]
                                 month_start(month_of(stamp)))))


@st.composite
def later_instants(draw: Draw, as_of: datetime, horizon: datetime) -> datetime:
    """``as_of``, the last microsecond before the horizon, or somewhere in between."""
    span = (horizon - as_of) // ONE
    step = draw(st.sampled_from((span - 1, span - 1, span // 2)) | st.integers(0, span - 1))
    return as_of + step * ONE


@st.composite
def starts(draw: Draw) -> tuple[World, datetime, datetime]:
    """A world, the ``as_of`` a walk starts from, and the instant of a first run whose
    ledger the walk's syncs build on (before, during or after the walk; at the world's
    end most often, where lines, payouts and frozen attributions are)."""
    world = draw(horizon_worlds())
    first = draw(st.sampled_from(world.month_starts()) | st.just(world.end))
    return world, draw(as_of_instants(world)), first


def _assert_same(ledger: LedgerState, world: World, as_of: datetime, later: datetime) -> None:
    now = decide(world.inputs, ledger, as_of, world.programme)
    then = decide(world.inputs, ledger, later, world.programme)
    assert then.as_of == later
    for name in (item.name for item in fields(Decisions) if item.name != "as_of"):
        assert getattr(then, name) == getattr(now, name), f"{name} changed by {later}"
    assert replace(then, as_of=as_of) == now  # and nothing outside the fields


@settings(PROFILE, max_examples=max(PROFILE.max_examples, 200))
@given(starts(), st.data())
def test_decisions_hold_until_the_horizon(case: tuple[World, datetime, datetime],
                                          data: st.DataObject) -> None:
    """A walk over consecutive horizons, a sync at each: from ``as_of``, check
    ``[as_of, horizon)`` (mostly at its last microsecond, where a missed source shows)
    with an empty ledger and with the ledger that sync recorded (what a fast path
    reuses), then go on from the horizon, an instant at which something is dated or the
    month closes."""
    world, as_of, first = case
    ledger = decide(world.inputs, LedgerState(), first, world.programme).ledger
    for _ in range(STEPS):
        horizon = decision_horizon(world.inputs, as_of, world.programme)
        assert horizon > as_of  # decide never depends on as_of without a bound
        later = data.draw(later_instants(as_of, horizon), label="later")
        # The same horizon from any instant inside it: a sync records it once.
        assert decision_horizon(world.inputs, later, world.programme) == horizon
        _assert_same(LedgerState(), world, as_of, later)
        ledger = decide(world.inputs, ledger, as_of, world.programme).ledger
        _assert_same(ledger, world, as_of, later)
        as_of = horizon
