"""Properties API (read, create, batch) and object schemas API (create, list, get)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.wsgi import json_response
from sandbox.hubspot.errors import HubSpotError, invalid
from sandbox.hubspot.http import batch_error, batch_inputs, batch_response, json_body
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.types import ObjectType, custom_type, property_json, schema_json

JsonObject = dict[str, Any]

CREATE_KEYS = {"description", "options", "displayOrder", "formField", "hidden",
               "referencedObjectType", "calculationFormula", "showCurrencySymbol"}


def _new_property(state: HubSpotState, otype: ObjectType, spec: JsonObject) -> JsonObject:
    for key in ("name", "label", "type", "fieldType", "groupName"):
        if not spec.get(key):
            raise invalid(f"{key} is required to create a property", field=[key])
    prop = property_json(
        str(spec["name"]), str(spec["type"]), label=str(spec["label"]),
        group=str(spec["groupName"]), unique=bool(spec.get("hasUniqueValue", False)),
        at=state.now(), fieldType=spec["fieldType"],
        **{k: v for k, v in spec.items() if k in CREATE_KEYS})
    otype.add_property(prop)
    state.properties_changed(otype)
    return prop


def list_properties(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype = state.resolve_type(object_type)
    return json_response({"results": list(otype.properties.values())})


def _property(state: HubSpotState, object_type: str, name: str) -> JsonObject:
    otype = state.resolve_type(object_type)
    if name not in otype.properties:
        raise HubSpotError(404, f"Unable to find property {name} on {otype.name}",
                           "OBJECT_NOT_FOUND", context={"name": [name]})
    prop: JsonObject = otype.properties[name]
    return prop


def get_property(state: HubSpotState, request: Request, object_type: str, name: str
                 ) -> Response:
    return json_response(_property(state, object_type, name))


UPDATE_KEYS = {"label", "description", "options", "displayOrder", "formField", "hidden",
               "groupName", "fieldType"}


def update_property(state: HubSpotState, request: Request, object_type: str, name: str
                    ) -> Response:
    """PATCH: HubSpot replaces the given keys (an enumeration's ``options`` whole)."""
    prop = _property(state, object_type, name)
    prop.update({k: v for k, v in json_body(request).items() if k in UPDATE_KEYS})
    prop["updatedAt"] = state.now()
    state.properties_changed(state.resolve_type(object_type))
    return json_response(prop)


def create_property(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype = state.resolve_type(object_type)
    return json_response(_new_property(state, otype, json_body(request)), 201)


def batch_create_properties(state: HubSpotState, request: Request, object_type: str
                            ) -> Response:
    otype, body, started = state.resolve_type(object_type), json_body(request), state.now()
    results, errors = [], []
    for spec in batch_inputs(body):
        try:
            results.append(_new_property(state, otype, spec))
        except HubSpotError as exc:
            errors.append(batch_error(exc.body["category"], exc.body["message"],
                                      {"name": [str(spec.get("name"))]}))
    return batch_response(results, errors, started, state.now(), ok_status=201)


def batch_read_properties(state: HubSpotState, request: Request, object_type: str
                          ) -> Response:
    otype, body, started = state.resolve_type(object_type), json_body(request), state.now()
    names = [str(item.get("name")) for item in batch_inputs(body)]
    missing = [n for n in names if n not in otype.properties]
    errors = [batch_error("OBJECT_NOT_FOUND", "Some properties were not found",
                          {"names": missing})] if missing else []
    results = [otype.properties[n] for n in names if n in otype.properties]
    return batch_response(results, errors, started, state.now())


def _associations_of(state: HubSpotState, otype: ObjectType) -> list[JsonObject]:
    at = otype.schema["createdAt"] if otype.schema else state.now()
    return [{"id": str(t.type_id), "fromObjectTypeId": t.from_type,
             "toObjectTypeId": t.to_type, "name": t.name, "createdAt": at, "updatedAt": at}
            for t in state.associations.types.values() if t.from_type == otype.type_id]


def list_schemas(state: HubSpotState, request: Request) -> Response:
    customs = [t for t in state.types.values() if t.schema is not None]
    return json_response({"results": [schema_json(t, _associations_of(state, t))
                                      for t in customs]})


def get_schema(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype = state.resolve_type(object_type)
    return json_response(schema_json(otype, _associations_of(state, otype)))


def create_schema(state: HubSpotState, request: Request) -> Response:
    egg = json_body(request)
    name = str(egg.get("name") or "")
    if any(name.lower() in {a.lower() for a in t.aliases} for t in state.types.values()):
        raise HubSpotError(409, f"Object type {name} already exists", "OBJECT_ALREADY_EXISTS",
                           context={"name": [name]})
    targets = [state.resolve_type(str(n)) for n in egg.get("associatedObjects", [])]
    otype = custom_type(state.next_custom_type_id(), state.portal_id, egg, state.now())
    # HubSpot gives a new object its default property group, "<name>_information".
    default_group = f"{otype.name}_information"
    otype.groups[default_group] = {"name": default_group, "label": f"{otype.singular} information",
                                   "displayOrder": -1, "archived": False}
    state.add_type(otype)
    state.properties_changed(otype)
    for target in targets:
        state.associations.define_pair(otype.type_id, target.type_id, otype.name,
                                       target.singular)
    return json_response(schema_json(otype, _associations_of(state, otype)), 201)


def create_schema_association(state: HubSpotState, request: Request, object_type: str
                              ) -> Response:
    otype, body = state.resolve_type(object_type), json_body(request)
    target = state.resolve_type(str(body.get("toObjectTypeId")))
    atype = state.associations.define_pair(otype.type_id, target.type_id, otype.name,
                                           target.singular)
    at = state.now()
    return json_response({"id": str(atype.type_id), "fromObjectTypeId": otype.type_id,
                          "toObjectTypeId": target.type_id, "name": body.get("name", atype.name),
                          "createdAt": at, "updatedAt": at}, 201)
