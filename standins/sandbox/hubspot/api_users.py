"""Settings users API v3: list (paged) and get, from the `hubspot/users.json` fixture."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.wsgi import json_response
from sandbox.hubspot.errors import HubSpotError, invalid
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.users import ID_PROPERTIES

JsonObject = dict[str, Any]

MAX_LIMIT = 100


def _limit(request: Request) -> int:
    limit = int(request.args.get("limit", MAX_LIMIT))
    if limit < 1:
        raise invalid(f"limit must be at least 1, not {limit}", limit=[str(limit)])
    return min(limit, MAX_LIMIT)


def list_users(state: HubSpotState, request: Request) -> Response:
    limit, after = _limit(request), request.args.get("after") or None
    users = state.users.page(int(after) if after else None, limit + 1)
    page, rest = users[:limit], users[limit:]
    body: JsonObject = {"results": page}
    if rest:  # HubSpot sends `paging` only when another page exists
        next_after = rest[0]["id"]
        body["paging"] = {"next": {"after": next_after,
                                   "link": f"{request.base_url}?after={next_after}"}}
    return json_response(body)


def get_user(state: HubSpotState, request: Request, user_id: str) -> Response:
    id_property = request.args.get("idProperty", "USER_ID")
    if id_property not in ID_PROPERTIES:
        raise invalid(f"idProperty must be one of {', '.join(ID_PROPERTIES)}",
                      idProperty=[id_property])
    user = state.users.find(user_id, id_property)
    if user is None:
        raise HubSpotError(404, f"resource not found: USER {user_id}", "OBJECT_NOT_FOUND",
                           context={"id": [user_id]})
    return json_response(user)
