"""The portal's users (Settings users API v3) and the user tokens that act as them.

A bearer token `pat-user-<digits>` acts as that HubSpot user, so a change it makes is
recorded as a UI edit by that user; the worker relies on property history naming the
user (only listed approvers may approve a payout).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from sandbox.hubspot.records import WriteSource

JsonObject = dict[str, Any]

USERS_FILE = "users.json"
USER_TOKEN = re.compile(r"pat-user-(\d+)")
ID_PROPERTIES = ("USER_ID", "EMAIL")


def token_user(token: str) -> int | None:
    """The user id a `pat-user-<digits>` token acts as; None for any other token."""
    match = USER_TOKEN.fullmatch(token)
    return int(match.group(1)) if match else None


def user_source(user_id: int) -> WriteSource:
    """What HubSpot records for a change a user made in its UI."""
    return WriteSource("CRM_UI", f"userId:{user_id}", user_id)


def _normalized(user: Any) -> JsonObject:
    """A fixture user as the API answers it: string id, required keys present."""
    if not isinstance(user, dict) or not str(user.get("id", "")).isdigit():
        raise ValueError(f"a HubSpot user needs a numeric id: {user!r}")
    if not user.get("email"):
        raise ValueError(f"HubSpot user {user['id']} needs an email")
    # `id` as a string, with no leading zeros, so it matches the id a token carries.
    served = {**user, "id": str(int(user["id"]))}
    served.setdefault("roleIds", [])
    served.setdefault("superAdmin", False)
    return served


class UserDirectory:
    """Users in numeric id order. Until users are loaded, any user token is accepted."""

    def __init__(self) -> None:
        self.loaded = False
        self._users: dict[int, JsonObject] = {}
        self._ids: list[int] = []

    def __len__(self) -> int:
        return len(self._users)

    def load(self, users: list[Any]) -> None:
        """Add (or replace, by id) users; from then on only known users may sign in."""
        checked = [_normalized(user) for user in users]  # all or none
        self._users.update((int(user["id"]), user) for user in checked)
        self._ids = sorted(self._users)
        self.loaded = True

    def accepts(self, user_id: int) -> bool:
        return not self.loaded or user_id in self._users

    def find(self, key: str, id_property: str = "USER_ID") -> JsonObject | None:
        if id_property == "EMAIL":
            wanted = key.lower()
            return next((u for u in self._users.values()
                         if str(u["email"]).lower() == wanted), None)
        return self._users.get(int(key)) if key.isdigit() else None

    def page(self, after: int | None, limit: int) -> list[JsonObject]:
        """At most `limit` users from id `after` on (included), as CRM listings page."""
        start = 0 if after is None else bisect.bisect_left(self._ids, after)
        return [self._users[user_id] for user_id in self._ids[start:start + limit]]
