"""Portal sessions: Flask's signed cookie holds who signed in and when (``issued_at``).

The cookie is signed with PARTNERSYNC_PORTAL_SECRET_KEY, so nobody can forge or alter
it; the server still decides on every request whether it holds: at most
``SESSION_LIFETIME`` old (by the signed ``issued_at``, not the cookie's expiry, which a
client can ignore), and issued after its principal's last revocation. Rotating the
secret key ends every session at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask import g, session

from sync.ledger.portal import Kind, Principal, PrincipalState
from sync.portal.context import portal

SESSION_LIFETIME = timedelta(hours=12)
KIND, SUBJECT, ISSUED_AT = "kind", "subject", "issued_at"


class Ended(StrEnum):
    """Why a session no longer holds."""

    EXPIRED = "expired"
    REVOKED = "revoked"


def session_end(state: PrincipalState | None, issued_at: datetime,
                now: datetime) -> Ended | None:
    """Why a session issued at ``issued_at`` no longer holds at ``now``; ``None``: it holds."""
    if now - issued_at >= SESSION_LIFETIME:
        return Ended.EXPIRED
    if state is None or not state.active or (
            state.sessions_valid_after is not None and issued_at <= state.sessions_valid_after):
        return Ended.REVOKED
    return None


def start_session(principal: Principal, now: datetime) -> None:
    """A fresh session (nothing kept from before: no fixation) for ``principal``."""
    session.clear()
    session[KIND], session[SUBJECT] = principal.kind.value, principal.subject
    session[ISSUED_AT] = now.isoformat()
    session.permanent = True  # the cookie lasts PERMANENT_SESSION_LIFETIME, not the tab
    g.pop("principal", None)


def end_session() -> None:
    session.clear()
    g.principal = None


def _signed() -> tuple[Principal, datetime] | None:
    try:
        principal = Principal(Kind(session[KIND]), str(session[SUBJECT]))
        issued_at = datetime.fromisoformat(str(session[ISSUED_AT]))
    except (KeyError, ValueError):
        return None
    return (principal, issued_at) if issued_at.tzinfo is not None else None


def current_principal() -> Principal | None:
    """Who this request's session signs in, once checked against the ledger; a session
    that ended is cleared, and ``g.session_ended`` says why."""
    if "principal" in g:
        principal: Principal | None = g.principal
        return principal
    context = portal()
    now = context.now()
    signed = _signed()
    principal = None
    if signed is not None:
        ended = session_end(context.ledger.principal_state(signed[0]), signed[1], now)
        if ended is None:
            principal = signed[0]
        else:
            session.clear()
            g.session_ended = ended
    elif session.get(KIND) is not None:
        session.clear()  # a cookie we signed but cannot read: an older format
    g.principal = principal
    return principal
