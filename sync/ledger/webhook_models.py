"""Webhook events received (issue 14): what a vendor said changed, kept until a targeted
sync has read the object again. Same ``Base`` as ``models``; migration 0009 creates it.

A row says only WHAT to re-read (the object's type and id), never an amount or a
status: the worker reads the object again through the API. Its id is the vendor's
event id (Stripe ``evt_...``, HubSpot ``hubspot:<eventId>``), so a delivery repeated or
retried stores nothing new.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync.ledger.models import ID, Base, one_of

WEBHOOK_VENDORS = ("stripe", "hubspot")


class WebhookEventRow(Base):
    __tablename__ = "webhook_events"
    __table_args__ = (one_of("vendor", WEBHOOK_VENDORS),
                      Index("ix_webhook_events_pending", "processed_at", "received_at"))

    id: Mapped[str] = mapped_column(ID, primary_key=True)  # the deduplication identity
    vendor: Mapped[str] = mapped_column(String(16))
    event_type: Mapped[str] = mapped_column(String(64))  # invoice.paid, deal.propertyChange
    # What to re-read: invoice, subscription, customer, account, company, deal, or a
    # HubSpot objectTypeId (2-...) for a custom object's event.
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(ID)
    occurred_at: Mapped[datetime]  # as the vendor dates the change
    received_at: Mapped[datetime]  # as the worker's clock dates the delivery
    processed_run: Mapped[int | None]  # the run that read the object again
    processed_at: Mapped[datetime | None]  # None: pending
    note: Mapped[str | None] = mapped_column(Text)  # e.g. the object no longer exists
