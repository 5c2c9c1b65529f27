"""Payout decisions: points, balances, minimums, status, approval (R21-R25).

Payout points after a partner's latest payout are evaluated in month order at every
run, so the same inputs give the same payouts however often the worker ran (R22).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sync.domain.decisions import CommissionLine, Payout, PayoutStatus, payout_id
from sync.domain.inputs import Partner, PartnerStatus
from sync.domain.money import eur
from sync.domain.months import Month, month_end, month_label
from sync.domain.terms import Programme

_QUARTER_ENDS = frozenset({2, 5, 8, 11})  # March, June, September, December (0-based)


def is_payout_point(partner: Partner, month: Month, programme: Programme) -> bool:
    """R21: monthly cadence, or quarterly and a quarter's last month, by the tier at t_m."""
    boundary = month_end(month)
    tier = partner.tier.before(boundary)
    if tier is None:
        return False  # not a partner at t_m: no cadence, the balance waits
    cadence = programme.terms_before(boundary).tier(tier).cadence
    return cadence == "monthly" or month % 12 in _QUARTER_ENDS


@dataclass(frozen=True, slots=True)
class PayoutRun:
    lines: dict[str, CommissionLine]  # with payout ids set on assigned lines
    payouts: tuple[Payout, ...]  # created by this run


def _auto_approved(amount: int, programme: Programme) -> bool:
    """R25: auto-approved up to the configured amount, else finance approves."""
    return amount <= programme.approval.auto_approve_max


def _decide_point(partner: Partner, month: Month, waiting: list[CommissionLine],
                  programme: Programme) -> Payout | None:
    """R22/R23 at one payout point, over the partner's unassigned lines due by then."""
    boundary = month_end(month)
    status = partner.status.before(boundary)
    if status is None or status is PartnerStatus.SUSPENDED:
        return None  # R23: lines accrue and wait (an unknown status waits too)
    due = [line for line in waiting if line.payable_month <= month]
    balance = sum(line.amount for line in due)
    if not due or balance <= 0:
        return None
    tier = partner.tier.before(boundary)
    assert tier is not None  # is_payout_point
    minimum = programme.terms_before(boundary).tier(tier).minimum_payout
    waived = status is PartnerStatus.TERMINATED
    if balance < minimum and not waived:
        return None  # R22: carried over to the next point
    rule = "R23 terminated: minimum waived" if waived else f"R22 minimum {eur(minimum)} reached"
    explanation = (f"R21 {tier.value} payout point {month_label(month)}: {len(due)} lines, "
                   f"balance {eur(balance)}; {rule}")
    auto = _auto_approved(balance, programme)
    return Payout(
        payout_id(partner.id, month), partner.id, month, balance,
        tuple(sorted(line.id for line in due)),
        PayoutStatus.APPROVED if auto else PayoutStatus.PENDING_APPROVAL,
        minimum_waived=waived and balance < minimum, explanation=explanation,
        auto_approved_up_to=programme.approval.auto_approve_max if auto else None,
    )


def decide_payouts(lines: dict[str, CommissionLine], existing: Iterable[Payout],
                   partners: dict[str, Partner], last_closed: Month,
                   programme: Programme) -> PayoutRun:
    latest: dict[str, Month] = {}
    for earlier in existing:
        latest[earlier.partner_id] = max(earlier.month, latest.get(earlier.partner_id, -1))
    waiting: dict[str, list[CommissionLine]] = defaultdict(list)
    for line in lines.values():
        if not line.frozen:
            waiting[line.partner_id].append(line)
    updated = dict(lines)
    created: list[Payout] = []
    for partner_id in sorted(waiting):
        partner = partners.get(partner_id)
        if partner is None:
            continue  # a partner no longer read keeps its lines until it is again
        pending = waiting[partner_id]
        first = max(min(line.payable_month for line in pending), latest.get(partner_id, -1) + 1)
        for month in range(first, last_closed + 1):
            if not is_payout_point(partner, month, programme):
                continue
            payout = _decide_point(partner, month, pending, programme)
            if payout is None:
                continue
            created.append(payout)
            assigned = set(payout.line_ids)
            for line_key in assigned:
                updated[line_key] = updated[line_key].assigned(payout.id)
            pending = [line for line in pending if line.id not in assigned]
    return PayoutRun(updated, tuple(created))
