"""What the engine decided about each partner, as the partner portal shows it: its
R27-R30 metrics month by month, the customers it won (R3-R10a) and the last month of
each one's commission (R13).

These facts exist only in ``Decisions``; the worker stores them (``sync.ledger.facts``)
in the transaction that records the decisions, so a page reads a few indexed rows and
never decides. This module is the pure mapping from a run's decisions to those facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sync.domain.decisions import Decisions, TierMetrics
from sync.domain.inputs import CommissionOption, Customer, Deal, TouchKind
from sync.domain.months import Month


@dataclass(frozen=True, slots=True)
class WonCustomer:
    """A customer a partner won, as the run decided it."""

    customer_id: str
    partner_id: str
    deal_id: str | None  # the deal whose touch won (R4)
    domain: str  # the deal's company domain (R8), else the customer's email domain; lower
    source: TouchKind | None
    converted_at: datetime | None  # R3
    option: CommissionOption | None  # R2
    frozen: bool  # R10a: a line of it is in a payout, so its winner is kept from now on
    commission_ends: Month | None  # R13: last month of the window; None: permanent


@dataclass(frozen=True, slots=True)
class ProgrammeFacts:
    """Every partner's facts from one run: metrics by partner, won customers by id."""

    metrics: Mapping[str, tuple[TierMetrics, ...]]  # partner id -> months, ascending
    customers: Mapping[str, WonCustomer]  # customer id -> its winner


def _email_domain(email: str | None) -> str:
    return email.rpartition("@")[2] if email and "@" in email else ""


def facts_of(decisions: Decisions, deal_domains: Mapping[str, str | None],
             customer_emails: Mapping[str, str | None]) -> ProgrammeFacts:
    """Each partner's share of ``decisions``. ``deal_domains``: deal id -> its company's
    domain; ``customer_emails``: customer id -> email (the domain when the deal has no
    company domain)."""
    ends = {deal.deal_id: deal.commission_ends_on for deal in decisions.deals}
    # Frozen after this run: kept from the ledger, or frozen by this run's new payouts.
    frozen = {item.customer_id for item in decisions.ledger.frozen_attributions}
    metrics: dict[str, list[TierMetrics]] = defaultdict(list)
    for row in sorted(decisions.metrics, key=lambda item: (item.partner_id, item.month)):
        metrics[row.partner_id].append(row)
    customers: dict[str, WonCustomer] = {}
    for won in decisions.attributions:
        if not won.won or won.partner_id is None:
            continue
        domain = (deal_domains.get(won.deal_id or "")
                  or _email_domain(customer_emails.get(won.customer_id)))
        customers[won.customer_id] = WonCustomer(
            won.customer_id, won.partner_id, won.deal_id, domain.lower(), won.source,
            won.converted_at, won.option, won.frozen or won.customer_id in frozen,
            ends.get(won.deal_id or ""))
    return ProgrammeFacts({partner: tuple(rows) for partner, rows in metrics.items()}, customers)


def facts_from(decisions: Decisions, deals: Iterable[Deal],
               customers: Iterable[Customer]) -> ProgrammeFacts:
    """``facts_of`` with the domains read from the run's inputs."""
    return facts_of(decisions, {deal.id: deal.company_domain for deal in deals},
                    {customer.id: customer.email for customer in customers})
