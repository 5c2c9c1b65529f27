"""Portal sessions in the ledger: one row per signed-in browser (``portal_sessions``).

The session id is made here, given once to the caller (it goes into the signed cookie)
and stored only as its sha256, like a sign-in link's token. Reading a session is a
read-only unit (every page asks: it never waits behind a sync); the writes are signing
in, signing out, a revoke and, at most every few minutes, the instant last seen.
"""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from sync.domain.months import require_utc
from sync.ledger.portal import (
    TOKEN_BYTES,
    Kind,
    Principal,
    PrincipalState,
    state_of,
    token_hash,
)
from sync.ledger.portal_models import SessionRow


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session as the ledger holds it, with its principal's state (revoked or not)."""

    principal: Principal
    issued_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    state: PrincipalState | None


class SessionMethods:
    """Mixed into ``Ledger``, which provides the unit of work."""

    def transaction(self, *, snapshot: bool = False,
                    read_only: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def start_portal_session(self, principal: Principal, now: datetime) -> str:
        """A new session for ``principal``; its id, shown only to the caller."""
        now = require_utc(now, "now")
        session_id = secrets.token_urlsafe(TOKEN_BYTES)
        with self.transaction() as session:
            session.add(SessionRow(id_hash=token_hash(session_id), kind=principal.kind.value,
                                   subject=principal.subject, issued_at=now,
                                   last_seen_at=now, ended_at=None))
        return session_id

    def portal_session(self, session_id: str) -> SessionRecord | None:
        """The session whose id is ``session_id``, or ``None`` when there is none."""
        with self.transaction(read_only=True) as session:
            row = session.get(SessionRow, token_hash(session_id))
            if row is None:
                return None
            principal = Principal(Kind(row.kind), row.subject)
            return SessionRecord(principal, row.issued_at, row.last_seen_at, row.ended_at,
                                 state_of(session, principal))

    def see_portal_session(self, session_id: str, now: datetime) -> None:
        """Record that the session was used at ``now`` (its idle time starts again)."""
        now = require_utc(now, "now")
        with self.transaction() as session:
            session.execute(update(SessionRow)
                            .where(SessionRow.id_hash == token_hash(session_id),
                                   SessionRow.ended_at.is_(None),
                                   SessionRow.last_seen_at < now)
                            .values(last_seen_at=now)
                            .execution_options(synchronize_session=False))

    def end_portal_session(self, session_id: str, now: datetime) -> None:
        """Sign out: this session only; the principal's other sessions go on."""
        now = require_utc(now, "now")
        with self.transaction() as session:
            session.execute(update(SessionRow)
                            .where(SessionRow.id_hash == token_hash(session_id),
                                   SessionRow.ended_at.is_(None))
                            .values(ended_at=now)
                            .execution_options(synchronize_session=False))

