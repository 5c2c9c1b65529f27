"""What the engine decided about one partner at the last sync that stored it: its
R27-R30 metrics, the customers it won (R3-R10a) and when their commission ends (R13).

The worker stores these facts with its decisions (``sync.ledger.facts``, written in
``record_decisions``' transaction); a page reads the partner's own rows by primary key
and by the indexed partner id, and never runs the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from sync.domain.decisions import TierMetrics
from sync.domain.months import Month, last_closed_month
from sync.engine.partner_facts import WonCustomer
from sync.ledger import Ledger
from sync.ledger.facts import facts_run, partner_metrics, won_customers
from sync.ledger.models import RunRow

__all__ = ["PartnerFacts", "WonCustomer", "facts_of_partner"]


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    as_of: datetime  # of the sync that last stored facts
    last_closed_month: Month  # that sync's
    metrics: tuple[TierMetrics, ...]  # month by month
    customers: tuple[WonCustomer, ...]  # empty unless asked for

    @property
    def latest(self) -> TierMetrics | None:
        return self.metrics[-1] if self.metrics else None

    @property
    def mdf_total(self) -> int:
        """R30: MDF accrued to date (totalled, never paid), as HubSpot shows it."""
        return sum(row.mdf for row in self.metrics)


def facts_of_partner(ledger: Ledger, partner_id: str, *,
                     customers: bool = False) -> PartnerFacts | None:
    """``None`` until a sync has stored facts (the first one has not run yet)."""
    with ledger.transaction(snapshot=True) as session:
        run_id = facts_run(session)
        as_of = None if run_id is None else session.scalar(
            select(RunRow.as_of).where(RunRow.id == run_id))
        if as_of is None:
            return None
        return PartnerFacts(as_of, last_closed_month(as_of),
                            partner_metrics(session, partner_id),
                            won_customers(session, partner_id) if customers else ())
