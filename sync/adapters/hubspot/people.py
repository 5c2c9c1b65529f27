"""Who changed what in HubSpot (R32, R33): payout status histories and users' emails.

Payout records are listed without history (list and search answers carry none); the
few whose status differs from the ledger's are read again by id with the history of
their status, which names the user who made each change. A user's email comes from
the users API (scope ``settings.users.read``); without that scope the approval still
counts, recorded by user id alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.errors import AuthenticationError, RequestRejected

log = structlog.get_logger(__name__)


class HubSpotPeople:
    def __init__(self, gateway: HubSpotGateway) -> None:
        self._gateway = gateway
        self._emails: dict[str, str | None] = {}

    def payouts_with_status_history(self, record_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Payout records by HubSpot record id, with the history of their status."""
        gateway = self._gateway
        names = gateway.props.payout
        if not record_ids:
            return []
        return gateway.batch_read(gateway.object_type_id(names.object_name), record_ids,
                                  [names.payout_id, names.status], [names.status])

    def email(self, user_id: str) -> str | None:
        """The user's email, or None when HubSpot does not say (unknown user, or the
        token lacks ``settings.users.read``); asked once per user and run."""
        if user_id not in self._emails:
            self._emails[user_id] = self._read_email(user_id)
        return self._emails[user_id]

    def _read_email(self, user_id: str) -> str | None:
        transport = self._gateway.transport
        try:
            answer = transport.call("users.read", transport.api.users.get_by_id, user_id)
        except (AuthenticationError, RequestRejected) as error:
            log.warning("hubspot.user_unreadable", user_id=user_id, status=error.status)
            return None
        email = answer.body.get("email")
        return email if isinstance(email, str) and email else None
