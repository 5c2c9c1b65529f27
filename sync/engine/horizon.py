"""The decision horizon: how long recorded decisions stay valid while ``as_of`` moves on.

``decision_horizon(inputs, as_of, programme)`` is the earliest instant at which
``decide(inputs, ledger, as_of2, programme)`` may differ from the decisions at ``as_of``
(``Decisions.as_of`` apart). It is exclusive: for every ``as_of2`` in
``[as_of, horizon)`` the decisions are equal, whatever the ledger state, so a sync whose
inputs, ledger and programme did not change may reuse what it recorded until then.

``decide`` reads ``as_of`` in three ways only, one source each:

(a) the last closed month, ``month_of(as_of) - 1``: it moves at the first instant of
    the next month (docs/rules.md, Months and ``t_m``);
(b) the terms in force at ``as_of`` (``Programme.terms_at``): an amendment counts from
    its own effective instant on;
(c) the cut of the inputs (docs/rules.md, Replaying the past): an input dated after
    ``as_of`` does not exist yet; it exists from its own instant on (``<= as_of``).

Everything else the engine compares with an instant is fixed once ``as_of`` is: see the
comments below. No part of ``decide`` depends on ``as_of`` in a way that cannot be
bounded; the one case without a bound (no month after ``as_of`` representable) gives
``as_of`` itself: no reuse.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import MAXYEAR, datetime

from sync.domain.inputs import Inputs
from sync.domain.months import month_end, month_of, require_utc
from sync.domain.terms import Programme


def decision_horizon(inputs: Inputs, as_of: datetime, programme: Programme) -> datetime:
    """The first instant after ``as_of`` at which the decisions may change (exclusive
    bound, always later than ``as_of`` except in the no-reuse case, then ``as_of``)."""
    require_utc(as_of, "as_of")  # decide refuses it too
    if as_of.year == MAXYEAR and as_of.month == 12:
        return as_of  # no next month to close: unbounded, so no reuse
    month_closes = month_end(month_of(as_of))  # (a)
    later = (instant for instant in _instants(inputs, programme) if instant > as_of)
    return min(month_closes, min(later, default=month_closes))


def _instants(inputs: Inputs, programme: Programme) -> Iterator[datetime]:
    """Every instant at which ``decide`` may start reading something differently; only
    those later than ``as_of`` matter (an instant ``<= as_of`` is already in)."""
    # (b) R13's "commission ends on" uses the window of the terms in force at as_of
    # (commission_end_month, terms_at: versions effective at or before the instant).
    # The other lookups read instants <= as_of, untouched by a later amendment: the
    # terms at t_m of closed months (R12-R15, R21, R22, R28, R30: terms_before) and at
    # the conversion instant (R6). The first version also covers the time before its
    # start, so the terms first change at the second version's start.
    yield from (start for start, _ in programme.versions[1:])
    for partner in inputs.partners:
        # (c) R1: History.until keeps entries at or before as_of. A new entry changes the
        # value at as_of (R13's tier, R29's current tier), and a first entry makes the
        # earliest value apply to every earlier instant (R5 at touches, R2 at conversion,
        # R12, R14, R21, R23, R30 at t_m); a new code joins R5's index of codes.
        for history in (partner.tier, partner.status, partner.option, partner.referral_code):
            yield from (stamp for stamp, _ in history.entries)
    for deal in inputs.deals:
        # (c) R4: a touch later than as_of is cut (prepare._cut_deal: kept when <= as_of),
        # so it becomes a candidate (R4-R9) at its own instant.
        if deal.referral_at is not None:
            yield deal.referral_at
        if deal.registered_at is not None:
            yield deal.registered_at
    for invoice in inputs.invoices:
        # (c) R3, R7, R11, R19: an invoice paid after as_of is open and unpaid
        # (prepare._cut_invoice: paid when paid_at <= as_of), so it converts, counts as a
        # prior payment and in the basis from its paid_at on.
        if invoice.paid_at is not None:
            yield invoice.paid_at
    for subscription in inputs.subscriptions:
        # (c) R11: a subscription ended after as_of is running (prepare: ended_at <= as_of).
        # Conservative: the basis reads the end only at t_m of closed months, so an end
        # within as_of's month changes nothing before (a); kept so that any other use of
        # the end is covered.
        if subscription.ended_at is not None:
            yield subscription.ended_at
    # Not sources, each fixed once as_of is, or moving only with (a):
    # - the ledger state: lines and payouts carry months (R16, R22, R24) and a frozen
    #   attribution's converted_at (R10a) is read as its month against the last closed
    #   month (R13, R14, R27): (a) covers them, so the horizon does not take the ledger;
    # - invoice line periods: compared with month boundaries up to the last closed
    #   month (R11 "covers t_m"): (a);
    # - a touch against its conversion (R6 window, R7 first payment): both <= as_of;
    # - partner_since (R31's median) and confirmed_account (R32): decide reads neither;
    # - sync.engine.registration (the portal's own "now") and sync.engine.kpis (R31, a
    #   month the report names) are not part of decide. kpis cut the inputs at
    #   Decisions.as_of: for any as_of in [as_of, horizon) that cut is the same (c).
