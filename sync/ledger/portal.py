"""The portal's sign-in in the ledger: single-use links and the people who may sign in.

A link's token is shown once (printed or mailed) and stored only as its sha256, so a
copy of the ledger signs nobody in. A link works once, for ``LINK_LIFETIME``, and not
after its principal was revoked. Revoking sets ``sessions_valid_after`` and ends every
open session of the principal (``portal_sessions``, see ``portal_sessions``): each is
void on its next request, and links made before are refused. Invitations, revocations and sign-ins
are written to the audit trail (``controls.audit``) in the same unit of work.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm import Session

from sync.domain.months import require_utc
from sync.ledger.controls import audit
from sync.ledger.portal_models import PrincipalRow, SessionRow, SignInLinkRow

LINK_LIFETIME = timedelta(hours=24)
TOKEN_BYTES = 32  # 256 bits from the OS's generator: unguessable, never stored


class Kind(StrEnum):
    PARTNER = "partner"
    ADMIN = "admin"


class Refusal(StrEnum):
    """Why a sign-in link does not sign in."""

    UNKNOWN = "unknown"  # no such link (mistyped, or never issued)
    USED = "used"  # single use: it signed in once already
    EXPIRED = "expired"  # older than LINK_LIFETIME
    REVOKED = "revoked"  # its principal was revoked after it was made


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Kind
    subject: str  # a partner's company id, or an admin's email, lower-cased

    @classmethod
    def partner(cls, partner_id: str) -> Principal:
        return cls(Kind.PARTNER, partner_id.strip())

    @classmethod
    def admin(cls, email: str) -> Principal:
        return cls(Kind.ADMIN, email.strip().lower())


@dataclass(frozen=True, slots=True)
class PrincipalState:
    principal: Principal
    active: bool
    sessions_valid_after: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedLink:
    token: str  # shown once, to the person; the ledger keeps only its hash
    principal: Principal
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_refusal(link: SignInLinkRow | None, state: PrincipalState | None,
                 now: datetime) -> Refusal | None:
    """Why ``link`` cannot sign in at ``now``, or ``None`` when it can."""
    if link is None:
        return Refusal.UNKNOWN
    if link.used_at is not None:
        return Refusal.USED
    if now >= link.expires_at:
        return Refusal.EXPIRED
    if state is None or not state.active or (
            state.sessions_valid_after is not None
            and link.created_at <= state.sessions_valid_after):
        return Refusal.REVOKED
    return None


def state_of(session: Session, principal: Principal) -> PrincipalState | None:
    row = session.get(PrincipalRow, (principal.kind.value, principal.subject))
    if row is None:
        return None
    return PrincipalState(principal, row.active, row.sessions_valid_after)


def _actor_of(link: SignInLinkRow) -> str:
    """Who signed in, as the audit trail names them."""
    return link.subject if link.kind == Kind.ADMIN else (link.email or f"partner {link.subject}")


def _audit_ids(principal: Principal) -> tuple[str | None, dict[str, str]]:
    """The audit entry's partner id, and its data naming the principal."""
    partner_id = principal.subject if principal.kind is Kind.PARTNER else None
    return partner_id, {"kind": principal.kind.value, "subject": principal.subject}


class PortalMethods:
    """Mixed into ``Ledger``, which provides the unit of work. Every method takes ``now``:
    the portal's clock decides, not the ledger's."""

    def transaction(self, *, snapshot: bool = False,
                    read_only: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def issue_sign_in_link(self, principal: Principal, *, email: str | None,
                           created_by: str, now: datetime) -> IssuedLink:
        """A new single-use link for ``principal``, who may sign in from now on (an
        admin is activated by it; a revoked partner invited again too)."""
        now = require_utc(now, "now")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires_at = now + LINK_LIFETIME
        with self.transaction() as session:
            row = session.get(PrincipalRow, (principal.kind.value, principal.subject),
                              with_for_update=True)
            if row is None:
                session.add(PrincipalRow(kind=principal.kind.value, subject=principal.subject,
                                         sessions_valid_after=None, active=True,
                                         created_at=now, updated_at=now))
            else:
                row.active, row.updated_at = True, now
            session.add(SignInLinkRow(token_hash=token_hash(token), kind=principal.kind.value,
                                      subject=principal.subject, email=email, created_at=now,
                                      expires_at=expires_at, used_at=None,
                                      created_by=created_by))
            partner_id, data = _audit_ids(principal)
            sent = f", sent to {email}" if email else ""
            audit(session, now, "portal_invite", created_by,
                  f"sign-in link for the portal, valid until {expires_at.isoformat()}{sent}",
                  partner_id=partner_id,
                  data={**data, "expires_at": expires_at.isoformat(), "email": email or ""})
        return IssuedLink(token, principal, expires_at)

    def check_sign_in_link(self, token: str, now: datetime) -> Principal | Refusal:
        """What ``token`` would do, changing nothing (the page before the button)."""
        with self.transaction(read_only=True) as session:
            link = session.get(SignInLinkRow, token_hash(token))
            state = None if link is None else state_of(session, _principal_of(link))
            refusal = link_refusal(link, state, require_utc(now, "now"))
            if refusal is not None or link is None:
                return refusal or Refusal.UNKNOWN
            return _principal_of(link)

    def use_sign_in_link(self, token: str, now: datetime) -> Principal | Refusal:
        """Sign in with ``token``: marks it used, once. Two requests racing with one
        link: the conditional update lets exactly one of them through."""
        now = require_utc(now, "now")
        with self.transaction() as session:
            link = session.get(SignInLinkRow, token_hash(token), with_for_update=True)
            state = None if link is None else state_of(session, _principal_of(link))
            refusal = link_refusal(link, state, now)
            if refusal is not None or link is None:
                return refusal or Refusal.UNKNOWN
            marked = session.execute(
                update(SignInLinkRow)
                .where(SignInLinkRow.token_hash == link.token_hash,
                       SignInLinkRow.used_at.is_(None))
                .values(used_at=now).execution_options(synchronize_session=False))
            if getattr(marked, "rowcount", 0) != 1:
                return Refusal.USED
            principal = _principal_of(link)
            partner_id, data = _audit_ids(principal)
            audit(session, now, "portal_sign_in", _actor_of(link),
                  f"signed in to the portal with a link made by {link.created_by}",
                  partner_id=partner_id, data={**data, "link_created_at":
                                                 link.created_at.isoformat()})
            return principal

    def revoke_principal(self, principal: Principal, *, by: str, now: datetime) -> bool:
        """End every session of ``principal`` and refuse its unused links; it may sign
        in again only from a new invitation. ``False``: it was never invited."""
        now = require_utc(now, "now")
        with self.transaction() as session:
            row = session.get(PrincipalRow, (principal.kind.value, principal.subject),
                              with_for_update=True)
            if row is None:
                return False
            row.active, row.sessions_valid_after, row.updated_at = False, now, now
            session.execute(update(SessionRow)
                            .where(SessionRow.kind == principal.kind.value,
                                   SessionRow.subject == principal.subject,
                                   SessionRow.ended_at.is_(None))
                            .values(ended_at=now).execution_options(synchronize_session=False))
            partner_id, data = _audit_ids(principal)
            audit(session, now, "portal_revoke", by,
                  "portal access revoked: every session ended, unused links refused",
                  partner_id=partner_id, data=data)
            return True

    def principal_state(self, principal: Principal) -> PrincipalState | None:
        with self.transaction(read_only=True) as session:  # every page asks: never wait
            return state_of(session, principal)


def _principal_of(link: SignInLinkRow) -> Principal:
    return Principal(Kind(link.kind), link.subject)
