"""CRM v3 objects: basic (get, list, create, update, archive), batch, and search."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.wsgi import json_response
from sandbox.hubspot.errors import invalid
from sandbox.hubspot.http import (
    batch_error,
    batch_inputs,
    batch_response,
    bool_param,
    json_body,
    list_param,
    write_source,
)
from sandbox.hubspot.records import Record
from sandbox.hubspot.render import render_record, render_snapshot
from sandbox.hubspot.search import run_search
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.types import ObjectType

JsonObject = dict[str, Any]

MAX_LIST_LIMIT = 100


def _render(state: HubSpotState, otype: ObjectType, record: Record, request: Request
            ) -> JsonObject:
    return render_record(
        state, otype, record, properties=list_param(request, "properties"),
        with_history=list_param(request, "propertiesWithHistory") or [],
        associations=list_param(request, "associations") or [])


def _associate_new(state: HubSpotState, otype: ObjectType, record: Record,
                   associations: list[JsonObject]) -> None:
    """The `associations` of a create input: `[{to: {id}, types: [{...TypeId}]}]`."""
    for item in associations:
        for spec in item.get("types", []):
            atype = state.associations.resolve(int(spec["associationTypeId"]), otype.type_id)
            target = state.types[atype.to_type]
            state.associate((otype, record.id), (target, str(item["to"]["id"])), atype)


def get_object(state: HubSpotState, request: Request, object_type: str, object_id: str
               ) -> Response:
    otype = state.resolve_type(object_type)
    record = state.find(otype, object_id, id_property=request.args.get("idProperty"),
                        archived=bool_param(request, "archived"))
    return json_response(_render(state, otype, record, request))


def list_objects(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype = state.resolve_type(object_type)
    limit = min(int(request.args.get("limit", 10)), MAX_LIST_LIMIT)
    records = state.list(otype, archived=bool_param(request, "archived"),
                         after=request.args.get("after") or None, limit=limit + 1)
    page, rest = records[:limit], records[limit:]
    body: JsonObject = {"results": [_render(state, otype, r, request) for r in page]}
    if rest:
        link = f"{request.base_url}?after={rest[0].id}"
        body["paging"] = {"next": {"after": rest[0].id, "link": link}}
    return json_response(body)


def create_object(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype = state.resolve_type(object_type)
    body = json_body(request)
    record = state.create(otype, body.get("properties") or {}, write_source(request))
    _associate_new(state, otype, record, body.get("associations") or [])
    return json_response(render_record(state, otype, record, properties=list(record.properties)),
                         201)


def update_object(state: HubSpotState, request: Request, object_type: str, object_id: str
                  ) -> Response:
    otype = state.resolve_type(object_type)
    record = state.find(otype, object_id, id_property=request.args.get("idProperty"))
    state.update(otype, record, json_body(request).get("properties") or {},
                 write_source(request))
    return json_response(render_record(state, otype, record, properties=list(record.properties)))


def archive_object(state: HubSpotState, request: Request, object_type: str, object_id: str
                   ) -> Response:
    otype = state.resolve_type(object_type)
    record = state.lookup(otype, object_id, None)
    if record is not None:
        state.archive(otype, record)
    return Response(status=204)


def _written(state: HubSpotState, otype: ObjectType, record: Record) -> JsonObject:
    return render_record(state, otype, record, properties=list(record.properties))


def batch_read(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype, body, started = state.resolve_type(object_type), json_body(request), state.now()
    archived, id_property = bool_param(request, "archived"), body.get("idProperty")
    results, missing = [], []
    for item in batch_inputs(body):
        record = state.lookup(otype, str(item.get("id")), id_property)
        if record is None or record.archived != archived:
            missing.append(str(item.get("id")))
            continue
        results.append(render_record(
            state, otype, record, properties=body.get("properties"),
            with_history=body.get("propertiesWithHistory") or []))
    return batch_response(results, _missing_error(otype, missing), started, state.now())


def _missing_error(otype: ObjectType, missing: list[str]) -> list[JsonObject]:
    if not missing:
        return []
    message = (f"Could not get some {otype.label} objects, they may be deleted or not exist. "
               "Check that ids are valid.")
    return [batch_error("OBJECT_NOT_FOUND", message, {"ids": missing})]


def batch_create(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype, body, started = state.resolve_type(object_type), json_body(request), state.now()
    results, source = [], write_source(request)
    for item in batch_inputs(body):
        record = state.create(otype, item.get("properties") or {}, source)
        _associate_new(state, otype, record, item.get("associations") or [])
        results.append(_written(state, otype, record))
    return batch_response(results, [], started, state.now(), ok_status=201)


def batch_update(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype, body, started = state.resolve_type(object_type), json_body(request), state.now()
    inputs = batch_inputs(body)
    for item in inputs:
        state.check_properties(otype, item.get("properties") or {})
    results, missing, source = [], [], write_source(request)
    for item in inputs:
        record = state.lookup(otype, str(item.get("id")), item.get("idProperty"))
        if record is None or record.archived:
            missing.append(str(item.get("id")))
            continue
        state.update(otype, record, item.get("properties") or {}, source)
        results.append(_written(state, otype, record))
    return batch_response(results, _missing_error(otype, missing), started, state.now())


def batch_upsert(state: HubSpotState, request: Request, object_type: str) -> Response:
    """Create or update by a unique `idProperty`; `new` says which happened."""
    otype, body, started = state.resolve_type(object_type), json_body(request), state.now()
    inputs = batch_inputs(body)
    for item in inputs:
        id_property = str(item.get("idProperty") or "")
        if id_property not in otype.unique_properties():
            raise invalid(f"idProperty {id_property!r} is not a unique property of "
                          f"{otype.name}", idProperty=[id_property])
        state.check_properties(otype, item.get("properties") or {})
    results, source = [], write_source(request)
    for item in inputs:
        key, values = str(item["id"]), dict(item.get("properties") or {})
        record = state.lookup(otype, key, str(item["idProperty"]))
        new = record is None
        if record is None:
            record = state.create(otype, {**values, str(item["idProperty"]): key}, source)
        else:
            state.update(otype, record, values, source)
        results.append({**_written(state, otype, record), "new": new})
    return batch_response(results, [], started, state.now())


def batch_archive(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype = state.resolve_type(object_type)
    for item in batch_inputs(json_body(request)):
        record = state.lookup(otype, str(item.get("id")), None)
        if record is not None:
            state.archive(otype, record)
    return Response(status=204)


def search(state: HubSpotState, request: Request, object_type: str) -> Response:
    otype, body = state.resolve_type(object_type), json_body(request)
    page = run_search(state.index.documents(otype.type_id), body)
    answer: JsonObject = {
        "total": page.total,
        "results": [render_snapshot(otype, d, body.get("properties") or None)
                    for d in page.results],
    }
    if page.next_after is not None:
        answer["paging"] = {"next": {"after": page.next_after}}
    return json_response(answer)
