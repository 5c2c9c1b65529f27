"""Portal sessions: the ledger holds each one (``portal_sessions``), Flask's signed cookie
only its id.

The cookie is signed with PARTNERSYNC_PORTAL_SECRET_KEY, so nobody can forge or alter
it, and the server decides on every request whether its session holds (``session_end``):
not signed out, its principal not revoked since, at most ``SESSION_LIFETIME`` old (from
the ledger's ``issued_at``, not the cookie's expiry, which a client can ignore), and
used within ``IDLE_TIMEOUT``. The instant last seen is written at most every
``SEEN_INTERVAL`` per session, not at every request, so the idle time is counted to
within that interval. Rotating the secret key ends every session at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from flask import g, session

from sync.ledger.portal import Principal
from sync.ledger.portal_sessions import SessionRecord
from sync.portal.context import portal

SESSION_LIFETIME = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(hours=2)  # without a request: the session ends
SEEN_INTERVAL = timedelta(minutes=5)  # last_seen_at is written at most this often
SESSION_ID = "session_id"
OLDER_FORMAT = "kind"  # cookies made before 0006 named the principal themselves


class Ended(StrEnum):
    """Why a session no longer holds."""

    EXPIRED = "expired"  # SESSION_LIFETIME after sign-in
    IDLE = "idle"  # IDLE_TIMEOUT without a request
    SIGNED_OUT = "signed_out"  # signed out (from any copy of the cookie), or unknown
    REVOKED = "revoked"  # its principal's access was revoked


def session_end(record: SessionRecord | None, now: datetime) -> Ended | None:
    """Why ``record`` no longer holds at ``now``; ``None``: it holds."""
    if record is None:
        return Ended.SIGNED_OUT
    state = record.state
    if state is None or not state.active or (
            state.sessions_valid_after is not None
            and record.issued_at <= state.sessions_valid_after):
        return Ended.REVOKED
    if record.ended_at is not None:
        return Ended.SIGNED_OUT
    if now - record.issued_at >= SESSION_LIFETIME:
        return Ended.EXPIRED
    if now - record.last_seen_at >= IDLE_TIMEOUT:
        return Ended.IDLE
    return None


def seen_is_due(record: SessionRecord, now: datetime) -> bool:
    """Whether this request should write the instant last seen (once per interval)."""
    return now - record.last_seen_at >= SEEN_INTERVAL


def start_session(session_id: str) -> None:
    """A fresh cookie (nothing kept from before: no fixation) holding ``session_id``,
    which the ledger started for the person who signed in."""
    session.clear()
    session[SESSION_ID] = session_id
    session.permanent = True  # the cookie lasts PERMANENT_SESSION_LIFETIME, not the tab
    g.pop("principal", None)


def end_session() -> None:
    """Sign out: the ledger ends this session (every copy of its cookie), no other."""
    session_id = _session_id()
    if session_id is not None:
        context = portal()
        context.ledger.end_portal_session(session_id, context.now())
    session.clear()
    g.principal = None


def _session_id() -> str | None:
    value = session.get(SESSION_ID)
    return value if isinstance(value, str) and value else None


def current_principal() -> Principal | None:
    """Who this request's session signs in, once checked against the ledger; a session
    that ended is cleared, and ``g.session_ended`` says why."""
    if "principal" in g:
        principal: Principal | None = g.principal
        return principal
    session_id = _session_id()
    principal = None
    if session_id is not None:
        context = portal()
        now = context.now()
        record = context.ledger.portal_session(session_id)
        ended = session_end(record, now)
        if ended is None and record is not None:
            principal = record.principal
            if seen_is_due(record, now):
                context.ledger.see_portal_session(session_id, now)
        else:
            session.clear()
            g.session_ended = ended
    elif session.get(OLDER_FORMAT) is not None:
        session.clear()  # a cookie from before the ledger held sessions
    g.principal = principal
    return principal
