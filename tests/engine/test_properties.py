"""Properties of the engine over generated programmes (R12, R14, R16, R22, --as-of).

Profiles: ``engine-dev`` explores new examples on every run; ``engine-ci`` (selected
when ``CI`` is set) is derandomized, so CI is reproducible; ``engine-deep`` hunts
(``ENGINE_PROPERTIES_PROFILE=engine-deep``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sync.domain.decisions import CommissionLine, Decisions, LedgerState, LineKind
from sync.domain.history import History
from sync.domain.inputs import Inputs, Invoice, InvoiceLine, Tier
from sync.domain.money import round_half_up
from sync.domain.months import Month, month_end, month_of, month_start
from sync.engine.decide import decide
from tests.engine import builders
from tests.engine.strategies import (
    BASE,
    PROGRAMMES,
    Draw,
    World,
    cut,
    highest_rate,
    instants,
    worlds,
)

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("engine-ci", max_examples=100, derandomize=True, database=None,
                          **_COMMON)  # type: ignore[arg-type]
settings.register_profile("engine-dev", max_examples=60, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("engine-deep", max_examples=2000, **_COMMON)  # type: ignore[arg-type]
_CHOSEN = os.environ.get("ENGINE_PROPERTIES_PROFILE") or (
    "engine-ci" if os.environ.get("CI") else "engine-dev")
PROFILE = settings.get_profile(_CHOSEN)
MID_MONTH = timedelta(days=2)  # a second run in the month, after payments on its first day


# Later edits of the inputs (R10a, R16, R17): each is seen from the run at ``month`` on.


@dataclass(frozen=True)
class CreditNote:
    """A credit note on a paid invoice (R18)."""

    month: Month
    invoice_id: str
    share: int  # percent of the total credited

    def apply(self, data: Inputs) -> Inputs:
        return replace(data, invoices=tuple(
            replace(bill, post_payment_credit_notes_amount=bill.total * self.share // 100)
            if bill.id == self.invoice_id else bill for bill in data.invoices))


@dataclass(frozen=True)
class LateInvoice:
    """Invoices for an earlier month, paid around the start of ``month`` (R11, R17)."""

    month: Month
    customer_id: str
    covered: Month
    amount: int
    hours: tuple[int, ...]  # one invoice paid each many hours after ``month`` starts

    def apply(self, data: Inputs) -> Inputs:
        return replace(data, invoices=(*data.invoices, *map(self._invoice, self.hours)))

    def _invoice(self, hours: int) -> Invoice:
        tag = f"late_{self.month}_{hours}_{self.customer_id}_{self.covered}"
        line = InvoiceLine(f"il_{tag}", self.amount, 0, month_start(self.covered),
                           month_end(self.covered), "price_month", False, f"sub_{tag}",
                           f"si_{tag}")
        return Invoice(f"in_{tag}", self.customer_id, "eur", "paid", self.amount, self.amount,
                       0, month_start(self.month) + timedelta(hours=hours), (line,))


@dataclass(frozen=True)
class DealDeleted:
    """A deal deleted or merged away in HubSpot (R10a)."""

    month: Month
    deal_id: str

    def apply(self, data: Inputs) -> Inputs:
        return replace(data, deals=tuple(deal for deal in data.deals if deal.id != self.deal_id))


@dataclass(frozen=True)
class TierEdited:
    """A tier history entry back-dated into closed months (R1)."""

    month: Month
    partner_id: str
    tier: Tier | None
    back: int  # months before ``month``

    def apply(self, data: Inputs) -> Inputs:
        entry = (month_start(self.month - self.back) + timedelta(days=3), self.tier)
        return replace(data, partners=tuple(
            replace(partner, tier=History(tuple(sorted((*partner.tier.entries, entry),
                                                       key=lambda item: item[0]))))
            if partner.id == self.partner_id else partner for partner in data.partners))


Edit = CreditNote | LateInvoice | DealDeleted | TierEdited


Paid = tuple[str, Month, Month]  # a paid line's customer, month and payout month


@st.composite
def late_invoices(draw: Draw, world: World, paid: Sequence[Paid]) -> LateInvoice:
    """Mostly for a month already paid out, so R17 must add an adjustment."""
    customer, covered, payout_month = draw(st.sampled_from(paid))
    month = min(payout_month + draw(st.integers(1, 2)), world.end_month)
    return LateInvoice(month, customer, covered, draw(st.sampled_from((5000, 120000))),
                       draw(st.sampled_from(((-1,), (25,), (-1, 25)))))  # 25: mid-month run


def edits(world: World, paid: Sequence[Paid]) -> st.SearchStrategy[list[Edit]]:
    """Up to three edits, aimed at customers with paid lines when there are any."""
    months, back = st.integers(world.first_month + 1, world.end_month), st.integers(1, 3)
    data = world.inputs
    targets = {customer for customer, _, _ in paid}
    bills = [bill.id for bill in data.invoices if bill.customer_id in targets]
    kinds: list[st.SearchStrategy[Edit]] = [
        st.builds(TierEdited, months, st.sampled_from([p.id for p in data.partners]),
                  st.sampled_from((*Tier, None)), back),
    ]
    if paid:
        kinds += [late_invoices(world, paid)] * 2
    if bills:
        kinds.append(st.builds(CreditNote, months, st.sampled_from(bills),
                               st.sampled_from((50, 100))))
    if data.deals:
        kinds.append(st.builds(DealDeleted, months, st.sampled_from([d.id for d in data.deals])))
    return st.lists(st.one_of(kinds), max_size=3)


@st.composite
def changing_worlds(draw: Draw) -> tuple[World, list[Edit]]:
    """A world run two months longer (so adjustments reach a payout), and later edits."""
    world = draw(worlds())
    world = replace(world, end_month=world.end_month + 2)
    ledger = decide(world.inputs, LedgerState(), world.end, world.programme).ledger
    months = {payout.id: payout.month for payout in ledger.payouts}
    paid = sorted({(line.customer_id, line.month, months[line.payout_id])
                   for line in ledger.lines if line.payout_id is not None})
    return world, draw(edits(world, paid))


def _two_late_invoices_in_one_month() -> tuple[World, list[Edit]]:
    """Found by the properties: two late invoices for one paid month, the first seen by the
    run on the 1st (its adjustment is paid out at once), the second by the run on the
    3rd. R16: the paid adjustment must not be replaced by the second one (same id)."""
    data = builders.inputs(
        partners=[builders.partner("1", tier=Tier.PARTNER)],
        deals=[builders.registration("1", "cus_0", "1", "2024-12-05")], customers=["cus_0"],
        invoices=builders.monthly_invoices("cus_0", 100000, "2025-01", 3))
    world = World(data, PROGRAMMES[0], BASE, BASE + 3)
    return world, [LateInvoice(BASE + 3, "cus_0", BASE, 10000, (-1, 25))]


def edited(data: Inputs, changes: Sequence[Edit], month: Month) -> Inputs:
    """The inputs as a run at the start of ``month`` reads them."""
    for change in changes:
        if change.month <= month:
            data = change.apply(data)
    return data


def run_instants(world: World, twice: bool) -> list[datetime]:
    """A run at the first instant of every month, and maybe another two days later."""
    starts = world.month_starts()
    return sorted([*starts, *(start + MID_MONTH for start in starts)] if twice else starts)


def replay(world: World, changes: Sequence[Edit] = (), twice: bool = True) -> list[Decisions]:
    """Runs folded over the ledger, each on the ledger of the one before."""
    ledger, runs = LedgerState(), []
    for as_of in run_instants(world, twice):
        data = edited(world.inputs, changes, month_of(as_of))
        decisions = decide(data, ledger, as_of, world.programme)
        runs.append(decisions)
        ledger = decisions.ledger
    return runs


def _summary(ledger: LedgerState) -> list[tuple[str, int, str | None]]:
    return [(line.id, line.amount, line.payout_id) for line in ledger.lines]


@PROFILE
@given(worlds(), st.booleans())
def test_r22_replaying_month_by_month_equals_one_run(world: World, twice: bool) -> None:
    once = decide(world.inputs, LedgerState(), world.end, world.programme).ledger
    folded = replay(world, twice=twice)[-1].ledger
    assert _summary(folded) == _summary(once)
    assert folded.payouts == once.payouts
    assert folded.lines == once.lines  # explanations and every other field too


def _identity(line: CommissionLine) -> tuple[object, ...]:
    return (line.partner_id, line.customer_id, line.month, line.kind, line.found_month)


@PROFILE
@given(changing_worlds())
def test_r16_no_two_lines_share_an_identity(case: tuple[World, list[Edit]]) -> None:
    for decisions in replay(*case):
        lines = decisions.ledger.lines
        assert len({line.id for line in lines}) == len(lines)
        assert len({_identity(line) for line in lines}) == len(lines)
        open_adjustments = Counter(
            (line.partner_id, line.customer_id, line.month) for line in lines
            if line.kind is LineKind.ADJUSTMENT and line.payout_id is None)
        assert all(count == 1 for count in open_adjustments.values())  # R16: one per run


@PROFILE
@given(changing_worlds())
@example(_two_late_invoices_in_one_month())
def test_r16_a_paid_line_never_changes_in_later_runs(case: tuple[World, list[Edit]]) -> None:
    runs = replay(*case)
    for before, after in pairwise(runs):
        kept = {line.id: line for line in after.ledger.lines}
        for line in before.ledger.lines:
            if line.payout_id is not None:
                assert kept.get(line.id) == line
        assert set(before.ledger.payouts) <= set(after.ledger.payouts)


def _check_payouts(ledger: LedgerState) -> None:
    payouts = {payout.id: payout for payout in ledger.payouts}
    assert len(payouts) == len(ledger.payouts)
    assigned: dict[str, list[CommissionLine]] = {payout_id: [] for payout_id in payouts}
    for line in ledger.lines:
        if line.payout_id is not None:
            assert line.payout_id in payouts, f"{line.id} names a missing payout"
            assigned[line.payout_id].append(line)
    for payout_id, payout in payouts.items():
        lines = assigned[payout_id]
        assert payout.amount == sum(line.amount for line in lines)
        assert sorted(payout.line_ids) == sorted(line.id for line in lines)
        assert all(line.partner_id == payout.partner_id for line in lines)
        assert all(line.payable_month <= payout.month for line in lines)


@PROFILE
@given(changing_worlds())
@example(_two_late_invoices_in_one_month())
def test_r22_each_payout_is_the_sum_of_its_lines(case: tuple[World, list[Edit]]) -> None:
    for decisions in replay(*case):
        _check_payouts(decisions.ledger)
        assert set(decisions.new_payouts) <= set(decisions.ledger.payouts)


@PROFILE
@given(changing_worlds())
def test_r12_r14_no_line_exceeds_its_basis_times_the_highest_rate(
    case: tuple[World, list[Edit]],
) -> None:
    world, _ = case
    ceiling = highest_rate(world.programme)
    flat_amounts = {terms.flat.amount for _, terms in world.programme.versions}
    for decisions in replay(*case):
        for line in decisions.ledger.lines:
            assert line.amount >= 0
            if line.kind is LineKind.FLAT:
                assert line.amount in flat_amounts  # R15
            elif line.rate is not None:
                assert line.rate <= ceiling
                assert line.amount <= round_half_up(line.basis * ceiling), line.explanation


@st.composite
def worlds_and_instants(draw: st.DrawFn) -> tuple[World, datetime]:
    world = draw(worlds())
    return world, draw(instants(world.first_month, world.end_month)
                       | st.sampled_from(world.month_starts()))


@PROFILE
@given(worlds_and_instants())
def test_as_of_removing_data_dated_after_it_changes_nothing(
    case: tuple[World, datetime],
) -> None:
    world, as_of = case
    full = decide(world.inputs, LedgerState(), as_of, world.programme)
    assert decide(cut(world.inputs, as_of), LedgerState(), as_of, world.programme) == full
