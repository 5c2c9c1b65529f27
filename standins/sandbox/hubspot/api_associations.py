"""Associations v4: batch create/read/default/archive and the per-object calls.

Record ids are JSON strings in every answer, as HubSpot's v4 specification types them
(`LabelsBetweenObjectPair.fromObjectId`/`toObjectId`,
`MultiAssociatedObjectWithLabel.toObjectId`, `PublicObjectId.id`).

Inputs a batch may carry: HubSpot's associations guide documents 1,000 for batch/read
and 2,000 for batch/create; it gives no figure for batch/associate/default or
batch/archive, which keep the object batches' 100 (an assumption, never more than a
real portal takes: docs/sandbox.md, "Batch limits")."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.wsgi import json_response
from sandbox.hubspot.associations import AssociationType
from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.http import (
    batch_error,
    batch_inputs,
    batch_response,
    json_body,
    json_list_body,
)
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.types import ObjectType

JsonObject = dict[str, Any]

MAX_READ_INPUTS = 1_000
MAX_CREATE_INPUTS = 2_000
MAX_DEFAULT_INPUTS = 100  # undocumented: the conservative figure
MAX_ARCHIVE_INPUTS = 100  # undocumented: the conservative figure


def _labels(from_type: ObjectType, from_id: str, to_type: ObjectType, to_id: str,
            types: list[AssociationType]) -> JsonObject:
    """v4 LabelsBetweenObjectPair."""
    return {"fromObjectTypeId": from_type.type_id, "fromObjectId": from_id,
            "toObjectTypeId": to_type.type_id, "toObjectId": to_id,
            "labels": [t.label for t in types if t.label]}


def _link(state: HubSpotState, ends: tuple[ObjectType, ObjectType], from_id: str, to_id: str,
          specs: list[JsonObject]) -> JsonObject:
    from_type, to_type = ends
    types = [state.associations.resolve(int(s["associationTypeId"]), from_type.type_id,
                                        to_type.type_id) for s in specs]
    for atype in types:
        state.associate((from_type, from_id), (to_type, to_id), atype)
    return _labels(from_type, from_id, to_type, to_id, types)


def _ends(state: HubSpotState, from_name: str, to_name: str) -> tuple[ObjectType, ObjectType]:
    return state.resolve_type(from_name), state.resolve_type(to_name)


def batch_create(state: HubSpotState, request: Request, from_type: str, to_type: str
                 ) -> Response:
    ends, started = _ends(state, from_type, to_type), state.now()
    results, errors = [], []
    for item in batch_inputs(json_body(request), MAX_CREATE_INPUTS):
        from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
        try:
            results.append(_link(state, ends, from_id, to_id, item.get("types", [])))
        except HubSpotError as exc:
            errors.append(batch_error(exc.body["category"], exc.body["message"],
                                      {"fromId": [from_id], "toId": [to_id]}))
    return batch_response(results, errors, started, state.now(), ok_status=201)


def batch_default(state: HubSpotState, request: Request, from_type: str, to_type: str
                  ) -> Response:
    (source, target), started = _ends(state, from_type, to_type), state.now()
    atype = state.associations.default_type(source.type_id, target.type_id)
    results = []
    for item in batch_inputs(json_body(request), MAX_DEFAULT_INPUTS):
        from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
        state.associate((source, from_id), (target, to_id), atype)
        results.append({"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": {
            "associationCategory": atype.category, "associationTypeId": atype.type_id}})
    return batch_response(results, [], started, state.now())


def _associated(state: HubSpotState, source: ObjectType, record_id: str, target: ObjectType
                ) -> list[JsonObject]:
    """v4 MultiAssociatedObjectWithLabel for each associated object."""
    return [{"toObjectId": to_id, "associationTypes": [t.spec() for t in types]}
            for to_id, types in state.associations.targets((source.type_id, record_id),
                                                          target.type_id)]


def batch_read(state: HubSpotState, request: Request, from_type: str, to_type: str
               ) -> Response:
    (source, target), started = _ends(state, from_type, to_type), state.now()
    results, missing = [], []
    for item in batch_inputs(json_body(request), MAX_READ_INPUTS):
        record_id = str(item["id"])
        linked = _associated(state, source, record_id, target)
        if linked:
            results.append({"from": {"id": record_id}, "to": linked})
        else:
            missing.append(record_id)
    errors = [batch_error("OBJECT_NOT_FOUND", f"No {target.name} is associated with "
                          f"{source.name} {i}", {"fromObjectId": [i]}) for i in missing]
    return batch_response(results, errors, started, state.now())


def batch_archive(state: HubSpotState, request: Request, from_type: str, to_type: str
                  ) -> Response:
    source, target = _ends(state, from_type, to_type)
    for item in batch_inputs(json_body(request), MAX_ARCHIVE_INPUTS):
        for to in item.get("to", []):
            state.associations.remove((source.type_id, str(item["from"]["id"])),
                                      (target.type_id, str(to["id"])))
    return Response(status=204)


def create_default(state: HubSpotState, request: Request, from_type: str, from_id: str,
                   to_type: str, to_id: str) -> Response:
    source, target = _ends(state, from_type, to_type)
    atype = state.associations.default_type(source.type_id, target.type_id)
    state.associate((source, from_id), (target, to_id), atype)
    at = state.now()
    result = {"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": {
        "associationCategory": atype.category, "associationTypeId": atype.type_id}}
    return json_response({"status": "COMPLETE", "results": [result], "startedAt": at,
                          "completedAt": at})


def create_labeled(state: HubSpotState, request: Request, from_type: str, from_id: str,
                   to_type: str, to_id: str) -> Response:
    ends = _ends(state, from_type, to_type)
    return json_response(_link(state, ends, from_id, to_id, json_list_body(request)), 201)


def list_associations(state: HubSpotState, request: Request, from_type: str, from_id: str,
                      to_type: str) -> Response:
    source, target = _ends(state, from_type, to_type)
    state.find(source, from_id)
    return json_response({"results": _associated(state, source, from_id, target)})


def archive_pair(state: HubSpotState, request: Request, from_type: str, from_id: str,
                 to_type: str, to_id: str) -> Response:
    source, target = _ends(state, from_type, to_type)
    state.associations.remove((source.type_id, from_id), (target.type_id, to_id))
    return Response(status=204)
