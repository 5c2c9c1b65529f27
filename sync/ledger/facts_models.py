"""The partner portal's read model (issue 15): what the engine decided about each
partner and each won customer, stored by the worker with the run's decisions
(``facts``). Same ``Base`` as ``models``; migration 0005 creates the tables.

``digest`` is the sha256 of the stored facts' canonical JSON: a run rewrites a row only
when it differs, so a sync where nothing changed writes none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from sync.ledger.models import ID, Base


class PartnerFactsRow(Base):
    """A partner's R27-R30 metrics, month by month."""

    __tablename__ = "portal_partner_facts"

    partner_id: Mapped[str] = mapped_column(ID, primary_key=True)
    facts: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int]  # the run that last changed the row
    updated_at: Mapped[datetime]


class CustomerFactsRow(Base):
    """A won customer (R3-R10a, R13); gone when no partner wins it any more."""

    __tablename__ = "portal_customer_facts"

    customer_id: Mapped[str] = mapped_column(ID, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID, index=True)
    facts: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int]
    updated_at: Mapped[datetime]
