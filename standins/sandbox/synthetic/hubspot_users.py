"""The portal's HubSpot users, in the shape of HubSpot's users API (settings v3).

Every synthetic portal, the demo's included, has the same three: the demo programme's
approvers are 1001 and 1002 (fixtures/demo/programme.toml, R33); 1003 sells, and may
edit HubSpot records, but not approve payouts. The HubSpot stand-in serves them and
attributes a change made with the token ``pat-user-<id>`` to that user.
"""

from __future__ import annotations

from sandbox.synthetic.reference import JsonObject


def _user(user_id: str, first: str, last: str, email: str) -> JsonObject:
    return {"id": user_id, "email": email, "firstName": first, "lastName": last,
            "roleIds": [], "primaryTeamId": None, "secondaryTeamIds": [], "superAdmin": False}


PORTAL_USERS = (
    _user("1001", "Claire", "Martin", "claire.martin@vmcloud.example"),
    _user("1002", "Hugo", "Bernard", "hugo.bernard@vmcloud.example"),
    _user("1003", "Léa", "Petit", "lea.petit@vmcloud.example"),
)
