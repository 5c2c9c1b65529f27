"""Property groups API (``/crm/v3/properties/{objectType}/groups``): list and create,
so ``partnersync hubspot setup`` can run against the stand-in."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.wsgi import json_response
from sandbox.hubspot.errors import HubSpotError, invalid
from sandbox.hubspot.http import json_body
from sandbox.hubspot.state import HubSpotState

JsonObject = dict[str, Any]


def list_groups(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype = state.resolve_type(object_type)
    return json_response({"results": list(otype.groups.values())})


def create_group(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype, spec = state.resolve_type(object_type), json_body(request)
    for key in ("name", "label"):
        if not spec.get(key):
            raise invalid(f"{key} is required to create a property group", field=[key])
    name = str(spec["name"])
    if name in otype.groups:
        raise HubSpotError(409, f"A property group named {name} already exists", "CONFLICT",
                           context={"name": [name]})
    group: JsonObject = {"name": name, "label": str(spec["label"]),
                         "displayOrder": int(spec.get("displayOrder", -1)), "archived": False}
    otype.groups[name] = group
    return json_response(group, 201)
