"""The portal's tables (issue 15): single-use sign-in links, the people who may sign in,
their sessions and partners' deal registrations. Same ``Base`` as ``models``, so one
metadata holds every ledger table; migration 0004 creates them, 0006 the sessions.

A sign-in link and a session are stored as the sha256 of their token only: whoever
reads the ledger cannot sign in with what they read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync.ledger.models import ID, Base, one_of

PRINCIPAL_KINDS = ("partner", "admin")
REGISTRATION_STATUSES = ("pending", "sent", "failed")


class SignInLinkRow(Base):
    __tablename__ = "portal_sign_in_links"
    __table_args__ = (one_of("kind", PRINCIPAL_KINDS),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(ID)  # partner company id, or admin email (lower)
    email: Mapped[str | None] = mapped_column(ID)  # where the link was sent, if mailed
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(ID)


class PrincipalRow(Base):
    """Someone who may sign in: a partner (by company id) or a programme manager."""

    __tablename__ = "portal_principals"
    __table_args__ = (one_of("kind", PRINCIPAL_KINDS),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(ID, primary_key=True)
    sessions_valid_after: Mapped[datetime | None]  # a session issued at or before: void
    active: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SessionRow(Base):
    """One signed-in browser: its cookie carries the id, the ledger its hash. Ended by
    signing out or a revoke; idle when ``last_seen_at`` is too old."""

    __tablename__ = "portal_sessions"
    __table_args__ = (one_of("kind", PRINCIPAL_KINDS),
                      Index("ix_portal_sessions_principal", "kind", "subject"))

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(ID)
    issued_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]  # written at most every TOUCH_INTERVAL, not per request
    ended_at: Mapped[datetime | None]


class RegistrationRow(Base):
    """A partner's deal registration (R7-R9) and the state of its HubSpot write."""

    __tablename__ = "portal_registrations"
    __table_args__ = (one_of("status", REGISTRATION_STATUSES),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ID, index=True)
    company_name: Mapped[str] = mapped_column(ID)
    domain: Mapped[str] = mapped_column(ID, index=True)  # normalised: lower, no www.
    contact_email: Mapped[str] = mapped_column(String(320))
    expected_plan: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime]
    hubspot_company_id: Mapped[str | None] = mapped_column(String(64))
    hubspot_deal_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]
