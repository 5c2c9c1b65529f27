"""Invitations: a sign-in link made for a partner or a programme manager, and revoking.

The link (``{PARTNERSYNC_PORTAL_URL}/sign-in/{token}``) exists only in the returned
``Invitation``: the ledger keeps its hash. When it is delivered (by mail), the delivery
runs inside the unit of work that records it, so a mail that could not be sent leaves
no link and no audit entry behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sync.ledger.portal import Principal
from sync.wiring import Services

SIGN_IN_PATH = "/sign-in/"


@dataclass(frozen=True, slots=True)
class Invitation:
    principal: Principal
    url: str  # a credential until used or expired: shown once, never logged
    expires_at: datetime
    email: str | None


def invite(services: Services, principal: Principal, *, email: str | None, by: str,
           now: datetime, deliver: Callable[[Invitation], None] | None = None) -> Invitation:
    """A new single-use link for ``principal`` (valid 24 h), audited as made by ``by``;
    ``deliver`` sends it before the ledger commits it."""
    ledger = services.ledger
    with ledger.transaction():
        issued = ledger.issue_sign_in_link(principal, email=email, created_by=by, now=now)
        invitation = Invitation(principal,
                                services.settings.resolved_portal_url + SIGN_IN_PATH
                                + issued.token, issued.expires_at, email)
        if deliver is not None:
            deliver(invitation)
    return invitation


def revoke(services: Services, principal: Principal, *, by: str, now: datetime) -> bool:
    """End every session of ``principal`` and refuse its unused links; ``False`` when it
    was never invited."""
    return services.ledger.revoke_principal(principal, by=by, now=now)
