"""The decision horizon (sync/engine/horizon.py), each source alone, instants by hand.

as_of is 2025-03-17T12:00:00Z throughout unless a test says otherwise: its month
(March 2025) closes at 2025-04-01T00:00:00Z, the horizon when nothing else is dated
later. An instant equal to as_of is already in (R1's ``<=``), so only later ones count.
"""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from sync.config.programme_file import default_programme, programme_from_mapping
from sync.domain.decisions import Decisions, LedgerState
from sync.domain.history import History
from sync.domain.inputs import Deal, Inputs, Partner, Subscription, Tier
from sync.domain.terms import Programme
from sync.engine.decide import decide
from sync.engine.horizon import decision_horizon
from tests.engine.builders import (
    at,
    history,
    inputs,
    invoice,
    line,
    month_bounds,
    monthly_invoices,
    partner,
    registration,
)

AS_OF = at("2025-03-17T12:00:00")
APRIL = datetime(2025, 4, 1, tzinfo=UTC)
LATER = at("2025-03-20T10:00:00")  # a dated input inside March, after AS_OF


def horizon(data: Inputs, as_of: datetime = AS_OF,
            programme: Programme | None = None) -> datetime:
    return decision_horizon(data, as_of, programme or default_programme())


# (a) the month closes


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2025-03-17T12:00:00", datetime(2025, 4, 1, tzinfo=UTC)),
    ("2025-03-01T00:00:00", datetime(2025, 4, 1, tzinfo=UTC)),  # its first instant
    ("2025-03-31T23:59:59.999999", datetime(2025, 4, 1, tzinfo=UTC)),  # its last
    ("2025-12-31T23:59:59.999999", datetime(2026, 1, 1, tzinfo=UTC)),  # across a year
    ("2024-02-29T08:00:00", datetime(2024, 3, 1, tzinfo=UTC)),
])
def test_without_dated_inputs_the_horizon_is_the_next_month_start(as_of: str,
                                                                  expected: datetime) -> None:
    assert horizon(inputs(), at(as_of)) == expected


def test_no_month_after_as_of_means_no_reuse() -> None:
    last = datetime(9999, 12, 31, tzinfo=UTC)
    assert horizon(inputs(), last) == last


def test_a_naive_as_of_is_refused_as_decide_refuses_it() -> None:
    with pytest.raises(ValueError, match="as_of must be a timezone-aware UTC datetime"):
        horizon(inputs(), datetime(2025, 3, 17))


# (b) the programme's amendments


def amended(*starts: datetime | date) -> Programme:
    return programme_from_mapping({"amendments": [
        {"effective_from": start, "tiers": {"referral": {"window_months": 6}}}
        for start in starts]})


def test_an_amendment_later_in_the_month_is_the_horizon() -> None:
    assert horizon(inputs(), programme=amended(LATER)) == LATER


def test_an_amendment_at_as_of_or_before_is_already_in_force() -> None:
    assert horizon(inputs(), programme=amended(AS_OF, date(2025, 1, 1))) == APRIL


def test_an_amendment_after_the_month_leaves_the_month_start() -> None:
    assert horizon(inputs(), programme=amended(date(2025, 4, 15))) == APRIL


def test_the_earliest_of_several_amendments_counts() -> None:
    first, second = at("2025-03-18T00:00:00"), at("2025-03-25T00:00:00")
    assert horizon(inputs(), programme=amended(second, first)) == first


# (c) dated inputs


def with_history(field: str, *stamps: str) -> Inputs:
    entries = history(*((stamp, "x") for stamp in stamps))
    return inputs([replace(partner("7"), **{field: entries})])


@pytest.mark.parametrize("field", ["tier", "status", "option", "referral_code"])
def test_a_history_entry_after_as_of_is_the_horizon(field: str) -> None:
    assert horizon(with_history(field, "2020-01-01", "2025-03-20T10:00:00")) == LATER


@pytest.mark.parametrize("field", ["tier", "status", "option", "referral_code"])
def test_a_history_entry_at_as_of_is_already_in(field: str) -> None:
    assert horizon(with_history(field, "2020-01-01", "2025-03-17T12:00:00")) == APRIL


def test_the_first_later_entry_of_a_history_counts() -> None:
    data = with_history("tier", "2025-03-25T00:00:00", "2025-03-18T06:00:00")
    assert horizon(data) == at("2025-03-18T06:00:00")


def test_a_history_starting_after_as_of_starts_counting_at_its_first_entry() -> None:
    data = inputs([partner("7", tier=history(("2025-03-19T00:00:00", Tier.PARTNER)))])
    assert horizon(data) == at("2025-03-19T00:00:00")


@pytest.mark.parametrize("touch", [
    Deal("1", referral_code="CODE7", referral_at=LATER),
    Deal("1", registered_by="7", registered_at=LATER),
])
def test_a_touch_after_as_of_is_the_horizon(touch: Deal) -> None:
    assert horizon(inputs(deals=[touch])) == LATER


def test_a_touch_at_as_of_is_already_in() -> None:
    touch = Deal("1", referral_code="CODE7", referral_at=AS_OF, registered_by="7",
                 registered_at=AS_OF)
    assert horizon(inputs(deals=[touch])) == APRIL


def test_a_payment_after_as_of_is_the_horizon() -> None:
    assert horizon(inputs(invoices=[invoice("cus_a", "2025-03-20T10:00:00")])) == LATER


