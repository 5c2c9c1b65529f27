"""Deal registrations made in the portal, and their HubSpot write through the outbox.

A registration is stored and its intent enqueued (key ``hubspot:registration:<id>``)
in one transaction; the send confirms the intent and stores the HubSpot ids in one
transaction too, so the row's ``status`` and the outbox never disagree: ``pending``
(recorded, not yet written: the next attempt resends it), ``sent``, ``failed`` (HubSpot
refused it for good). ``last_error`` keeps HubSpot's reason for the programme team (the
admin view and the logs); the partner sees a translated sentence and the id instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync.ledger import outbox
from sync.ledger.errors import UnknownRecordError, scrub
from sync.ledger.locks import lock_key
from sync.ledger.models import MirrorRow
from sync.ledger.portal_models import RegistrationRow as Row
from sync.ledger.store import Ledger

KIND = "hubspot.registration"
PENDING, SENT, FAILED = "pending", "sent", "failed"


@dataclass(frozen=True, slots=True)
class Registration:
    id: str
    partner_id: str
    company_name: str
    domain: str
    contact_email: str
    expected_plan: str
    registered_at: datetime
    status: str = PENDING
    hubspot_company_id: str | None = None
    hubspot_deal_id: str | None = None
    last_error: str | None = None


def registration_id(partner_id: str, domain: str, registered_at: datetime) -> str:
    """Deterministic (docs/portal.md): the same partner, domain and instant, the same id."""
    text = f"{partner_id}\n{domain}\n{registered_at.isoformat()}"
    return "reg_" + hashlib.sha256(text.encode()).hexdigest()[:20]


def outbox_key(registration: str) -> str:
    return f"hubspot:registration:{registration}"


class Recorded(StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"  # that id is already recorded: the same post twice
    DOMAIN_TAKEN = "domain_taken"  # another registration protects the domain (R6, R9)


def record(ledger: Ledger, registration: Registration, window_days: int) -> Recorded:
    """Store the registration and enqueue its write, in one transaction, unless the
    domain has a registration younger than ``window_days`` that HubSpot did not refuse.

    The portal checked that before, outside any transaction; two posts of one domain at
    the same moment would both pass it. So it is checked again here, under a lock that
    serialises the registrations of one domain: SQLite's write transaction (``BEGIN
    IMMEDIATE``, taken at the start) or, on PostgreSQL, a transaction-level advisory
    lock on the domain, released at commit (read committed: the check, after the lock,
    sees a registration committed meanwhile)."""
    now = ledger.now()
    with ledger.transaction() as session:
        _lock_domain(session, registration.domain)
        if session.get(Row, registration.id) is not None:
            return Recorded.DUPLICATE
        if _protected(session, registration.domain,
                      registration.registered_at - timedelta(days=window_days)):
            return Recorded.DOMAIN_TAKEN
        session.add(Row(
            id=registration.id, partner_id=registration.partner_id,
            company_name=registration.company_name, domain=registration.domain,
            contact_email=registration.contact_email,
            expected_plan=registration.expected_plan,
            registered_at=registration.registered_at, status=PENDING, updated_at=now))
        session.flush()
        outbox.enqueue(session, outbox_key(registration.id), KIND, registration.id,
                       {"registration_id": registration.id}, now)
    return Recorded.RECORDED


def _lock_domain(session: Session, domain: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(lock_key(f"registration:{domain}"))))


def _protected(session: Session, domain: str, since: datetime) -> bool:
    return session.scalar(select(Row.id).where(
        Row.domain == domain, Row.registered_at > since, Row.status != FAILED).limit(1)
    ) is not None


def get(ledger: Ledger, registration: str) -> Registration | None:
    with ledger.transaction() as session:
        row = session.get(Row, registration)
        return None if row is None else _of(row)


def of_partner(ledger: Ledger, partner_id: str) -> list[Registration]:
    """The partner's registrations, newest first (the portal's list: scoped by partner)."""
    with ledger.transaction() as session:
        rows = session.scalars(select(Row).where(Row.partner_id == partner_id)
                               .order_by(Row.registered_at.desc(), Row.id))
        return [_of(row) for row in rows]


def registered_since(ledger: Ledger, since: datetime) -> list[Registration]:
    """Every partner's registrations made after ``since`` that HubSpot did not refuse:
    those that may still protect their domain (R6, R9)."""
    with ledger.transaction() as session:
        rows = session.scalars(select(Row).where(Row.registered_at > since,
                                                 Row.status != FAILED))
        return [_of(row) for row in rows]


def mirrored(ledger: Ledger, object_type: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """A few mirrored records by id (a partner, its registrations' deals), not the lot."""
    if not ids:
        return {}
    with ledger.transaction() as session:
        rows = session.execute(select(MirrorRow.record_id, MirrorRow.body).where(
            MirrorRow.object_type == object_type, MirrorRow.record_id.in_(ids)))
        return {row.record_id: row.body for row in rows}


def with_errors(ledger: Ledger) -> list[Registration]:
    """Every partner's registrations HubSpot refused, or still pending after a failed
    attempt, newest first: what the programme team has to look at (the admin view)."""
    with ledger.transaction() as session:
        rows = session.scalars(select(Row).where(
            (Row.status == FAILED) | ((Row.status == PENDING) & Row.last_error.is_not(None)))
            .order_by(Row.registered_at.desc(), Row.id))
        return [_of(row) for row in rows]


def pending_ids(ledger: Ledger) -> list[str]:
    """Registrations whose write is still pending in the outbox, oldest first."""
    return [entry.target for entry in ledger.pending(KIND)]


def mark_sent(ledger: Ledger, registration: str, company_id: str, deal_id: str) -> None:
    result: dict[str, Any] = {"company_id": company_id, "deal_id": deal_id}
    with ledger.transaction() as session:
        outbox.confirm(session, outbox_key(registration), result, ledger.now())
        row = _row(session, registration)
        row.status, row.last_error, row.updated_at = SENT, None, ledger.now()
        row.hubspot_company_id, row.hubspot_deal_id = company_id, deal_id


def mark_failed(ledger: Ledger, registration: str, reason: str, *, retry: bool) -> None:
    """``retry``: still pending (a transient failure or the setup's, resent by the next
    attempt); otherwise failed for good; ``reason`` kept for the programme team."""
    with ledger.transaction() as session:
        outbox.fail(session, outbox_key(registration), reason, ledger.now(), retry=retry)
        row = _row(session, registration)
        row.status = PENDING if retry else FAILED
        row.last_error, row.updated_at = scrub(reason), ledger.now()


def _row(session: Session, registration: str) -> Row:
    row = session.get(Row, registration)
    if row is None:
        raise UnknownRecordError(f"registration {registration} does not exist")
    return row


def _of(row: Row) -> Registration:
    return Registration(
        id=row.id, partner_id=row.partner_id, company_name=row.company_name,
        domain=row.domain, contact_email=row.contact_email,
        expected_plan=row.expected_plan, registered_at=row.registered_at,
        status=row.status, hubspot_company_id=row.hubspot_company_id,
        hubspot_deal_id=row.hubspot_deal_id, last_error=row.last_error)
