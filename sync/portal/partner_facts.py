"""What the engine decided about each partner at the last recorded sync: its R27-R30
metrics, the customers it won (R3-R10a) and when their commission ends (R13).

These facts are not stored row by row in the ledger: ``partnersync report`` and
``explain`` get them by deciding again, offline, over the mirror the last sync read and
the ledger as it stands (the engine is a pure function, so this gives that run's
answers). The portal does the same, once per recorded sync, and keeps each partner's
share in memory until the next sync records: a page reads a dictionary, never the engine.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sync.domain.decisions import Decisions, TierMetrics
from sync.domain.inputs import CommissionOption, Inputs, TouchKind
from sync.domain.months import Month
from sync.engine.decide import decide
from sync.pull.mirror_inputs import inputs_from_mirror
from sync.wiring import Services


@dataclass(frozen=True, slots=True)
class WonCustomer:
    """A customer the partner won, as the last sync decided it."""

    customer_id: str
    deal_id: str | None  # the deal whose touch won (R4)
    domain: str  # the deal's company domain (R8), else the customer's email domain
    source: TouchKind | None
    converted_at: datetime | None  # R3
    option: CommissionOption | None  # R2
    frozen: bool  # R10a: kept from the ledger since a line was paid out
    commission_ends: Month | None  # R13: last month of the window; None: permanent


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    metrics: tuple[TierMetrics, ...]  # R27-R30, month by month
    customers: tuple[WonCustomer, ...]

    @property
    def latest(self) -> TierMetrics | None:
        return self.metrics[-1] if self.metrics else None

    @property
    def mdf_total(self) -> int:
        """R30: MDF accrued to date (totalled, never paid), as HubSpot shows it."""
        return sum(row.mdf for row in self.metrics)


NO_FACTS = PartnerFacts((), ())


@dataclass(frozen=True, slots=True)
class ProgrammeFacts:
    run_id: int
    as_of: datetime
    last_closed_month: Month
    partners: Mapping[str, PartnerFacts]

    def of(self, partner_id: str) -> PartnerFacts:
        return self.partners.get(partner_id, NO_FACTS)


def _domain(email: str | None) -> str:
    return email.rpartition("@")[2].lower() if email and "@" in email else ""


def facts_of(run_id: int, inputs: Inputs, decisions: Decisions) -> ProgrammeFacts:
    """Each partner's share of the decisions (pure)."""
    deals = {deal.id: deal for deal in inputs.deals}
    emails = {customer.id: customer.email for customer in inputs.customers}
    ends = {deal.deal_id: deal.commission_ends_on for deal in decisions.deals}
    metrics: dict[str, list[TierMetrics]] = defaultdict(list)
    for row in sorted(decisions.metrics, key=lambda item: (item.partner_id, item.month)):
        metrics[row.partner_id].append(row)
    customers: dict[str, list[WonCustomer]] = defaultdict(list)
    for won in decisions.attributions:
        if not won.won or won.partner_id is None:
            continue
        deal = deals.get(won.deal_id or "")
        domain = (deal.company_domain if deal and deal.company_domain
                  else _domain(emails.get(won.customer_id)))
        customers[won.partner_id].append(WonCustomer(
            won.customer_id, won.deal_id, (domain or "").lower(), won.source, won.converted_at,
            won.option, won.frozen, ends.get(won.deal_id or "")))
    partners = {partner_id: PartnerFacts(
        tuple(metrics.get(partner_id, ())),
        tuple(sorted(customers.get(partner_id, ()), key=lambda c: (c.converted_at is None,
                                                                 c.converted_at, c.customer_id))))
        for partner_id in set(metrics) | set(customers)}
    return ProgrammeFacts(run_id, decisions.as_of, decisions.last_closed_month, partners)


class FactsCache:
    """The facts of the latest recorded sync, decided once per sync and shared by every
    request of the process (a lock keeps two requests from deciding at once)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._facts: ProgrammeFacts | None = None

    def get(self, services: Services) -> ProgrammeFacts | None:
        """``None`` until a sync has recorded its decisions."""
        latest = services.ledger.latest_sync()
        if latest is None:
            return None
        with self._lock:
            if self._facts is None or self._facts.run_id != latest.id:
                inputs = inputs_from_mirror(services.mirror, services.props)
                decisions = decide(inputs, services.ledger.load_state(), latest.as_of,
                                   services.programme)
                self._facts = facts_of(latest.id, inputs, decisions)
            return self._facts