def test_a_payment_at_as_of_and_an_open_invoice_give_the_month_start() -> None:
    paid_now = invoice("cus_a", "2025-03-17T12:00:00")
    assert horizon(inputs(invoices=[paid_now, invoice("cus_a", None)])) == APRIL


def test_a_subscription_end_after_as_of_is_the_horizon() -> None:
    ended = Subscription("sub_1", "cus_a", ended_at=LATER)
    assert horizon(inputs(subscriptions=[ended])) == LATER


def test_a_subscription_end_at_as_of_is_already_in() -> None:
    assert horizon(inputs(subscriptions=[Subscription("sub_1", "cus_a", AS_OF)])) == APRIL


def test_the_horizon_is_the_earliest_source() -> None:
    data = inputs(
        [partner("7", tier=history(("2020-01-01", Tier.REFERRAL),
                                   ("2025-03-28T00:00:00", Tier.PARTNER)))],
        [Deal("1", referral_code="CODE7", referral_at=at("2025-03-26T00:00:00"))],
        invoices=[invoice("cus_a", "2025-03-24T00:00:00")],
        subscriptions=[Subscription("sub_1", "cus_a", at("2025-03-22T00:00:00"))])
    assert horizon(data) == at("2025-03-22T00:00:00")
    assert horizon(data, programme=amended(at("2025-03-21T00:00:00"))) == at("2025-03-21")


# The horizon is not trivially small: at it, the decisions do change.


def same(first: Decisions, second: Decisions) -> bool:
    return replace(second, as_of=first.as_of) == first


def decided(data: Inputs, when: datetime, programme: Programme | None = None) -> Decisions:
    return decide(data, LedgerState(), when, programme or default_programme())


def test_a_tier_change_at_its_instant_changes_the_decisions() -> None:
    # Referral until 2025-03-20T10:00, partner from then: R29's current tier and R13's
    # window (12 -> 24 months from January 2025: 2025-12 -> 2026-12) change at that instant.
    tier = history(("2024-01-01", Tier.REFERRAL), ("2025-03-20T10:00:00", Tier.PARTNER))
    data = inputs([partner("7", tier=tier)],
                  [registration("1", "cus_a", "7", "2024-12-05")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-01", 3))
    assert horizon(data) == LATER
    now, then = decided(data, AS_OF), decided(data, LATER)
    assert same(now, decided(data, at("2025-03-20T09:59:59.999999")))
    assert [p.current_tier for p in now.promotions] == [Tier.REFERRAL]
    assert [p.current_tier for p in then.promotions] == [Tier.PARTNER]
    assert [d.commission_ends_on for d in now.deals] == [2025 * 12 + 11]  # December 2025
    assert [d.commission_ends_on for d in then.deals] == [2026 * 12 + 11]  # December 2026


def test_a_payment_at_its_instant_converts_the_customer() -> None:
    data = inputs([partner("7")], [registration("1", "cus_a", "7", "2025-03-01")],
                  ["cus_a"], [invoice("cus_a", "2025-03-20T10:00:00",
                                        [line(10000, *month_bounds("2025-03"))])])
    assert horizon(data) == LATER
    assert [a.status.value for a in decided(data, at("2025-03-20T09:59:59.999999")).attributions] \
        == ["not_converted"]
    assert [a.status.value for a in decided(data, LATER).attributions] == ["attributed"]


def test_an_amendment_at_its_instant_changes_commission_ends_on() -> None:
    # Referral window 12 -> 6 months from 2025-03-20T10:00: a January 2025 conversion
    # ends December 2025, then June 2025 (R13, terms at as_of).
    data = inputs([partner("7", tier=Tier.REFERRAL)],
                  [registration("1", "cus_a", "7", "2024-12-05")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-01", 3))
    programme = amended(LATER)
    assert horizon(data, programme=programme) == LATER
    assert [d.commission_ends_on for d in decided(data, AS_OF, programme).deals] \
        == [2025 * 12 + 11]
    assert [d.commission_ends_on for d in decided(data, LATER, programme).deals] \
        == [2025 * 12 + 5]


def test_the_month_start_closes_march() -> None:
    data = inputs([partner("7")], [registration("1", "cus_a", "7", "2024-12-05")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-01", 3))
    assert horizon(data) == APRIL
    last = decided(data, at("2025-03-31T23:59:59.999999"))
    assert same(decided(data, AS_OF), last)
    assert [line.month % 12 + 1 for line in last.ledger.lines] == [1, 2]  # January, February
    assert [line.month % 12 + 1 for line in decided(data, APRIL).ledger.lines] == [1, 2, 3]


def test_a_subscription_end_is_a_conservative_source() -> None:
    # R11 reads an end at t_m of closed months only: an end on 2025-03-20 changes no
    # decision before April. The horizon stops there anyway (no reuse past the end).
    data = inputs([partner("7")], [registration("1", "cus_a", "7", "2024-12-05")],
                  ["cus_a"], monthly_invoices("cus_a", 10000, "2025-01", 3),
                  [Subscription("sub_1", "cus_a", ended_at=LATER)])
    assert horizon(data) == LATER
    assert same(decided(data, AS_OF), decided(data, LATER))


def test_partners_without_dates_need_only_the_month_start() -> None:
    steady = Partner("7", "Partner 7", None, History(), History(), History(), History())
    assert horizon(inputs([steady])) == APRIL
